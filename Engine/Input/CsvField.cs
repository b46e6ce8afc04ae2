namespace Ease.Engine.Input;

/// <summary>CSV output of ids: a field is quoted (RFC 4180) only when it holds a comma, quote or line break.</summary>
public static class CsvField
{
    public static string Quote(string field) =>
        field.AsSpan().IndexOfAny(",\"\r\n") < 0 ? field : "\"" + field.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}

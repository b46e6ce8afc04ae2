namespace Ease.Engine.Input;

/// <summary>
/// A row of an interaction file could not be read. <see cref="Exception.Message"/> is a single line in the
/// compiler-style form <c>path:line: reason: "row text"</c>, ready to show to a user as is.
/// </summary>
public sealed class InputFormatException : FormatException
{
    /// <summary>Longest excerpt of the offending row kept in <see cref="LineText"/>.</summary>
    public const int MaxLineTextLength = 200;

    /// <summary>Creates the exception; <paramref name="lineText"/> is truncated to <see cref="MaxLineTextLength"/> characters.</summary>
    public InputFormatException(string path, long lineNumber, string? lineText, string reason, Exception? innerException = null)
        : base(FormatMessage(path, lineNumber, Truncate(lineText), reason), innerException)
    {
        Path = path;
        LineNumber = lineNumber;
        LineText = Truncate(lineText);
        Reason = reason;
    }

    /// <summary>The file as it was passed to the reader.</summary>
    public string Path { get; }

    /// <summary>1-based line number of the offending row (for a damaged .gz: the line being read when it failed).</summary>
    public long LineNumber { get; }

    /// <summary>The offending row, truncated to about 200 characters (with "..." appended); null when there is no row text.</summary>
    public string? LineText { get; }

    /// <summary>What is wrong, without the location, e.g. <c>expected at least 3 fields separated by ',' but found 2</c>.</summary>
    public string Reason { get; }

    static string? Truncate(string? text)
    {
        if (text is null || text.Length <= MaxLineTextLength)
            return text;
        return string.Concat(text.AsSpan(0, MaxLineTextLength), "...");
    }

    static string FormatMessage(string path, long lineNumber, string? lineText, string reason)
    {
        // One line, whatever the row contains: control characters (a stray \r, tabs) are escaped.
        string location = lineNumber > 0 ? $"{path}:{lineNumber}: " : $"{path}: ";
        return lineText is null ? location + reason : $"{location}{reason}: \"{Escape(lineText)}\"";
    }

    static string Escape(string text)
    {
        if (!text.AsSpan().ContainsAnyInRange('\0', '\u001f'))
            return text;
        var sb = new System.Text.StringBuilder(text.Length + 8);
        foreach (char c in text)
        {
            switch (c)
            {
                case '\t': sb.Append("\\t"); break;
                case '\r': sb.Append("\\r"); break;
                case '\n': sb.Append("\\n"); break;
                case < ' ': sb.Append("\\u").Append(((int)c).ToString("x4", System.Globalization.CultureInfo.InvariantCulture)); break;
                default: sb.Append(c); break;
            }
        }
        return sb.ToString();
    }
}

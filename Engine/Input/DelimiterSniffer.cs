namespace Ease.Engine.Input;

/// <summary>Guesses the field delimiter from the first line of a delimited file.</summary>
internal static class DelimiterSniffer
{
    /// <summary>
    /// Candidates in priority order: <c>::</c> first (MovieLens; a single ':' is never a delimiter), then tab (TSV
    /// fields may contain commas), comma, semicolon, pipe, and finally runs of spaces. Null when none occurs.
    /// </summary>
    public static string? Sniff(ReadOnlySpan<byte> firstLine)
    {
        if (firstLine.IndexOf("::"u8) >= 0)
            return "::";
        if (firstLine.Contains((byte)'\t'))
            return "\t";
        if (firstLine.Contains((byte)','))
            return ",";
        if (firstLine.Contains((byte)';'))
            return ";";
        if (firstLine.Contains((byte)'|'))
            return "|";
        if (firstLine.Trim((byte)' ').Contains((byte)' '))
            return InputOptions.Whitespace;
        return null;
    }
}

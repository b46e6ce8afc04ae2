namespace Ease.Engine.Input;

/// <summary>Splits one UTF-8 line into fields without allocating: field boundaries go into a caller-provided span.</summary>
internal readonly struct FieldSplitter
{
    readonly byte[] _delimiter; // empty = runs of spaces/tabs

    public FieldSplitter(string delimiter)
    {
        _delimiter = delimiter == InputOptions.Whitespace ? [] : System.Text.Encoding.UTF8.GetBytes(delimiter);
    }

    public bool IsWhitespace => _delimiter.Length == 0;

    /// <summary>
    /// Finds the first <c>fields.Length</c> fields of <paramref name="line"/>; returns how many were found (fewer when
    /// the line has fewer). Fields are trimmed of spaces/tabs and of one pair of surrounding double quotes.
    /// </summary>
    public int Split(ReadOnlySpan<byte> line, Span<Range> fields)
    {
        int count = 0;
        if (IsWhitespace)
        {
            int pos = 0;
            while (count < fields.Length)
            {
                int skip = line[pos..].IndexOfAnyExcept((byte)' ', (byte)'\t');
                if (skip < 0)
                    break;
                int start = pos + skip;
                int length = line[start..].IndexOfAny((byte)' ', (byte)'\t');
                int end = length < 0 ? line.Length : start + length;
                fields[count++] = Unquote(line, start, end);
                pos = end;
            }
            return count;
        }

        ReadOnlySpan<byte> delimiter = _delimiter;
        int from = 0;
        while (count < fields.Length)
        {
            int at = line[from..].IndexOf(delimiter);
            int end = at < 0 ? line.Length : from + at;
            fields[count++] = Unquote(line, from, end);
            if (at < 0)
                break;
            from = end + delimiter.Length;
        }
        return count;
    }

    /// <summary>Counts all fields of <paramref name="line"/> (for error messages).</summary>
    public int CountAll(ReadOnlySpan<byte> line)
    {
        if (IsWhitespace)
        {
            Span<Range> scratch = stackalloc Range[64];
            int total = 0, found;
            do
            {
                // Whitespace fields are counted in blocks to keep the scratch small.
                found = Split(line, scratch);
                total += found;
                if (found == scratch.Length)
                    line = line[scratch[^1].End..];
            } while (found == scratch.Length);
            return total;
        }
        return line.Count(_delimiter) + 1;
    }

    static Range Unquote(ReadOnlySpan<byte> line, int start, int end)
    {
        while (start < end && line[start] is (byte)' ' or (byte)'\t')
            start++;
        while (end > start && line[end - 1] is (byte)' ' or (byte)'\t')
            end--;
        if (end - start >= 2 && line[start] == (byte)'"' && line[end - 1] == (byte)'"')
        {
            start++;
            end--;
        }
        return new Range(start, end);
    }
}

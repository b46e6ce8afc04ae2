using System.Globalization;
using System.Text;
using System.Text.Unicode;

namespace Ease.Engine.Input;

/// <summary>
/// One pass over one file: turns lines into (user, item) pairs in an <see cref="InteractionSetBuilder"/>.
/// Works on raw UTF-8 bytes; an id is decoded into a reused char buffer and becomes a string only when new.
/// </summary>
internal sealed class InteractionFileParser
{
    readonly string _path;
    readonly InputOptions _options;
    readonly InteractionSetBuilder _builder;
    readonly bool _restrictItems; // drop items that are not already in the builder's item map
    readonly UserShard _shard;     // default: every user
    char[] _chars = new char[256];

    // Delimited layout, fixed once the first line (and header) is seen.
    FieldSplitter _splitter;
    string _delimiter = InputOptions.Whitespace;
    int _userColumn, _itemColumn, _weightColumn = -1, _orderColumn = -1;
    Range[] _fields = [];

    public InteractionFileParser(string path, InputOptions options, InteractionSetBuilder builder, bool restrictItems)
    {
        _path = path;
        _options = options;
        _builder = builder;
        _restrictItems = restrictItems;
        _shard = options.Shard ?? default;
        _builder.KeepOrder = options.KeepsOrder;
    }

    public void Run(IProgress<ReadProgress>? progress, CancellationToken ct)
    {
        if (_options.Format == InputFormat.Parquet)
        {
            _builder.LinesRead = new ParquetInteractionFile(_path, _options, this).Read(progress, ct);
            return;
        }
        using var lines = new LineReader(_path, progress, ct);
        if (_options.Format == InputFormat.Adjacency)
            ReadAdjacency(lines);
        else
            ReadDelimited(lines);
        _builder.LinesRead = lines.LineNumber;
    }

    /// <summary>Next non-blank, valid UTF-8 line of at most 1 MiB; bad lines are reported or skipped.</summary>
    bool NextLine(LineReader lines, out ReadOnlySpan<byte> line)
    {
        while (lines.TryReadLine(out line, out bool tooLong))
        {
            if (tooLong)
            {
                BadRow(lines.LineNumber, line, $"line is longer than {LineReader.MaxLineBytes:N0} bytes (1 MiB)");
                continue;
            }
            if (line.IndexOfAnyExcept((byte)' ', (byte)'\t') < 0)
                continue; // blank lines carry nothing
            if (!Utf8.IsValid(line))
            {
                BadRow(lines.LineNumber, line, DescribeInvalidUtf8(line));
                continue;
            }
            return true;
        }
        line = default;
        return false;
    }

    // ---------------------------------------------------------------- adjacency: user item item ...

    void ReadAdjacency(LineReader lines)
    {
        if (_options.HasHeader == true && !NextLine(lines, out _))
            return;
        while (NextLine(lines, out var line))
        {
            int pos = line.IndexOfAnyExcept((byte)' ', (byte)'\t');
            int length = line[pos..].IndexOfAny((byte)' ', (byte)'\t');
            int end = length < 0 ? line.Length : pos + length;
            if (!_shard.Contains(line[pos..end]))
                continue;
            int user = _builder.Users.Lookup(line[pos..end], add: true, ref _chars);
            pos = end;
            while (true)
            {
                int skip = line[pos..].IndexOfAnyExcept((byte)' ', (byte)'\t');
                if (skip < 0)
                    break;
                pos += skip;
                length = line[pos..].IndexOfAny((byte)' ', (byte)'\t');
                end = length < 0 ? line.Length : pos + length;
                int item = ResolveItem(line[pos..end]);
                if (item >= 0)
                    _builder.AddPair(user, item);
                pos = end;
            }
        }
    }

    // ---------------------------------------------------------------- delimited: one interaction per row

    void ReadDelimited(LineReader lines)
    {
        if (!NextLine(lines, out var first))
            return; // empty file: zero users; the caller decides whether that is an error
        long firstNumber = lines.LineNumber;

        _delimiter = _options.Delimiter ?? DelimiterSniffer.Sniff(first)
            ?? throw new InputFormatException(_path, firstNumber, Encoding.UTF8.GetString(first),
                "cannot detect the delimiter (no '::', tab, ',', ';', '|' or space in the first line); pass --delimiter");
        _splitter = new FieldSplitter(_delimiter);

        bool byName = !IsIndex(_options.UserColumn) || !IsIndex(_options.ItemColumn)
            || (_options.EffectiveWeightColumn is string w && !IsIndex(w))
            || (_options.OrderColumn is string order && !IsIndex(order));
        bool? header = _options.HasHeader ?? (byName ? true : null);

        if (header is bool known)
        {
            SetColumns(known ? first : default, firstNumber);
            if (!known)
                ReadRow(first, firstNumber);
        }
        else
        {
            // Auto-detection needs the second row too; keep a copy of the first (the reader reuses its buffer).
            byte[] firstCopy = first.ToArray();
            SetColumns(default, firstNumber);
            if (!NextLine(lines, out var second))
            {
                ReadRow(firstCopy, firstNumber); // a single row: data
            }
            else
            {
                if (!LooksLikeHeader(firstCopy, second))
                    ReadRow(firstCopy, firstNumber);
                ReadRow(second, lines.LineNumber);
            }
        }

        while (NextLine(lines, out var line))
            ReadRow(line, lines.LineNumber);
    }

    static bool IsIndex(string column) => InputOptions.TryParseIndex(column, out _);

    /// <summary>Resolves the column options to indices, by name against <paramref name="header"/> when given.</summary>
    void SetColumns(ReadOnlySpan<byte> header, long headerNumber)
    {
        string[] names = [];
        string? headerText = header.IsEmpty ? null : Encoding.UTF8.GetString(header);
        if (!header.IsEmpty)
        {
            var ranges = new Range[_splitter.CountAll(header)];
            int count = _splitter.Split(header, ranges);
            names = new string[count];
            for (int i = 0; i < count; i++)
                names[i] = Encoding.UTF8.GetString(header[ranges[i]]);
        }

        int Resolve(string column, string role)
        {
            if (InputOptions.TryParseIndex(column, out int index))
                return index;
            int found = Array.FindIndex(names, n => string.Equals(n, column, StringComparison.Ordinal));
            if (found < 0)
                found = Array.FindIndex(names, n => string.Equals(n, column, StringComparison.OrdinalIgnoreCase));
            if (found < 0)
            {
                throw new InputFormatException(_path, headerNumber, headerText,
                    $"{role} column \"{column}\" is not in the header (columns: {string.Join(", ", names)})");
            }
            return found;
        }

        _userColumn = Resolve(_options.UserColumn, "user");
        _itemColumn = Resolve(_options.ItemColumn, "item");
        _weightColumn = _options.EffectiveWeightColumn is string weight ? Resolve(weight, "weight") : -1;
        _orderColumn = _options.OrderColumn is string order ? Resolve(order, "order") : -1;
        if (_userColumn == _itemColumn)
            throw new ArgumentException($"The user and item columns are the same column ({_userColumn}).");
        if (_orderColumn >= 0 && (_orderColumn == _userColumn || _orderColumn == _itemColumn))
            throw new ArgumentException($"The order column is also the {(_orderColumn == _userColumn ? "user" : "item")} column ({_orderColumn}).");
        _fields = new Range[Math.Max(Math.Max(_userColumn, _orderColumn), Math.Max(_itemColumn, _weightColumn)) + 1];
    }

    /// <summary>A header is a first row with a non-number where the second row has a number, in a selected column.</summary>
    bool LooksLikeHeader(ReadOnlySpan<byte> first, ReadOnlySpan<byte> second)
    {
        Span<Range> a = _fields.Length <= 64 ? stackalloc Range[_fields.Length] : new Range[_fields.Length];
        Span<Range> b = _fields.Length <= 64 ? stackalloc Range[_fields.Length] : new Range[_fields.Length];
        int countA = _splitter.Split(first, a), countB = _splitter.Split(second, b);
        foreach (int column in (ReadOnlySpan<int>)[_userColumn, _itemColumn, _weightColumn, _orderColumn])
        {
            if (column >= 0 && column < countA && column < countB
                && !IsNumber(first[a[column]]) && IsNumber(second[b[column]]))
                return true;
        }
        return false;
    }

    static bool IsNumber(ReadOnlySpan<byte> field) =>
        double.TryParse(field, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) && double.IsFinite(value);

    void ReadRow(ReadOnlySpan<byte> line, long lineNumber)
    {
        Span<Range> fields = _fields;
        int found = _splitter.Split(line, fields);
        if (found < fields.Length)
        {
            BadRow(lineNumber, line,
                $"expected at least {fields.Length} fields separated by {InputOptions.Describe(_delimiter)} but found {_splitter.CountAll(line)}");
            return;
        }

        ReadOnlySpan<byte> userField = line[fields[_userColumn]];
        ReadOnlySpan<byte> itemField = line[fields[_itemColumn]];
        if (userField.IsEmpty)
        {
            BadRow(lineNumber, line, $"empty user id in column {_userColumn}");
            return;
        }
        if (itemField.IsEmpty)
        {
            BadRow(lineNumber, line, $"empty item id in column {_itemColumn}");
            return;
        }
        double order = double.NaN;
        if (_orderColumn >= 0)
        {
            ReadOnlySpan<byte> orderField = line[fields[_orderColumn]];
            if (!double.TryParse(orderField, NumberStyles.Float, CultureInfo.InvariantCulture, out order) || !double.IsFinite(order))
            {
                BadRow(lineNumber, line, $"order value \"{Encoding.UTF8.GetString(orderField)}\" in column {_orderColumn} is not a number (expected a timestamp or sequence number)");
                return;
            }
        }
        if (_weightColumn >= 0)
        {
            ReadOnlySpan<byte> weightField = line[fields[_weightColumn]];
            if (!double.TryParse(weightField, NumberStyles.Float, CultureInfo.InvariantCulture, out double weight) || !double.IsFinite(weight))
            {
                BadRow(lineNumber, line, $"weight \"{Encoding.UTF8.GetString(weightField)}\" in column {_weightColumn} is not a finite number");
                return;
            }
            Add(userField, itemField, weight, order);
            return;
        }
        Add(userField, itemField, double.NaN, order);
    }

    /// <summary>
    /// One interaction whose fields passed their checks, from a delimited row or a Parquet row: the
    /// --min-weight filter (<paramref name="weight"/> NaN: no weight column), the shard, the id maps;
    /// <paramref name="order"/> is the row's order key (NaN: no order column).
    /// </summary>
    internal void Add(ReadOnlySpan<byte> userField, ReadOnlySpan<byte> itemField, double weight, double order)
    {
        if (Filtered(weight))
            return;
        int user = User(userField);
        if (user >= 0)
            AddItem(user, itemField, order);
    }

    /// <summary>Counts and drops a row below --min-weight.</summary>
    internal bool Filtered(double weight)
    {
        if (_options.MinWeight is double min && weight < min)
        {
            _builder.FilteredRows++;
            return true;
        }
        return false;
    }

    /// <summary>
    /// The user's index, registered even when the row's item turns out unknown (as in adjacency
    /// files: a history of unknown items is still a user, who gets the popularity fallback); -1 when
    /// the user is outside the shard.
    /// </summary>
    internal int User(ReadOnlySpan<byte> userField) =>
        _shard.Contains(userField) ? _builder.Users.Lookup(userField, add: true, ref _chars) : -1;

    internal void AddItem(int user, ReadOnlySpan<byte> itemField, double order)
    {
        int item = ResolveItem(itemField);
        if (item >= 0)
        {
            _builder.AddPair(user, item);
            if (!double.IsNaN(order))
                _builder.SetOrder(order);
        }
    }

    /// <summary>The item's index without counting an unknown one (-1); for readers that cache indices.</summary>
    internal int ItemIndex(ReadOnlySpan<byte> itemField) => _builder.Items.Lookup(itemField, add: !_restrictItems, ref _chars);

    /// <inheritdoc cref="ItemIndex(ReadOnlySpan{byte})"/>
    internal int ItemIndex(ReadOnlySpan<char> itemId)
    {
        if (!_restrictItems)
            return _builder.Items.GetOrAdd(itemId);
        return _builder.Items.TryGet(itemId, out int item) ? item : -1;
    }

    /// <summary>Adds the pair, with its order key unless NaN; an unknown item (-1) is counted and dropped.</summary>
    internal void AddPair(int user, int item, double order = double.NaN)
    {
        if (item < 0)
        {
            _builder.UnknownItemInteractions++;
            return;
        }
        _builder.AddPair(user, item);
        if (!double.IsNaN(order))
            _builder.SetOrder(order);
    }

    // ---------------------------------------------------------------- shared helpers

    /// <summary>The item's index, or -1 when it is unknown and unknown items are dropped.</summary>
    int ResolveItem(ReadOnlySpan<byte> field)
    {
        int item = _builder.Items.Lookup(field, add: !_restrictItems, ref _chars);
        if (item < 0)
            _builder.UnknownItemInteractions++;
        return item;
    }

    void BadRow(long lineNumber, ReadOnlySpan<byte> line, string reason) => BadRow(lineNumber, reason, LineText, line);

    /// <summary>Skips and counts the row under --skip-bad-rows, else throws naming it; <paramref name="text"/> runs only to throw.</summary>
    internal void BadRow<TRow>(long lineNumber, string reason, Func<TRow, string?> text, TRow row) where TRow : allows ref struct
    {
        if (_options.SkipBadRows)
        {
            _builder.SkippedRows++;
            return;
        }
        ThrowHelper.ThrowFormat(_path, lineNumber, text(row), reason);
    }

    /// <summary>The row as text for a message: enough bytes for ~200 characters, invalid bytes shown as U+FFFD.</summary>
    static string? LineText(ReadOnlySpan<byte> line) =>
        Encoding.UTF8.GetString(line[..Math.Min(line.Length, InputFormatException.MaxLineTextLength * 4)]);

    static string DescribeInvalidUtf8(ReadOnlySpan<byte> line)
    {
        var chars = new char[line.Length];
        Utf8.ToUtf16(line, chars, out int valid, out _, replaceInvalidSequences: false);
        return $"line is not valid UTF-8 (byte 0x{line[valid]:X2} at byte offset {valid})";
    }
}

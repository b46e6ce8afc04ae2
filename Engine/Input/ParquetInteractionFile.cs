using System.Buffers.Text;
using System.Runtime.InteropServices;
using System.Text;
using Parquet;
using Parquet.Schema;

namespace Ease.Engine.Input;

/// <summary>
/// Reads the interactions of a Parquet file (<see cref="InputFormat.Parquet"/>) a row group at a time
/// into an <see cref="InteractionFileParser"/>, column by column with Parquet.Net (managed code only).
/// Ids reach the id maps as the text a CSV file of the same rows holds (integers in decimal), so
/// both give the same ids, in the same first-seen order, and the same model.
/// </summary>
internal sealed class ParquetInteractionFile(string path, InputOptions options, InteractionFileParser parser)
{
    private byte[] _user = new byte[64];
    private byte[] _item = new byte[64];
    private int _resolvedRow = -1; // the row of this row group whose user _resolvedUser is, or -1
    private int _resolvedUser;

    // Item indices already looked up. A string column's dictionary pages hand out one slice of one
    // buffer per distinct value, so (buffer, offset, length) names a value; integers name themselves.
    private const int CacheSlots = 1 << 13;
    private readonly object?[] _cachedBuffer = new object?[CacheSlots];
    private readonly long[] _cachedKey = new long[CacheSlots];
    private readonly int[] _cachedItem = new int[CacheSlots];

    /// <summary>Reads every row; returns the number of rows read.</summary>
    public long Read(IProgress<ReadProgress>? progress, CancellationToken ct)
    {
        // Buffered: the reader takes page headers a few bytes at a time.
        using FileStream file = Ease.Format.ReadableFile.Open(path, bufferSize: 1 << 16, options: FileOptions.RandomAccess);
        long totalBytes = file.Length;
        ParquetReader reader = Open(file, ct);
        Task<int> loading = Task.FromResult(0);
        try
        {
            DataField[] fields = reader.Schema.GetDataFields();
            Column user = Column.Find(fields, options.UserColumn, "user", IdKind, path);
            Column item = Column.Find(fields, options.ItemColumn, "item", IdKind, path);
            Column? weight = options.EffectiveWeightColumn is string w ? Column.Find(fields, w, "weight", WeightKind, path) : null;
            Column? order = options.OrderColumn is string o ? Column.Find(fields, o, "order", WeightKind, path) : null;
            if (order is not null && (ReferenceEquals(order.Field, user.Field) || ReferenceEquals(order.Field, item.Field)))
                throw new ArgumentException($"The order column is also the {(ReferenceEquals(order.Field, user.Field) ? "user" : "item")} column (\"{order.Field.Name}\").");
            if (ReferenceEquals(user.Field, item.Field))
                throw new ArgumentException($"The user and item columns are the same column (\"{user.Field.Name}\").");
            // Two sets of column buffers: the next row group is decoded on another thread while the
            // rows of this one go into the id maps (the reader's stream is used by one thread at a time).
            Column[] current = [user, item, .. weight is null ? Array.Empty<Column>() : [weight], .. order is null ? Array.Empty<Column>() : [order]];
            int weightAt = weight is null ? -1 : 2, orderAt = order is null ? -1 : current.Length - 1;
            Column[] next = [.. current.Select(c => c.Twin())];
            long row = 0;
            loading = Task.FromResult(Load(reader, 0, current, row, ct));
            for (int g = 0; g < reader.RowGroupCount; g++)
            {
                ct.ThrowIfCancellationRequested();
                int rows = loading.GetAwaiter().GetResult();
                if (g + 1 < reader.RowGroupCount)
                {
                    int following = g + 1;
                    Column[] target = next;
                    long first = row + rows;
                    loading = Task.Run(() => Load(reader, following, target, first, ct), ct);
                }
                _resolvedRow = -1;
                // The next group's strings are in other buffers, which may reuse the addresses of this group's.
                Array.Clear(_cachedBuffer);
                for (int r = 0; r < rows; r++)
                    AddRow(current[0], current[1], weightAt < 0 ? null : current[weightAt], orderAt < 0 ? null : current[orderAt], r, ++row);
                progress?.Report(new ReadProgress(totalBytes * (g + 1) / reader.RowGroupCount, totalBytes, row));
                (current, next) = (next, current);
            }
            return row;
        }
        finally
        {
            // A bad row stops the read while the next row group may still be decoding: let it finish first.
            ((IAsyncResult)loading).AsyncWaitHandle.WaitOne();
            reader.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    private void AddRow(Column user, Column item, Column? weight, Column? order, int r, long row)
    {
        if (user.IsNull(r) || item.IsNull(r))
        {
            Column missing = user.IsNull(r) ? user : item;
            parser.BadRow(row, $"no {(missing == user ? "user" : "item")} id (null) in column \"{missing.Field.Name}\"", RowText, (this, user, item, weight, r));
            return;
        }
        if (user.IsEmpty(r) || item.IsEmpty(r))
        {
            Column empty = user.IsEmpty(r) ? user : item;
            parser.BadRow(row, $"empty {(empty == user ? "user" : "item")} id in column \"{empty.Field.Name}\"", RowText, (this, user, item, weight, r));
            return;
        }
        double value = double.NaN;
        if (weight is not null)
        {
            value = weight.Number(r);
            if (!double.IsFinite(value))
            {
                parser.BadRow(row, $"weight {weight.Text(r)} in column \"{weight.Field.Name}\" is not a finite number", RowText, (this, user, item, weight, r));
                return;
            }
        }
        double key = double.NaN;
        if (order is not null)
        {
            key = order.Number(r);
            if (!double.IsFinite(key))
            {
                parser.BadRow(row, $"order value {order.Text(r)} in column \"{order.Field.Name}\" is not a number (expected a timestamp or sequence number)", RowText, (this, user, item, weight, r));
                return;
            }
        }
        if (parser.Filtered(value))
            return;
        // Logs are mostly sorted by user: a row of the user of the row before needs no lookup.
        if (_resolvedRow < 0 || !user.SameValue(r, _resolvedRow))
        {
            _resolvedUser = parser.User(_user.AsSpan(0, user.Utf8(r, ref _user)));
            _resolvedRow = r;
        }
        if (_resolvedUser < 0)
            return;
        parser.AddPair(_resolvedUser, ItemIndex(item, r), key);
    }

    private int ItemIndex(Column item, int r)
    {
        object? buffer;
        long key;
        if (item.Chars(r) is { } chars)
        {
            if (!MemoryMarshal.TryGetArray(chars, out ArraySegment<char> segment))
                return parser.ItemIndex(chars.Span);
            buffer = segment.Array;
            key = ((long)segment.Offset << 32) | (uint)segment.Count;
        }
        else
        {
            buffer = item;
            key = item.Integer(r);
        }
        int slot = (int)((ulong)(key * -7046029254386353131L) >> 51); // 13 bits of a Fibonacci hash
        if (ReferenceEquals(_cachedBuffer[slot], buffer) && _cachedKey[slot] == key)
            return _cachedItem[slot];
        int index = item.Chars(r) is { } text ? parser.ItemIndex(text.Span) : parser.ItemIndex(_item.AsSpan(0, item.Utf8(r, ref _item)));
        if (index >= 0)
        {
            _cachedBuffer[slot] = buffer;
            _cachedKey[slot] = key;
            _cachedItem[slot] = index;
        }
        return index;
    }

    private static string? RowText((ParquetInteractionFile File, Column User, Column Item, Column? Weight, int R) x) =>
        $"{x.User.Field.Name}={x.User.Text(x.R)}, {x.Item.Field.Name}={x.Item.Text(x.R)}" + (x.Weight is null ? "" : $", {x.Weight.Field.Name}={x.Weight.Text(x.R)}");

    private ParquetReader Open(FileStream file, CancellationToken ct)
    {
        try
        {
            return ParquetReader.CreateAsync(file, new ParquetOptions { TreatByteArrayAsString = true }, leaveStreamOpen: true, ct).GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is not OperationCanceledException and not OutOfMemoryException)
        {
            throw new InputFormatException(path, 0, null, $"not a readable Parquet file ({OneLine(e)})", e);
        }
    }

    /// <summary>
    /// Decodes row group <paramref name="g"/> into <paramref name="columns"/>; returns its row count.
    /// Damaged pages and the like: one line naming the file and the row group's first row.
    /// </summary>
    private int Load(ParquetReader reader, int g, Column[] columns, long rowsBefore, CancellationToken ct)
    {
        if (reader.RowGroupCount == 0)
            return 0;
        try
        {
            using ParquetRowGroupReader group = reader.OpenRowGroupReader(g);
            int rows = checked((int)group.RowCount);
            foreach (Column column in columns)
                column.Load(group, rows, ct);
            return rows;
        }
        catch (Exception e) when (e is not OperationCanceledException and not OutOfMemoryException and not InputFormatException)
        {
            throw new InputFormatException(path, 0, null, $"damaged Parquet data in the row group from row {rowsBefore + 1:N0} ({OneLine(e)})", e);
        }
    }

    private static string OneLine(Exception e) => $"{e.GetType().Name}: {e.Message.ReplaceLineEndings(" ")}";

    private const string IdKind = "a string or integer column";
    private const string WeightKind = "a number column";

    /// <summary>
    /// One selected column and its values in the current row group, kept as the column's own type and
    /// read raw (strings as slices of one character buffer, not a string each: several times faster).
    /// </summary>
    private sealed class Column
    {
        private readonly Kind _kind;
        private ReadOnlyMemory<char>[] _strings = [];
        private long[] _longs = [];
        private int[] _ints = [];
        private double[] _doubles = [];
        private float[] _floats = [];
        private int[] _levels = [];
        private int[] _index = []; // row -> index into the values, -1 for a null

        private Column(DataField field, Kind kind)
        {
            Field = field;
            _kind = kind;
        }

        /// <summary>The same column with buffers of its own.</summary>
        public Column Twin() => new(Field, _kind);

        private enum Kind { String, Int32, Int64, Float, Double }

        public DataField Field { get; }

        /// <summary>The column by 0-based index or by name (exact, then ignoring case), of a type the role accepts.</summary>
        public static Column Find(DataField[] fields, string column, string role, string expected, string path)
        {
            DataField? field = InputOptions.TryParseIndex(column, out int index)
                ? (index < fields.Length ? fields[index] : null)
                : Array.Find(fields, f => string.Equals(f.Name, column, StringComparison.Ordinal))
                  ?? Array.Find(fields, f => string.Equals(f.Name, column, StringComparison.OrdinalIgnoreCase));
            string columns = string.Join(", ", fields.Select(f => f.Name));
            if (field is null)
                throw new InputFormatException(path, 0, null, $"{role} column \"{column}\" is not in the file (columns: {columns})");
            Type type = Nullable.GetUnderlyingType(field.ClrType) ?? field.ClrType;
            Kind? kind = field.IsArray ? null
                : type == typeof(string) || type == typeof(ReadOnlyMemory<char>) ? Kind.String
                : type == typeof(int) ? Kind.Int32
                : type == typeof(long) ? Kind.Int64
                : type == typeof(float) ? Kind.Float
                : type == typeof(double) ? Kind.Double
                : null;
            bool fits = role is "weight" or "order" ? kind is not null and not Kind.String : kind is Kind.String or Kind.Int32 or Kind.Int64;
            if (!fits)
            {
                string what = field.IsArray ? "list" : kind == Kind.String ? "string" : type.Name;
                throw new InputFormatException(path, 0, null, $"{role} column \"{field.Name}\" holds {what} values; expected {expected}");
            }
            return new Column(field, kind!.Value);
        }

        public void Load(ParquetRowGroupReader group, int rows, CancellationToken ct)
        {
            Fit(ref _levels, rows);
            Memory<int> levels = _levels.AsMemory(0, rows);
            switch (_kind)
            {
                case Kind.String:
                    Read(group, ref _strings, rows, levels, ct);
                    break;
                case Kind.Int32:
                    Read(group, ref _ints, rows, levels, ct);
                    break;
                case Kind.Int64:
                    Read(group, ref _longs, rows, levels, ct);
                    break;
                case Kind.Float:
                    Read(group, ref _floats, rows, levels, ct);
                    break;
                case Kind.Double:
                    Read(group, ref _doubles, rows, levels, ct);
                    break;
            }
            // A nullable column's values are those of its non-null rows, in order: its definition levels say which rows.
            Fit(ref _index, rows);
            int next = 0;
            for (int r = 0; r < rows; r++)
                _index[r] = Field.MaxDefinitionLevel == 0 || _levels[r] == Field.MaxDefinitionLevel ? next++ : -1;
        }

        private void Read<T>(ParquetRowGroupReader group, ref T[] values, int rows, Memory<int> levels, CancellationToken ct) where T : struct
        {
            Fit(ref values, rows);
            group.ReadRawAsync(Field, values.AsMemory(0, rows), levels, null, ct).GetAwaiter().GetResult();
        }

        private static void Fit<TValue>(ref TValue[] array, int rows)
        {
            if (array.Length < rows)
                array = new TValue[rows];
        }

        public bool IsNull(int r) => _index[r] < 0;

        public bool IsEmpty(int r) => _kind == Kind.String && _strings[_index[r]].IsEmpty;

        /// <summary>Whether rows <paramref name="r"/> and <paramref name="other"/> (both not null) hold the same id.</summary>
        public bool SameValue(int r, int other)
        {
            int a = _index[r], b = _index[other];
            return _kind switch
            {
                Kind.String => _strings[a].Span.SequenceEqual(_strings[b].Span),
                Kind.Int32 => _ints[a] == _ints[b],
                _ => _longs[a] == _longs[b],
            };
        }

        /// <summary>An integer column's id of row <paramref name="r"/> (not null).</summary>
        public long Integer(int r) => _kind == Kind.Int32 ? _ints[_index[r]] : _longs[_index[r]];

        /// <summary>A string column's id of row <paramref name="r"/> (not null); null for an integer column.</summary>
        public ReadOnlyMemory<char>? Chars(int r) => _kind == Kind.String ? _strings[_index[r]] : (ReadOnlyMemory<char>?)null;

        /// <summary>Writes row <paramref name="r"/>'s id (not null) as UTF-8 (integers in decimal); returns its length.</summary>
        public int Utf8(int r, ref byte[] buffer)
        {
            int i = _index[r];
            int length;
            switch (_kind)
            {
                case Kind.String:
                    ReadOnlySpan<char> s = _strings[i].Span;
                    int most = Encoding.UTF8.GetMaxByteCount(s.Length);
                    if (buffer.Length < most)
                        buffer = new byte[Math.Max(most, buffer.Length * 2)];
                    return Encoding.UTF8.GetBytes(s, buffer);
                case Kind.Int32:
                    Utf8Formatter.TryFormat(_ints[i], buffer, out length);
                    return length;
                default:
                    Utf8Formatter.TryFormat(_longs[i], buffer, out length);
                    return length;
            }
        }

        /// <summary>Row <paramref name="r"/>'s weight; NaN for a null.</summary>
        public double Number(int r)
        {
            int i = _index[r];
            return i < 0 ? double.NaN : _kind switch
            {
                Kind.Int32 => _ints[i],
                Kind.Int64 => _longs[i],
                Kind.Float => _floats[i],
                _ => _doubles[i],
            };
        }

        /// <summary>The value as text for a message.</summary>
        public string Text(int r) => _index[r] < 0 ? "null" : _kind switch
        {
            Kind.String => $"\"{_strings[_index[r]]}\"",
            Kind.Int32 => _ints[_index[r]].ToString(System.Globalization.CultureInfo.InvariantCulture),
            Kind.Int64 => _longs[_index[r]].ToString(System.Globalization.CultureInfo.InvariantCulture),
            _ => Number(r).ToString("R", System.Globalization.CultureInfo.InvariantCulture),
        };
    }
}

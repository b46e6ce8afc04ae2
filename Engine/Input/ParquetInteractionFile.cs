using System.Buffers.Text;
using System.Text;
using Parquet;
using Parquet.Schema;

namespace Ease.Engine.Input;

/// <summary>
/// Reads the interactions of a Parquet file (<see cref="InputFormat.Parquet"/>) a row group at a time
/// into an <see cref="InteractionFileParser"/>, column by column with Parquet.Net (managed code only).
/// Ids reach the id maps as the UTF-8 bytes a CSV file of the same rows holds (integers in decimal),
/// so both give the same ids, in the same first-seen order, and the same model.
/// </summary>
internal sealed class ParquetInteractionFile(string path, InputOptions options, InteractionFileParser parser)
{
    private byte[] _user = new byte[64];
    private byte[] _item = new byte[64];

    /// <summary>Reads every row; returns the number of rows read.</summary>
    public long Read(IProgress<ReadProgress>? progress, CancellationToken ct)
    {
        using FileStream file = InputFile.OpenRead(path, FileOptions.RandomAccess);
        long totalBytes = file.Length;
        ParquetReader reader = Open(file, ct);
        try
        {
            DataField[] fields = reader.Schema.GetDataFields();
            Column user = Column.Find(fields, options.UserColumn, "user", IdKind, path);
            Column item = Column.Find(fields, options.ItemColumn, "item", IdKind, path);
            Column? weight = options.EffectiveWeightColumn is string w ? Column.Find(fields, w, "weight", WeightKind, path) : null;
            if (ReferenceEquals(user.Field, item.Field))
                throw new ArgumentException($"The user and item columns are the same column (\"{user.Field.Name}\").");
            long row = 0;
            for (int g = 0; g < reader.RowGroupCount; g++)
            {
                ct.ThrowIfCancellationRequested();
                using ParquetRowGroupReader group = reader.OpenRowGroupReader(g);
                int rows = checked((int)group.RowCount);
                Guard(() => user.Load(group, rows, ct), row);
                Guard(() => item.Load(group, rows, ct), row);
                if (weight is not null)
                    Guard(() => weight.Load(group, rows, ct), row);
                for (int r = 0; r < rows; r++)
                    AddRow(user, item, weight, r, ++row);
                progress?.Report(new ReadProgress(totalBytes * (g + 1) / reader.RowGroupCount, totalBytes, row));
            }
            return row;
        }
        finally
        {
            reader.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    private void AddRow(Column user, Column item, Column? weight, int r, long row)
    {
        if (!user.TryUtf8(r, ref _user, out int userLength))
        {
            parser.BadRow(row, $"no user id (null) in column \"{user.Field.Name}\"", RowText, (this, user, item, weight, r));
            return;
        }
        if (!item.TryUtf8(r, ref _item, out int itemLength))
        {
            parser.BadRow(row, $"no item id (null) in column \"{item.Field.Name}\"", RowText, (this, user, item, weight, r));
            return;
        }
        if (userLength == 0 || itemLength == 0)
        {
            parser.BadRow(row, $"empty {(userLength == 0 ? "user" : "item")} id in column \"{(userLength == 0 ? user : item).Field.Name}\"", RowText, (this, user, item, weight, r));
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
        parser.Add(_user.AsSpan(0, userLength), _item.AsSpan(0, itemLength), value);
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

    /// <summary>Damaged pages and the like: one line naming the file and the row group's first row.</summary>
    private void Guard(Action load, long rowsBefore)
    {
        try
        {
            load();
        }
        catch (Exception e) when (e is not OperationCanceledException and not OutOfMemoryException and not InputFormatException)
        {
            throw new InputFormatException(path, 0, null, $"damaged Parquet data in the row group from row {rowsBefore + 1:N0} ({OneLine(e)})", e);
        }
    }

    private static string OneLine(Exception e) => $"{e.GetType().Name}: {e.Message.ReplaceLineEndings(" ")}";

    private const string IdKind = "a string or integer column";
    private const string WeightKind = "a number column";

    /// <summary>One selected column and its values in the current row group, kept as the column's own type.</summary>
    private sealed class Column
    {
        private readonly Kind _kind;
        private string?[] _strings = [];
        private long?[] _longs = [];
        private double?[] _doubles = [];

        private Column(DataField field, Kind kind)
        {
            Field = field;
            _kind = kind;
        }

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
            bool fits = role == "weight" ? kind is not null and not Kind.String : kind is Kind.String or Kind.Int32 or Kind.Int64;
            if (!fits)
            {
                string what = field.IsArray ? "list" : kind == Kind.String ? "string" : type.Name;
                throw new InputFormatException(path, 0, null, $"{role} column \"{field.Name}\" holds {what} values; expected {expected}");
            }
            return new Column(field, kind!.Value);
        }

        public void Load(ParquetRowGroupReader group, int rows, CancellationToken ct)
        {
            switch (_kind)
            {
                case Kind.String:
                    Fit(ref _strings, rows);
                    group.ReadAsync(Field, _strings.AsMemory(0, rows), null, ct).GetAwaiter().GetResult();
                    break;
                case Kind.Int32:
                    ReadWidened<int, long>(group, rows, ref _longs, v => v, ct);
                    break;
                case Kind.Int64:
                    ReadWidened<long, long>(group, rows, ref _longs, v => v, ct);
                    break;
                case Kind.Float:
                    ReadWidened<float, double>(group, rows, ref _doubles, v => v, ct);
                    break;
                case Kind.Double:
                    ReadWidened<double, double>(group, rows, ref _doubles, v => v, ct);
                    break;
            }
        }

        private void ReadWidened<T, TWide>(ParquetRowGroupReader group, int rows, ref TWide?[] target, Func<T, TWide> widen, CancellationToken ct)
            where T : struct where TWide : struct
        {
            var values = new T?[rows];
            group.ReadAsync(Field, values.AsMemory(), null, ct).GetAwaiter().GetResult();
            Fit(ref target, rows);
            for (int i = 0; i < rows; i++)
                target[i] = values[i] is T v ? widen(v) : null;
        }

        private static void Fit<TValue>(ref TValue[] array, int rows)
        {
            if (array.Length < rows)
                array = new TValue[rows];
        }

        /// <summary>Row <paramref name="r"/>'s id as UTF-8 (integers in decimal); false for a null.</summary>
        public bool TryUtf8(int r, ref byte[] buffer, out int length)
        {
            if (_kind == Kind.String)
            {
                string? s = _strings[r];
                length = 0;
                if (s is null)
                    return false;
                int most = Encoding.UTF8.GetMaxByteCount(s.Length);
                if (buffer.Length < most)
                    buffer = new byte[Math.Max(most, buffer.Length * 2)];
                length = Encoding.UTF8.GetBytes(s, buffer);
                return true;
            }
            length = 0;
            if (_longs[r] is not long n)
                return false;
            Utf8Formatter.TryFormat(n, buffer, out length);
            return true;
        }

        /// <summary>Row <paramref name="r"/>'s weight; NaN for a null.</summary>
        public double Number(int r) => _kind is Kind.Int32 or Kind.Int64 ? _longs[r] ?? double.NaN : _doubles[r] ?? double.NaN;

        /// <summary>The value as text for a message.</summary>
        public string Text(int r) => _kind switch
        {
            Kind.String => _strings[r] is { } s ? $"\"{s}\"" : "null",
            Kind.Int32 or Kind.Int64 => _longs[r]?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "null",
            _ => _doubles[r]?.ToString("R", System.Globalization.CultureInfo.InvariantCulture) ?? "null",
        };
    }
}

using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.Intrinsics;
using System.Text;
using System.Text.Json;

namespace Ease.Format;

/// <summary>The header and section table of a file that passed the open-time checks.</summary>
internal readonly record struct ValidatedLayout
{
    public long FileLength { get; init; }
    public int Major { get; init; }
    public int Minor { get; init; }
    public int ItemCount { get; init; }
    public long NonZeroCount { get; init; }
    public ModelEncoding Encoding { get; init; }
    public int MaxRowLength { get; init; }
    public SectionInfo[] Sections { get; init; }

    public bool TryGetSection(SectionKind kind, out SectionInfo section)
    {
        foreach (SectionInfo s in Sections)
        {
            if (s.Kind == (uint)kind)
            {
                section = s;
                return true;
            }
        }
        section = default;
        return false;
    }

    public SectionInfo Section(SectionKind kind) => TryGetSection(kind, out SectionInfo s) ? s : throw new InvalidOperationException(kind.ToString());
}

/// <summary>
/// The checks of FORMAT.md: <see cref="ValidateStructure"/> at every open (what memory safety
/// depends on), <see cref="VerifyDeep"/> on request (checksums and the remaining invariants).
/// </summary>
internal static unsafe class ModelFileValidator
{
    private static readonly SectionKind[] Required =
        [SectionKind.RowOffsets, SectionKind.ColumnIndices, SectionKind.Values, SectionKind.ItemIdOffsets, SectionKind.ItemIdBytes, SectionKind.ItemIdIndex];

    public static ValidatedLayout ValidateStructure(string path, byte* p, long fileLength)
    {
        var header = new ReadOnlySpan<byte>(p, ModelFileLayout.HeaderSize);
        ulong magic = BinaryPrimitives.ReadUInt64LittleEndian(header);
        if (magic != ModelFileLayout.Magic)
            Fail(path, "header, offset 0", $"magic is {Hex(header[..8])}, expected \"EASEMODL\" ({Hex(BitConverter.GetBytes(ModelFileLayout.Magic))}); this is not an Ease model file");
        int major = BinaryPrimitives.ReadUInt16LittleEndian(header[ModelFileLayout.OffMajor..]);
        int minor = BinaryPrimitives.ReadUInt16LittleEndian(header[ModelFileLayout.OffMinor..]);
        if (major != ModelFileLayout.MajorVersion)
            Fail(path, "header, offset 8", $"format version {major}.{minor}; this reader supports major version {ModelFileLayout.MajorVersion} (format {ModelFileLayout.MajorVersion}.{ModelFileLayout.MinorVersion})");

        uint sectionCount = BinaryPrimitives.ReadUInt32LittleEndian(header[ModelFileLayout.OffSectionCount..]);
        if (sectionCount < 1 || sectionCount > ModelFileLayout.MaxSections)
            Fail(path, "header, offset 36", $"section count is {sectionCount}, expected 1 to {ModelFileLayout.MaxSections}");
        uint headerSize = BinaryPrimitives.ReadUInt32LittleEndian(header[ModelFileLayout.OffHeaderSize..]);
        uint expectedHeaderSize = (uint)(ModelFileLayout.HeaderSize + ModelFileLayout.SectionEntrySize * sectionCount);
        if (headerSize != expectedHeaderSize)
            Fail(path, "header, offset 12", $"header size is {headerSize}, expected {expectedHeaderSize} for {sectionCount} sections");
        if (headerSize > fileLength)
            Fail(path, "section table", $"the file is {fileLength} bytes but its header and section table take {headerSize}: truncated");

        var fullHeader = new ReadOnlySpan<byte>(p, (int)headerSize);
        uint storedCrc = BinaryPrimitives.ReadUInt32LittleEndian(header[ModelFileLayout.OffHeaderCrc..]);
        uint crc = Crc32C.Append(Crc32C.InitialState, fullHeader[..ModelFileLayout.OffHeaderCrc]);
        crc = Crc32C.Append(crc, [0, 0, 0, 0]);
        crc = Crc32C.Finish(Crc32C.Append(crc, fullHeader[ModelFileLayout.HeaderSize..]));
        if (crc != storedCrc)
            Fail(path, "header", $"header checksum is 0x{storedCrc:X8} but the header and section table hash to 0x{crc:X8}: damaged");

        ulong declaredLength = BinaryPrimitives.ReadUInt64LittleEndian(header[ModelFileLayout.OffFileLength..]);
        if (declaredLength != (ulong)fileLength)
            Fail(path, "header, offset 40", $"the header says the file is {declaredLength} bytes but it is {fileLength}: {(declaredLength > (ulong)fileLength ? "truncated" : "has trailing bytes")}");
        uint flags = BinaryPrimitives.ReadUInt32LittleEndian(header[ModelFileLayout.OffFlags..]);
        if ((flags & ~ModelFileLayout.FlagUInt16Columns) != 0)
            Fail(path, "header, offset 48", $"flags are 0x{flags:X8}; this reader knows bit 0 (16-bit columns) only");
        uint weightType = BinaryPrimitives.ReadUInt32LittleEndian(header[ModelFileLayout.OffValueType..]);
        if (weightType < (uint)WeightType.Float32 || weightType > (uint)WeightType.Int8Scaled)
            Fail(path, "header, offset 32", $"value type is {weightType}; this reader supports 1 (float32), 2 (float16), 3 (bfloat16) and 4 (int8 with row scales)");
        ulong n = BinaryPrimitives.ReadUInt64LittleEndian(header[ModelFileLayout.OffItemCount..]);
        if (n < 1 || n > ModelFileLayout.MaxItemCount)
            Fail(path, "header, offset 16", $"item count is {n}, expected 1 to {ModelFileLayout.MaxItemCount}");
        var encoding = new ModelEncoding((WeightType)weightType, (flags & ModelFileLayout.FlagUInt16Columns) != 0 ? ColumnIndexType.UInt16 : ColumnIndexType.UInt32);
        if (encoding.Columns == ColumnIndexType.UInt16 && n > ModelEncoding.MaxUInt16Items)
            Fail(path, "header, offset 48", $"16-bit columns (flag bit 0) for {n} items; they address at most {ModelEncoding.MaxUInt16Items}");
        ulong nnz = BinaryPrimitives.ReadUInt64LittleEndian(header[ModelFileLayout.OffNonZeroCount..]);
        if (nnz > n * n || nnz > (ulong)fileLength / (ulong)encoding.BytesPerWeight)
            Fail(path, "header, offset 24", $"non-zero count is {nnz}, impossible for {n} items in a {fileLength}-byte file");

        SectionInfo[] sections = ReadSectionTable(path, p, (int)sectionCount, headerSize, fileLength);
        var layout = new ValidatedLayout
        {
            FileLength = fileLength,
            Major = major,
            Minor = minor,
            ItemCount = (int)n,
            NonZeroCount = (long)nnz,
            Encoding = encoding,
            Sections = sections,
        };
        CheckSectionLengths(path, layout);
        layout = layout with { MaxRowLength = CheckRowOffsets(path, p, layout) };
        CheckColumnsAndValues(path, p, layout);
        CheckRowScales(path, p, layout);
        CheckIds(path, p, layout);
        return layout;
    }

    private static SectionInfo[] ReadSectionTable(string path, byte* p, int count, uint headerSize, long fileLength)
    {
        var sections = new SectionInfo[count];
        for (int i = 0; i < count; i++)
        {
            var e = new ReadOnlySpan<byte>(p + ModelFileLayout.HeaderSize + i * ModelFileLayout.SectionEntrySize, ModelFileLayout.SectionEntrySize);
            uint kind = BinaryPrimitives.ReadUInt32LittleEndian(e[ModelFileLayout.EntKind..]);
            ulong offset = BinaryPrimitives.ReadUInt64LittleEndian(e[ModelFileLayout.EntOffset..]);
            ulong length = BinaryPrimitives.ReadUInt64LittleEndian(e[ModelFileLayout.EntLength..]);
            uint crc = BinaryPrimitives.ReadUInt32LittleEndian(e[ModelFileLayout.EntCrc..]);
            string where = $"section table entry {i} ({new SectionInfo(kind, 0, 0, 0).Name})";
            if (offset % ModelFileLayout.Alignment != 0)
                Fail(path, where, $"offset {offset} is not a multiple of {ModelFileLayout.Alignment}");
            if (offset < headerSize)
                Fail(path, where, $"offset {offset} lies inside the {headerSize}-byte header");
            if (offset > (ulong)fileLength || length > (ulong)fileLength - offset)
                Fail(path, where, $"bytes [{offset}, {offset + length}) run past the end of the {fileLength}-byte file: truncated or damaged");
            if (Enum.IsDefined(typeof(SectionKind), kind))
            {
                for (int j = 0; j < i; j++)
                {
                    if (sections[j].Kind == kind)
                        Fail(path, where, $"a second {(SectionKind)kind} section (the first is entry {j})");
                }
            }
            sections[i] = new SectionInfo(kind, (long)offset, (long)length, crc);
        }

        SectionInfo[] byOffset = (SectionInfo[])sections.Clone();
        Array.Sort(byOffset, (a, b) => a.Offset.CompareTo(b.Offset));
        for (int i = 1; i < byOffset.Length; i++)
        {
            SectionInfo prev = byOffset[i - 1];
            if (byOffset[i].Offset < prev.Offset + prev.Length)
                Fail(path, $"section {byOffset[i].Name} at offset {byOffset[i].Offset}", $"overlaps section {prev.Name} at [{prev.Offset}, {prev.Offset + prev.Length})");
        }
        foreach (SectionKind kind in Required)
        {
            if (Array.FindIndex(sections, s => s.Kind == (uint)kind) < 0)
                Fail(path, "section table", $"no {kind} section; a v1 model file needs one");
        }
        return sections;
    }

    private static void CheckSectionLengths(string path, in ValidatedLayout layout)
    {
        long n = layout.ItemCount;
        long nnz = layout.NonZeroCount;
        ExpectLength(path, layout, SectionKind.RowOffsets, 8 * (n + 1), "8 x (items + 1)");
        ModelEncoding e = layout.Encoding;
        ExpectLength(path, layout, SectionKind.ColumnIndices, (int)e.Columns * nnz, $"{(int)e.Columns} x non-zeros ({(e.Columns == ColumnIndexType.UInt16 ? "uint16" : "uint32")})");
        ExpectLength(path, layout, SectionKind.Values, ModelEncoding.ValueBytes(e.Values) * nnz, $"{ModelEncoding.ValueBytes(e.Values)} x non-zeros ({ModelEncoding.Name(e.Values)})");
        bool hasScales = layout.TryGetSection(SectionKind.RowScales, out _);
        if (e.Values == WeightType.Int8Scaled && !hasScales)
            Fail(path, "section table", "int8 values (value type 4) need a RowScales section (kind 9); there is none");
        if (e.Values != WeightType.Int8Scaled && hasScales)
            Fail(path, "section table", $"a RowScales section with {ModelEncoding.Name(e.Values)} values; it belongs to int8 values only");
        if (hasScales)
            ExpectLength(path, layout, SectionKind.RowScales, 4 * n, "4 x items");
        ExpectLength(path, layout, SectionKind.ItemIdOffsets, 8 * (n + 1), "8 x (items + 1)");
        if (layout.TryGetSection(SectionKind.Popularity, out _))
            ExpectLength(path, layout, SectionKind.Popularity, 4 * n, "4 x items");
        if (layout.TryGetSection(SectionKind.Metadata, out SectionInfo meta) && meta.Length > ModelFileLayout.MaxMetadataBytes)
            Fail(path, "section Metadata", $"length {meta.Length}, expected at most {ModelFileLayout.MaxMetadataBytes}");
        SectionInfo index = layout.Section(SectionKind.ItemIdIndex);
        long capacity = index.Length / 4;
        if (index.Length % 4 != 0 || !BitOperations.IsPow2(capacity) || capacity <= n || capacity > uint.MaxValue)
            Fail(path, "section ItemIdIndex", $"length {index.Length}, expected 4 x a power of two greater than the {n} items");
        if (layout.Section(SectionKind.ItemIdBytes).Length > int.MaxValue)
            Fail(path, "section ItemIdBytes", $"length {layout.Section(SectionKind.ItemIdBytes).Length}, expected at most {int.MaxValue}");
    }

    private static void ExpectLength(string path, in ValidatedLayout layout, SectionKind kind, long expected, string rule)
    {
        long actual = layout.Section(kind).Length;
        if (actual != expected)
            Fail(path, $"section {kind}", $"length {actual}, expected {rule} = {expected}");
    }

    /// <summary>Checks the row offsets; returns the longest row.</summary>
    private static int CheckRowOffsets(string path, byte* p, in ValidatedLayout layout)
    {
        long longest = 0;
        SectionInfo s = layout.Section(SectionKind.RowOffsets);
        long* off = (long*)(p + s.Offset);
        int n = layout.ItemCount;
        if (off[0] != 0)
            Fail(path, $"section RowOffsets, offset {s.Offset}", $"row 0 starts at {off[0]}, expected 0");
        for (int i = 0; i < n; i++)
        {
            long length = off[i + 1] - off[i];
            if (off[i + 1] < off[i] || length > n)
                Fail(path, $"section RowOffsets, offset {s.Offset + 8L * (i + 1)}", $"row {i} spans [{off[i]}, {off[i + 1]}), expected non-decreasing offsets and at most {n} entries per row");
            longest = Math.Max(longest, length);
        }
        if (off[n] != layout.NonZeroCount)
            Fail(path, $"section RowOffsets, offset {s.Offset + 8L * n}", $"last row ends at {off[n]}, expected the non-zero count {layout.NonZeroCount}");
        return (int)longest;
    }

    private static void CheckRowScales(string path, byte* p, in ValidatedLayout layout)
    {
        if (!layout.TryGetSection(SectionKind.RowScales, out SectionInfo s))
            return;
        float* scales = (float*)(p + s.Offset);
        for (int i = 0; i < layout.ItemCount; i++)
        {
            if (!float.IsFinite(scales[i]) || scales[i] < 0)
                Fail(path, $"section RowScales, offset {s.Offset + 4L * i}", $"row {i} has scale {scales[i]}, expected a finite number >= 0");
        }
    }

    private static void CheckColumnsAndValues(string path, byte* p, in ValidatedLayout layout)
    {
        SectionInfo cs = layout.Section(SectionKind.ColumnIndices);
        SectionInfo vs = layout.Section(SectionKind.Values);
        byte* cols = p + cs.Offset;
        byte* vals = p + vs.Offset;
        long nnz = layout.NonZeroCount;
        uint n = (uint)layout.ItemCount;
        ModelEncoding e = layout.Encoding;
        // One pass over both arrays, in parallel chunks: the open cost of a 1 GB model is then
        // bound by memory bandwidth, and a corrupt chunk is rescanned to name the first bad entry.
        const long Chunk = 1 << 20;
        long chunks = (nnz + Chunk - 1) / Chunk;
        long firstBad = long.MaxValue;
        void Scan(long c)
        {
            long start = c * Chunk;
            long end = Math.Min(nnz, start + Chunk);
            if (!EntriesAreValid(e, cols, vals, start, end, n))
            {
                long bad = FirstInvalid(e, cols, vals, start, end, n);
                long seen;
                do { seen = Interlocked.Read(ref firstBad); }
                while (bad < seen && Interlocked.CompareExchange(ref firstBad, bad, seen) != seen);
            }
        }
        if (chunks <= 1)
        {
            if (nnz > 0)
                Scan(0);
        }
        else
        {
            Parallel.For(0L, chunks, Scan);
        }
        if (firstBad == long.MaxValue)
            return;
        int row = RowOf(p, layout, firstBad);
        uint column = ColumnAt(e, cols, firstBad);
        if (column >= n)
            Fail(path, $"section ColumnIndices, offset {cs.Offset + (int)e.Columns * firstBad}", $"entry {firstBad} (row {row}) is column {column}, expected < {n} items");
        Fail(path, $"section Values, offset {vs.Offset + ModelEncoding.ValueBytes(e.Values) * firstBad}", $"entry {firstBad} (row {row}) is {DescribeValue(e.Values, vals, firstBad)}, expected a finite {ModelEncoding.Name(e.Values)} weight");
    }

    private const uint ExponentMask = 0x7F800000u;
    private const ushort HalfExponentMask = 0x7C00;
    private const ushort BFloat16ExponentMask = 0x7F80;

    private static bool EntriesAreValid(ModelEncoding e, byte* cols, byte* vals, long start, long end, uint n)
    {
        int count = (int)(end - start);
        bool columnsOk = e.Columns == ColumnIndexType.UInt16
            ? n >= ModelEncoding.MaxUInt16Items || AllBelow((ushort*)cols + start, count, (ushort)n)
            : AllBelow((uint*)cols + start, count, n);
        return columnsOk && e.Values switch
        {
            WeightType.Float32 => NoneMasked((uint*)vals + start, count, ExponentMask),
            WeightType.Float16 => NoneMasked((ushort*)vals + start, count, HalfExponentMask),
            WeightType.BFloat16 => NoneMasked((ushort*)vals + start, count, BFloat16ExponentMask),
            _ => true, // every int8 is a valid q
        };
    }

    private static uint ColumnAt(ModelEncoding e, byte* cols, long i) =>
        e.Columns == ColumnIndexType.UInt16 ? ((ushort*)cols)[i] : ((uint*)cols)[i];

    private static bool ValueIsValid(WeightType type, byte* vals, long i) => type switch
    {
        WeightType.Float32 => (((uint*)vals)[i] & ExponentMask) != ExponentMask,
        WeightType.Float16 => (((ushort*)vals)[i] & HalfExponentMask) != HalfExponentMask,
        WeightType.BFloat16 => (((ushort*)vals)[i] & BFloat16ExponentMask) != BFloat16ExponentMask,
        _ => true,
    };

    private static string DescribeValue(WeightType type, byte* vals, long i) => type switch
    {
        WeightType.Float32 => BitConverter.UInt32BitsToSingle(((uint*)vals)[i]).ToString(System.Globalization.CultureInfo.InvariantCulture),
        WeightType.Float16 => $"0x{((ushort*)vals)[i]:X4} ({Float16Codec.DecodeScalar(((ushort*)vals)[i])})",
        WeightType.BFloat16 => $"0x{((ushort*)vals)[i]:X4} ({BFloat16Codec.DecodeScalar(((ushort*)vals)[i])})",
        _ => ((sbyte*)vals)[i].ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    private static long FirstInvalid(ModelEncoding e, byte* cols, byte* vals, long start, long end, uint n)
    {
        for (long i = start; i < end; i++)
        {
            if (ColumnAt(e, cols, i) >= n || !ValueIsValid(e.Values, vals, i))
                return i;
        }
        return end;
    }

    private static bool AllBelow<T>(T* values, int count, T limit) where T : unmanaged, INumber<T>
    {
        int i = 0;
        if (Vector512.IsHardwareAccelerated && count >= Vector512<T>.Count)
        {
            Vector512<T> l = Vector512.Create(limit);
            Vector512<T> bad = Vector512<T>.Zero;
            for (; i <= count - Vector512<T>.Count; i += Vector512<T>.Count)
                bad |= Vector512.GreaterThanOrEqual(Vector512.Load(values + i), l);
            if (bad != Vector512<T>.Zero)
                return false;
        }
        else if (Vector256.IsHardwareAccelerated && count >= Vector256<T>.Count)
        {
            Vector256<T> l = Vector256.Create(limit);
            Vector256<T> bad = Vector256<T>.Zero;
            for (; i <= count - Vector256<T>.Count; i += Vector256<T>.Count)
                bad |= Vector256.GreaterThanOrEqual(Vector256.Load(values + i), l);
            if (bad != Vector256<T>.Zero)
                return false;
        }
        for (; i < count; i++)
        {
            if (values[i] >= limit)
                return false;
        }
        return true;
    }

    /// <summary>Whether no entry has all of <paramref name="mask"/>'s bits set (an all-ones exponent: infinity or NaN).</summary>
    private static bool NoneMasked<T>(T* values, int count, T mask) where T : unmanaged, IBinaryInteger<T>
    {
        int i = 0;
        if (Vector512.IsHardwareAccelerated && count >= Vector512<T>.Count)
        {
            Vector512<T> m = Vector512.Create(mask);
            Vector512<T> bad = Vector512<T>.Zero;
            for (; i <= count - Vector512<T>.Count; i += Vector512<T>.Count)
                bad |= Vector512.Equals(Vector512.Load(values + i) & m, m);
            if (bad != Vector512<T>.Zero)
                return false;
        }
        else if (Vector256.IsHardwareAccelerated && count >= Vector256<T>.Count)
        {
            Vector256<T> m = Vector256.Create(mask);
            Vector256<T> bad = Vector256<T>.Zero;
            for (; i <= count - Vector256<T>.Count; i += Vector256<T>.Count)
                bad |= Vector256.Equals(Vector256.Load(values + i) & m, m);
            if (bad != Vector256<T>.Zero)
                return false;
        }
        for (; i < count; i++)
        {
            if ((values[i] & mask) == mask)
                return false;
        }
        return true;
    }

    private static int RowOf(byte* p, in ValidatedLayout layout, long entry)
    {
        long* off = (long*)(p + layout.Section(SectionKind.RowOffsets).Offset);
        int lo = 0, hi = layout.ItemCount - 1;
        while (lo < hi)
        {
            int mid = (lo + hi + 1) >>> 1;
            if (off[mid] <= entry) lo = mid; else hi = mid - 1;
        }
        return lo;
    }

    private static void CheckIds(string path, byte* p, in ValidatedLayout layout)
    {
        SectionInfo os = layout.Section(SectionKind.ItemIdOffsets);
        long* off = (long*)(p + os.Offset);
        long bytes = layout.Section(SectionKind.ItemIdBytes).Length;
        int n = layout.ItemCount;
        if (off[0] != 0)
            Fail(path, $"section ItemIdOffsets, offset {os.Offset}", $"id 0 starts at {off[0]}, expected 0");
        for (int i = 0; i < n; i++)
        {
            long length = off[i + 1] - off[i];
            if (length < 1 || length > ModelFileLayout.MaxIdBytes)
                Fail(path, $"section ItemIdOffsets, offset {os.Offset + 8L * (i + 1)}", $"item {i} id spans [{off[i]}, {off[i + 1]}), expected 1 to {ModelFileLayout.MaxIdBytes} bytes");
        }
        if (off[n] != bytes)
            Fail(path, $"section ItemIdOffsets, offset {os.Offset + 8L * n}", $"ids end at {off[n]}, expected the ItemIdBytes length {bytes}");

        SectionInfo ix = layout.Section(SectionKind.ItemIdIndex);
        uint* slots = (uint*)(p + ix.Offset);
        long capacity = ix.Length / 4;
        for (long i = 0; i < capacity; i++)
        {
            if (slots[i] > (uint)n)
                Fail(path, $"section ItemIdIndex, offset {ix.Offset + 4 * i}", $"slot {i} holds {slots[i]}, expected 0 (empty) or a row + 1 <= {n}");
        }
    }

    public static void VerifyDeep(ModelFile model, byte* p, IProgress<double>? progress)
    {
        string path = model.FilePath;
        long total = 0;
        foreach (SectionInfo s in model.Sections)
            total += s.Length;
        long done = 0;
        foreach (SectionInfo s in model.Sections)
        {
            uint crc = Crc32C.Compute(p + s.Offset, s.Length);
            if (crc != s.Crc)
                Fail(path, $"section {s.Name} at offset {s.Offset}", $"checksum is 0x{crc:X8}, expected 0x{s.Crc:X8}: the section's bytes are damaged");
            done += s.Length;
            progress?.Report(total == 0 ? 1 : 0.5 * done / total);
        }

        int n = model.ItemCount;
        for (int row = 0; row < n; row++)
        {
            EncodedRow r = model.GetEncodedRow(row);
            int previous = -1;
            for (int j = 0; j < r.Length; j++)
            {
                int column = r.ColumnAt(j);
                if (column <= previous || column == row)
                    Fail(path, $"section ColumnIndices, entry {model.RowStart(row) + j} (row {row})", $"column {column} after {previous}: expected strictly increasing columns without the row's own item");
                previous = column;
            }
            ReadOnlySpan<byte> id = model.ItemIdUtf8(row);
            if (!System.Text.Unicode.Utf8.IsValid(id))
                Fail(path, $"section ItemIdBytes, item {row}", "the id is not valid UTF-8");
            if (!model.TryFindItem(id, out int found) || found != row)
                Fail(path, $"section ItemIdIndex, item {row}", found >= 0 ? $"id \"{model.ItemId(row)}\" is also the id of item {found}; ids must be unique" : $"id \"{model.ItemId(row)}\" is not reachable through the index");
            if ((row & 0xFFFF) == 0)
                progress?.Report(0.5 + 0.5 * row / n);
        }

        ReadOnlySpan<byte> meta = model.SectionBytes(SectionKind.Metadata);
        if (!meta.IsEmpty)
        {
            try
            {
                using JsonDocument doc = JsonDocument.Parse(meta.ToArray());
                if (doc.RootElement.ValueKind != JsonValueKind.Object)
                    Fail(path, "section Metadata", $"the metadata is a JSON {doc.RootElement.ValueKind}, expected an object");
            }
            catch (JsonException e)
            {
                Fail(path, "section Metadata", $"the metadata is not valid JSON: {e.Message}");
            }
        }
        progress?.Report(1);
    }

    [System.Diagnostics.StackTraceHidden]
    private static void Fail(string path, string where, string problem) => throw new ModelFormatException(path, where, problem);

    private static string Hex(ReadOnlySpan<byte> bytes) => Convert.ToHexString(bytes);
}

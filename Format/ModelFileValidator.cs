using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.Intrinsics;
using System.Text;
using System.Text.Json;

namespace Ease.Format;

/// <summary>The header and section table of a file that passed the open-time checks.</summary>
internal readonly struct ValidatedLayout
{
    public long FileLength { get; init; }
    public int Major { get; init; }
    public int Minor { get; init; }
    public int ItemCount { get; init; }
    public long NonZeroCount { get; init; }
    public WeightType WeightType { get; init; }
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
        if (flags != 0)
            Fail(path, "header, offset 48", $"flags are 0x{flags:X8}; this reader knows none (expected 0)");
        uint weightType = BinaryPrimitives.ReadUInt32LittleEndian(header[ModelFileLayout.OffValueType..]);
        if (weightType != (uint)WeightType.Float32)
        {
            string name = Enum.IsDefined(typeof(WeightType), weightType) ? $" ({(WeightType)weightType}, reserved for a later version)" : "";
            Fail(path, "header, offset 32", $"value type is {weightType}{name}; this reader supports 1 (float32)");
        }
        ulong n = BinaryPrimitives.ReadUInt64LittleEndian(header[ModelFileLayout.OffItemCount..]);
        if (n < 1 || n > ModelFileLayout.MaxItemCount)
            Fail(path, "header, offset 16", $"item count is {n}, expected 1 to {ModelFileLayout.MaxItemCount}");
        ulong nnz = BinaryPrimitives.ReadUInt64LittleEndian(header[ModelFileLayout.OffNonZeroCount..]);
        if (nnz > n * n || nnz > (ulong)fileLength / 8)
            Fail(path, "header, offset 24", $"non-zero count is {nnz}, impossible for {n} items in a {fileLength}-byte file");

        SectionInfo[] sections = ReadSectionTable(path, p, (int)sectionCount, headerSize, fileLength);
        var layout = new ValidatedLayout
        {
            FileLength = fileLength,
            Major = major,
            Minor = minor,
            ItemCount = (int)n,
            NonZeroCount = (long)nnz,
            WeightType = WeightType.Float32,
            Sections = sections,
        };
        CheckSectionLengths(path, layout);
        CheckRowOffsets(path, p, layout);
        CheckColumnsAndValues(path, p, layout);
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
        ExpectLength(path, layout, SectionKind.ColumnIndices, 4 * nnz, "4 x non-zeros");
        ExpectLength(path, layout, SectionKind.Values, 4 * nnz, "4 x non-zeros (float32)");
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

    private static void CheckRowOffsets(string path, byte* p, in ValidatedLayout layout)
    {
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
        }
        if (off[n] != layout.NonZeroCount)
            Fail(path, $"section RowOffsets, offset {s.Offset + 8L * n}", $"last row ends at {off[n]}, expected the non-zero count {layout.NonZeroCount}");
    }

    private static void CheckColumnsAndValues(string path, byte* p, in ValidatedLayout layout)
    {
        SectionInfo cs = layout.Section(SectionKind.ColumnIndices);
        SectionInfo vs = layout.Section(SectionKind.Values);
        uint* cols = (uint*)(p + cs.Offset);
        uint* vals = (uint*)(p + vs.Offset);
        long nnz = layout.NonZeroCount;
        uint n = (uint)layout.ItemCount;
        // One pass over both arrays, in parallel chunks: the open cost of a 1 GB model is then
        // bound by memory bandwidth, and a corrupt chunk is rescanned to name the first bad entry.
        const long Chunk = 1 << 20;
        long chunks = (nnz + Chunk - 1) / Chunk;
        long firstBad = long.MaxValue;
        void Scan(long c)
        {
            long start = c * Chunk;
            long end = Math.Min(nnz, start + Chunk);
            if (!ChunkIsValid(cols + start, vals + start, (int)(end - start), n))
            {
                long bad = FirstInvalid(cols, vals, start, end, n);
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
        if (cols[firstBad] >= n)
            Fail(path, $"section ColumnIndices, offset {cs.Offset + 4 * firstBad}", $"entry {firstBad} (row {row}) is column {cols[firstBad]}, expected < {n} items");
        Fail(path, $"section Values, offset {vs.Offset + 4 * firstBad}", $"entry {firstBad} (row {row}) is {BitConverter.UInt32BitsToSingle(vals[firstBad])}, expected a finite weight");
    }

    private const uint ExponentMask = 0x7F800000u;

    private static bool ChunkIsValid(uint* cols, uint* vals, int count, uint n)
    {
        int i = 0;
        if (Vector512.IsHardwareAccelerated && count >= 16)
        {
            Vector512<uint> limit = Vector512.Create(n);
            Vector512<uint> exp = Vector512.Create(ExponentMask);
            Vector512<uint> bad = Vector512<uint>.Zero;
            for (; i <= count - 16; i += 16)
            {
                bad |= Vector512.GreaterThanOrEqual(Vector512.Load(cols + i), limit);
                bad |= Vector512.Equals(Vector512.Load(vals + i) & exp, exp);
            }
            if (bad != Vector512<uint>.Zero)
                return false;
        }
        else if (Vector256.IsHardwareAccelerated && count >= 8)
        {
            Vector256<uint> limit = Vector256.Create(n);
            Vector256<uint> exp = Vector256.Create(ExponentMask);
            Vector256<uint> bad = Vector256<uint>.Zero;
            for (; i <= count - 8; i += 8)
            {
                bad |= Vector256.GreaterThanOrEqual(Vector256.Load(cols + i), limit);
                bad |= Vector256.Equals(Vector256.Load(vals + i) & exp, exp);
            }
            if (bad != Vector256<uint>.Zero)
                return false;
        }
        for (; i < count; i++)
        {
            if (cols[i] >= n || (vals[i] & ExponentMask) == ExponentMask)
                return false;
        }
        return true;
    }

    private static long FirstInvalid(uint* cols, uint* vals, long start, long end, uint n)
    {
        for (long i = start; i < end; i++)
        {
            if (cols[i] >= n || (vals[i] & ExponentMask) == ExponentMask)
                return i;
        }
        return end;
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
            ReadOnlySpan<int> cols = model.RowColumns(row);
            int previous = -1;
            for (int j = 0; j < cols.Length; j++)
            {
                if (cols[j] <= previous || cols[j] == row)
                    Fail(path, $"section ColumnIndices, entry {model.RowStart(row) + j} (row {row})", $"column {cols[j]} after {previous}: expected strictly increasing columns without the row's own item");
                previous = cols[j];
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

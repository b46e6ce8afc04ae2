using System.IO.MemoryMappedFiles;
using System.Runtime.CompilerServices;
using System.Text;

namespace Ease.Format;

/// <summary>Options for <see cref="ModelFile.Open(string, ModelOpenOptions?)"/>.</summary>
public sealed record ModelOpenOptions
{
    /// <summary>Also verify every section checksum and the deep invariants at open (as <see cref="ModelFile.Verify"/>).</summary>
    public bool VerifyChecksums { get; init; }
}

/// <summary>
/// A model file (format v1) mapped read-only into memory and used in place. Opening validates
/// everything memory safety depends on, so that no accessor can read outside the mapping; the
/// instance is immutable and safe to share between threads. Spans it hands out are valid until
/// it is disposed. Rows are handed out one span each, so files over 2 GiB work.
/// </summary>
public sealed unsafe partial class ModelFile : IDisposable
{
    private MemoryMappedFile? _map;
    private MemoryMappedViewAccessor? _view;
    private byte* _base;

    private readonly long* _rowOffsets;
    private readonly byte* _columns;
    private readonly byte* _values;
    private readonly float* _scales;
    private readonly long* _idOffsets;
    private readonly byte* _idBytes;
    private readonly uint* _idIndex;
    private readonly uint _idIndexMask;
    private readonly uint* _popularity;
    private readonly SectionInfo[] _sections;
    private string? _metadata;

    private ModelFile(string path, MemoryMappedFile map, MemoryMappedViewAccessor view, byte* basePointer, in ValidatedLayout layout)
    {
        FilePath = path;
        _map = map;
        _view = view;
        _base = basePointer;
        FileLength = layout.FileLength;
        MajorVersion = layout.Major;
        MinorVersion = layout.Minor;
        ItemCount = layout.ItemCount;
        NonZeroCount = layout.NonZeroCount;
        Encoding = layout.Encoding;
        MaxRowLength = layout.MaxRowLength;
        _sections = layout.Sections;
        _rowOffsets = (long*)(basePointer + layout.Section(SectionKind.RowOffsets).Offset);
        _columns = basePointer + layout.Section(SectionKind.ColumnIndices).Offset;
        _values = basePointer + layout.Section(SectionKind.Values).Offset;
        _scales = layout.TryGetSection(SectionKind.RowScales, out SectionInfo scales) ? (float*)(basePointer + scales.Offset) : null;
        _idOffsets = (long*)(basePointer + layout.Section(SectionKind.ItemIdOffsets).Offset);
        _idBytes = basePointer + layout.Section(SectionKind.ItemIdBytes).Offset;
        SectionInfo index = layout.Section(SectionKind.ItemIdIndex);
        _idIndex = (uint*)(basePointer + index.Offset);
        _idIndexMask = (uint)(index.Length / sizeof(uint) - 1);
        _popularity = layout.TryGetSection(SectionKind.Popularity, out SectionInfo pop) ? (uint*)(basePointer + pop.Offset) : null;
    }

    /// <summary>Maps and validates a model file. Throws <see cref="ModelFormatException"/> when it is damaged.</summary>
    public static ModelFile Open(string path, ModelOpenOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        FileStream stream = ReadableFile.Open(path, FileShare.Read | FileShare.Delete, options: FileOptions.RandomAccess);
        MemoryMappedFile? map = null;
        MemoryMappedViewAccessor? view = null;
        bool acquired = false;
        try
        {
            long length = stream.Length;
            if (length < ModelFileLayout.HeaderSize)
                throw new ModelFormatException(path, "header", $"the file is {length} bytes; a model file starts with a {ModelFileLayout.HeaderSize}-byte header");
            map = MemoryMappedFile.CreateFromFile(stream, null, 0, MemoryMappedFileAccess.Read, HandleInheritability.None, leaveOpen: false);
            view = map.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
            byte* p = null;
            view.SafeMemoryMappedViewHandle.AcquirePointer(ref p);
            acquired = true;
            p += view.PointerOffset;
            ValidatedLayout layout = ModelFileValidator.ValidateStructure(path, p, length);
            var model = new ModelFile(path, map, view, p, layout);
            // The model owns the mapping now: its Dispose releases it, the catch below must not again.
            acquired = false;
            view = null;
            map = null;
            if (options?.VerifyChecksums == true)
            {
                try { model.Verify(); }
                catch { model.Dispose(); throw; }
            }
            return model;
        }
        catch
        {
            if (acquired)
                view!.SafeMemoryMappedViewHandle.ReleasePointer();
            view?.Dispose();
            map?.Dispose();
            stream.Dispose();
            throw;
        }
    }

    public string FilePath { get; }
    public long FileLength { get; }
    public int MajorVersion { get; }
    public int MinorVersion { get; }
    public int ItemCount { get; }
    public long NonZeroCount { get; }
    public WeightType WeightType => Encoding.Values;

    /// <summary>How the weights are stored: value type and column width (FORMAT.md, "Value encodings").</summary>
    public ModelEncoding Encoding { get; }

    /// <summary>Whether rows are float32 with 32-bit columns, so <see cref="GetRow"/> hands them out in place.</summary>
    public bool HasFloat32Rows => Encoding.IsFloat32Rows;

    /// <summary>The most weights any row holds: scratch of this size decodes any row.</summary>
    public int MaxRowLength { get; }
    public IReadOnlyList<SectionInfo> Sections => _sections;

    /// <summary>Number of stored weights in row <paramref name="row"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int RowLength(int row)
    {
        CheckRow(row);
        return (int)(_rowOffsets[row + 1] - _rowOffsets[row]);
    }

    /// <summary>Candidate items of row <paramref name="row"/> of B, ascending.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ReadOnlySpan<int> RowColumns(int row)
    {
        CheckRow(row);
        CheckFloat32Rows();
        long start = _rowOffsets[row];
        return new ReadOnlySpan<int>((int*)_columns + start, (int)(_rowOffsets[row + 1] - start));
    }

    /// <summary>Weights of row <paramref name="row"/> of B, aligned with <see cref="RowColumns"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ReadOnlySpan<float> RowValues(int row)
    {
        CheckRow(row);
        CheckFloat32Rows();
        long start = _rowOffsets[row];
        return new ReadOnlySpan<float>((float*)_values + start, (int)(_rowOffsets[row + 1] - start));
    }

    /// <summary>Both spans of a row at once (one bounds check, one offset read). Float32 rows only (<see cref="HasFloat32Rows"/>); <see cref="ReadRow"/> reads any encoding.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void GetRow(int row, out ReadOnlySpan<int> columns, out ReadOnlySpan<float> values)
    {
        CheckRow(row);
        CheckFloat32Rows();
        long start = _rowOffsets[row];
        int length = (int)(_rowOffsets[row + 1] - start);
        columns = new ReadOnlySpan<int>((int*)_columns + start, length);
        values = new ReadOnlySpan<float>((float*)_values + start, length);
    }

    /// <summary>
    /// Decodes row <paramref name="row"/> in any encoding into the first <see cref="RowLength"/>
    /// entries of <paramref name="columns"/> and <paramref name="values"/> (each at least that
    /// long; <see cref="MaxRowLength"/> always suffices). Returns the row length.
    /// </summary>
    public int ReadRow(int row, Span<int> columns, Span<float> values)
    {
        EncodedRow r = GetEncodedRow(row);
        if (columns.Length < r.Length || values.Length < r.Length)
            throw new ArgumentException($"row {row} holds {r.Length} weights; the buffers hold {Math.Min(columns.Length, values.Length)}");
        r.Decode(SimdLevels.Best, 0, columns[..r.Length], values[..r.Length]);
        return r.Length;
    }

    /// <summary>Row <paramref name="row"/> as stored, for decoding in place.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal EncodedRow GetEncodedRow(int row)
    {
        CheckRow(row);
        long start = _rowOffsets[row];
        int length = (int)(_rowOffsets[row + 1] - start);
        ModelEncoding e = Encoding;
        return new EncodedRow(
            _columns + start * (int)e.Columns,
            _values + start * ModelEncoding.ValueBytes(e.Values),
            length,
            _scales == null ? 1f : _scales[row],
            e);
    }

    /// <summary>The int8 scale of each row (empty unless the values are int8).</summary>
    public ReadOnlySpan<float> RowScales => _scales == null ? default : new ReadOnlySpan<float>(_scales, ItemCount);

    /// <summary>The external id of item <paramref name="row"/>, as stored (UTF-8).</summary>
    public ReadOnlySpan<byte> ItemIdUtf8(int row)
    {
        CheckRow(row);
        long start = _idOffsets[row];
        return new ReadOnlySpan<byte>(_idBytes + start, (int)(_idOffsets[row + 1] - start));
    }

    /// <summary>The external id of item <paramref name="row"/>.</summary>
    public string ItemId(int row) => System.Text.Encoding.UTF8.GetString(ItemIdUtf8(row));

    /// <summary>Finds the row of an external item id (UTF-8) through the persisted index.</summary>
    public bool TryFindItem(ReadOnlySpan<byte> utf8Id, out int row)
    {
        uint mask = _idIndexMask;
        uint slot = ItemIdIndex.Hash(utf8Id) & mask;
        for (uint probe = 0; probe <= mask; probe++)
        {
            uint value = _idIndex[slot];
            if (value == 0)
                break;
            int candidate = (int)(value - 1);
            if (ItemIdUtf8(candidate).SequenceEqual(utf8Id))
            {
                row = candidate;
                return true;
            }
            slot = (slot + 1) & mask;
        }
        row = -1;
        return false;
    }

    /// <summary>Finds the row of an external item id; allocation-free.</summary>
    [SkipLocalsInit]
    public bool TryFindItem(ReadOnlySpan<char> id, out int row)
    {
        Span<byte> buffer = stackalloc byte[ModelFileLayout.MaxIdBytes];
        if (id.Length == 0 || !System.Text.Encoding.UTF8.TryGetBytes(id, buffer, out int written))
        {
            row = -1;
            return false;
        }
        return TryFindItem(buffer[..written], out row);
    }

    /// <summary>Whether the file carries per-item popularity counts.</summary>
    public bool HasPopularity => _popularity != null;

    /// <summary>Training popularity per item (users per item); empty when the file has none.</summary>
    public ReadOnlySpan<uint> Popularity => _popularity == null ? default : new ReadOnlySpan<uint>(_popularity, ItemCount);

    /// <summary>The metadata JSON text; empty when the file has none.</summary>
    public string MetadataJson
    {
        get
        {
            if (_metadata is null)
            {
                ReadOnlySpan<byte> bytes = SectionBytes(SectionKind.Metadata);
                _metadata = System.Text.Encoding.UTF8.GetString(bytes);
            }
            return _metadata;
        }
    }

    /// <summary>
    /// Full verification: every section checksum and the invariants not needed for memory
    /// safety (sorted columns, unique valid ids reachable through the index, JSON metadata).
    /// </summary>
    public void Verify(IProgress<double>? progress = null)
    {
        ObjectDisposedException.ThrowIf(_base == null, this);
        ModelFileValidator.VerifyDeep(this, _base, progress);
    }

    internal ReadOnlySpan<byte> SectionBytes(SectionKind kind)
    {
        foreach (SectionInfo s in _sections)
        {
            if (s.Kind == (uint)kind)
                return new ReadOnlySpan<byte>(_base + s.Offset, checked((int)s.Length));
        }
        return default;
    }

    internal long RowStart(int row) => _rowOffsets[row];

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void CheckRow(int row)
    {
        if ((uint)row >= (uint)ItemCount)
            ThrowRowOutOfRange(row);
        // Spans over an unmapped view would fault; a disposed model fails loudly instead.
        ObjectDisposedException.ThrowIf(_base == null, this);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void CheckFloat32Rows()
    {
        if (!Encoding.IsFloat32Rows)
            ThrowNotFloat32Rows();
    }

    [System.Diagnostics.StackTraceHidden]
    private void ThrowNotFloat32Rows() =>
        throw new InvalidOperationException($"{FilePath} stores {Encoding}; its rows are read with ReadRow, not as float32 spans");

    [System.Diagnostics.StackTraceHidden]
    private void ThrowRowOutOfRange(int row) =>
        throw new ArgumentOutOfRangeException(nameof(row), row, $"row must be in [0, {ItemCount})");

    public void Dispose()
    {
        if (_view is not null)
        {
            if (_base != null)
                _view.SafeMemoryMappedViewHandle.ReleasePointer();
            _base = null;
            _view.Dispose();
            _view = null;
        }
        _map?.Dispose();
        _map = null;
    }
}

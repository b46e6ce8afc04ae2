using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;

namespace Ease.Format;

/// <summary>
/// Writes a model file (format v1) row by row through <see cref="AtomicOutput"/>. Column indices
/// stream straight into its temporary file and values into a scratch file beside it, so the writer
/// never holds the matrix; <see cref="Commit"/> appends the remaining sections, writes the header
/// and commits the output (flush to disk and rename over a regular file, or copy into a device or
/// FIFO). Disposing without committing deletes the temporary files, so a failed write never leaves
/// a partial file at the target path.
/// </summary>
public sealed class ModelFileWriter : IDisposable
{
    // Room for the header and section table before the first section; the column indices are
    // streamed from here on before the number of sections is final.
    private const int ReservedHeaderBytes = 4096;
    private const int MaxReservedSections = (ReservedHeaderBytes - ModelFileLayout.HeaderSize) / ModelFileLayout.SectionEntrySize;
    private const int BufferSize = 1 << 20;

    private readonly int _itemCount;
    private AtomicOutput? _output;
    private FileStream? _main;
    private FileStream? _values;
    private readonly long[] _rowOffsets;
    private uint _columnsCrc = Crc32C.InitialState;
    private uint _valuesCrc = Crc32C.InitialState;
    private int _rowsWritten;
    private long _nonZeros;
    private byte[]? _idBytes;
    private long[]? _idOffsets;
    private uint[]? _popularity;
    private byte[]? _metadata;
    private readonly List<(uint Kind, byte[] Data)> _extraSections = [];
    private readonly ModelEncoding _encoding;
    private readonly float[]? _rowScales;
    private byte[] _encodedColumns = [];
    private byte[] _encodedValues = [];

    private ModelFileWriter(string path, int itemCount, ModelEncoding encoding)
    {
        _itemCount = itemCount;
        _encoding = encoding;
        _rowScales = encoding.Values == WeightType.Int8Scaled ? new float[itemCount] : null;
        _rowOffsets = new long[itemCount + 1];
        try
        {
            _output = AtomicOutput.Create(path, seekable: true, BufferSize);
            _main = _output.Stream;
            _values = _output.CreateScratch(".values.tmp", BufferSize);
            _main.Position = ReservedHeaderBytes;
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>Starts a float32 model (format v1.0) of <paramref name="itemCount"/> items at <paramref name="path"/>.</summary>
    public static ModelFileWriter Create(string path, int itemCount) => Create(path, itemCount, ModelEncoding.Float32);

    /// <summary>Starts a model of <paramref name="itemCount"/> items stored in <paramref name="encoding"/> (FORMAT.md, "Value encodings").</summary>
    public static ModelFileWriter Create(string path, int itemCount, ModelEncoding encoding)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (itemCount < 1 || itemCount > ModelFileLayout.MaxItemCount)
            throw new ArgumentOutOfRangeException(nameof(itemCount), itemCount, $"a model holds 1 to {ModelFileLayout.MaxItemCount} items");
        if (!Enum.IsDefined(encoding.Values) || !Enum.IsDefined(encoding.Columns))
            throw new ArgumentOutOfRangeException(nameof(encoding), encoding, "unknown value type or column width");
        if (encoding.Columns == ColumnIndexType.UInt16 && itemCount > ModelEncoding.MaxUInt16Items)
            throw new ArgumentException($"16-bit columns address at most {ModelEncoding.MaxUInt16Items} items, not {itemCount}", nameof(encoding));
        return new ModelFileWriter(path, itemCount, encoding);
    }

    public int ItemCount => _itemCount;

    /// <summary>How the weights are stored.</summary>
    public ModelEncoding Encoding => _encoding;
    public int RowsWritten => _rowsWritten;
    public long NonZeroCount => _nonZeros;

    /// <summary>Bytes of the committed file (0 before <see cref="Commit"/>).</summary>
    public long FileLength { get; private set; }

    /// <summary>
    /// Appends the next row of B: candidate columns strictly increasing, each &lt; item count and
    /// not the row itself; values finite.
    /// </summary>
    public void AppendRow(ReadOnlySpan<int> columns, ReadOnlySpan<float> values)
    {
        EnsureOpen();
        if (_rowsWritten == _itemCount)
            throw new InvalidOperationException($"all {_itemCount} rows are already written");
        if (columns.Length != values.Length)
            throw new ArgumentException($"row {_rowsWritten}: {columns.Length} columns but {values.Length} values");
        int previous = -1;
        for (int i = 0; i < columns.Length; i++)
        {
            int c = columns[i];
            if (c <= previous || c >= _itemCount || c == _rowsWritten)
                throw new ArgumentException($"row {_rowsWritten}: column {c} at position {i} is out of order, out of range [0, {_itemCount}) or the diagonal");
            if (!float.IsFinite(values[i]))
                throw new ArgumentException($"row {_rowsWritten}: value at column {c} is {values[i]}, not finite");
            previous = c;
        }

        WriteTracked(_main!, EncodeColumns(columns), ref _columnsCrc);
        WriteTracked(_values!, EncodeValues(columns, values), ref _valuesCrc);
        _nonZeros += columns.Length;
        _rowsWritten++;
        _rowOffsets[_rowsWritten] = _nonZeros;
    }

    private ReadOnlySpan<byte> EncodeColumns(ReadOnlySpan<int> columns)
    {
        if (_encoding.Columns == ColumnIndexType.UInt32)
            return MemoryMarshal.AsBytes(columns);
        Span<ushort> narrow = MemoryMarshal.Cast<byte, ushort>(Scratch(ref _encodedColumns, columns.Length * 2));
        for (int i = 0; i < columns.Length; i++)
            narrow[i] = (ushort)columns[i]; // < item count <= 65,536, checked by AppendRow
        return MemoryMarshal.AsBytes(narrow);
    }

    private ReadOnlySpan<byte> EncodeValues(ReadOnlySpan<int> columns, ReadOnlySpan<float> values)
    {
        switch (_encoding.Values)
        {
            case WeightType.Float16:
            {
                Span<ushort> h = MemoryMarshal.Cast<byte, ushort>(Scratch(ref _encodedValues, values.Length * 2));
                for (int i = 0; i < values.Length; i++)
                {
                    if (!Float16Codec.TryEncode(values[i], out h[i]))
                        throw new ArgumentException($"row {_rowsWritten}: value {values[i]} at column {columns[i]} is beyond the float16 range (+-{Float16Codec.MaxValue}); store bf16 or f32");
                }
                return MemoryMarshal.AsBytes(h);
            }
            case WeightType.BFloat16:
            {
                Span<ushort> b = MemoryMarshal.Cast<byte, ushort>(Scratch(ref _encodedValues, values.Length * 2));
                for (int i = 0; i < values.Length; i++)
                {
                    if (!BFloat16Codec.TryEncode(values[i], out b[i]))
                        throw new ArgumentException($"row {_rowsWritten}: value {values[i]} at column {columns[i]} rounds to infinity in bfloat16; store f32");
                }
                return MemoryMarshal.AsBytes(b);
            }
            case WeightType.Int8Scaled:
            {
                Span<sbyte> q = MemoryMarshal.Cast<byte, sbyte>(Scratch(ref _encodedValues, values.Length));
                float scale = Int8Codec.Scale(values);
                Int8Codec.Encode(values, scale, q);
                _rowScales![_rowsWritten] = scale;
                return MemoryMarshal.AsBytes(q);
            }
            default:
                return MemoryMarshal.AsBytes(values);
        }
    }

    private static Span<byte> Scratch(ref byte[] buffer, int length)
    {
        if (buffer.Length < length)
            buffer = new byte[Math.Max(length, buffer.Length * 2)];
        return buffer.AsSpan(0, length);
    }

    /// <summary>Sets the external item ids, one per row, unique and non-empty.</summary>
    public void SetItemIds(IReadOnlyList<string> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        if (ids.Count != _itemCount)
            throw new ArgumentException($"expected {_itemCount} item ids, got {ids.Count}");
        var offsets = new long[_itemCount + 1];
        long total = 0;
        for (int i = 0; i < ids.Count; i++)
        {
            int length = System.Text.Encoding.UTF8.GetByteCount(ids[i]);
            if (length == 0 || length > ModelFileLayout.MaxIdBytes)
                throw new ArgumentException($"item id at row {i} is {length} bytes in UTF-8; ids are 1 to {ModelFileLayout.MaxIdBytes} bytes");
            total += length;
            offsets[i + 1] = total;
        }
        if (total > Array.MaxLength)
            throw new ArgumentException($"item ids take {total} bytes; at most {Array.MaxLength} are supported");
        var bytes = new byte[total];
        for (int i = 0; i < ids.Count; i++)
            System.Text.Encoding.UTF8.GetBytes(ids[i], bytes.AsSpan((int)offsets[i]));
        _idBytes = bytes;
        _idOffsets = offsets;
    }

    /// <summary>Sets per-item training popularity (number of users per item).</summary>
    public void SetPopularity(ReadOnlySpan<int> counts)
    {
        if (counts.Length != _itemCount)
            throw new ArgumentException($"expected {_itemCount} popularity counts, got {counts.Length}");
        var p = new uint[_itemCount];
        for (int i = 0; i < counts.Length; i++)
            p[i] = counts[i] >= 0 ? (uint)counts[i] : throw new ArgumentException($"popularity of row {i} is negative ({counts[i]})");
        _popularity = p;
    }

    /// <summary>Sets the metadata section: a JSON object as UTF-8 text.</summary>
    public void SetMetadata(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        byte[] bytes = System.Text.Encoding.UTF8.GetBytes(json);
        if (bytes.Length > ModelFileLayout.MaxMetadataBytes)
            throw new ArgumentException($"metadata is {bytes.Length} bytes; at most {ModelFileLayout.MaxMetadataBytes}");
        _metadata = bytes;
    }

    /// <summary>Adds a section of a kind this version does not define (readers skip it).</summary>
    public void AddExtraSection(uint kind, ReadOnlySpan<byte> data)
    {
        if (Enum.IsDefined(typeof(SectionKind), kind))
            throw new ArgumentException($"section kind {kind} is defined by the format; use its setter");
        if (_extraSections.Count + 8 >= MaxReservedSections)
            throw new InvalidOperationException("too many sections");
        _extraSections.Add((kind, data.ToArray()));
    }

    /// <summary>Finishes the file: remaining sections, header, flush to disk, atomic rename.</summary>
    public void Commit()
    {
        EnsureOpen();
        if (_rowsWritten != _itemCount)
            throw new InvalidOperationException($"only {_rowsWritten} of {_itemCount} rows were written");
        if (_idBytes is null || _idOffsets is null)
            throw new InvalidOperationException("item ids were not set");

        FileStream main = _main!;
        var sections = new List<SectionInfo>();
        sections.Add(new SectionInfo((uint)SectionKind.ColumnIndices, ReservedHeaderBytes, _nonZeros * (int)_encoding.Columns, Crc32C.Finish(_columnsCrc)));

        AppendValues(main, sections);
        AppendSection(main, sections, SectionKind.RowOffsets, MemoryMarshal.AsBytes(_rowOffsets.AsSpan()));
        AppendSection(main, sections, SectionKind.ItemIdOffsets, MemoryMarshal.AsBytes(_idOffsets.AsSpan()));
        AppendSection(main, sections, SectionKind.ItemIdBytes, _idBytes);
        var slots = new uint[ModelFileLayout.IdIndexCapacity(_itemCount)];
        int duplicate = ItemIdIndex.Build(slots, _idBytes, _idOffsets);
        if (duplicate >= 0)
            throw new InvalidOperationException($"item id at row {duplicate} (\"{System.Text.Encoding.UTF8.GetString(_idBytes, (int)_idOffsets[duplicate], (int)(_idOffsets[duplicate + 1] - _idOffsets[duplicate]))}\") appears twice");
        AppendSection(main, sections, SectionKind.ItemIdIndex, MemoryMarshal.AsBytes(slots.AsSpan()));
        if (_rowScales is not null)
            AppendSection(main, sections, SectionKind.RowScales, MemoryMarshal.AsBytes(_rowScales.AsSpan()));
        if (_popularity is not null)
            AppendSection(main, sections, SectionKind.Popularity, MemoryMarshal.AsBytes(_popularity.AsSpan()));
        if (_metadata is not null)
            AppendSection(main, sections, SectionKind.Metadata, _metadata);
        foreach ((uint kind, byte[] data) in _extraSections)
            AppendSection(main, sections, (SectionKind)kind, data);

        long fileLength = ModelFileLayout.AlignUp(main.Position);
        main.SetLength(fileLength);
        byte[] header = BuildHeader(sections, fileLength);
        main.Position = 0;
        main.Write(header);
        _values!.Dispose();
        _values = null;
        _main = null;
        _output!.Commit();
        _output = null;
        FileLength = fileLength;
    }

    private byte[] BuildHeader(List<SectionInfo> sections, long fileLength)
    {
        int headerSize = ModelFileLayout.HeaderSize + ModelFileLayout.SectionEntrySize * sections.Count;
        var h = new byte[headerSize];
        var span = h.AsSpan();
        BinaryPrimitives.WriteUInt64LittleEndian(span[ModelFileLayout.OffMagic..], ModelFileLayout.Magic);
        BinaryPrimitives.WriteUInt16LittleEndian(span[ModelFileLayout.OffMajor..], ModelFileLayout.MajorVersion);
        // A float32 file with 32-bit columns stays byte for byte v1.0, readable by every reader.
        BinaryPrimitives.WriteUInt16LittleEndian(span[ModelFileLayout.OffMinor..], _encoding.IsFloat32Rows ? (ushort)0 : ModelFileLayout.MinorVersion);
        BinaryPrimitives.WriteUInt32LittleEndian(span[ModelFileLayout.OffHeaderSize..], (uint)headerSize);
        BinaryPrimitives.WriteUInt64LittleEndian(span[ModelFileLayout.OffItemCount..], (ulong)_itemCount);
        BinaryPrimitives.WriteUInt64LittleEndian(span[ModelFileLayout.OffNonZeroCount..], (ulong)_nonZeros);
        BinaryPrimitives.WriteUInt32LittleEndian(span[ModelFileLayout.OffValueType..], (uint)_encoding.Values);
        if (_encoding.Columns == ColumnIndexType.UInt16)
            BinaryPrimitives.WriteUInt32LittleEndian(span[ModelFileLayout.OffFlags..], ModelFileLayout.FlagUInt16Columns);
        BinaryPrimitives.WriteUInt32LittleEndian(span[ModelFileLayout.OffSectionCount..], (uint)sections.Count);
        BinaryPrimitives.WriteUInt64LittleEndian(span[ModelFileLayout.OffFileLength..], (ulong)fileLength);
        for (int i = 0; i < sections.Count; i++)
        {
            Span<byte> e = span.Slice(ModelFileLayout.HeaderSize + i * ModelFileLayout.SectionEntrySize, ModelFileLayout.SectionEntrySize);
            BinaryPrimitives.WriteUInt32LittleEndian(e[ModelFileLayout.EntKind..], sections[i].Kind);
            BinaryPrimitives.WriteUInt64LittleEndian(e[ModelFileLayout.EntOffset..], (ulong)sections[i].Offset);
            BinaryPrimitives.WriteUInt64LittleEndian(e[ModelFileLayout.EntLength..], (ulong)sections[i].Length);
            BinaryPrimitives.WriteUInt32LittleEndian(e[ModelFileLayout.EntCrc..], sections[i].Crc);
        }
        BinaryPrimitives.WriteUInt32LittleEndian(span[ModelFileLayout.OffHeaderCrc..], Crc32C.Compute(h));
        return h;
    }

    private void AppendValues(FileStream main, List<SectionInfo> sections)
    {
        PadTo64(main);
        long offset = main.Position;
        FileStream values = _values!;
        values.Flush();
        values.Position = 0;
        values.CopyTo(main, BufferSize);
        sections.Add(new SectionInfo((uint)SectionKind.Values, offset, _nonZeros * ModelEncoding.ValueBytes(_encoding.Values), Crc32C.Finish(_valuesCrc)));
    }

    private static void AppendSection(FileStream main, List<SectionInfo> sections, SectionKind kind, ReadOnlySpan<byte> data)
    {
        PadTo64(main);
        long offset = main.Position;
        main.Write(data);
        sections.Add(new SectionInfo((uint)kind, offset, data.Length, Crc32C.Compute(data)));
    }

    private static void PadTo64(FileStream stream)
    {
        long aligned = ModelFileLayout.AlignUp(stream.Position);
        Span<byte> zeros = stackalloc byte[ModelFileLayout.Alignment];
        zeros.Clear();
        stream.Write(zeros[..(int)(aligned - stream.Position)]);
    }

    private static void WriteTracked(FileStream stream, ReadOnlySpan<byte> bytes, ref uint crc)
    {
        crc = Crc32C.Append(crc, bytes);
        stream.Write(bytes);
    }

    private void EnsureOpen()
    {
        ObjectDisposedException.ThrowIf(_main is null, this);
    }

    public void Dispose()
    {
        // Closing the values scratch flushes its buffer, which fails again on a full disk: the
        // main temporary file must be deleted all the same.
        try
        {
            _values?.Dispose();
        }
        catch (IOException) when (_output is not null)
        {
        }
        finally
        {
            _values = null;
            _main = null;
            _output?.Dispose();
            _output = null;
        }
    }
}

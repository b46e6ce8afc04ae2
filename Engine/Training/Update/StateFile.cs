using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using Ease.Format;

namespace Ease.Engine.Training.Update;

/// <summary>Kinds of the sections of an update state file (see Format/STATE.md).</summary>
internal enum StateSection : uint
{
    Manifest = 1,
    UserIds = 2,
    ItemIds = 3,
    UserOffsets = 4,
    UserItems = 5,
    Inverse = 6,
    ListOffsets = 7,
    ListItems = 8,
    ListCounts = 9,
    ListCut = 10,
    ListResidual = 11,
    Weights = 12,
}

/// <summary>
/// Writes the one file of an update state: a 64-byte header, a section table and 64-aligned,
/// CRC-32C-checked sections, through <see cref="AtomicOutput"/> (a temporary file renamed at
/// <see cref="Commit"/>, deleted on failure). Sections are streamed in the order they are added;
/// the header, which carries the section count and the file length, is written last, so a file
/// cut short anywhere fails the length check on reading.
/// </summary>
internal sealed class StateFileWriter : IDisposable
{
    public const string Magic = "EASESTAT";
    public const int HeaderSize = 64;
    public const int EntrySize = 32;
    public const int MaxSections = 16;
    public const ushort Major = 1, Minor = 0;
    private const int FirstSection = HeaderSize + MaxSections * EntrySize;

    private readonly AtomicOutput _output;
    private readonly List<(uint Kind, long Offset, long Length, uint Crc)> _sections = [];

    public StateFileWriter(string path)
    {
        _output = AtomicOutput.Create(path, seekable: true, 1 << 20);
        if (_output.IsWriteThrough)
        {
            _output.Dispose();
            throw new IOException($"{path}: an update state must be a regular file");
        }
        _output.Stream.Position = FirstSection;
    }

    public string Path => _output.TargetPath;

    /// <summary>Appends one section whose bytes <paramref name="write"/> produces in order.</summary>
    public void Add(StateSection kind, Action<Action<ReadOnlySpan<byte>>> write)
    {
        if (_sections.Count == MaxSections)
            throw new InvalidOperationException("too many state sections");
        FileStream s = _output.Stream;
        long offset = s.Position;
        uint crc = Crc32C.InitialState;
        write(bytes =>
        {
            crc = Crc32C.Append(crc, bytes);
            s.Write(bytes);
        });
        long length = s.Position - offset;
        _sections.Add(((uint)kind, offset, length, Crc32C.Finish(crc)));
        long pad = (64 - s.Position % 64) % 64;
        if (pad > 0)
            s.Write(new byte[pad]);
    }

    public void Add<T>(StateSection kind, ReadOnlySpan<T> values) where T : unmanaged
    {
        byte[] copy = MemoryMarshal.AsBytes(values).ToArray();
        Add(kind, w => w(copy));
    }

    public void AddStrings(StateSection kind, string[] values)
    {
        var text = new StringBuilder();
        foreach (string v in values)
            text.Append(v).Append('\0');
        byte[] bytes = Encoding.UTF8.GetBytes(text.ToString());
        Add(kind, w => w(bytes));
    }

    /// <summary>Writes the header and the section table, flushes and renames the file into place.</summary>
    public void Commit()
    {
        FileStream s = _output.Stream;
        long length = s.Length;
        byte[] head = new byte[FirstSection];
        Encoding.ASCII.GetBytes(Magic, head);
        BinaryPrimitives.WriteUInt16LittleEndian(head.AsSpan(8), Major);
        BinaryPrimitives.WriteUInt16LittleEndian(head.AsSpan(10), Minor);
        BinaryPrimitives.WriteUInt32LittleEndian(head.AsSpan(12), (uint)_sections.Count);
        BinaryPrimitives.WriteInt64LittleEndian(head.AsSpan(16), length);
        for (int k = 0; k < _sections.Count; k++)
        {
            Span<byte> e = head.AsSpan(HeaderSize + k * EntrySize, EntrySize);
            BinaryPrimitives.WriteUInt32LittleEndian(e, _sections[k].Kind);
            BinaryPrimitives.WriteInt64LittleEndian(e[8..], _sections[k].Offset);
            BinaryPrimitives.WriteInt64LittleEndian(e[16..], _sections[k].Length);
            BinaryPrimitives.WriteUInt32LittleEndian(e[24..], _sections[k].Crc);
        }
        BinaryPrimitives.WriteUInt32LittleEndian(head.AsSpan(60), Crc32C.Compute(head));
        s.Position = 0;
        s.Write(head);
        _output.Commit();
    }

    public void Dispose() => _output.Dispose();
}

/// <summary>
/// Reads an update state file written by <see cref="StateFileWriter"/>: checks the magic, the
/// version, the header CRC, the length and every section's bounds and CRC-32C as it reads.
/// Problems are <see cref="InvalidDataException"/>s naming the file, the offset and what was expected.
/// </summary>
internal sealed class StateFileReader : IDisposable
{
    private readonly FileStream _stream;
    private readonly Dictionary<StateSection, (long Offset, long Length, uint Crc)> _sections = [];

    public StateFileReader(string path)
    {
        Path = path;
        try
        {
            _stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, FileOptions.SequentialScan);
        }
        catch (FileNotFoundException)
        {
            throw new InvalidDataException($"{path}: no update state here (train with `ease train --state DIR` first)");
        }
        catch (DirectoryNotFoundException)
        {
            throw new InvalidDataException($"{path}: no update state here (train with `ease train --state DIR` first)");
        }
        try
        {
            byte[] head = new byte[StateFileWriter.HeaderSize + StateFileWriter.MaxSections * StateFileWriter.EntrySize];
            int got = _stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
            if (got < StateFileWriter.HeaderSize || Encoding.ASCII.GetString(head, 0, 8) != StateFileWriter.Magic)
                throw Bad(0, $"not an update state (expected magic {StateFileWriter.Magic} in a header of {StateFileWriter.HeaderSize} bytes)");
            ushort major = BinaryPrimitives.ReadUInt16LittleEndian(head.AsSpan(8));
            if (major != StateFileWriter.Major)
                throw Bad(8, $"state format version {major} is not supported (this ease reads version {StateFileWriter.Major})");
            if (got < head.Length)
                throw Bad(got, $"truncated: the header and section table need {head.Length} bytes, the file has {got}");
            uint stored = BinaryPrimitives.ReadUInt32LittleEndian(head.AsSpan(60));
            BinaryPrimitives.WriteUInt32LittleEndian(head.AsSpan(60), 0);
            if (Crc32C.Compute(head) != stored)
                throw Bad(60, "header CRC-32C mismatch (the state is corrupted)");
            long length = BinaryPrimitives.ReadInt64LittleEndian(head.AsSpan(16));
            if (length != _stream.Length)
                throw Bad(16, $"truncated or extended: the header says {length:N0} bytes, the file has {_stream.Length:N0}");
            uint count = BinaryPrimitives.ReadUInt32LittleEndian(head.AsSpan(12));
            if (count > StateFileWriter.MaxSections)
                throw Bad(12, $"section count {count} exceeds {StateFileWriter.MaxSections}");
            for (int k = 0; k < count; k++)
            {
                ReadOnlySpan<byte> e = head.AsSpan(StateFileWriter.HeaderSize + k * StateFileWriter.EntrySize, StateFileWriter.EntrySize);
                var kind = (StateSection)BinaryPrimitives.ReadUInt32LittleEndian(e);
                long offset = BinaryPrimitives.ReadInt64LittleEndian(e[8..]);
                long len = BinaryPrimitives.ReadInt64LittleEndian(e[16..]);
                if (offset < head.Length || len < 0 || offset > length - len)
                    throw Bad(StateFileWriter.HeaderSize + k * StateFileWriter.EntrySize, $"section {kind} [{offset}, +{len}) lies outside the file");
                _sections[kind] = (offset, len, BinaryPrimitives.ReadUInt32LittleEndian(e[24..]));
            }
        }
        catch
        {
            _stream.Dispose();
            throw;
        }
    }

    public string Path { get; }

    public long FileLength => _stream.Length;

    public bool Has(StateSection kind) => _sections.ContainsKey(kind);

    /// <summary>Streams a section's bytes to <paramref name="consume"/> in chunks and checks its CRC at the end.</summary>
    public void Read(StateSection kind, Action<ReadOnlySpan<byte>> consume, long expectedLength = -1)
    {
        if (!_sections.TryGetValue(kind, out var s))
            throw Bad(0, $"the {kind} section is missing");
        if (expectedLength >= 0 && s.Length != expectedLength)
            throw Bad(s.Offset, $"the {kind} section holds {s.Length:N0} bytes, expected {expectedLength:N0}");
        _stream.Position = s.Offset;
        byte[] buffer = new byte[1 << 20];
        uint crc = Crc32C.InitialState;
        long left = s.Length;
        while (left > 0)
        {
            int n = _stream.Read(buffer, 0, (int)Math.Min(buffer.Length, left));
            if (n <= 0)
                throw Bad(_stream.Position, "unexpected end of file");
            crc = Crc32C.Append(crc, buffer.AsSpan(0, n));
            consume(buffer.AsSpan(0, n));
            left -= n;
        }
        if (Crc32C.Finish(crc) != s.Crc)
            throw Bad(s.Offset, $"CRC-32C mismatch in the {kind} section (the state is corrupted)");
    }

    public T[] ReadArray<T>(StateSection kind, long count) where T : unmanaged
    {
        var result = new T[count];
        Span<byte> target = MemoryMarshal.AsBytes(result.AsSpan());
        int at = 0;
        // The span cannot be captured by the callback; copy through an array segment.
        byte[] bytes = new byte[target.Length];
        Read(kind, chunk => { chunk.CopyTo(bytes.AsSpan(at)); at += chunk.Length; }, (long)count * System.Runtime.CompilerServices.Unsafe.SizeOf<T>());
        bytes.CopyTo(target);
        return result;
    }

    public T[] ReadArray<T>(StateSection kind) where T : unmanaged
    {
        if (!_sections.TryGetValue(kind, out var s))
            throw Bad(0, $"the {kind} section is missing");
        int size = System.Runtime.CompilerServices.Unsafe.SizeOf<T>();
        if (s.Length % size != 0)
            throw Bad(s.Offset, $"the {kind} section holds {s.Length} bytes, not a multiple of {size}");
        return ReadArray<T>(kind, s.Length / size);
    }

    public string[] ReadStrings(StateSection kind, int count)
    {
        byte[] bytes = ReadArray<byte>(kind);
        var result = new string[count];
        int start = 0, k = 0;
        for (int i = 0; i < bytes.Length; i++)
        {
            if (bytes[i] != 0)
                continue;
            if (k == count)
                throw Bad(0, $"the {kind} section holds more than {count} ids");
            result[k++] = Encoding.UTF8.GetString(bytes, start, i - start);
            start = i + 1;
        }
        if (k != count || start != bytes.Length)
            throw Bad(0, $"the {kind} section holds {k} ids, expected {count}");
        return result;
    }

    public InvalidDataException Bad(long offset, string problem) => new($"{Path}: offset {offset}: {problem}");

    public void Dispose() => _stream.Dispose();
}

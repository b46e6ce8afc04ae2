using System.Buffers;
using System.Diagnostics;
using System.IO.Compression;

namespace Ease.Engine.Input;

/// <summary>
/// Splits a file (plain or gzip, detected by its magic bytes) into lines of raw UTF-8 bytes, without decoding and
/// without allocating per line: lines are spans into one pooled buffer that grows only for lines longer than it.
/// Handles <c>\n</c> and <c>\r\n</c>, a leading UTF-8 BOM, and a last line without a newline. Lines longer than
/// <see cref="MaxLineBytes"/> are reported as such and skipped without buffering them.
/// </summary>
internal sealed class LineReader : IDisposable
{
    /// <summary>Longest line accepted (1 MiB); a longer one is almost certainly a binary or wrongly split file.</summary>
    public const int MaxLineBytes = 1 << 20;

    const int InitialBufferBytes = 64 * 1024;
    static readonly long ProgressIntervalTicks = Stopwatch.Frequency / 20; // at most ~20 reports a second

    readonly string _path;
    readonly FileStream _file;
    readonly Stream _stream;
    readonly IProgress<ReadProgress>? _progress;
    readonly CancellationToken _ct;
    readonly long _totalBytes;
    byte[] _buffer;
    int _start;      // first byte of the next line
    int _scanned;    // bytes from _start already known to hold no '\n'
    int _end;        // end of valid data
    bool _eof;
    bool _first = true;
    bool _discarding; // inside a too-long line: drop bytes until the next '\n'
    long _lastReport;
    long _decompressedBytes;

    public LineReader(string path, IProgress<ReadProgress>? progress, CancellationToken ct)
    {
        _path = path;
        _progress = progress;
        _ct = ct;
        _file = Ease.Format.ReadableFile.Open(path, options: FileOptions.SequentialScan);
        _totalBytes = _file.Length;
        _stream = IsGzip(_file) ? new GZipStream(new BufferedStream(_file, 64 * 1024), CompressionMode.Decompress) : _file;
        _buffer = ArrayPool<byte>.Shared.Rent(InitialBufferBytes);
        _lastReport = Stopwatch.GetTimestamp();
    }

    /// <summary>1-based number of the line last returned (0 before the first).</summary>
    public long LineNumber { get; private set; }

    static bool IsGzip(FileStream file)
    {
        Span<byte> magic = stackalloc byte[2];
        int read = file.ReadAtLeast(magic, 2, throwOnEndOfStream: false);
        file.Position = 0;
        return read == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
    }

    /// <summary>
    /// Reads the next line (without its line break) into <paramref name="line"/>; false at end of file.
    /// <paramref name="tooLong"/> is set for a line over <see cref="MaxLineBytes"/>, in which case
    /// <paramref name="line"/> holds only its beginning and the rest is skipped.
    /// </summary>
    public bool TryReadLine(out ReadOnlySpan<byte> line, out bool tooLong)
    {
        tooLong = false;
        while (true)
        {
            int newline = _buffer.AsSpan(_start + _scanned, _end - _start - _scanned).IndexOf((byte)'\n');
            if (_discarding)
            {
                if (newline < 0)
                {
                    _start = _end; // drop everything buffered, keep looking
                    _scanned = 0;
                    if (!Fill())
                    {
                        line = default;
                        return false;
                    }
                    continue;
                }
                _start += _scanned + newline + 1;
                _scanned = 0;
                _discarding = false;
                continue;
            }

            if (newline >= 0)
            {
                int length = _scanned + newline;
                line = TrimCarriageReturn(_buffer.AsSpan(_start, length));
                _start += length + 1;
                _scanned = 0;
                LineNumber++;
                if (line.Length > MaxLineBytes)
                {
                    tooLong = true;
                    line = line[..512];
                }
                return true;
            }

            _scanned = _end - _start;
            if (_scanned > MaxLineBytes + 1) // +1: a trailing '\r' does not count
            {
                // Report the line now (its start is in the buffer) and skip the rest of it.
                LineNumber++;
                tooLong = true;
                line = _buffer.AsSpan(_start, 512);
                _start = _end;
                _scanned = 0;
                _discarding = true;
                return true;
            }

            if (!Fill())
            {
                if (_end > _start)
                {
                    // Last line without a trailing newline.
                    line = TrimCarriageReturn(_buffer.AsSpan(_start, _end - _start));
                    _start = _end;
                    _scanned = 0;
                    LineNumber++;
                    return true;
                }
                line = default;
                return false;
            }
        }
    }

    static ReadOnlySpan<byte> TrimCarriageReturn(ReadOnlySpan<byte> line) =>
        line.Length > 0 && line[^1] == (byte)'\r' ? line[..^1] : line;

    /// <summary>Reads more bytes after the current partial line; false when the file is exhausted.</summary>
    bool Fill()
    {
        if (_eof)
            return false;
        _ct.ThrowIfCancellationRequested();

        // Move the partial line to the front, or grow the buffer when the partial line fills it.
        if (_start > 0)
        {
            _buffer.AsSpan(_start, _end - _start).CopyTo(_buffer);
            _end -= _start;
            _start = 0;
        }
        else if (_end == _buffer.Length)
        {
            byte[] larger = ArrayPool<byte>.Shared.Rent(Math.Min(_buffer.Length * 2, MaxLineBytes + 4096));
            _buffer.AsSpan(0, _end).CopyTo(larger);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = larger;
        }

        int read;
        try
        {
            read = _stream.Read(_buffer, _end, _buffer.Length - _end);
        }
        catch (InvalidDataException e)
        {
            throw new InputFormatException(_path, LineNumber + 1, null,
                $"the gzip data is corrupt ({e.Message.TrimEnd('.')})", e);
        }

        if (_first)
        {
            _first = false;
            if (read >= 3 && _buffer[0] == 0xEF && _buffer[1] == 0xBB && _buffer[2] == 0xBF)
                _start = 3; // UTF-8 byte order mark
        }

        if (read == 0)
        {
            _eof = true;
            CheckGzipComplete();
            ReportProgress(force: true);
            return false;
        }
        _end += read;
        _decompressedBytes += read;
        ReportProgress(force: false);
        return true;
    }

    /// <summary>
    /// GZipStream does not notice a stream cut short: it just ends early (it throws only for damaged data). So the
    /// decompressed length is compared with the ISIZE field of the gzip trailer (the last 4 bytes, length mod 2^32);
    /// for a truncated file those bytes are arbitrary compressed data and do not match. Files from bgzip (many members
    /// ending in a standard empty member) are recognised; other concatenated multi-member files cannot be checked.
    /// </summary>
    void CheckGzipComplete()
    {
        if (_stream is not GZipStream)
            return;
        const int trailerBytes = 8, minimumMemberBytes = 18;
        ReadOnlySpan<byte> bgzipEof =
        [
            0x1f, 0x8b, 0x08, 0x04, 0, 0, 0, 0, 0, 0xff, 0x06, 0, 0x42, 0x43, 0x02, 0, 0x1b, 0, 0x03, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        ];
        Span<byte> tail = stackalloc byte[bgzipEof.Length];
        int tailLength = (int)Math.Min(tail.Length, _totalBytes);
        tail = tail[..tailLength];
        _file.Position = _totalBytes - tailLength;
        _file.ReadExactly(tail);
        if (tail.SequenceEqual(bgzipEof))
            return;
        uint declared = tailLength >= trailerBytes ? System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(tail[^4..]) : 0;
        if (_totalBytes < minimumMemberBytes || declared != (uint)_decompressedBytes)
        {
            throw new InputFormatException(_path, LineNumber + 1, null,
                $"the gzip data ends early: {_decompressedBytes:N0} bytes decompressed but the gzip trailer says {declared:N0} " +
                "(mod 2^32); the file is truncated or corrupt (a concatenation of several .gz files: decompress it first)");
        }
    }

    public void ReportProgress(bool force)
    {
        if (_progress is null)
            return;
        long now = Stopwatch.GetTimestamp();
        if (!force && now - _lastReport < ProgressIntervalTicks)
            return;
        _lastReport = now;
        long position = _eof ? _totalBytes : _file.Position;
        _progress.Report(new ReadProgress(position, _totalBytes, LineNumber));
    }

    public void Dispose()
    {
        _stream.Dispose();
        _file.Dispose();
        if (_buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = [];
        }
    }
}

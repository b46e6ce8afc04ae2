using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;

namespace Ease.Format;

/// <summary>
/// The one way every output file is written.
/// <list type="bullet">
/// <item>A regular file or a new path: the bytes go to a hidden temporary file beside the target
/// (beside the file a symbolic link points to, for a link), which <see cref="Commit"/> flushes to
/// disk and renames over the target. Disposing without committing, or any failure, deletes the
/// temporary file and leaves the target as it was: a partial file never stands at the target path.</item>
/// <item>Anything else that exists (a character device such as /dev/null, a FIFO, a socket, a
/// terminal, /dev/stdout, /proc/self/fd/N): the bytes are written straight into it; it is never
/// replaced, since renaming over it would destroy the device or cut off the pipe's reader.</item>
/// </list>
/// </summary>
public sealed partial class AtomicOutput : IDisposable
{
    private const int DefaultBufferSize = 1 << 16;

    private readonly string _target;
    private readonly string? _tempPath;
    private readonly bool _seekable;
    private readonly bool _appendToTarget;
    private FileStream? _stream;
    private bool _committed;

    private AtomicOutput(string path, bool seekable, int bufferSize)
    {
        OutputTarget target = OutputTarget.Resolve(path);
        _target = target.Path;
        _seekable = seekable;
        _appendToTarget = target.IsDescriptorOfRegularFile;
        IsWriteThrough = target.IsWriteThrough;
        if (IsWriteThrough && !seekable)
        {
            _stream = OpenWriteThrough(bufferSize);
            return;
        }
        // A seekable output into a device is prepared in a scratch file and copied in on commit.
        _tempPath = TempPath(IsWriteThrough ? Path.GetTempPath() : Path.GetDirectoryName(_target)!, Path.GetFileName(_target), ".tmp");
        _stream = new FileStream(_tempPath, FileMode.CreateNew, seekable ? FileAccess.ReadWrite : FileAccess.Write, FileShare.None, bufferSize,
            IsWriteThrough ? FileOptions.DeleteOnClose : FileOptions.None);
    }

    /// <summary>
    /// Starts writing <paramref name="path"/>. With <paramref name="seekable"/> the stream can be read, sought and
    /// rewritten before <see cref="Commit"/> (a device target then receives the bytes on commit).
    /// </summary>
    public static AtomicOutput Create(string path, bool seekable = false, int bufferSize = DefaultBufferSize)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return new AtomicOutput(path, seekable, bufferSize);
    }

    /// <summary>
    /// Writes <paramref name="path"/> with <paramref name="write"/> and commits; on any exception a regular target is
    /// untouched (a device or FIFO keeps what it already received).
    /// </summary>
    public static void Write(string path, Action<Stream> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        using AtomicOutput output = Create(path);
        write(output.Stream);
        output.Commit();
    }

    /// <summary>As <see cref="Write"/>, as UTF-8 text without a byte-order mark.</summary>
    public static void WriteText(string path, Action<TextWriter> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        Write(path, stream =>
        {
            using var writer = new StreamWriter(stream, Utf8, DefaultBufferSize, leaveOpen: true);
            write(writer);
        });
    }

    /// <summary>UTF-8 without a byte-order mark, the encoding of every text output.</summary>
    public static Encoding Utf8 { get; } = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);

    /// <summary>
    /// Where a file that is later put in place with <see cref="MoveOnto"/> should be prepared: the directory of the
    /// final target for a regular file or a new path (so the move is a rename), the system temp directory for a device.
    /// </summary>
    public static string StagingDirectory(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        OutputTarget target = OutputTarget.Resolve(path);
        return target.IsWriteThrough ? Path.GetTempPath() : Path.GetDirectoryName(target.Path)!;
    }

    /// <summary>
    /// Puts the finished file <paramref name="source"/> at <paramref name="path"/>: renamed over a regular file or a new
    /// path (prepare it in <see cref="StagingDirectory"/>), copied into a device, FIFO or descriptor and then deleted.
    /// </summary>
    public static void MoveOnto(string source, string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(source);
        OutputTarget target = OutputTarget.Resolve(path);
        if (!target.IsWriteThrough)
        {
            File.Move(source, target.Path, overwrite: true);
            return;
        }
        using (var input = new FileStream(source, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan))
            Write(path, output => input.CopyTo(output, DefaultBufferSize));
        File.Delete(source);
    }

    /// <summary>Whether <paramref name="path"/> names something that is written straight into rather than replaced.</summary>
    public static bool IsWriteThroughTarget(string path) => OutputTarget.Resolve(path).IsWriteThrough;

    /// <summary>The file that receives the bytes: the final target of any symbolic links.</summary>
    public string TargetPath => _target;

    /// <summary>True when the target is a device, FIFO, socket or descriptor, written into rather than replaced.</summary>
    public bool IsWriteThrough { get; }

    /// <summary>Where to write. Seekable and readable when created with <c>seekable: true</c>.</summary>
    public FileStream Stream
    {
        get
        {
            ObjectDisposedException.ThrowIf(_stream is null, this);
            return _stream;
        }
    }

    /// <summary>
    /// A scratch file for the same output, deleted when disposed: beside the temporary file, or in the system temp
    /// directory for a device target. For writers that assemble the output from parts.
    /// </summary>
    public FileStream CreateScratch(string suffix, int bufferSize = DefaultBufferSize)
    {
        string directory = _tempPath is null || IsWriteThrough ? Path.GetTempPath() : Path.GetDirectoryName(_tempPath)!;
        return new FileStream(TempPath(directory, Path.GetFileName(_target), suffix), FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, bufferSize, FileOptions.DeleteOnClose);
    }

    /// <summary>Flushes to disk and renames over the target, or finishes writing into a device.</summary>
    public void Commit()
    {
        FileStream stream = Stream;
        if (_tempPath is null)
        {
            stream.Flush();
        }
        else if (IsWriteThrough)
        {
            stream.Flush();
            stream.Position = 0;
            using FileStream device = OpenWriteThrough(DefaultBufferSize);
            stream.CopyTo(device, DefaultBufferSize);
            device.Flush();
        }
        else
        {
            stream.Flush(flushToDisk: true);
            stream.Dispose();
            _stream = null;
            KeepPermissions(_tempPath, _target);
            File.Move(_tempPath, _target, overwrite: true);
        }
        _committed = true;
        Dispose();
    }

    public void Dispose()
    {
        // A failed flush or close must not keep the temporary file from being deleted.
        try { _stream?.Dispose(); }
        catch (IOException) when (!_committed) { }
        finally
        {
            _stream = null;
            if (!_committed && !IsWriteThrough && _tempPath is not null)
                TryDelete(_tempPath);
        }
    }

    private FileStream OpenWriteThrough(int bufferSize) =>
        // Open, not Create: no O_CREAT or O_TRUNC on a device. A descriptor of a regular file (/dev/stdout > file)
        // is appended to, as the shell's own redirection would be.
        new(_target, _appendToTarget ? FileMode.Append : FileMode.Open, FileAccess.Write, FileShare.ReadWrite, _seekable ? 1 : bufferSize);

    private static string TempPath(string directory, string name, string suffix) =>
        Path.Combine(directory, $".{name}.{Environment.ProcessId}.{Guid.NewGuid().ToString("N")[..12]}{suffix}");

    private static void KeepPermissions(string temp, string target)
    {
        if (OperatingSystem.IsWindows() || !File.Exists(target))
            return;
        try { File.SetUnixFileMode(temp, File.GetUnixFileMode(target)); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    private static void TryDelete(string path)
    {
        try { File.Delete(path); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    /// <summary>What a path names, once symbolic links are followed.</summary>
    private readonly record struct OutputTarget(string Path, bool IsWriteThrough, bool IsDescriptorOfRegularFile)
    {
        public static OutputTarget Resolve(string path)
        {
            string full = System.IO.Path.GetFullPath(path);
            FileKind kind = FileKinds.Of(full);
            if (kind == FileKind.Directory)
                throw new IOException($"{path}: is a directory");
            // /dev/stdout, /dev/fd/N, /proc/self/fd/N: links to an open descriptor, whose target may be a pipe or
            // a deleted file that no path names. Written into, never replaced.
            if (IsDescriptorLink(full))
                return new OutputTarget(full, true, kind == FileKind.Regular);
            if (kind == FileKind.Other)
                return new OutputTarget(full, true, false);
            // A regular file, a new path or a dangling link: the file at the end of the links is the one replaced.
            string final = full;
            if (File.Exists(full) && File.ResolveLinkTarget(full, returnFinalTarget: true) is { } resolved)
                final = resolved.FullName;
            return new OutputTarget(final, false, false);
        }

        private static bool IsDescriptorLink(string full)
        {
            if (OperatingSystem.IsWindows())
                return false;
            for (int hop = 0; hop < 40; hop++)
            {
                if (DescriptorPath().IsMatch(full))
                    return true;
                if (!File.Exists(full) || new FileInfo(full).LinkTarget is not { } next)
                    return false;
                full = System.IO.Path.GetFullPath(next, System.IO.Path.GetDirectoryName(full)!);
            }
            return false;
        }
    }

    [GeneratedRegex(@"^/(dev/(stdin|stdout|stderr|fd/\d+)|proc/(self|thread-self|\d+)(/task/\d+)?/fd/\d+)$")]
    private static partial Regex DescriptorPath();

    private enum FileKind { Missing, Regular, Directory, Other }

    /// <summary>
    /// The type of file a path names, following links. .NET reports a FIFO or a character device as a "Normal" file
    /// (<see cref="File.GetAttributes(string)"/>, <see cref="FileSystemInfo.UnixFileMode"/> carry no file type), so on
    /// Linux the type comes from statx(2), whose buffer layout is the same on every architecture; libc is already
    /// loaded by the runtime, nothing new is shipped. Elsewhere, anything under /dev/ counts as a device.
    /// </summary>
    private static unsafe class FileKinds
    {
        private const int AtFdCwd = -100;
        private const uint StatxType = 0x1;
        private const int ModeOffset = 28;
        private const int BufferSize = 256;
        private const int TypeMask = 0xF000, Regular = 0x8000, Directory = 0x4000;

        private static readonly delegate* unmanaged<int, byte*, int, uint, byte*, int> Statx = Find();

        private static delegate* unmanaged<int, byte*, int, uint, byte*, int> Find()
        {
            if (!OperatingSystem.IsLinux())
                return null;
            return NativeLibrary.TryGetExport(NativeLibrary.GetMainProgramHandle(), "statx", out nint f)
                ? (delegate* unmanaged<int, byte*, int, uint, byte*, int>)f
                : null;
        }

        public static FileKind Of(string full)
        {
            if (System.IO.Directory.Exists(full))
                return FileKind.Directory;
            if (!File.Exists(full))
                return FileKind.Missing;
            if (Statx != null)
            {
                byte[] name = Encoding.UTF8.GetBytes(full + "\0");
                byte* buffer = stackalloc byte[BufferSize];
                int result;
                fixed (byte* p = name)
                    result = Statx(AtFdCwd, p, 0, StatxType, buffer);
                if (result == 0)
                {
                    int type = *(ushort*)(buffer + ModeOffset) & TypeMask;
                    return type switch { Regular => FileKind.Regular, Directory => FileKind.Directory, _ => FileKind.Other };
                }
                // A dangling link: nothing at the end of it yet.
                if (new FileInfo(full).LinkTarget is not null)
                    return FileKind.Missing;
            }
            if (OperatingSystem.IsWindows())
                return FileKind.Regular;
            string final = File.ResolveLinkTarget(full, returnFinalTarget: true)?.FullName ?? full;
            return final.StartsWith("/dev/", StringComparison.Ordinal) ? FileKind.Other : FileKind.Regular;
        }
    }
}

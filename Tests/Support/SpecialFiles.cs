using System.Diagnostics;

namespace Ease.Tests.Support;

/// <summary>FIFOs and character devices made in a test's own directory (never the machine's /dev/null).</summary>
public static class SpecialFiles
{
    private static readonly Lazy<bool> CanMakeDevices = new(() =>
    {
        using var dir = new TempDirectory();
        return TryMakeNullDevice(dir.File("probe"));
    });

    /// <summary>Whether this process may create a character device (root, and mknod allowed here).</summary>
    public static bool CanMakeCharDevices => CanMakeDevices.Value;

    public static void MakeFifo(string path) => Assert.Equal(0, Run("mkfifo", path));

    /// <summary>Creates a clone of /dev/null (character device 1,3) at <paramref name="path"/>.</summary>
    public static bool TryMakeNullDevice(string path)
    {
        if (!OperatingSystem.IsLinux() || Environment.UserName != "root")
            return false;
        try { return Run("mknod", path, "c", "1", "3") == 0 && Kind(path) == "character special file"; }
        catch (System.ComponentModel.Win32Exception) { return false; }
    }

    /// <summary>What stat(1) calls the file, without following a link: "fifo", "regular file", "symbolic link" ...</summary>
    public static string Kind(string path)
    {
        var start = new ProcessStartInfo("stat", ["-c", "%F", path]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using Process p = Process.Start(start)!;
        string kind = p.StandardOutput.ReadToEnd().Trim();
        p.WaitForExit();
        return kind;
    }

    private static int Run(string file, params string[] args)
    {
        var start = new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true };
        using Process p = Process.Start(start)!;
        p.WaitForExit();
        return p.ExitCode;
    }
}

/// <summary>Reads everything written into a FIFO, concurrently with the writer.</summary>
public sealed class FifoReader
{
    private readonly string _path;
    private readonly Task<byte[]> _read;

    public FifoReader(string path)
    {
        _path = path;
        _read = Task.Factory.StartNew(() => File.ReadAllBytes(path), TaskCreationOptions.LongRunning);
    }

    /// <summary>The bytes received; if no writer ever opened the FIFO, opens it once so the reader ends, and fails.</summary>
    public byte[] Finish()
    {
        if (!_read.Wait(TimeSpan.FromSeconds(5)))
        {
            using (new FileStream(_path, FileMode.Open, FileAccess.Write)) { }
            _read.Wait();
            Assert.Fail($"nothing opened {_path} for writing");
        }
        return _read.Result;
    }
}

/// <summary>A fact that needs a character device made with mknod: skipped unless running as root where mknod works.</summary>
public sealed class CharDeviceFactAttribute : FactAttribute
{
    public CharDeviceFactAttribute()
    {
        if (!SpecialFiles.CanMakeCharDevices)
            Skip = "needs root and a file system that allows mknod";
    }
}

/// <summary>A fact that needs Linux: FIFOs (mkfifo), symbolic links, /proc/self/fd.</summary>
public sealed class LinuxFactAttribute : FactAttribute
{
    public LinuxFactAttribute()
    {
        if (!OperatingSystem.IsLinux())
            Skip = "needs Linux (FIFOs, /proc/self/fd)";
    }
}

using System.Diagnostics;

namespace Ease.Benchmarks.Study;

/// <summary>
/// The shared machine's lock for long timing runs (`flock FILE`), held by a child `flock` process so that a
/// long training run can give it up between epochs and let queued runs go first, without losing its state.
/// </summary>
public sealed class HeavyLock(string path) : IDisposable
{
    private Process? _holder;

    /// <summary>Blocks until the lock is held.</summary>
    public void Acquire()
    {
        if (_holder is not null) return;
        var psi = new ProcessStartInfo("flock", [path, "sh", "-c", "echo held; read _"])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        _holder = Process.Start(psi) ?? throw new InvalidOperationException("could not start flock");
        string? line = _holder.StandardOutput.ReadLine();
        if (line != "held") throw new InvalidOperationException($"flock {path} failed");
    }

    /// <summary>Releases the lock, waits a little so that a queued run can take it, and queues again.</summary>
    public void Yield(TimeSpan pause)
    {
        Release();
        Thread.Sleep(pause);
        Acquire();
    }

    public void Release()
    {
        if (_holder is null) return;
        _holder.StandardInput.WriteLine();
        _holder.StandardInput.Close();
        _holder.WaitForExit();
        _holder.Dispose();
        _holder = null;
    }

    public void Dispose() => Release();
}

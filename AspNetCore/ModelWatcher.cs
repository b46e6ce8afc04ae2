using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;

namespace Ease.AspNetCore;

/// <summary>
/// Notices a replaced model file: a FileSystemWatcher on its directory (writers rename a new
/// file over the old one), a cheap poll of its modification time, length and header checksum as a backup, and
/// optionally SIGHUP. Events are debounced and end in <see cref="ModelHolder.ReloadIfChanged"/>
/// (SIGHUP: an unconditional reload) on a thread-pool thread.
/// </summary>
internal sealed class ModelWatcher : IDisposable
{
    private static readonly TimeSpan Debounce = TimeSpan.FromMilliseconds(50);

    private readonly ModelHolder _holder;
    private readonly FileSystemWatcher? _watcher;
    private readonly Timer? _poll;
    private readonly Timer _debounced;
    private readonly PosixSignalRegistration? _sighup;

    public ModelWatcher(ModelHolder holder, TimeSpan pollInterval, bool watchFile, bool handleSighup, ILogger log)
    {
        _holder = holder;
        _debounced = new Timer(_ => holder.ReloadIfChanged("file changed"));
        if (handleSighup && !OperatingSystem.IsWindows())
            _sighup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, OnSighup);
        if (!watchFile)
            return;
        _poll = new Timer(_ => holder.ReloadIfChanged("poll"), null, pollInterval, pollInterval);
        string full = Path.GetFullPath(holder.Path);
        try
        {
            _watcher = new FileSystemWatcher(Path.GetDirectoryName(full)!, Path.GetFileName(full))
            {
                NotifyFilter = NotifyFilters.FileName | NotifyFilters.LastWrite | NotifyFilters.Size,
            };
            _watcher.Changed += OnEvent;
            _watcher.Created += OnEvent;
            _watcher.Renamed += OnEvent;
            _watcher.EnableRaisingEvents = true;
        }
        catch (Exception e) when (e is IOException or ArgumentException or PlatformNotSupportedException or UnauthorizedAccessException)
        {
            // inotify limits and the like: the poll still notices changes.
            Log.CannotWatch(log, full, e.Message, pollInterval.TotalSeconds);
            _watcher?.Dispose();
            _watcher = null;
        }
    }

    private void OnEvent(object sender, FileSystemEventArgs e) => _debounced.Change(Debounce, Timeout.InfiniteTimeSpan);

    private void OnSighup(PosixSignalContext context)
    {
        context.Cancel = true;
        ThreadPool.QueueUserWorkItem(static h => h.Reload("SIGHUP"), _holder, preferLocal: false);
    }

    public void Dispose()
    {
        _sighup?.Dispose();
        _watcher?.Dispose();
        _poll?.Dispose();
        _debounced.Dispose();
    }
}

using System.Diagnostics;
using Ease.Format;

namespace Ease.Cli.Serve;

/// <summary>
/// The model being served and its hot swap. A reload opens and fully verifies the file, then
/// swaps it in with one reference exchange; a damaged file is refused and the current model
/// keeps serving. Reloads are serialized; requests never wait for one.
/// </summary>
internal sealed class ModelHolder : IDisposable
{
    private readonly object _reloadLock = new();
    private readonly ServeMetrics _metrics;
    private readonly TextWriter _log;
    private LoadedModel _current;
    private FileStamp _refusedStamp;
    private bool _disposed;

    private ModelHolder(string path, LoadedModel first, ServeMetrics metrics, TextWriter log)
    {
        Path = path;
        _current = first;
        _metrics = metrics;
        _log = log;
        metrics.ModelLoaded(first);
    }

    public string Path { get; }

    /// <summary>Opens the first model; a missing or damaged file throws (startup fails with exit code 2).</summary>
    public static ModelHolder Open(string path, ServeMetrics metrics, TextWriter log)
    {
        LoadedModel first = Load(path, generation: 1);
        log.WriteLine($"ease: serve: loaded {first} in {first.LoadSeconds * 1000:F0} ms: {first.File.ItemCount:N0} items, {first.File.NonZeroCount:N0} weights");
        return new ModelHolder(path, first, metrics, log);
    }

    /// <summary>The current model (no reference taken): for reading its id or generation.</summary>
    public LoadedModel Current => Volatile.Read(ref _current);

    /// <summary>The current model with a reference taken; pair with <see cref="LoadedModel.Release"/>.</summary>
    public LoadedModel Acquire()
    {
        while (true)
        {
            LoadedModel model = Volatile.Read(ref _current);
            if (model.TryAddReference())
                return model;
            // Swapped and released between the read and the increment: read the new one.
            ObjectDisposedException.ThrowIf(ReferenceEquals(model, Volatile.Read(ref _current)), this);
        }
    }

    /// <summary>Reloads when the file's modification time, length or header checksum changed since the last attempt.</summary>
    public void ReloadIfChanged(string reason)
    {
        lock (_reloadLock)
        {
            FileStamp stamp = FileStamp.Of(Path);
            if (stamp == default || stamp == Current.Stamp || stamp == _refusedStamp)
                return;
            Reload(reason);
        }
    }

    /// <summary>Opens, verifies and swaps in the file now. Returns null on success, else why it was refused.</summary>
    public string? Reload(string reason)
    {
        lock (_reloadLock)
        {
            if (_disposed)
                return "the server is stopping";
            FileStamp stamp = FileStamp.Of(Path);
            LoadedModel next;
            try
            {
                next = Load(Path, Current.Generation + 1);
            }
            catch (Exception e)
            {
                // Whatever went wrong (this runs on timer threads too), the current model keeps serving.
                _refusedStamp = stamp;
                _metrics.ReloadRefused();
                string message = e switch
                {
                    FileNotFoundException => $"{Path}: no such file",
                    ModelFormatException or IOException or UnauthorizedAccessException or InvalidDataException => e.Message,
                    _ => $"{e.GetType().Name}: {e.Message}",
                };
                _log.WriteLine($"ease: serve: reload ({reason}) refused: {message}; still serving {Current}");
                return message;
            }
            LoadedModel old = Interlocked.Exchange(ref _current, next);
            _metrics.ModelLoaded(next);
            _log.WriteLine($"ease: serve: reload ({reason}): now serving {next} (loaded in {next.LoadSeconds * 1000:F0} ms, {next.File.ItemCount:N0} items), was {old.Id}");
            old.Release();
            return null;
        }
    }

    private static LoadedModel Load(string path, long generation)
    {
        // The stamp is taken before opening: a file replaced during the open is seen as changed by the next poll.
        FileStamp stamp = FileStamp.Of(path);
        long start = Stopwatch.GetTimestamp();
        ModelFile file = ModelFile.Open(path, new ModelOpenOptions { VerifyChecksums = true });
        return new LoadedModel(file, generation, stamp, Stopwatch.GetElapsedTime(start).TotalSeconds);
    }

    public void Dispose()
    {
        lock (_reloadLock)
        {
            if (_disposed)
                return;
            _disposed = true;
            _current.Release();
        }
    }
}

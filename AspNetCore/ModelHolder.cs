using System.Diagnostics;
using Ease.Format;
using Microsoft.Extensions.Logging;

namespace Ease.AspNetCore;

/// <summary>
/// The model being served and its hot swap. A reload opens and fully verifies the file, then
/// swaps it in with one reference exchange; a damaged file is refused and the current model
/// keeps serving. Reloads are serialized; requests never wait for one.
/// </summary>
internal sealed class ModelHolder : IDisposable
{
    private readonly object _reloadLock = new();
    private readonly EaseMetrics _metrics;
    private readonly ILogger _log;
    private LoadedModel _current;
    private FileStamp _refusedStamp;
    private bool _disposed;

    private ModelHolder(string path, string? lightPath, LoadedModel first, EaseMetrics metrics, ILogger log)
    {
        Path = path;
        LightPath = lightPath;
        _current = first;
        _metrics = metrics;
        _log = log;
        metrics.ModelLoaded(first);
    }

    /// <summary>The served file; changed by a reload from another path.</summary>
    public string Path { get; private set; }

    /// <summary>The light model's file, reopened and checked against the model with every load; or null.</summary>
    public string? LightPath { get; }

    /// <summary>Opens the first model; a missing or damaged file throws (startup fails with exit code 2).</summary>
    public static ModelHolder Open(string path, string? lightPath, EaseMetrics metrics, ILogger log)
    {
        LoadedModel first = Load(path, lightPath, generation: 1);
        string light = first.Light is null ? "" : string.Create(System.Globalization.CultureInfo.InvariantCulture, $"; light model {lightPath}: {first.Light.NonZeroCount:N0} weights");
        Log.Loaded(log, first, first.LoadSeconds * 1000, first.File.ItemCount, first.File.NonZeroCount, light);
        return new ModelHolder(path, lightPath, first, metrics, log);
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

    /// <summary>
    /// Opens, verifies and swaps in the file now (<paramref name="path"/>: another file, served from
    /// then on). Returns null on success, else why it was refused.
    /// </summary>
    public string? Reload(string reason, string? path = null)
    {
        lock (_reloadLock)
        {
            if (_disposed)
                return "the server is stopping";
            path ??= Path;
            FileStamp stamp = FileStamp.Of(path);
            LoadedModel next;
            try
            {
                next = Load(path, LightPath, Current.Generation + 1);
            }
            catch (Exception e)
            {
                // Whatever went wrong (this runs on timer threads too), the current model keeps serving.
                _refusedStamp = stamp;
                _metrics.ReloadRefused();
                string message = e switch
                {
                    FileNotFoundException => $"{path}: no such file",
                    ModelFormatException or IOException or UnauthorizedAccessException or InvalidDataException => e.Message,
                    _ => $"{e.GetType().Name}: {e.Message}",
                };
                Log.ReloadRefused(_log, reason, message, Current);
                return message;
            }
            Path = path;
            LoadedModel old = Interlocked.Exchange(ref _current, next);
            _metrics.ModelLoaded(next);
            Log.Reloaded(_log, reason, next, next.LoadSeconds * 1000, next.File.ItemCount, old.Id);
            old.Release();
            return null;
        }
    }

    private static LoadedModel Load(string path, string? lightPath, long generation)
    {
        // The stamp is taken before opening: a file replaced during the open is seen as changed by the next poll.
        FileStamp stamp = FileStamp.Of(path);
        long start = Stopwatch.GetTimestamp();
        ModelFile file = ModelFile.Open(path, new ModelOpenOptions { VerifyChecksums = true });
        ModelFile? light = null;
        try
        {
            // A new model may list other items: its light model is reopened and checked with it,
            // so replace the light file first, then the model.
            if (lightPath is not null)
            {
                light = ModelFile.Open(lightPath, new ModelOpenOptions { VerifyChecksums = true });
                if (Ease.Engine.Scoring.LightModelCheck.Mismatch(file, light) is { } why)
                    throw new InvalidDataException($"{lightPath}: {why}; a light model is a further prune of the served model");
            }
        }
        catch
        {
            light?.Dispose();
            file.Dispose();
            throw;
        }
        return new LoadedModel(file, light, generation, stamp, Stopwatch.GetElapsedTime(start).TotalSeconds);
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

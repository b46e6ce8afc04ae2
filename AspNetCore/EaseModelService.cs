using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Ease.AspNetCore;

/// <summary>
/// Owns the served model for the host's lifetime: opens and verifies it when the host starts (a
/// missing or damaged file stops the start with that error), watches the file for a replacement,
/// and releases it when the host stops. Until the model is open the endpoints answer 503 and the
/// readiness check is unhealthy.
/// </summary>
public sealed class EaseModelService : IHostedService, IDisposable
{
    private readonly IOptionsMonitor<EaseOptions> _options;
    private readonly ILogger _log;
    private readonly IDisposable? _onChange;
    private ModelHolder? _holder;
    private ModelWatcher? _watcher;

    internal EaseModelService(IOptionsMonitor<EaseOptions> options, EaseMetrics metrics, ILogger<EaseModelService> log)
    {
        _options = options;
        Metrics = metrics;
        _log = log;
        // A new ModelPath in the configuration swaps that file in, as a replaced file does.
        _onChange = options.OnChange(o =>
        {
            if (_holder is { } holder && !string.Equals(o.ModelPath, holder.Path, StringComparison.Ordinal))
                Reload($"options: ModelPath {o.ModelPath}", o.ModelPath);
        });
    }

    internal EaseMetrics Metrics { get; }

    /// <summary>The request limits, checked when the host starts.</summary>
    internal ServeLimits Limits { get; private set; } = new();

    /// <summary>The model holder once started; null before the start and after the stop.</summary>
    internal ModelHolder? Holder => Volatile.Read(ref _holder);

    /// <summary>Whether a model is being served.</summary>
    public bool IsReady => Holder is not null;

    /// <summary>The served model's id, "file name@checksum" (the <c>model</c> of every response); null before the start.</summary>
    public string? ModelId => Holder?.Current.Id;

    /// <summary>1 for the model loaded at startup, +1 per successful reload; 0 before the start.</summary>
    public long Generation => Holder?.Current.Generation ?? 0;

    /// <summary>
    /// Opens the model file again now (and its light model), verifies it and swaps it in.
    /// Returns null when it was swapped in, or why it was refused (the old model keeps serving).
    /// </summary>
    public string? Reload(string reason = "reload requested") => Reload(reason, path: null);

    private string? Reload(string reason, string? path) =>
        Holder is { } holder ? holder.Reload(reason, path) : "the model is not loaded yet";

    /// <inheritdoc/>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        EaseOptions options = _options.CurrentValue;
        Limits = options.Validate();
        ModelHolder holder = ModelHolder.Open(options.ModelPath, options.LightModelPath, Metrics, _log);
        if (options.WatchModelFile || options.ReloadOnSighup)
            _watcher = new ModelWatcher(holder, options.PollInterval, options.WatchModelFile, options.ReloadOnSighup, _log);
        Volatile.Write(ref _holder, holder);
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public Task StopAsync(CancellationToken cancellationToken)
    {
        Dispose();
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _onChange?.Dispose();
        _watcher?.Dispose();
        _watcher = null;
        ModelHolder? holder = Interlocked.Exchange(ref _holder, null);
        if (holder is not null)
        {
            Metrics.ModelUnloaded();
            holder.Dispose();
        }
    }
}

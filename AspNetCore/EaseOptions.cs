namespace Ease.AspNetCore;

/// <summary>
/// What <c>AddEase</c> serves: the model file, an optional
/// latency budget with its light model, the request limits, and how a replaced model file is noticed.
/// The same settings as the options of <c>ease serve</c>.
/// </summary>
public sealed class EaseOptions
{
    /// <summary>The model file to serve. Renaming a new file over it swaps the new model in (required).</summary>
    public string ModelPath { get; set; } = "";

    /// <summary>
    /// The light model a budget scores from (a further prune of the model, <c>ease prune</c>), reopened
    /// and checked with every load of the model; or null. Replace it before the model.
    /// </summary>
    public string? LightModelPath { get; set; }

    /// <summary>A latency budget: at most this many stored weights added per user (<c>--max-weights</c>); 0: none.</summary>
    public int MaxWeights { get; set; }

    /// <summary>The largest k a request may ask for.</summary>
    public int MaxK { get; set; } = 1000;

    /// <summary>The largest request body, bytes.</summary>
    public long MaxBodyBytes { get; set; } = 1 << 20;

    /// <summary>The most history ids (and weights) of one user.</summary>
    public int MaxHistory { get; set; } = 10_000;

    /// <summary>The most users of one <c>/recommend/batch</c> request.</summary>
    public int MaxBatch { get; set; } = 1000;

    /// <summary>How often the model file's time, size and header checksum are checked, besides the file watcher.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Whether a replaced model file is noticed (file watcher and poll). Off: only <c>POST /admin/reload</c> swaps.</summary>
    public bool WatchModelFile { get; set; } = true;

    /// <summary>Reload on SIGHUP (Unix). Off by default: the host process may use the signal itself.</summary>
    public bool ReloadOnSighup { get; set; }

    /// <summary>Whether <see cref="EaseEndpointRouteBuilderExtensions.MapEase"/> maps <c>POST /admin/reload</c> (unauthenticated; off to leave swapping to the file).</summary>
    public bool MapAdminReload { get; set; } = true;

    /// <summary>The checked limits; throws <see cref="ArgumentException"/> naming the first setting out of range.</summary>
    internal ServeLimits Validate()
    {
        if (string.IsNullOrWhiteSpace(ModelPath))
            throw new ArgumentException("EaseOptions.ModelPath: no model file given");
        if (MaxWeights < 0)
            throw new ArgumentException($"EaseOptions.MaxWeights must be >= 0, got {MaxWeights}");
        if (LightModelPath is not null && MaxWeights == 0)
            throw new ArgumentException("EaseOptions.LightModelPath is read only under a budget: set MaxWeights too");
        if (!(PollInterval >= TimeSpan.FromMilliseconds(10) && PollInterval <= TimeSpan.FromDays(1)))
            throw new ArgumentException($"EaseOptions.PollInterval must be from 10 ms to 1 day, got {PollInterval}");
        return new ServeLimits
        {
            MaxK = Positive(MaxK, nameof(MaxK)),
            MaxBodyBytes = Positive(MaxBodyBytes, nameof(MaxBodyBytes)),
            MaxHistory = Positive(MaxHistory, nameof(MaxHistory)),
            MaxBatch = Positive(MaxBatch, nameof(MaxBatch)),
            MaxWeights = MaxWeights,
        };
    }

    private static T Positive<T>(T value, string name) where T : System.Numerics.INumber<T> =>
        value > T.Zero ? value : throw new ArgumentException($"EaseOptions.{name} must be >= 1, got {value}");
}

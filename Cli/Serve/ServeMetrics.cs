using System.Globalization;
using System.Text;

namespace Ease.Cli.Serve;

/// <summary>The routes, as metric labels.</summary>
internal enum Route
{
    Recommend,
    RecommendBatch,
    Similar,
    Healthz,
    Readyz,
    Metrics,
    AdminReload,
    Other,
}

/// <summary>Counters and a latency histogram per route, written in the Prometheus text format.</summary>
internal sealed class ServeMetrics
{
    private static readonly string[] RouteLabels = ["recommend", "recommend_batch", "similar", "healthz", "readyz", "metrics", "admin_reload", "other"];

    /// <summary>Upper bounds of the latency buckets, seconds.</summary>
    private static readonly double[] Bounds = [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.1, 1];

    private static readonly int RouteCount = RouteLabels.Length;

    private readonly long[] _requests = new long[RouteCount];
    private readonly long[] _errors = new long[RouteCount];
    private readonly long[] _buckets = new long[RouteCount * (Bounds.Length + 1)];
    private readonly long[] _latencyTicks = new long[RouteCount];
    private readonly long[] _bucketTicks = [.. Bounds.Select(b => (long)(b * System.Diagnostics.Stopwatch.Frequency))];
    private long _unknownIds;
    private long _fallbacks;
    private long _budgeted;
    private long _reloads;
    private long _reloadRefusals;
    private LoadedModel? _model;

    public void Record(Route route, int status, long elapsedTicks)
    {
        int r = (int)route;
        Interlocked.Increment(ref _requests[r]);
        if (status >= 400)
            Interlocked.Increment(ref _errors[r]);
        Interlocked.Add(ref _latencyTicks[r], elapsedTicks);
        int b = 0;
        while (b < _bucketTicks.Length && elapsedTicks > _bucketTicks[b])
            b++;
        Interlocked.Increment(ref _buckets[r * (Bounds.Length + 1) + b]);
    }

    public void Scored(int unknownIds, bool fallback, bool budgeted)
    {
        if (budgeted)
            Interlocked.Increment(ref _budgeted);
        if (unknownIds != 0)
            Interlocked.Add(ref _unknownIds, unknownIds);
        if (fallback)
            Interlocked.Increment(ref _fallbacks);
    }

    public void ModelLoaded(LoadedModel model)
    {
        if (Interlocked.Exchange(ref _model, model) is not null)
            Interlocked.Increment(ref _reloads);
    }

    public void ReloadRefused() => Interlocked.Increment(ref _reloadRefusals);

    public string Render()
    {
        var s = new StringBuilder(4096);
        Counter(s, "ease_requests_total", "HTTP requests by route.", _requests);
        Counter(s, "ease_request_errors_total", "HTTP requests answered with a status of 400 or above, by route.", _errors);
        s.Append("# HELP ease_request_duration_seconds Time from routing to the response body, by route.\n# TYPE ease_request_duration_seconds histogram\n");
        for (int r = 0; r < RouteCount; r++)
        {
            long cumulative = 0;
            for (int b = 0; b <= Bounds.Length; b++)
            {
                cumulative += Volatile.Read(ref _buckets[r * (Bounds.Length + 1) + b]);
                string le = b < Bounds.Length ? Bounds[b].ToString("R", CultureInfo.InvariantCulture) : "+Inf";
                s.Append(CultureInfo.InvariantCulture, $"ease_request_duration_seconds_bucket{{route=\"{RouteLabels[r]}\",le=\"{le}\"}} {cumulative}\n");
            }
            double sum = Volatile.Read(ref _latencyTicks[r]) / (double)System.Diagnostics.Stopwatch.Frequency;
            s.Append(CultureInfo.InvariantCulture, $"ease_request_duration_seconds_sum{{route=\"{RouteLabels[r]}\"}} {sum:R}\n");
            s.Append(CultureInfo.InvariantCulture, $"ease_request_duration_seconds_count{{route=\"{RouteLabels[r]}\"}} {cumulative}\n");
        }
        Single(s, "ease_recommend_unknown_ids_total", "counter", "History ids the model does not know (skipped).", Volatile.Read(ref _unknownIds));
        Single(s, "ease_recommend_popularity_fallbacks_total", "counter", "Users answered with the most popular items (no known history item).", Volatile.Read(ref _fallbacks));
        Single(s, "ease_recommend_budgeted_total", "counter", "Users whose history rows held more weights than --max-weights (scored from the light model and/or their last items).", Volatile.Read(ref _budgeted));
        LoadedModel? model = Volatile.Read(ref _model);
        if (model is not null)
        {
            s.Append(CultureInfo.InvariantCulture, $"# HELP ease_model_info The model being served.\n# TYPE ease_model_info gauge\nease_model_info{{model=\"{Escape(model.Id)}\"}} 1\n");
            Single(s, "ease_model_generation", "gauge", "1 for the model loaded at startup, +1 per successful reload.", model.Generation);
            Single(s, "ease_model_items", "gauge", "Items of the model being served.", model.File.ItemCount);
            Single(s, "ease_model_load_seconds", "gauge", "Time to open and verify the model being served.", model.LoadSeconds);
            Single(s, "ease_model_loaded_timestamp_seconds", "gauge", "Unix time the model being served was loaded.", model.LoadedAtUnixSeconds);
        }
        Single(s, "ease_model_reloads_total", "counter", "Models swapped in after startup.", Volatile.Read(ref _reloads));
        Single(s, "ease_model_reload_refusals_total", "counter", "Replacement model files refused (damaged or unreadable); the old model kept serving.", Volatile.Read(ref _reloadRefusals));
        return s.ToString();
    }

    private static void Counter(StringBuilder s, string name, string help, long[] values)
    {
        s.Append(CultureInfo.InvariantCulture, $"# HELP {name} {help}\n# TYPE {name} counter\n");
        for (int r = 0; r < RouteCount; r++)
            s.Append(CultureInfo.InvariantCulture, $"{name}{{route=\"{RouteLabels[r]}\"}} {Volatile.Read(ref values[r])}\n");
    }

    private static void Single(StringBuilder s, string name, string type, string help, double value) =>
        s.Append(CultureInfo.InvariantCulture, $"# HELP {name} {help}\n# TYPE {name} {type}\n{name} {value:R}\n");

    private static string Escape(string label) => label.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
}

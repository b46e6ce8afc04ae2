using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Ease.AspNetCore;

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

/// <summary>
/// The service's instruments on the <c>Ease</c> <see cref="Meter"/>. Instrument names are the
/// Prometheus names the service has always exported (the exporter keeps a name that already ends
/// in <c>_total</c> or in its unit), so dashboards keep working; <c>dotnet-counters monitor
/// --counters Ease</c> shows the same names.
/// </summary>
internal sealed class EaseMetrics
{
    /// <summary>The <see cref="Meter"/> name.</summary>
    public const string MeterName = "Ease";

    private static readonly string[] RouteLabels = ["recommend", "recommend_batch", "similar", "healthz", "readyz", "metrics", "admin_reload", "other"];

    /// <summary>Upper bounds of the latency buckets, seconds: microseconds matter here, the exporters' defaults start at 5 ms.</summary>
    private static readonly double[] Bounds = [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.1, 1];

    private readonly Counter<long> _requests;
    private readonly Counter<long> _errors;
    private readonly Histogram<double> _latency;
    private readonly Counter<long> _unknownIds;
    private readonly Counter<long> _fallbacks;
    private readonly Counter<long> _budgeted;
    private long _reloads;
    private long _reloadRefusals;
    private LoadedModel? _model;

    public EaseMetrics(Meter meter)
    {
        _requests = meter.CreateCounter<long>("ease_requests_total", description: "HTTP requests by route.");
        _errors = meter.CreateCounter<long>("ease_request_errors_total", description: "HTTP requests answered with a status of 400 or above, by route.");
        _latency = meter.CreateHistogram("ease_request_duration_seconds", "s", "Time from routing to the response body, by route.",
            tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = Bounds });
        _unknownIds = meter.CreateCounter<long>("ease_recommend_unknown_ids_total", description: "History ids the model does not know (skipped).");
        _fallbacks = meter.CreateCounter<long>("ease_recommend_popularity_fallbacks_total", description: "Users answered with the most popular items (no known history item).");
        _budgeted = meter.CreateCounter<long>("ease_recommend_budgeted_total", description: "Users whose history rows held more weights than the budget (scored from the light model and/or their last items).");
        meter.CreateObservableCounter("ease_model_reloads_total", () => Volatile.Read(ref _reloads), description: "Models swapped in after startup.");
        meter.CreateObservableCounter("ease_model_reload_refusals_total", () => Volatile.Read(ref _reloadRefusals), description: "Replacement model files refused (damaged or unreadable); the old model kept serving.");
        meter.CreateObservableGauge("ease_model_info", ModelInfo, description: "The model being served.");
        meter.CreateObservableGauge("ease_model_generation", () => Of(m => m.Generation), description: "1 for the model loaded at startup, +1 per successful reload.");
        meter.CreateObservableGauge("ease_model_items", () => Of(m => m.File.ItemCount), description: "Items of the model being served.");
        meter.CreateObservableGauge("ease_model_load_seconds", () => Of(m => m.LoadSeconds), "s", "Time to open and verify the model being served.");
        meter.CreateObservableGauge("ease_model_loaded_timestamp_seconds", () => Of(m => m.LoadedAtUnixSeconds), "s", "Unix time the model being served was loaded.");
    }

    public void Record(Route route, int status, long startTimestamp)
    {
        var tag = new KeyValuePair<string, object?>("route", RouteLabels[(int)route]);
        _requests.Add(1, tag);
        if (status >= 400)
            _errors.Add(1, tag);
        _latency.Record(Stopwatch.GetElapsedTime(startTimestamp).TotalSeconds, tag);
    }

    public void Scored(int unknownIds, bool fallback, bool budgeted)
    {
        if (budgeted)
            _budgeted.Add(1);
        if (unknownIds != 0)
            _unknownIds.Add(unknownIds);
        if (fallback)
            _fallbacks.Add(1);
    }

    public void ModelLoaded(LoadedModel model)
    {
        if (Interlocked.Exchange(ref _model, model) is not null)
            Interlocked.Increment(ref _reloads);
    }

    public void ReloadRefused() => Interlocked.Increment(ref _reloadRefusals);

    /// <summary>No model yet, or stopped: nothing to observe.</summary>
    public void ModelUnloaded() => Volatile.Write(ref _model, null);

    private IEnumerable<Measurement<int>> ModelInfo()
    {
        LoadedModel? model = Volatile.Read(ref _model);
        return model is null ? [] : [new Measurement<int>(1, new KeyValuePair<string, object?>("model", model.Id))];
    }

    private IEnumerable<Measurement<T>> Of<T>(Func<LoadedModel, T> value) where T : struct
    {
        LoadedModel? model = Volatile.Read(ref _model);
        return model is null ? [] : [new Measurement<T>(value(model))];
    }
}

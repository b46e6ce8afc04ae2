using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using Ease.Engine.Scoring;
using Ease.Format;

namespace Ease.Benchmarks.Scoring;

/// <summary>
/// Single-user latency: one Recommend call (k = 20) per operation, cycling over 512 different
/// users so the scores are not the same cache lines every time. Each call is also timed on its
/// own (two timestamp reads, ~40 ns) and the per-call p50/p99/p99.9 over every call the process
/// made are printed at the end, since BenchmarkDotNet's statistics are over iterations.
/// HistoryLength 0 = the real histories of EASE_BENCH_HISTORY (all users, as they are).
/// </summary>
[MemoryDiagnoser]
[Config(typeof(ScoringBenchmarkConfig))]
public class RecommendLatencyBenchmarks
{
    private const int Users = 512;
    private ModelFile _model = null!;
    private Recommender _scorer = null!;
    private int[][] _histories = null!;
    private readonly ScoredItem[] _results = new ScoredItem[20];
    private long[] _ticks = new long[1 << 16];
    private int _calls;
    private int _next;

    [ParamsSource(nameof(WeightsPerRowValues))]
    public int WeightsPerRow { get; set; }

    [ParamsSource(nameof(HistoryLengthValues))]
    public int HistoryLength { get; set; }

    /// <summary>
    /// "auto" is the scorer as shipped; "tiled" forces the cache-blocked strategy
    /// (TiledDenseScoring), kept to show why it is not the default.
    /// </summary>
    [Params("auto", "tiled")]
    public string Strategy { get; set; } = "auto";

    public static IEnumerable<int> WeightsPerRowValues() => BenchmarkData.WeightsPerRowValues();

    public static IEnumerable<int> HistoryLengthValues() =>
        string.IsNullOrEmpty(BenchmarkData.HistoryPath) ? [1, 10, 50, 200] : [0, 1, 10, 50, 200];

    [GlobalSetup]
    public void Setup()
    {
        _model = BenchmarkData.OpenModel(WeightsPerRow);
        _scorer = new Recommender(_model)
        {
            Strategy = Strategy == "tiled" ? ScoringStrategy.TiledDense : ScoringStrategy.Auto,
        };
        _histories = HistoryLength == 0
            ? BenchmarkData.RealHistories(_model) ?? throw new InvalidOperationException("HistoryLength 0 needs EASE_BENCH_HISTORY")
            : BenchmarkData.FixedLengthHistories(_model.ItemCount, HistoryLength, Users, seed: HistoryLength);
    }

    [Benchmark]
    public int Recommend()
    {
        int[] history = _histories[_next];
        _next = _next + 1 == _histories.Length ? 0 : _next + 1;
        long start = Stopwatch.GetTimestamp();
        int count = _scorer.Recommend(history, _results);
        long elapsed = Stopwatch.GetTimestamp() - start;
        if (_calls == _ticks.Length)
            Array.Resize(ref _ticks, _ticks.Length * 2); // rare; the memory diagnoser's run is short
        _ticks[_calls++] = elapsed;
        return count;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        if (_calls > 0)
        {
            long[] t = _ticks[.._calls];
            Array.Sort(t);
            double us(double q) => t[Math.Min(t.Length - 1, (int)(q * t.Length))] * 1e6 / Stopwatch.Frequency;
            Console.WriteLine($"// per-call latency W={WeightsPerRow} H={HistoryLength} {Strategy}: calls {_calls}, p50 {us(0.5):F2} us, p99 {us(0.99):F2} us, p99.9 {us(0.999):F2} us");
        }
        _model.Dispose();
    }
}

using BenchmarkDotNet.Attributes;
using Ease.Engine.Scoring;
using Ease.Format;

namespace Ease.Benchmarks.Scoring;

/// <summary>
/// Batch throughput: one operation = one user (OperationsPerInvoke), so users/s = 1e9 / mean ns.
/// 4,096 synthetic users with yelp2018-like history lengths, or every user of EASE_BENCH_HISTORY.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(ScoringBenchmarkConfig))]
public class BatchThroughputBenchmarks
{
    private const int K = 20;
    private const int SyntheticUsers = 4096;
    private ModelFile _model = null!;
    private BatchRecommender _batch = null!;
    private int[] _offsets = null!;
    private int[] _rows = null!;
    private ScoredItem[] _results = null!;
    private int[] _counts = null!;

    [ParamsSource(nameof(WeightsPerRowValues))]
    public int WeightsPerRow { get; set; }

    [Params(1, 2)]
    public int Threads { get; set; }

    public static IEnumerable<int> WeightsPerRowValues() => BenchmarkData.WeightsPerRowValues();

    [GlobalSetup]
    public void Setup()
    {
        _model = BenchmarkData.OpenModel(WeightsPerRow);
        // Real runs use the first 4,096 users of the history file (OperationsPerInvoke is a constant).
        int[][] histories = BenchmarkData.RealHistories(_model)?.Take(SyntheticUsers).ToArray()
            ?? BenchmarkData.YelpLikeHistories(_model.ItemCount, SyntheticUsers, seed: 39);
        _offsets = new int[histories.Length + 1];
        for (int u = 0; u < histories.Length; u++)
            _offsets[u + 1] = _offsets[u] + histories[u].Length;
        _rows = [.. histories.SelectMany(h => h)];
        _results = new ScoredItem[histories.Length * K];
        _counts = new int[histories.Length];
        _batch = new BatchRecommender(_model, Threads);
        if (histories.Length != SyntheticUsers)
            throw new InvalidOperationException($"the history file has {histories.Length} users with known items; the batch benchmark needs {SyntheticUsers}");
    }

    [Benchmark(OperationsPerInvoke = SyntheticUsers)]
    public int ScoreUsers() => _batch.Recommend(_offsets, _rows, K, _results, _counts);

    [GlobalCleanup]
    public void Cleanup() => _model.Dispose();
}

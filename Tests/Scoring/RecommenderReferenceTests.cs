using Ease.Format;
using Ease.Engine.Scoring;

namespace Ease.Tests.Scoring;

/// <summary>Every selection path (scalar, Vector256, Vector512) against the dense reference.</summary>
public class RecommenderReferenceTests
{
    private static readonly int[] Ks = [1, 5, 20];

    public static IEnumerable<object[]> Paths => ScoringAssert.Paths();

    [Theory]
    [MemberData(nameof(Paths))]
    internal void EveryHistoryLength0To256_MatchesReference(SimdLevel level, ScoringStrategy strategy)
    {
        using var m = new RandomModel(seed: 11, itemCount: 300, density: 0.08);
        RunLengths(m, level, strategy, seed: 1);
    }

    [Theory]
    [MemberData(nameof(Paths))]
    internal void NegativeScoresDominate_ZerosCompete(SimdLevel level, ScoringStrategy strategy)
    {
        // Weights mostly negative and sparse: untouched items (exactly 0) must fill the top-k.
        using var m = new RandomModel(seed: 12, itemCount: 300, density: 0.05, negativeBias: 2.0);
        RunLengths(m, level, strategy, seed: 2);
        var scorer = new Recommender(m.Model) { Simd = level, Strategy = strategy, TileItems = strategy == ScoringStrategy.TiledDense ? 64 : 4096 };
        var results = new ScoredItem[20];
        int count = scorer.Recommend([3, 17, 42], results);
        Assert.Equal(20, count);
        Assert.Contains(results, r => r.Score == 0f);
    }

    private static void RunLengths(RandomModel m, SimdLevel level, ScoringStrategy strategy, int seed)
    {
        var scorer = new Recommender(m.Model) { Simd = level, Strategy = strategy, TileItems = strategy == ScoringStrategy.TiledDense ? 64 : 4096 };
        var rng = new Random(seed);
        var results = new ScoredItem[20];
        for (int length = 0; length <= 256; length++)
        {
            // Rows drawn with replacement: longer histories carry repeats (a history is a set).
            int[] history = Enumerable.Range(0, length).Select(_ => rng.Next(m.ItemCount)).ToArray();
            foreach (int k in Ks)
            {
                ScoredItem[] expected = DenseReferenceScorer.Recommend(m, history, null, k, includeSeen: false, null, out bool fallback);
                int count = scorer.Recommend(history, results.AsSpan(0, k), out RecommendStatus status);
                ScoringAssert.Same(expected, results.AsSpan(0, count), $"{level}/{strategy} length {length} k {k}");
                Assert.Equal(fallback, status.UsedPopularityFallback);
                Assert.Equal(history.Distinct().Count(), status.HistoryItemsUsed);
                Assert.Equal(length - history.Distinct().Count(), status.DuplicatesIgnored);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Paths))]
    internal void IncludeSeen_AndFilters_MatchReference(SimdLevel level, ScoringStrategy strategy)
    {
        using var m = new RandomModel(seed: 13, itemCount: 257, density: 0.1, negativeBias: 0.5);
        var scorer = new Recommender(m.Model) { Simd = level, Strategy = strategy, TileItems = strategy == ScoringStrategy.TiledDense ? 64 : 4096 };
        var rng = new Random(3);
        var results = new ScoredItem[20];
        for (int trial = 0; trial < 200; trial++)
        {
            int[] history = Enumerable.Range(0, rng.Next(0, 40)).Select(_ => rng.Next(m.ItemCount)).ToArray();
            int[] listed = Enumerable.Range(0, rng.Next(0, 120)).Select(_ => rng.Next(m.ItemCount)).ToArray();
            ItemFilter? filter = (trial % 3) switch
            {
                0 => null,
                1 => ItemFilter.Allow(m.ItemCount, listed),
                _ => ItemFilter.Deny(m.ItemCount, listed),
            };
            bool includeSeen = trial % 2 == 0;
            int k = Ks[trial % 3];
            var options = new RecommendOptions { IncludeSeen = includeSeen, Filter = filter };
            ScoredItem[] expected = DenseReferenceScorer.Recommend(m, history, null, k, includeSeen, filter, out _);
            int count = scorer.Recommend(history, results.AsSpan(0, k), out _, options);
            ScoringAssert.Same(expected, results.AsSpan(0, count), $"{level}/{strategy} trial {trial}");
        }
    }

    [Theory]
    [MemberData(nameof(Paths))]
    internal void WeightedHistory_AddsWeightTimesRow_RepeatsIncluded(SimdLevel level, ScoringStrategy strategy)
    {
        using var m = new RandomModel(seed: 14, itemCount: 200, density: 0.1, negativeBias: 0.3);
        var scorer = new Recommender(m.Model) { Simd = level, Strategy = strategy, TileItems = strategy == ScoringStrategy.TiledDense ? 64 : 4096 };
        var rng = new Random(4);
        var results = new ScoredItem[20];
        for (int trial = 0; trial < 150; trial++)
        {
            int[] history = Enumerable.Range(0, rng.Next(1, 60)).Select(_ => rng.Next(m.ItemCount)).ToArray();
            float[] weights = history.Select(_ => (float)(rng.NextDouble() * 2 - 0.5)).ToArray();
            int k = Ks[trial % 3];
            ScoredItem[] expected = DenseReferenceScorer.Recommend(m, history, weights, k, includeSeen: false, null, out _);
            int count = scorer.Recommend(history, weights, results.AsSpan(0, k), out RecommendStatus status);
            ScoringAssert.Same(expected, results.AsSpan(0, count), $"{level}/{strategy} trial {trial}");
            Assert.Equal(history.Length, status.HistoryItemsUsed);
        }
    }

    [Theory]
    [MemberData(nameof(Paths))]
    internal void TinyModels_1To70Items_KLargerThanCandidates(SimdLevel level, ScoringStrategy strategy)
    {
        var rng = new Random(5);
        for (int n = 1; n <= 70; n++)
        {
            using var m = new RandomModel(seed: 100 + n, itemCount: n, density: 0.3, negativeBias: n % 2);
            var scorer = new Recommender(m.Model) { Simd = level, Strategy = strategy, TileItems = strategy == ScoringStrategy.TiledDense ? 64 : 4096 };
            var results = new ScoredItem[n + 5];
            for (int trial = 0; trial < 6; trial++)
            {
                int[] history = Enumerable.Range(0, rng.Next(0, n + 2)).Select(_ => rng.Next(n)).ToArray();
                foreach (int k in new[] { 1, 5, 20, n + 5 })
                {
                    int kk = Math.Min(k, results.Length);
                    ItemFilter? filter = trial == 5 ? ItemFilter.Deny(n, [0, n - 1]) : null;
                    var options = new RecommendOptions { IncludeSeen = trial == 4, Filter = filter };
                    ScoredItem[] expected = DenseReferenceScorer.Recommend(m, history, null, kk, trial == 4, filter, out _);
                    int count = scorer.Recommend(history, results.AsSpan(0, kk), out _, options);
                    ScoringAssert.Same(expected, results.AsSpan(0, count), $"{level}/{strategy} n {n} trial {trial} k {kk}");
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(Paths))]
    internal void Similar_MatchesReference(SimdLevel level, ScoringStrategy strategy)
    {
        using var m = new RandomModel(seed: 15, itemCount: 150, density: 0.1);
        var scorer = new Recommender(m.Model) { Simd = level, Strategy = strategy, TileItems = strategy == ScoringStrategy.TiledDense ? 64 : 4096 };
        var results = new ScoredItem[20];
        ItemFilter filter = ItemFilter.Deny(m.ItemCount, Enumerable.Range(0, 150).Where(i => i % 3 == 0).ToArray());
        for (int row = 0; row < m.ItemCount; row++)
        {
            foreach (int k in Ks)
            {
                int count = scorer.Similar(row, results.AsSpan(0, k));
                ScoringAssert.Same(DenseReferenceScorer.Similar(m, row, k, null), results.AsSpan(0, count), $"row {row} k {k}");
                Assert.DoesNotContain(results.AsSpan(0, count).ToArray(), r => r.Row == row);
                count = scorer.Similar(row, results.AsSpan(0, k), filter);
                ScoringAssert.Same(DenseReferenceScorer.Similar(m, row, k, filter), results.AsSpan(0, count), $"filtered row {row} k {k}");
            }
        }
    }
}

using Ease.Engine.Scoring;

namespace Ease.Tests.Scoring;

/// <summary>External ids, fallback, errors, allocation, threads and batches.</summary>
public class RecommenderBehaviourTests
{
    [Fact]
    public void Ids_UnknownOnesAreSkippedAndCounted()
    {
        using var m = new RandomModel(seed: 21, itemCount: 120, density: 0.1);
        var scorer = new Recommender(m.Model);
        var results = new ScoredItem[10];
        string[] ids = [RandomModel.Id(5), "nope", RandomModel.Id(9), "", RandomModel.Id(5), null!];
        int count = scorer.Recommend(ids, results, out RecommendStatus status);
        ScoredItem[] expected = DenseReferenceScorer.Recommend(m, [5, 9, 5], null, 10, false, null, out _);
        ScoringAssert.Same(expected, results.AsSpan(0, count), "ids");
        Assert.Equal(new RecommendStatus(10, 2, 3, 1, false), status);

        // The list overload and the weighted id overload resolve the same way.
        count = scorer.Recommend(ids.ToList(), results, out RecommendStatus listStatus);
        Assert.Equal(status, listStatus);
        float[] weights = [1f, 7f, 0.5f, 7f, 2f, 7f];
        count = scorer.Recommend(ids, weights, results, out status);
        expected = DenseReferenceScorer.Recommend(m, [5, 9, 5], [1f, 0.5f, 2f], 10, false, null, out _);
        ScoringAssert.Same(expected, results.AsSpan(0, count), "weighted ids");
        Assert.Equal(3, status.UnknownIds);
    }

    [Fact]
    public void OnlyUnknownIds_FallsBackToPopularity_HonouringFilters()
    {
        using var m = new RandomModel(seed: 22, itemCount: 90, density: 0.1);
        var scorer = new Recommender(m.Model);
        var results = new ScoredItem[7];
        ItemFilter filter = ItemFilter.Deny(m.ItemCount, [.. Enumerable.Range(0, 30)]);
        int count = scorer.Recommend(["x", "y"], results, out RecommendStatus status, new RecommendOptions { Filter = filter });
        Assert.True(status.UsedPopularityFallback);
        Assert.Equal(2, status.UnknownIds);
        Assert.Equal(0, status.HistoryItemsUsed);
        ScoredItem[] expected = [.. Enumerable.Range(30, 60).Select(r => new ScoredItem(r, m.Popularity![r]))
            .OrderByDescending(s => s.Score).ThenBy(s => s.Row).Take(7)];
        ScoringAssert.Same(expected, results.AsSpan(0, count), "popular");
    }

    [Fact]
    public void NoPopularitySection_EmptyHistory_ReturnsNothing()
    {
        using var m = new RandomModel(seed: 23, itemCount: 50, density: 0.1, popularity: false);
        var scorer = new Recommender(m.Model);
        int count = scorer.Recommend(ReadOnlySpan<int>.Empty, new ScoredItem[5], out RecommendStatus status);
        Assert.Equal(0, count);
        Assert.False(status.UsedPopularityFallback);
    }

    [Fact]
    public void BadRowThrows_AndLeavesTheScorerClean()
    {
        using var m = new RandomModel(seed: 24, itemCount: 80, density: 0.1);
        var scorer = new Recommender(m.Model);
        var results = new ScoredItem[10];
        Assert.Throws<ArgumentOutOfRangeException>(() => scorer.Recommend([1, 2, 80], results));
        Assert.Throws<ArgumentOutOfRangeException>(() => scorer.Recommend([-1], results));
        Assert.Throws<ArgumentException>(() => scorer.Recommend([1, 2], [1f], results, out _));
        Assert.Throws<ArgumentException>(() => scorer.Recommend([1], [float.NaN], results, out _));
        Assert.Throws<ArgumentException>(() => scorer.Recommend([1], results, new RecommendOptions { Filter = ItemFilter.Allow(81, [1]) }));
        int count = scorer.Recommend([1, 2], results, out RecommendStatus status);
        ScoringAssert.Same(DenseReferenceScorer.Recommend(m, [1, 2], null, 10, false, null, out _), results.AsSpan(0, count), "after errors");
        Assert.Equal(0, status.DuplicatesIgnored);
        Assert.Equal(0, scorer.Recommend([1, 2], Span<ScoredItem>.Empty));
    }

    [Theory]
    [InlineData(ScoringStrategy.Auto)]
    [InlineData(ScoringStrategy.DenseScan)]
    [InlineData(ScoringStrategy.TiledDense)]
    [InlineData(ScoringStrategy.TouchedSparse)]
    internal void ZeroBytesAllocatedPerCall_AfterWarmUp(ScoringStrategy strategy)
    {
        using var m = new RandomModel(seed: 25, itemCount: 500, density: 0.05);
        var scorer = new Recommender(m.Model) { Strategy = strategy, TileItems = 128 };
        var results = new ScoredItem[20];
        int[] history = [.. Enumerable.Range(0, 40).Select(i => i * 7)];
        float[] weights = [.. history.Select(i => 1f / (1 + i))];
        string[] ids = [.. history.Select(RandomModel.Id).Append("unknown")];
        var options = new RecommendOptions { Filter = ItemFilter.Deny(m.ItemCount, [1, 2, 3]) };
        void Calls()
        {
            scorer.Recommend(history, results);
            scorer.Recommend(history.AsSpan(0, 1), results);
            scorer.Recommend(history, results, out _, options);
            scorer.Recommend(history, weights, results, out _);
            scorer.Recommend(ids, results, out _);
            scorer.Recommend(ReadOnlySpan<int>.Empty, results, out _);
            scorer.Similar(7, results);
        }
        for (int i = 0; i < 20; i++)
            Calls();
        // Rounds of 500 calls each: a per-call allocation shows in every round, while a one-off
        // runtime allocation on this thread (e.g. the tiered JIT installing an optimized body mid-run,
        // seen occasionally with AVX2 off) can only spoil one. The quietest round must be exactly 0.
        var rounds = new long[5];
        for (int r = 0; r < rounds.Length; r++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 500; i++)
                Calls();
            rounds[r] = GC.GetAllocatedBytesForCurrentThread() - before;
        }
        Assert.True(rounds.Min() == 0, $"bytes allocated per round of 500 x 7 calls: {string.Join(", ", rounds)}");
    }

    [Fact]
    public void ConcurrentScorers_MatchSequentialResults()
    {
        using var m = new RandomModel(seed: 26, itemCount: 400, density: 0.05, negativeBias: 0.2);
        const int users = 400, k = 20;
        var rng = new Random(6);
        int[][] histories = [.. Enumerable.Range(0, users).Select(_ => Enumerable.Range(0, rng.Next(0, 60)).Select(_ => rng.Next(400)).ToArray())];
        var sequential = new ScoredItem[users][];
        var scorer = new Recommender(m.Model);
        for (int u = 0; u < users; u++)
        {
            var r = new ScoredItem[k];
            sequential[u] = r[..scorer.Recommend(histories[u], r)];
        }
        var concurrent = new ScoredItem[users][];
        Parallel.For(0, 4, new ParallelOptions { MaxDegreeOfParallelism = 4 }, t =>
        {
            var own = new Recommender(m.Model);
            for (int round = 0; round < 3; round++)
            {
                for (int u = t; u < users; u += 4)
                {
                    var r = new ScoredItem[k];
                    concurrent[u] = r[..own.Recommend(histories[u], r)];
                }
            }
        });
        for (int u = 0; u < users; u++)
            ScoringAssert.Same(sequential[u], concurrent[u], $"user {u}");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Batch_MatchesSequential(int threads)
    {
        using var m = new RandomModel(seed: 27, itemCount: 300, density: 0.05);
        const int users = 333, k = 5;
        var rng = new Random(7);
        var offsets = new int[users + 1];
        var rows = new List<int>();
        for (int u = 0; u < users; u++)
        {
            int length = u % 50 == 0 ? 0 : rng.Next(1, 40);
            for (int i = 0; i < length; i++)
                rows.Add(rng.Next(300));
            offsets[u + 1] = rows.Count;
        }
        var results = new ScoredItem[users * k];
        var counts = new int[users];
        var options = new RecommendOptions { Filter = ItemFilter.Deny(300, [0, 1, 2]) };
        var batch = new BatchRecommender(m.Model, threads);
        int fallbacks = batch.Recommend(offsets, rows.ToArray(), k, results, counts, options);
        Assert.Equal(7, fallbacks); // users 0, 50, ..., 300 have empty histories
        var scorer = new Recommender(m.Model);
        var expected = new ScoredItem[k];
        for (int u = 0; u < users; u++)
        {
            int count = scorer.Recommend(rows.ToArray().AsSpan(offsets[u], offsets[u + 1] - offsets[u]), expected, options);
            ScoringAssert.Same(expected.AsSpan(0, count), results.AsSpan(u * k, counts[u]), $"user {u}");
        }
    }
}

using Ease.Engine.Scoring;
using Ease.Format;

namespace Ease.Tests.Scoring;

/// <summary>
/// Compact encodings through every scoring path against the dense reference built from the
/// spec-decoded weights; and block scoring (<see cref="BatchRecommender"/> with blocks) equal,
/// bit for bit, to scoring each user alone.
/// </summary>
public class CompactAndBlockScoringTests
{
    public static IEnumerable<object[]> CompactPaths() =>
        from values in new[] { WeightType.Float16, WeightType.BFloat16, WeightType.Int8Scaled }
        from path in ScoringAssert.Paths()
        select new object[] { values, path[0], path[1] };

    [Theory]
    [MemberData(nameof(CompactPaths))]
    internal void CompactModelsMatchTheReference(WeightType values, SimdLevel level, ScoringStrategy strategy)
    {
        using var m = new RandomModel(seed: 31, itemCount: 300, density: 0.08, negativeBias: 0.3, values: values);
        Assert.Equal(values, m.Model.WeightType);
        var scorer = new Recommender(m.Model) { Simd = level, Strategy = strategy, TileItems = strategy == ScoringStrategy.TiledDense ? 64 : 4096 };
        var rng = new Random(3);
        var results = new ScoredItem[20];
        for (int length = 0; length <= 96; length += 3)
        {
            int[] history = [.. Enumerable.Range(0, length).Select(_ => rng.Next(m.ItemCount))];
            ScoredItem[] expected = DenseReferenceScorer.Recommend(m, history, null, 20, includeSeen: false, null, out _);
            int count = scorer.Recommend(history, results, out _);
            ScoringAssert.Same(expected, results.AsSpan(0, count), $"{values}/{level}/{strategy} length {length}");

            float[] weights = [.. history.Select(_ => (float)rng.NextDouble())];
            expected = DenseReferenceScorer.Recommend(m, history, weights, 20, includeSeen: true, null, out _);
            count = scorer.Recommend(history, weights, results, out _, new RecommendOptions { IncludeSeen = true });
            ScoringAssert.Same(expected, results.AsSpan(0, count), $"{values}/{level}/{strategy} weighted length {length}");
        }
        for (int row = 0; row < m.ItemCount; row += 7)
        {
            // Stored weights, best first (ties to the lower row): an int8 weight may be stored as 0.
            ScoredItem[] expected = [.. m.Stored!.Columns[row].Zip(m.Stored.Values[row], (c, v) => new ScoredItem(c, v))
                .OrderByDescending(x => x.Score).ThenBy(x => x.Row).Take(10)];
            int count = scorer.Similar(row, results.AsSpan(0, 10));
            ScoringAssert.Same(expected, results.AsSpan(0, count), $"{values} similar {row}");
        }
    }

    public static IEnumerable<object[]> BlockCases() =>
        from values in new[] { WeightType.Float32, WeightType.Float16, WeightType.Int8Scaled }
        from level in Enum.GetValues<SimdLevel>().Where(SimdLevels.IsSupported)
        from block in new[] { 1, 5, 32 }
        select new object[] { values, level, block };

    [Theory]
    [MemberData(nameof(BlockCases))]
    internal void BlocksGiveExactlyTheOneUserResults(WeightType values, SimdLevel level, int blockUsers)
    {
        // 1,000 items: several tiles of 128 plus a ragged last one; dense enough that most users
        // go to blocks, with short and empty histories mixed in (they are scored alone).
        using var m = new RandomModel(seed: 41, itemCount: 1000, density: 0.05, negativeBias: 0.2, values: values);
        var rng = new Random(blockUsers);
        var offsets = new List<int> { 0 };
        var rows = new List<int>();
        for (int u = 0; u < 150; u++)
        {
            int length = u % 10 == 0 ? 0 : u % 7 == 0 ? 1 : rng.Next(2, 60);
            for (int i = 0; i < length; i++)
                rows.Add(rng.Next(u % 3 == 0 ? 50 : m.ItemCount)); // a popular head shared within blocks, repeats included
            offsets.Add(rows.Count);
        }
        ItemFilter filter = ItemFilter.Allow(m.ItemCount, [.. Enumerable.Range(0, m.ItemCount).Where(i => i % 3 != 1)]);
        foreach (RecommendOptions options in new[] { default, new RecommendOptions { IncludeSeen = true }, new RecommendOptions { Filter = filter } })
        {
            foreach (int k in new[] { 1, 20 })
            {
                int users = offsets.Count - 1;
                var blockResults = new ScoredItem[users * k];
                var blockCounts = new int[users];
                var batch = new BatchRecommender(m.Model, threads: 2, blockUsers, tileItems: 128) { Simd = level };
                int fallbacks = batch.Recommend(offsets.ToArray(), rows.ToArray(), k, blockResults, blockCounts, options);

                var single = new Recommender(m.Model) { Simd = level };
                var expected = new ScoredItem[k];
                int expectedFallbacks = 0;
                for (int u = 0; u < users; u++)
                {
                    int count = single.Recommend(rows.ToArray().AsSpan(offsets[u], offsets[u + 1] - offsets[u]), expected, out RecommendStatus status, options);
                    if (status.UsedPopularityFallback)
                        expectedFallbacks++;
                    ScoringAssert.Same(expected.AsSpan(0, count), blockResults.AsSpan(u * k, blockCounts[u]), $"{values}/{level} block {blockUsers} user {u} k {k}");
                }
                Assert.Equal(expectedFallbacks, fallbacks);
            }
        }
    }

    [Fact]
    public void BlocksRefuseABadRowBeforeWritingAnything()
    {
        using var m = new RandomModel(seed: 5, itemCount: 100, density: 0.3);
        var batch = new BatchRecommender(m.Model, 1, 8);
        var results = new ScoredItem[2 * 5];
        results.AsSpan().Fill(new ScoredItem(-1, -1));
        var counts = new int[2];
        Assert.Throws<ArgumentOutOfRangeException>(() => batch.Recommend([0, 2, 4], [1, 2, 3, 100], 5, results, counts));
        Assert.All(results, r => Assert.Equal(-1, r.Row));
        Assert.Throws<ArgumentOutOfRangeException>(() => new BatchRecommender(m.Model, 1, 257));
    }
}

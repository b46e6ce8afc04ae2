using Ease.Engine.Scoring;
using Ease.Engine.Training;
using Ease.Format;
using Ease.Tests.Support;

namespace Ease.Tests.Scoring;

/// <summary>
/// <see cref="RecommendOptions.MaxWeights"/>: under the budget nothing changes; over it the call
/// scores from the light model's rows and, if still over, from the history's last entries that
/// fit. Each case is checked against the dense reference built from the weights the spec decodes
/// out of the file the call should have read, on every scoring path.
/// </summary>
public sealed class WeightBudgetTests : IDisposable
{
    private const int Items = 300;
    private const int LightRow = 10;
    private readonly RandomModel _model = new(seed: 11, Items, density: 0.2);
    private readonly TempDirectory _dir = new();

    public static IEnumerable<object[]> Paths() => ScoringAssert.Paths();

    public void Dispose()
    {
        _model.Dispose();
        _dir.Dispose();
    }

    // A further prune of the model, in the given encoding, with its weights as the spec reads them.
    private (ModelFile Light, float[,] Dense) Light(WeightType values)
    {
        string path = _dir.File($"light-{values}.ease");
        ModelPruner.Rewrite(_model.Model, LightRow, ModelEncoding.For(values, Items), path);
        SpecDecoder.Rows rows = SpecDecoder.Decode(File.ReadAllBytes(path));
        var dense = new float[Items, Items];
        for (int r = 0; r < Items; r++)
        {
            Assert.True(rows.Columns[r].Length <= LightRow);
            for (int j = 0; j < rows.Columns[r].Length; j++)
                dense[r, rows.Columns[r][j]] = rows.Values[r][j];
        }
        return (ModelFile.Open(path), dense);
    }

    // Distinct random rows in random order (the order matters: a budget keeps the last entries).
    private static int[] History(int seed, int length)
    {
        var rng = new Random(seed);
        int[] rows = [.. Enumerable.Range(0, Items)];
        rng.Shuffle(rows);
        return rows[..length];
    }

    private static long Weights(ModelFile model, IEnumerable<int> rows) => rows.Sum(r => (long)model.RowLength(r));

    [Theory]
    [MemberData(nameof(Paths))]
    internal void UnderTheBudgetNothingChanges(SimdLevel level, ScoringStrategy strategy)
    {
        (ModelFile light, _) = Light(WeightType.Float32);
        using (light)
        {
            var scorer = new Recommender(_model.Model, light) { Simd = level, Strategy = strategy };
            for (int seed = 0; seed < 5; seed++)
            {
                int[] history = History(seed, 12);
                int budget = (int)Weights(_model.Model, history);
                var results = new ScoredItem[15];
                int count = scorer.Recommend(history, results, out RecommendStatus status, new RecommendOptions { MaxWeights = budget });
                ScoredItem[] expected = DenseReferenceScorer.Recommend(_model, history, null, 15, false, null, out _);
                ScoringAssert.Same(expected, results.AsSpan(0, count), $"seed {seed}, budget {budget} = the rows' weights");
                Assert.False(status.WeightsBudgeted);
                Assert.Equal(12, status.HistoryItemsUsed);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Paths))]
    internal void OverTheBudgetTheLightModelsRowsAreScored(SimdLevel level, ScoringStrategy strategy)
    {
        foreach (WeightType values in new[] { WeightType.Float32, WeightType.Int8Scaled, WeightType.Float16 })
        {
            (ModelFile light, float[,] lightDense) = Light(values);
            using (light)
            {
                var scorer = new Recommender(_model.Model, light) { Simd = level, Strategy = strategy };
                for (int seed = 0; seed < 5; seed++)
                {
                    int[] history = History(seed, 12);
                    int budget = (int)Weights(_model.Model, history) - 1;
                    Assert.True(Weights(light, history) <= budget);
                    var results = new ScoredItem[15];
                    int count = scorer.Recommend(history, results, out RecommendStatus status, new RecommendOptions { MaxWeights = budget });
                    ScoredItem[] expected = DenseReferenceScorer.Recommend(lightDense, _model.Popularity, history, null, 15, false, null, out _);
                    ScoringAssert.Same(expected, results.AsSpan(0, count), $"{values} light model, seed {seed}");
                    Assert.True(status.WeightsBudgeted);
                    Assert.Equal(12, status.HistoryItemsUsed);
                    Assert.Equal(Weights(light, history), Recommender.WeightsRead(_model.Model, light, history, budget, out ModelFile source, out bool cut));
                    Assert.Same(light, source);
                    Assert.True(cut);
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(Paths))]
    internal void StillOverTheBudgetTheLastEntriesThatFitAreScored(SimdLevel level, ScoringStrategy strategy)
    {
        (ModelFile light, float[,] lightDense) = Light(WeightType.Float32);
        using (light)
        {
            var withLight = new Recommender(_model.Model, light) { Simd = level, Strategy = strategy };
            var alone = new Recommender(_model.Model) { Simd = level, Strategy = strategy };
            for (int seed = 0; seed < 5; seed++)
            {
                int[] history = History(seed, 12);
                foreach (int keep in new[] { 1, 3, 7 })
                {
                    int[] tail = history[^keep..];
                    var results = new ScoredItem[15];

                    // The light rows of the last `keep` entries fit exactly; one more does not.
                    int budget = (int)Weights(light, tail);
                    if (Weights(light, history[^(keep + 1)..]) == budget)
                        continue; // an empty light row: the cut would fall elsewhere
                    int count = withLight.Recommend(history, results, out RecommendStatus status, new RecommendOptions { MaxWeights = budget });
                    ScoredItem[] expected = DenseReferenceScorer.Recommend(lightDense, _model.Popularity, tail, null, 15, false, null, out _);
                    ScoringAssert.Same(expected, results.AsSpan(0, count), $"light, seed {seed}, last {keep}");
                    Assert.True(status.WeightsBudgeted);
                    Assert.Equal(keep, status.HistoryItemsUsed);

                    // No light model: the full rows of the last entries that fit.
                    budget = (int)Weights(_model.Model, tail);
                    count = alone.Recommend(history, results, out status, new RecommendOptions { MaxWeights = budget });
                    expected = DenseReferenceScorer.Recommend(_model, tail, null, 15, false, null, out _);
                    ScoringAssert.Same(expected, results.AsSpan(0, count), $"no light model, seed {seed}, last {keep}");
                    Assert.True(status.WeightsBudgeted);
                    Assert.Equal(keep, status.HistoryItemsUsed);
                }
            }
        }
    }

    [Fact]
    public void TheLastEntryIsScoredEvenWhenItAloneIsOverTheBudget()
    {
        var scorer = new Recommender(_model.Model);
        int[] history = History(3, 12);
        Assert.True(_model.Model.RowLength(history[^1]) > 1);
        var results = new ScoredItem[15];
        int count = scorer.Recommend(history, results, out RecommendStatus status, new RecommendOptions { MaxWeights = 1 });
        ScoringAssert.Same(DenseReferenceScorer.Recommend(_model, history[^1..], null, 15, false, null, out _), results.AsSpan(0, count), "last entry");
        Assert.Equal(1, status.HistoryItemsUsed);
        Assert.True(status.WeightsBudgeted);
    }

    [Fact]
    public void WeightedHistoriesKeepTheWeightsOfTheEntriesKept()
    {
        (ModelFile light, float[,] lightDense) = Light(WeightType.Float32);
        using (light)
        {
            var scorer = new Recommender(_model.Model, light);
            int[] history = History(5, 12);
            float[] weights = [.. history.Select((_, i) => 0.5f + i * 0.25f)];
            int[] tail = history[^4..];
            int budget = (int)Weights(light, tail);
            var results = new ScoredItem[15];
            int count = scorer.Recommend(history, weights, results, out RecommendStatus status, new RecommendOptions { MaxWeights = budget });
            ScoredItem[] expected = DenseReferenceScorer.Recommend(lightDense, _model.Popularity, tail, weights[^4..], 15, false, null, out _);
            ScoringAssert.Same(expected, results.AsSpan(0, count), "weighted");
            Assert.Equal(4, status.HistoryItemsUsed);
        }
    }

    [Fact]
    public void BatchesUnderABudgetScoreEachUserAsTheOneUserScorerDoes()
    {
        (ModelFile light, _) = Light(WeightType.Int8Scaled);
        using (light)
        {
            int[][] histories = [.. Enumerable.Range(0, 70).Select(u => History(u, 1 + u % 30))];
            int[] offsets = [0, .. histories.Select(h => h.Length)];
            for (int u = 1; u < offsets.Length; u++)
                offsets[u] += offsets[u - 1];
            int[] rows = [.. histories.SelectMany(h => h)];
            var options = new RecommendOptions { MaxWeights = 400 };
            var results = new ScoredItem[histories.Length * 10];
            var counts = new int[histories.Length];
            // Blocks are asked for, and set aside under a budget.
            new BatchRecommender(_model.Model, 2, 8, 64, light).Recommend(offsets, rows, 10, results, counts, options);
            var single = new Recommender(_model.Model, light);
            int budgeted = 0;
            for (int u = 0; u < histories.Length; u++)
            {
                var expected = new ScoredItem[10];
                int n = single.Recommend(histories[u], expected, out RecommendStatus status, options);
                budgeted += status.WeightsBudgeted ? 1 : 0;
                ScoringAssert.Same(expected.AsSpan(0, n), results.AsSpan(u * 10, counts[u]), $"user {u}");
            }
            Assert.InRange(budgeted, 1, histories.Length - 1);
        }
    }

    [Fact]
    public void ALightModelOfOtherItemsIsRefused()
    {
        using var other = new RandomModel(seed: 12, Items + 1, density: 0.1);
        var e = Assert.Throws<ArgumentException>(() => new Recommender(_model.Model, other.Model));
        Assert.Contains($"{Items + 1} items", e.Message);

        // Same size, one id different.
        string path = _dir.File("renamed.ease");
        using (ModelFileWriter w = ModelFileWriter.Create(path, Items))
        {
            for (int r = 0; r < Items; r++)
                w.AppendRow([], []);
            w.SetItemIds([.. Enumerable.Range(0, Items).Select(r => r == 17 ? "other" : RandomModel.Id(r))]);
            w.Commit();
        }
        using ModelFile renamed = ModelFile.Open(path);
        e = Assert.Throws<ArgumentException>(() => new BatchRecommender(_model.Model, 1, 0, 64, renamed));
        Assert.Contains("row 17", e.Message);
        Assert.Null(LightModelCheck.Mismatch(_model.Model, _model.Model));
    }

    [Fact]
    public void ANegativeBudgetIsRefused()
    {
        var scorer = new Recommender(_model.Model);
        Assert.Throws<ArgumentOutOfRangeException>(() => scorer.Recommend([1, 2], new ScoredItem[5], out _, new RecommendOptions { MaxWeights = -1 }));
    }
}

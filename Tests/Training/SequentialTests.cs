using Ease.Engine.Input;
using Ease.Engine.Scoring;
using Ease.Engine.Training;
using Ease.Engine.Training.Sequential;
using Ease.Format;
using Ease.Tests.Input;
using Ease.Tests.Support;

namespace Ease.Tests.Training;

/// <summary>
/// The sequential family against a brute-force double-precision reference: S and Y built step by step, and each
/// column of B solved on its own with B_jj = 0 eliminated (no Lagrange multipliers, no GEMM), and its scoring
/// against Σ w_i·B[h_i] with hand-computed position weights.
/// </summary>
public sealed class SequentialTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static readonly SequentialOptions Options = new() { Decay = 0.7, Window = 3, SetWeight = 0.3, Targets = 2, TargetDecay = 0.5 };

    private InteractionSet Data()
    {
        var random = new Random(11);
        var lines = new List<string>();
        for (int u = 0; u < 14; u++)
        {
            int length = 2 + random.Next(8);
            lines.Add("u" + u + " " + string.Join(' ', Enumerable.Range(0, length).Select(_ => "i" + random.Next(7))));
        }
        lines.Add("w i0 i1 i0 i2"); // a repeat within a sequence
        string path = _dir.Write("seq.txt", string.Join('\n', lines) + "\n");
        return InteractionReader.Read(path, new InputOptions { Format = InputFormat.Adjacency, KeepOrder = true });
    }

    /// <summary>B by brute force: explicit rows of S and Y, normal equations per column without item j.</summary>
    private static double[,] Reference(InteractionSet data, SequentialOptions s, double lambda, bool zeroDiagonal)
    {
        int n = data.ItemCount;
        double[,] g = ReferenceEase.Gram(data);
        var ss = new double[n, n];
        var sy = new double[n, n];
        for (int u = 0; u < data.UserCount; u++)
        {
            int[] seq = data.SequenceOf(u).ToArray();
            for (int t = 1; t < seq.Length; t++)
            {
                var x = new double[n];
                var y = new double[n];
                for (int i = Math.Max(0, t - s.Window); i < t; i++)
                    x[seq[i]] += Math.Pow(s.Decay, t - 1 - i);
                for (int h = 0; h < s.Targets && t + h < seq.Length; h++)
                    y[seq[t + h]] += Math.Pow(s.TargetDecay, h);
                for (int a = 0; a < n; a++)
                {
                    for (int b = 0; b < n; b++)
                    {
                        ss[a, b] += x[a] * x[b];
                        sy[a, b] += x[a] * y[b];
                    }
                }
            }
        }
        double alpha = s.SetWeight;
        var result = new double[n, n];
        for (int j = 0; j < n; j++)
        {
            int[] keep = [.. Enumerable.Range(0, n).Where(i => !zeroDiagonal || i != j)];
            int m = keep.Length;
            var a = new double[m, m];
            var c = new double[m];
            for (int p = 0; p < m; p++)
            {
                for (int q = 0; q < m; q++)
                    a[p, q] = alpha * g[keep[p], keep[q]] + (1 - alpha) * ss[keep[p], keep[q]] + (p == q ? lambda : 0);
                c[p] = alpha * g[keep[p], j] + (1 - alpha) * sy[keep[p], j];
            }
            double[] column = ReferenceEase.Solve(ReferenceEase.Cholesky(a), c);
            for (int p = 0; p < m; p++)
                result[keep[p], j] = keep[p] == j ? 0 : column[p];
        }
        return result;
    }

    [Theory]
    [InlineData(true, Precision.Float64)]
    [InlineData(false, Precision.Float64)]
    [InlineData(true, Precision.Float32)]
    public void Trained_weights_match_the_brute_force_solve(bool zeroDiagonal, Precision precision)
    {
        InteractionSet data = Data();
        SequentialOptions s = Options with { ZeroDiagonal = zeroDiagonal };
        string path = Path.Combine(_dir.Path, "seq.ease");
        EaseTrainer.Train(data, new TrainOptions { Lambda = 2, Sequential = s, Precision = precision, Threads = 2 }, path);

        double[,] expected = Reference(data, s, 2, zeroDiagonal);
        using ModelFile model = ModelFile.Open(path);
        double[,] actual = ReferenceEase.Weights(model);
        double tolerance = precision == Precision.Float64 ? 1e-6 : 1e-4;
        for (int i = 0; i < data.ItemCount; i++)
        {
            for (int j = 0; j < data.ItemCount; j++)
                Assert.True(Math.Abs(expected[i, j] - actual[i, j]) < tolerance, $"B[{i},{j}] = {actual[i, j]}, expected {expected[i, j]}");
        }
        Assert.Equal(new HistoryWeighting(0.7, 3), HistoryWeighting.Of(model));
        Assert.Contains("\"name\":\"sequential\"", model.MetadataJson.Replace(" ", ""), StringComparison.Ordinal);
    }

    [Fact]
    public void History_weights_decay_from_the_most_recent_within_the_window()
    {
        var w = new float[5];
        new HistoryWeighting(0.5, 3).Fill(w);
        Assert.Equal([0f, 0f, 0.25f, 0.5f, 1f], w);
        new HistoryWeighting(0.5, 0).Fill(w);
        Assert.Equal([0.0625f, 0.125f, 0.25f, 0.5f, 1f], w);
    }

    [Fact]
    public void An_ordered_model_scores_by_position_weights_excludes_the_whole_history_and_allocates_nothing()
    {
        InteractionSet data = Data();
        string path = Path.Combine(_dir.Path, "seq.ease");
        EaseTrainer.Train(data, new TrainOptions { Lambda = 2, Sequential = Options, Threads = 1 }, path);
        using ModelFile model = ModelFile.Open(path);
        double[,] b = ReferenceEase.Weights(model);
        var scorer = new Recommender(model);
        Assert.True(scorer.HistoryRule.IsOrdered);

        int[] history = [0, 1, 2, 3]; // oldest first; the window of 3 leaves row 0 out of the sum but not of the results
        double[] weights = [0, 0.49, 0.7, 1];
        var expected = new double[model.ItemCount];
        for (int i = 0; i < history.Length; i++)
        {
            for (int j = 0; j < model.ItemCount; j++)
                expected[j] += weights[i] * b[history[i], j];
        }
        var results = new ScoredItem[3];
        int count = scorer.Recommend(history, results, out RecommendStatus _);
        int[] best = [.. Enumerable.Range(0, model.ItemCount).Where(j => !history.Contains(j)).OrderByDescending(j => expected[j]).ThenBy(j => j).Take(3)];
        Assert.Equal(best, results[..count].Select(r => r.Row));
        foreach (ScoredItem r in results[..count])
            Assert.Equal(expected[r.Row], r.Score, 1e-5);

        for (int i = 0; i < 50; i++)
            scorer.Recommend(history, results, out _);
        long least = long.MaxValue;
        for (int round = 0; round < 5; round++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 200; i++)
                scorer.Recommend(history, results, out _);
            least = Math.Min(least, GC.GetAllocatedBytesForCurrentThread() - before);
        }
        Assert.Equal(0, least);
    }

    [Fact]
    public void Ease_with_history_decay_keeps_its_weights_and_stores_the_rule()
    {
        InteractionSet data = Data();
        string plain = Path.Combine(_dir.Path, "ease.ease"), recency = Path.Combine(_dir.Path, "recency.ease");
        EaseTrainer.Train(data, new TrainOptions { Lambda = 2, Threads = 1 }, plain);
        EaseTrainer.Train(data, new TrainOptions { Lambda = 2, Threads = 1, History = new HistoryWeighting(0.9, 0) }, recency);
        ReferenceEase.AssertSameWeights(plain, recency);
        using ModelFile a = ModelFile.Open(plain), b = ModelFile.Open(recency);
        Assert.False(HistoryWeighting.Of(a).IsOrdered);
        Assert.Equal(new HistoryWeighting(0.9, 0), HistoryWeighting.Of(b));
    }
}

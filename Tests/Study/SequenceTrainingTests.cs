using Ease.Study.Sequence;

namespace Ease.Tests.Study;

/// <summary>
/// Training end to end on tiny synthetic data: both transformers learn an order rule that a set of items cannot
/// express, and training is a function of its seed (same seed, same weights, on two threads).
/// </summary>
public sealed class SequenceTrainingTests
{
    private const int Items = 23;

    /// <summary>The rule: the next item is a fixed permutation of the last one, next(i) = (5i + 1) mod 23.</summary>
    private static int Next(int item) => (5 * item + 1) % Items;

    private static int[][] Walks(int count, int seed)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, count).Select(_ =>
        {
            var s = new int[rng.Next(4, 13)];
            s[0] = rng.Next(Items);
            for (int t = 1; t < s.Length; t++) s[t] = Next(s[t - 1]);
            return s;
        }).ToArray();
    }

    private static SequenceOptions Tiny(SequenceArchitecture arch, ulong seed, int epochs) => new()
    {
        Architecture = arch, Dim = 16, Blocks = 1, Heads = 2, MaxLength = 12, Dropout = 0.1f, LearningRate = 1e-2f,
        BatchSize = 32, Epochs = epochs, Patience = 0, EvaluateEvery = 5, ValidationUsers = 32, Threads = 2, Seed = seed,
    };

    [Theory]
    [InlineData(SequenceArchitecture.SasRec)]
    [InlineData(SequenceArchitecture.LlmDecoder)]
    public void LearnsWhichItemFollowsTheLast(SequenceArchitecture arch)
    {
        (SequenceModel model, SequenceTraining report) = SequenceTrainer.Train(Walks(400, 1), Items, Tiny(arch, 7, 30), null);
        using (model)
        {
            // Fresh histories, scored from scratch: the top item must be the rule's successor of the last item.
            int[][] tests = Walks(200, 2);
            var offsets = new int[tests.Length + 1];
            for (int u = 0; u < tests.Length; u++) offsets[u + 1] = offsets[u] + tests[u].Length - 1;
            int[] rows = tests.SelectMany(s => s[..^1]).ToArray();
            var scores = new float[tests.Length * Items];
            model.ScoreBatch(offsets, rows, scores);
            int hits = 0;
            for (int u = 0; u < tests.Length; u++)
            {
                ReadOnlySpan<float> row = scores.AsSpan(u * Items, Items);
                int best = 0;
                for (int i = 1; i < Items; i++) if (row[i] > row[best]) best = i;
                if (best == tests[u][^1]) hits++;
            }
            Assert.True(hits >= 190, $"{arch}: top-1 is the successor for {hits} of 200 histories (validation HR@10 {report.ValidHr})");
        }
    }

    [Theory]
    [InlineData(SequenceArchitecture.SasRec)]
    [InlineData(SequenceArchitecture.LlmDecoder)]
    public void SameSeedSameWeights(SequenceArchitecture arch)
    {
        int[][] data = Walks(150, 3);
        float[] Run(ulong seed)
        {
            (SequenceModel model, _) = SequenceTrainer.Train(data, Items, Tiny(arch, seed, 3), null);
            using (model) return (float[])model.Network.Weights.Clone();
        }
        float[] a = Run(11), b = Run(11), c = Run(12);
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
    }
}

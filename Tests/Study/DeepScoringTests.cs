using Ease.Engine.Linalg;
using Ease.Study.Deep;

namespace Ease.Tests.Study;

/// <summary>
/// <see cref="DeepAutoencoder.ScoreBatch"/> against the naive double forward pass of the same weights
/// (z = μ for the VAE, no dropout), on each GEMM micro-kernel path and across the scorer's internal chunks.
/// </summary>
public sealed class DeepScoringTests
{
    public static IEnumerable<object[]> Cases()
    {
        foreach (var path in new[] { "Vector512", "Vector256", "Scalar" })
        {
            yield return new object[] { path, true, 6 };
            yield return new object[] { path, false, 6 };
            yield return new object[] { path, false, 0 };
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void ScoresEqualTheNaiveForwardPass(string pathName, bool variational, int hidden)
    {
        var path = Enum.Parse<KernelPath>(pathName);
        if (!DeepTestData.SupportedPaths().Contains(path)) return;
        const int items = 23, users = 13;
        var options = new DeepOptions { Variational = variational, Hidden = hidden, Latent = 4, Kernel = path, Threads = 2 };
        var net = DeepTestData.Network(items, options, seed: 21);
        var model = DeepAutoencoder.FromNetwork(net, options);
        var histories = DeepTestData.Histories(users, items, 8, seed: 2);
        histories[5] = []; // a user without history scores from the biases alone
        AssertMatches(model, net, histories);
    }

    [Fact]
    public void BatchesLargerThanOneChunkAreScoredWhole()
    {
        const int items = 40, users = 1100; // the scorer works in chunks of 1024 users
        var options = new DeepOptions { Variational = true, Hidden = 8, Latent = 3, BatchSize = 100 };
        var net = DeepTestData.Network(items, options, seed: 8);
        var model = DeepAutoencoder.FromNetwork(net, options);
        AssertMatches(model, net, DeepTestData.Histories(users, items, 6, seed: 3));
    }

    private static void AssertMatches(DeepAutoencoder model, DeepNetwork net, int[][] histories)
    {
        int items = net.Items;
        var (offsets, rows) = DeepTestData.Csr(histories);
        var scores = new float[histories.Length * items];
        model.ScoreBatch(offsets, rows, scores);
        var reference = DeepReference.From(net);
        for (int u = 0; u < histories.Length; u++)
        {
            var expected = reference.Logits(histories[u], items, eps: null, out _);
            for (int j = 0; j < items; j++)
                Assert.True(Math.Abs(expected[j] - scores[u * items + j]) <= 1e-4 * Math.Max(1, Math.Abs(expected[j])),
                    $"user {u} item {j}: expected {expected[j]:G6}, scored {scores[u * items + j]:G6}");
        }
    }

    [Fact]
    public void BadArgumentsAreRejected()
    {
        var options = new DeepOptions { Hidden = 4, Latent = 2 };
        var model = DeepAutoencoder.FromNetwork(DeepTestData.Network(10, options, seed: 1), options);
        Assert.Throws<ArgumentException>(() => model.ScoreBatch([0, 2], [1, 3], new float[5]));
        Assert.Throws<ArgumentOutOfRangeException>(() => model.ScoreBatch([0, 2], [1, 10], new float[10]));
        Assert.Throws<ArgumentException>(() => model.ScoreBatch([0, 3], [1, 2], new float[10]));
    }
}

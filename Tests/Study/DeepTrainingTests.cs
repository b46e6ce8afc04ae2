using Ease.Engine.Evaluation;
using Ease.Engine.Input;
using Ease.Engine.Synthetic;
using Ease.Study;
using Ease.Study.Deep;

namespace Ease.Tests.Study;

/// <summary>
/// Training on a small seeded clustered data set: the loss falls, the held-out NDCG ends above the
/// popularity ranking's, β follows the annealing schedule, runs are reproducible per seed, options are checked.
/// </summary>
public sealed class DeepTrainingTests
{
    private static readonly Lazy<(InteractionSet Train, InteractionSet Test)> Data = new(() =>
        SyntheticData.Split(SyntheticData.Generate(800, 150, seed: 12, new SyntheticDataOptions { Clusters = 6, ClusterAffinity = 0.9 }), 0.2, seed: 1));

    private static DeepOptions Small(bool variational, Likelihood likelihood = Likelihood.Multinomial) => new()
    {
        Variational = variational,
        Likelihood = likelihood,
        Epochs = 25,
        BatchSize = 100,
        Hidden = 64,
        Latent = 16,
        TotalAnnealSteps = 100,
        Seed = 3,
        // A few hundred updates only: a larger step than the published 1e-3 so every likelihood gets somewhere.
        LearningRate = 3e-3f,
    };

    /// <summary>Ranks items by their training popularity, for every user alike.</summary>
    private sealed class Popularity(InteractionSet train) : IBatchScorer
    {
        public int ItemCount => train.ItemCount;

        public void ScoreBatch(ReadOnlySpan<int> historyOffsets, ReadOnlySpan<int> historyRows, Span<float> scores)
        {
            var pop = train.ItemPopularity;
            for (int u = 0; u + 1 < historyOffsets.Length; u++)
                for (int j = 0; j < pop.Length; j++) scores[u * pop.Length + j] = pop[j];
        }
    }

    [Theory]
    [InlineData(true, "Multinomial")]
    [InlineData(false, "Multinomial")]
    [InlineData(false, "Gaussian")]
    [InlineData(false, "Logistic")]
    public void LossFallsAndRankingBeatsPopularity(bool variational, string likelihoodName)
    {
        var (train, test) = Data.Value;
        var epochs = new List<DeepEpoch>();
        var model = DeepAutoencoder.Train(train, Small(variational, Enum.Parse<Likelihood>(likelihoodName)), new SyncProgress(epochs.Add));
        Assert.Equal(25, epochs.Count);
        Assert.All(epochs, e => Assert.True(double.IsFinite(e.Loss)));
        Assert.True(epochs[^1].Loss < 0.95 * epochs[0].Loss, $"loss {epochs[0].Loss} -> {epochs[^1].Loss}");
        var deep = HoldoutEvaluation.Evaluate(model, train, test, k: 10);
        var pop = HoldoutEvaluation.Evaluate(new Popularity(train), train, test, k: 10);
        // Six clusters with 90% affinity: personalised rankings should clearly beat the global one.
        Assert.True(deep.Ndcg.Mean > pop.Ndcg.Mean + 3 * deep.Ndcg.StandardError,
            $"NDCG@10 {deep.Ndcg.Mean:F4} ± {deep.Ndcg.StandardError:F4} vs popularity {pop.Ndcg.Mean:F4}");
    }

    [Fact]
    public void BetaFollowsTheAnnealingSchedule()
    {
        Assert.Equal(0f, AnnealSchedule.Beta(0, 0.2f, 200_000));
        Assert.Equal(0.005f, AnnealSchedule.Beta(1000, 0.2f, 200_000), 1e-7f);
        Assert.Equal(0.2f, AnnealSchedule.Beta(40_000, 0.2f, 200_000), 1e-7f);
        Assert.Equal(0.2f, AnnealSchedule.Beta(150_000, 0.2f, 200_000));
        Assert.Equal(0.3f, AnnealSchedule.Beta(5, 0.3f, 0));

        // 800 users with items, batches of 100: 8 updates per epoch, numbered 0..7, 8..15, ...
        var (train, _) = Data.Value;
        int users = Enumerable.Range(0, train.UserCount).Count(u => train.ItemsOf(u).Length > 0);
        int perEpoch = (users + 99) / 100;
        var epochs = new List<DeepEpoch>();
        DeepAutoencoder.Train(train, Small(true) with { Epochs = 4, TotalAnnealSteps = 20, AnnealCap = 0.6f }, new SyncProgress(epochs.Add));
        for (int e = 0; e < 4; e++)
        {
            long lastStep = (long)(e + 1) * perEpoch - 1;
            Assert.Equal(Math.Min(0.6, lastStep / 20.0), epochs[e].Beta, 1e-6);
        }
        epochs.Clear();
        DeepAutoencoder.Train(train, Small(false) with { Epochs = 2 }, new SyncProgress(epochs.Add));
        Assert.All(epochs, e => Assert.Equal(0, e.Beta));
    }

    [Fact]
    public void RunsAreReproduciblePerSeed()
    {
        var (train, _) = Data.Value;
        List<double> Losses(ulong seed)
        {
            var l = new List<double>();
            DeepAutoencoder.Train(train, Small(true) with { Epochs = 2, Seed = seed }, new SyncProgress(e => l.Add(e.Loss)));
            return l;
        }
        Assert.Equal(Losses(5), Losses(5));
        Assert.NotEqual(Losses(5), Losses(6));
    }

    [Fact]
    public void EarlyStopAndSnapshot()
    {
        var (train, test) = Data.Value;
        DeepAutoencoder? best = null;
        var model = DeepAutoencoder.Train(train, Small(false), null, default, (m, e) =>
        {
            best = m.Snapshot();
            return e.Epoch < 3;
        });
        Assert.Equal(3, model.EpochsRun);
        Assert.NotNull(best);
        Assert.True(model.FlopsPerEpoch > 0);
        Assert.Equal(150L * 64 + 64 + 64L * 16 + 16 + 16L * 64 + 64 + 64L * 150 + 150, model.ParameterCount);
        var a = HoldoutEvaluation.Evaluate(model, train, test, k: 10);
        var b = HoldoutEvaluation.Evaluate(best!, train, test, k: 10);
        Assert.Equal(a.Ndcg.Mean, b.Ndcg.Mean);
    }

    [Fact]
    public void PublishedDefaults()
    {
        var vae = new DeepOptions { Variational = true };
        Assert.Equal((500, 600, 200, 0.5f, 0.2f, 200_000, 1e-3f, 0f), (vae.BatchSize, vae.Hidden, vae.Latent, vae.InputDropout, vae.AnnealCap, vae.TotalAnnealSteps, vae.LearningRate, vae.L2));
        Assert.Equal(0.01f / 500, new DeepOptions().L2);
        Assert.Equal(0.01f / 100, new DeepOptions { BatchSize = 100 }.L2);
        Assert.Equal(0.5f, new DeepOptions { L2 = 0.5f, Variational = true }.L2);
    }

    [Theory]
    [InlineData("Epochs")]
    [InlineData("BatchSize")]
    [InlineData("Hidden")]
    [InlineData("Latent")]
    [InlineData("InputDropout")]
    [InlineData("AnnealCap")]
    [InlineData("TotalAnnealSteps")]
    [InlineData("LearningRate")]
    [InlineData("L2")]
    [InlineData("Threads")]
    [InlineData("Likelihood")]
    public void BadOptionsNameTheOption(string name)
    {
        var bad = name switch
        {
            "Epochs" => new DeepOptions { Epochs = 0 },
            "BatchSize" => new DeepOptions { BatchSize = 0 },
            "Hidden" => new DeepOptions { Hidden = -1 },
            "Latent" => new DeepOptions { Latent = 0 },
            "InputDropout" => new DeepOptions { InputDropout = 1f },
            "AnnealCap" => new DeepOptions { AnnealCap = float.NaN },
            "TotalAnnealSteps" => new DeepOptions { TotalAnnealSteps = -1 },
            "LearningRate" => new DeepOptions { LearningRate = 0f },
            "L2" => new DeepOptions { L2 = -1f },
            "Threads" => new DeepOptions { Threads = -2 },
            _ => new DeepOptions { Likelihood = (Likelihood)7 },
        };
        var e = Assert.Throws<ArgumentException>(bad.Validate);
        Assert.Equal(name, e.ParamName);
        Assert.Contains(name, e.Message);
        Assert.Throws<ArgumentException>(() => DeepAutoencoder.Train(Data.Value.Train, bad));
    }

    /// <summary>Reports on the calling thread (Progress&lt;T&gt; posts to the thread pool and may run late).</summary>
    private sealed class SyncProgress(Action<DeepEpoch> report) : IProgress<DeepEpoch>
    {
        public void Report(DeepEpoch value) => report(value);
    }
}

using Ease.Engine.Input;
using Ease.Engine.Synthetic;
using Ease.Engine.Training;
using Ease.Format;
using Ease.Tests.Support;

namespace Ease.Tests.Training;

/// <summary>Pruned models against the unpruned one, pruned again here by sorting.</summary>
public class PruningTests
{
    private static InteractionSet Data() => SyntheticData.Generate(400, 150, seed: 5);

    private static (int Col, float Val)[][] Rows(ModelFile m) =>
        [.. Enumerable.Range(0, m.ItemCount).Select(r => m.RowColumns(r).ToArray().Zip(m.RowValues(r).ToArray()).ToArray())];

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(40)]
    [InlineData(1000)]
    public void TopKKeepsTheLargestMagnitudesOfEachRow(int k)
    {
        using var dir = new TempDirectory();
        InteractionSet data = Data();
        EaseTrainer.Train(data, new TrainOptions { Lambda = 20 }, dir.File("dense.ease"));
        TrainReport report = EaseTrainer.Train(data, new TrainOptions { Lambda = 20, Prune = PruneMode.TopK, PruneTopK = k }, dir.File("topk.ease"));
        using ModelFile dense = ModelFile.Open(dir.File("dense.ease"));
        using ModelFile pruned = ModelFile.Open(dir.File("topk.ease"), new ModelOpenOptions { VerifyChecksums = true });
        var d = Rows(dense);
        var p = Rows(pruned);
        double kept = 0, all = 0;
        for (int r = 0; r < d.Length; r++)
        {
            // Sort by magnitude, ties to the lower column: the rule the pruner promises.
            var expected = d[r].OrderByDescending(e => Math.Abs(e.Val)).ThenBy(e => e.Col).Take(k).OrderBy(e => e.Col).ToArray();
            Assert.Equal(expected, p[r]);
            kept += p[r].Sum(e => (double)e.Val * e.Val);
            all += d[r].Sum(e => (double)e.Val * e.Val);
        }
        Assert.Equal(kept / all, report.KeptWeightMass, 6);
        Assert.Contains(p.SelectMany(r => r), e => e.Val < 0); // negative weights survive pruning
    }

    [Theory]
    [InlineData(0.01)]
    [InlineData(0.1)]
    [InlineData(0.5)]
    public void DensityUsesOneGlobalThreshold(double density)
    {
        using var dir = new TempDirectory();
        InteractionSet data = Data();
        EaseTrainer.Train(data, new TrainOptions { Lambda = 20 }, dir.File("dense.ease"));
        TrainReport report = EaseTrainer.Train(data, new TrainOptions { Lambda = 20, Prune = PruneMode.Density, PruneDensity = density }, dir.File("d.ease"));
        using ModelFile dense = ModelFile.Open(dir.File("dense.ease"));
        using ModelFile pruned = ModelFile.Open(dir.File("d.ease"));
        int n = dense.ItemCount;
        long target = (long)Math.Round(density * n * n);
        float[] all = [.. Rows(dense).SelectMany(r => r).Select(e => Math.Abs(e.Val)).OrderByDescending(v => v)];
        float threshold = all[target - 1];
        long expectedCount = all.Count(v => v >= threshold);
        Assert.Equal(expectedCount, pruned.NonZeroCount);
        Assert.InRange(pruned.NonZeroCount, target, target + 50); // ties at the threshold only
        float minKept = Rows(pruned).SelectMany(r => r).Min(e => Math.Abs(e.Val));
        Assert.Equal(threshold, minKept);
        Assert.Equal(pruned.NonZeroCount, report.NonZeros);
    }
}

public class ModelPrunerTests
{
    [Fact]
    public void PruningAPrunedModelEqualsTrainingWithTheSmallerK()
    {
        using var dir = new TempDirectory();
        InteractionSet data = SyntheticData.Generate(400, 150, seed: 6);
        EaseTrainer.Train(data, new TrainOptions { Lambda = 20, Prune = PruneMode.TopK, PruneTopK = 40 }, dir.File("k40.ease"));
        EaseTrainer.Train(data, new TrainOptions { Lambda = 20, Prune = PruneMode.TopK, PruneTopK = 7 }, dir.File("k7.ease"));
        var r = CliRunner.Run("prune", "-m", dir.File("k40.ease"), "--prune-topk", "7", "-o", dir.File("k7-from-40.ease"));
        Assert.True(r.ExitCode == 0, r.Err);
        using ModelFile trained = ModelFile.Open(dir.File("k7.ease"));
        using ModelFile pruned = ModelFile.Open(dir.File("k7-from-40.ease"), new ModelOpenOptions { VerifyChecksums = true });
        Assert.Equal(trained.NonZeroCount, pruned.NonZeroCount);
        for (int row = 0; row < trained.ItemCount; row++)
        {
            Assert.Equal(trained.RowColumns(row).ToArray(), pruned.RowColumns(row).ToArray());
            Assert.Equal(trained.RowValues(row).ToArray(), pruned.RowValues(row).ToArray());
            Assert.Equal(trained.ItemId(row), pruned.ItemId(row));
        }
        Assert.Equal(trained.Popularity.ToArray(), pruned.Popularity.ToArray());
        Assert.Equal(1, CliRunner.Run("prune", "-m", dir.File("k40.ease"), "--prune-topk", "7", "-o", dir.File("k40.ease")).ExitCode);
    }
}

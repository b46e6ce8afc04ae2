using Ease.Engine.Input;
using Ease.Engine.Training;

namespace Ease.Tests.Training;

/// <summary>`--solver auto`: dense only when it fits the memory it may take and its n³ solve is affordable; the reason is said.</summary>
public class SolverChoiceTests
{
    private static InteractionSet Catalogue(int items)
    {
        var b = new InteractionSetBuilder(knownItems: [.. Enumerable.Range(0, items).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture))]);
        for (int u = 0; u < 50; u++)
            b.Add(u.ToString(System.Globalization.CultureInfo.InvariantCulture), (u * 7 % items).ToString(System.Globalization.CultureInfo.InvariantCulture));
        return b.Build();
    }

    [Fact]
    public void ASmallCatalogueGoesDenseAndSaysWhy()
    {
        SolverChoice c = MemoryBudget.Decide(Catalogue(2000), new TrainOptions { Solver = SolverKind.Auto, MemoryLimitBytes = 1L << 30, Threads = 1 });
        Assert.Equal(SolverKind.Dense, c.Kind);
        Assert.Contains("GFLOP/s", c.Reason, StringComparison.Ordinal);
        Assert.True(c.MeasuredGflops > 0 && c.PredictedDenseSeconds > 0);
    }

    [Fact]
    public void ADenseMatrixOverTheLimitGoesSparse()
    {
        long dense = MemoryBudget.DenseBytes(8000, Precision.Float32);
        SolverChoice c = MemoryBudget.Decide(Catalogue(8000), new TrainOptions { Solver = SolverKind.Auto, MemoryLimitBytes = dense - 1, Threads = 1 });
        Assert.Equal(SolverKind.Sparse, c.Kind);
        Assert.Contains("over the memory limit", c.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void An82kCatalogueGoesSparseOnTimeEvenWhenItsMatrixFits()
    {
        // 82,000 items: the n x n f32 matrix (about 25 GiB) fits a 64 GiB limit, but its n³ solve
        // takes most of an hour at any rate this machine's GEMM reaches, against seconds sparse.
        SolverChoice c = MemoryBudget.Decide(Catalogue(82_000), new TrainOptions { Solver = SolverKind.Auto, MemoryLimitBytes = 64L << 30 });
        Assert.Equal(SolverKind.Sparse, c.Kind);
        Assert.Contains("would take", c.Reason, StringComparison.Ordinal);
        Assert.True(c.PredictedDenseSeconds > MemoryBudget.AutoDenseSeconds);
    }

    [Theory]
    [InlineData(2000, 1L << 30)]
    [InlineData(8000, 0L)]
    [InlineData(82_000, 64L << 30)]
    public void AFilterFamilyTakesTheSolverEaseWould(int items, long limit)
    {
        InteractionSet data = Catalogue(items);
        limit = limit > 0 ? limit : MemoryBudget.DenseBytes(items, Precision.Float32) - 1;
        var ease = new TrainOptions { Solver = SolverKind.Auto, MemoryLimitBytes = limit, Threads = 1 };
        SolverKind expected = MemoryBudget.Decide(data, ease).Kind;
        foreach (var family in new[] { Engine.Training.Filters.ModelFamily.GfCf, Engine.Training.Filters.ModelFamily.Bspm })
        {
            SolverChoice c = MemoryBudget.Decide(data, ease with { Filter = new Engine.Training.Filters.FilterOptions { Family = family } });
            Assert.Equal(expected, c.Kind);
            Assert.False(string.IsNullOrEmpty(c.Reason));
        }
    }

    [Fact]
    public void AnExplicitSolverIsTakenAsGiven()
    {
        SolverChoice c = MemoryBudget.Decide(Catalogue(100), new TrainOptions { Solver = SolverKind.Sparse });
        Assert.Equal(SolverKind.Sparse, c.Kind);
        Assert.Equal("--solver sparse", c.Reason);
    }
}

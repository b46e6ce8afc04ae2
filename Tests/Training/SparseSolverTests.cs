using System.Globalization;
using System.Text.Json.Nodes;
using Ease.Engine.Input;
using Ease.Engine.Linalg;
using Ease.Engine.Synthetic;
using Ease.Engine.Training;
using Ease.Engine.Training.Sparse;
using Ease.Format;
using Ease.Tests.Support;

namespace Ease.Tests.Training;

/// <summary>The sparse (neighbourhood) solver against references computed here, and its sharding.</summary>
public class SparseSolverTests
{
    private static InteractionSet EveryPairCoOccurs() => DenseInteractions.EveryPairCoOccurs();

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.25)]
    public void WithCompleteListsTheWeightsAreExactEase(double dropout)
    {
        InteractionSet data = EveryPairCoOccurs();
        int n = data.ItemCount;
        double[,] gram = ReferenceEase.Gram(data);
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
                Assert.True(gram[i, j] > 0, $"items {i} and {j} never co-occur");
        }
        const double Lambda = 10;
        double[,] expected = ReferenceEase.B(data, Lambda, dropout);

        using var dir = new TempDirectory();
        string path = dir.File("sparse.ease");
        TrainReport report = EaseTrainer.Train(data,
            new TrainOptions { Lambda = Lambda, Dropout = dropout, Solver = SolverKind.Sparse, Neighbors = 64, Threads = 2 }, path);
        Assert.Equal("sparse", report.Solver);
        Assert.Equal((long)n * (n - 1), report.SolvedWeights);
        using ModelFile model = ModelFile.Open(path, new ModelOpenOptions { VerifyChecksums = true });
        Assert.Equal((long)n * (n - 1), model.NonZeroCount);
        double[,] actual = ReferenceEase.Weights(model);
        // Relative to the column's largest weight: column j is one float32 solve, so its error scales with the column.
        double worst = 0;
        for (int j = 0; j < n; j++)
        {
            double scale = 0;
            for (int i = 0; i < n; i++)
                scale = Math.Max(scale, Math.Abs(expected[i, j]));
            for (int i = 0; i < n; i++)
            {
                Assert.True(i != j || actual[i, j] == 0);
                worst = Math.Max(worst, Math.Abs(actual[i, j] - expected[i, j]) / scale);
            }
        }
        Assert.True(worst < 1e-4, $"largest difference to the reference B is {worst:E2} of its column's largest weight");
    }

    private static InteractionSet ShardData() => SyntheticData.Generate(400, 200, seed: 11);

    /// <summary>Lists cut short (24 candidates, 48 Gram neighbours), so the compensation is active too.</summary>
    private static readonly TrainOptions Sparse = new() { Lambda = 20, Solver = SolverKind.Sparse, Neighbors = 24, GramNeighbors = 48 };

    [Theory]
    [InlineData(PruneMode.TopK)]
    [InlineData(PruneMode.Density)]
    public void FourMergedShardsEqualOneProcessBitForBit(PruneMode prune)
    {
        InteractionSet data = ShardData();
        TrainOptions o = Sparse with { Prune = prune, PruneTopK = 10, PruneDensity = 0.03 };
        using var dir = new TempDirectory();
        TrainReport single = SparseEaseTrainer.Train(data, o with { Threads = 2 }, dir.File("single.ease"));
        var parts = new List<string>();
        long solved = 0;
        foreach (int s in new[] { 2, 0, 3, 1 })
        {
            string part = dir.File($"part{s}.ease");
            TrainReport r = SparseEaseTrainer.Train(data, o with { Threads = 1, ShardIndex = s, ShardCount = 4 }, part);
            Assert.True(r.SolvedWeights > 0, $"shard {s} solved nothing");
            Assert.Equal(r.SolvedWeights, r.NonZeros); // a part is not pruned
            solved += r.SolvedWeights;
            parts.Add(part);
        }
        Assert.Equal(single.SolvedWeights, solved);
        Assert.True(single.NonZeros < single.SolvedWeights, "the pruning kept everything: the test shows nothing");

        MergeReport merged = ModelMerger.Merge(parts, dir.File("merged.ease"), threads: 2);
        Assert.Equal(4, merged.Parts);
        Assert.Equal(single.NonZeros, merged.NonZeros);
        Assert.Equal(single.KeptWeightMass, merged.KeptWeightMass, 12);
        ReferenceEase.AssertSameWeights(dir.File("single.ease"), dir.File("merged.ease"));
        using ModelFile model = ModelFile.Open(dir.File("merged.ease"));
        JsonObject solver = JsonNode.Parse(model.MetadataJson)!["solver"]!.AsObject();
        Assert.Equal("sparse", (string?)solver["kind"]);
        Assert.Equal(4, (int)solver["merged_parts"]!);
        Assert.Null(solver["part"]);
    }

    [Fact]
    public void ItemsWithoutCoOccurrencesGetEmptyRowsAndNoNaN()
    {
        InteractionSet synthetic = SyntheticData.Generate(200, 80, seed: 3);
        var builder = new InteractionSetBuilder();
        builder.AddItem("ghost-first");
        for (int u = 0; u < synthetic.UserCount; u++)
        {
            foreach (int i in synthetic.ItemsOf(u))
                builder.Add(synthetic.UserIds[u], synthetic.ItemIds[i]);
        }
        builder.Add("solo", "loner"); // used, but never together with another item
        builder.AddItem("ghost-last");
        InteractionSet data = builder.Build();
        int[] isolated = [data.IndexOfItem("ghost-first"), data.IndexOfItem("loner"), data.IndexOfItem("ghost-last")];
        Assert.DoesNotContain(-1, isolated);

        using var dir = new TempDirectory();
        string path = dir.File("m.ease");
        EaseTrainer.Train(data, Sparse with { Dropout = 0.5 }, path);
        using ModelFile model = ModelFile.Open(path, new ModelOpenOptions { VerifyChecksums = true });
        Assert.Equal(data.ItemCount, model.ItemCount);
        Assert.True(model.NonZeroCount > 0);
        foreach (int i in isolated)
            Assert.Equal(0, model.RowLength(i));
        for (int r = 0; r < model.ItemCount; r++)
        {
            model.GetRow(r, out ReadOnlySpan<int> cols, out ReadOnlySpan<float> vals);
            foreach (float v in vals)
                Assert.True(float.IsFinite(v), $"row {r} holds {v}");
            foreach (int c in cols)
                Assert.DoesNotContain(c, isolated);
        }
        Assert.Equal([0u, 1u, 0u], isolated.Select(i => model.Popularity[i]));
    }

    /// <summary>
    /// a and b have the same four users, so with λ = 0 any local system holding both is singular
    /// (pivot exactly 0). Only c's candidates (a, b, d) hold both; a's (b, c) and b's (a, c) do not.
    /// </summary>
    internal const string SingularAdjacency = "u1 a b c\nu2 a b\nu3 a b\nu4 a b\nu5 c d\n";

    private static InteractionSet Singular()
    {
        var builder = new InteractionSetBuilder();
        foreach (string line in SingularAdjacency.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            string[] f = line.Split(' ');
            foreach (string item in f[1..])
                builder.Add(f[0], item);
        }
        return builder.Build();
    }

    [Fact]
    public void ASingularLocalSystemNamesTheItemAndSuggestsALargerLambda()
    {
        using var dir = new TempDirectory();
        string path = dir.File("m.ease");
        var e = Assert.Throws<InvalidDataException>(() =>
            SparseEaseTrainer.Train(Singular(), new TrainOptions { Lambda = 0, Solver = SolverKind.Sparse, Neighbors = 8 }, path));
        Assert.Contains("item 'c'", e.Message);
        Assert.Contains("neighbour 'b'", e.Message);
        Assert.Contains("--lambda", e.Message);
        Assert.False(File.Exists(path));

        SparseEaseTrainer.Train(Singular(), new TrainOptions { Lambda = 0.5, Solver = SolverKind.Sparse, Neighbors = 8 }, path);
        Assert.True(File.Exists(path));
    }

    [Fact]
    public void SparseTopKChoosesAsTheDenseTopK()
    {
        var random = new Random(5);
        float[] levels = [0.25f, -0.25f, 0.5f, 1f, -1f, 0f];
        for (int trial = 0; trial < 300; trial++)
        {
            int n = random.Next(1, 300);
            int[] columns = [.. Enumerable.Range(0, n).Where(_ => random.NextDouble() < 0.3)];
            // Few distinct magnitudes make ties at the cut common; explicit zeros are never kept.
            float[] values = [.. columns.Select(_ => random.Next(3) == 0 ? (float)(random.NextDouble() - 0.5) : levels[random.Next(levels.Length)])];
            float[] dense = new float[n];
            for (int q = 0; q < columns.Length; q++)
                dense[columns[q]] = values[q];
            int nonZero = values.Count(v => v != 0);
            foreach (int k in new[] { 1, 2, 5, nonZero, nonZero + 3 })
            {
                if (k < 1)
                    continue;
                int[] sc = new int[columns.Length], dc = new int[n];
                float[] sv = new float[columns.Length], dv = new float[n];
                int sparseKept = RowPruner.TopK(columns, values, k, new float[columns.Length], sc, sv);
                int denseKept = RowPruner.TopK(dense, k, new float[n], dc, dv);
                var expected = columns.Zip(values).Where(e => e.Second != 0)
                    .OrderByDescending(e => Math.Abs(e.Second)).ThenBy(e => e.First).Take(k).OrderBy(e => e.First).ToArray();
                Assert.Equal(expected.Length, denseKept);
                Assert.Equal(expected.Select(e => e.First), dc[..denseKept]);
                Assert.Equal(expected.Select(e => e.Second), dv[..denseKept]);
                Assert.Equal(dc[..denseKept], sc[..sparseKept]);
                Assert.Equal(dv[..denseKept], sv[..sparseKept]);
            }
        }
    }

    [Fact]
    public void LocalCholeskySolvesAsADoublePrecisionReference()
    {
        var random = new Random(9);
        // Every size through the row-by-row path, and a few past it on the blocked recursion.
        int[] sizes = [.. Enumerable.Range(1, LocalCholesky.SmallLimit + 2), 300, 333];
        using LocalCholesky solver = LocalCholesky.Create(sizes.Max());
        foreach (int m in sizes)
        {
            // A = R Rᵀ / m + I/2: SPD with eigenvalues in about [0.5, 4.5].
            var r = new double[m, m];
            for (int i = 0; i < m; i++)
            {
                for (int j = 0; j < m; j++)
                    r[i, j] = random.NextDouble() * 2 - 1;
            }
            var a = new double[m, m];
            Span<float> matrix = solver.Matrix(m);
            for (int i = 0; i < m; i++)
            {
                for (int j = 0; j <= i; j++)
                {
                    double s = i == j ? 0.5 : 0;
                    for (int k = 0; k < m; k++)
                        s += r[i, k] * r[j, k] / m;
                    float f = (float)s;
                    a[i, j] = a[j, i] = f;
                    matrix[i * m + j] = f;
                    if (j < i)
                        matrix[j * m + i] = float.NaN; // only the lower triangle is read
                }
            }
            double[] b = [.. Enumerable.Range(0, m).Select(_ => (double)(float)(random.NextDouble() * 2 - 1))];
            double[] expected = ReferenceEase.Solve(ReferenceEase.Cholesky(a), b);
            float[] x = [.. b.Select(v => (float)v)];
            solver.Solve(m, x);
            double scale = expected.Max(Math.Abs), worst = 0;
            for (int i = 0; i < m; i++)
                worst = Math.Max(worst, Math.Abs(x[i] - expected[i]));
            Assert.True(worst <= 1e-4 * scale, $"m = {m}: largest difference {worst:E2}, solution scale {scale:E2}");
        }
    }

    [Theory]
    [InlineData(1, 0)]
    [InlineData(100, 77)]
    [InlineData(300, 290)]
    public void LocalCholeskyNamesTheFailingPivot(int m, int bad)
    {
        using LocalCholesky solver = LocalCholesky.Create(m);
        Span<float> matrix = solver.Matrix(m);
        matrix.Clear();
        for (int i = 0; i < m; i++)
            matrix[i * m + i] = i == bad ? -1 : 2;
        var e = Assert.Throws<NotPositiveDefiniteException>(() => solver.Solve(m, new float[m]));
        Assert.Equal(bad, e.Pivot);
        Assert.Throws<ArgumentOutOfRangeException>(() => solver.Solve(m + 1, new float[m + 1]));
    }
}

/// <summary>`ease train` with the solver flags: memory budget, automatic choice, --shard usage.</summary>
public class SparseTrainCommandTests
{
    private static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "fixtures", name);

    private static string SolverKindOf(string model)
    {
        using ModelFile m = ModelFile.Open(model);
        return (string)JsonNode.Parse(m.MetadataJson)!["solver"]!["kind"]!;
    }

    [Fact]
    public void ADenseSolverOverTheMemoryLimitIsADataErrorNamingTheNeed()
    {
        using var dir = new TempDirectory();
        string model = dir.File("m.ease");
        var r = CliRunner.Run("train", "-i", Fixture("reference-train.txt"), "--format", "adjacency", "-o", model,
            "--solver", "dense", "--memory-limit", "1K", "-q");
        Assert.Equal(2, r.ExitCode);
        string line = Assert.Single(r.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Matches(@"^ease: error: .*the dense solver needs about [0-9.]+ [KMG]iB for 50 items, over the memory limit of 1\.0 KiB", line);
        Assert.DoesNotMatch(@"needs about 0\.0 ", line);
        Assert.False(File.Exists(model));
    }

    [Fact]
    public void AutoPicksDenseWhenItFitsAndSparseWhenOnlySparseFits()
    {
        using var dir = new TempDirectory();
        string input = dir.File("train.txt");
        SyntheticData.WriteAdjacency(input, SyntheticData.Generate(300, 1500, seed: 4));
        InteractionSet data = InteractionReader.Read(input, new InputOptions { Format = InputFormat.Adjacency });
        int n = data.ItemCount;
        long dense = MemoryBudget.DenseBytes(n, Precision.Float32) + MemoryBudget.InputBytes(data);
        long sparse = MemoryBudget.SparseBytes(n, neighbors: 8, gramNeighbors: 32, threads: 1) + MemoryBudget.InputBytes(data);
        Assert.True(dense >= 4L * n * n, "the dense estimate is below one n x n float matrix");
        Assert.True(sparse < dense, $"with {n} items the sparse solver should need less than the dense one ({sparse} vs {dense})");

        CliRunner.Result Train(string output, long limit) => CliRunner.Run("train", "-i", input, "--format", "adjacency", "-o", output,
            "--solver", "auto", "--neighbors", "8", "--threads", "1", "--prune-topk", "8", "--memory-limit", limit.ToString(CultureInfo.InvariantCulture), "-q");

        var fits = Train(dir.File("dense.ease"), dense);
        Assert.True(fits.ExitCode == 0, fits.Err);
        Assert.Equal("dense", SolverKindOf(dir.File("dense.ease")));

        var between = Train(dir.File("sparse.ease"), (dense + sparse) / 2);
        Assert.True(between.ExitCode == 0, between.Err);
        Assert.Equal("sparse", SolverKindOf(dir.File("sparse.ease")));

        var neither = Train(dir.File("none.ease"), sparse - 1);
        Assert.Equal(2, neither.ExitCode);
        Assert.Contains("the sparse solver needs about", Assert.Single(neither.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries)));
        Assert.False(File.Exists(dir.File("none.ease")));
    }

    [Theory]
    [InlineData("4/4")]
    [InlineData("a/b")]
    [InlineData("0/0")]
    [InlineData("-1/2")]
    [InlineData("1")]
    [InlineData("0/2", "--solver", "dense")]
    public void AnInvalidShardIsAUsageError(string shard, params string[] extra)
    {
        using var dir = new TempDirectory();
        string model = dir.File("m.ease");
        var r = CliRunner.Run(["train", "-i", Fixture("reference-train.txt"), "--format", "adjacency", "-o", model, "--shard", shard, .. extra]);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("--shard", r.Err);
        Assert.False(File.Exists(model));
    }

    [Fact]
    public void ASingularLocalSystemIsADataErrorSuggestingLambda()
    {
        using var dir = new TempDirectory();
        string input = dir.File("dup.txt");
        File.WriteAllText(input, SparseSolverTests.SingularAdjacency);
        var r = CliRunner.Run("train", "-i", input, "--format", "adjacency", "-o", dir.File("m.ease"), "--solver", "sparse", "--lambda", "0", "-q");
        Assert.Equal(2, r.ExitCode);
        string line = Assert.Single(r.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("item 'c'", line);
        Assert.Contains("--lambda", line);
    }
}

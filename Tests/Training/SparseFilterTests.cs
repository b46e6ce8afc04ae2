using System.Text.Json;
using Ease.Engine.Input;
using Ease.Engine.Linalg;
using Ease.Engine.Training;
using Ease.Engine.Training.Filters;
using Ease.Engine.Training.Sparse;
using Ease.Format;
using Ease.Tests.Support;

namespace Ease.Tests.Training;

/// <summary>
/// The graph filters on the sparse solver: each row M[i, C_i] on the candidates the sparse EASE
/// solver picks, against the double-precision reference (<see cref="ReferenceGraphFilter"/>) at
/// the same entries, and with every item a candidate against the dense operator.
/// </summary>
public class SparseFilterTests
{
    private static InteractionSet Data() => ReferenceGraphFilter.Fixture();

    /// <summary>Every other item a candidate of each item: the rows are then whole rows of M but the diagonal.</summary>
    private sealed class EveryItem : ICandidateLists
    {
        private readonly int[][] _lists;

        public EveryItem(int n)
        {
            _lists = [.. Enumerable.Range(0, n).Select(i => Enumerable.Range(0, n).Where(j => j != i).ToArray())];
            CandidateOffsets = new long[n + 1];
            for (int i = 0; i < n; i++)
                CandidateOffsets[i + 1] = CandidateOffsets[i] + n - 1;
        }

        public int ItemCount => _lists.Length;
        public long[] CandidateOffsets { get; }
        public ReadOnlySpan<int> CandidatesOf(int item) => _lists[item];
    }

    /// <summary>The families with a sparse path; ranks sit at a gap of P̃'s spectrum (found when the test runs).</summary>
    public static TheoryData<string> Families => ["gf-cf", "bspm", "turbo-cf/1/0.7", "turbo-cf/2/1"];

    private static FilterOptions Filter(string name, InteractionSet data)
    {
        string[] parts = name.Split('/');
        return parts[0] switch
        {
            "gf-cf" => new FilterOptions { Family = ModelFamily.GfCf, Alpha = 0.3, Rank = ReferenceGraphFilter.GappedRank(data, 8) },
            "bspm" => new FilterOptions { Family = ModelFamily.Bspm, Alpha = 0.3, Rank = ReferenceGraphFilter.GappedRank(data, 12), Time = 1.2 },
            _ => new FilterOptions { Family = ModelFamily.TurboCf, NormExponent = 0.6, Order = int.Parse(parts[1]), Power = double.Parse(parts[2], System.Globalization.CultureInfo.InvariantCulture) },
        };
    }

    private static SparseRows Rows(InteractionSet data, FilterOptions f, ICandidateLists lists, int threads = 2) =>
        SparseFilterTrainer.Rows(data, f, lists, threads, null, default, out _, out _);

    private static double MaxAbs(double[,] x)
    {
        double m = 0;
        foreach (double v in x)
            m = Math.Max(m, Math.Abs(v));
        return m;
    }

    [Theory]
    [MemberData(nameof(Families))]
    public void WithEveryItemACandidateTheRowsAreTheDenseOperator(string family)
    {
        InteractionSet data = Data();
        int n = data.ItemCount;
        FilterOptions f = Filter(family, data);
        SparseRows rows = Rows(data, f, new EveryItem(n));
        using DenseMatrix<float> dense = GraphFilterOperator.Build(data, f, 2, null, default, out _);
        double scale = 0;
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                scale = Math.Max(scale, Math.Abs(dense[i, j]));
        double worst = 0;
        for (int i = 0; i < n; i++)
        {
            Assert.Equal(Enumerable.Range(0, n).Where(j => j != i), rows.Columns(i).ToArray());
            ReadOnlySpan<float> values = rows.Values(i);
            for (int a = 0; a < values.Length; a++)
                worst = Math.Max(worst, Math.Abs(values[a] - dense[i, rows.Columns(i)[a]]));
        }
        Assert.True(worst <= 1e-5 * scale, $"{family}: max |Δ| against the dense operator {worst}, entries up to {scale}");
    }

    [Theory]
    [MemberData(nameof(Families))]
    public void WithFewerCandidatesEachKeptEntryIsTheReferenceEntry(string family)
    {
        InteractionSet data = Data();
        int n = data.ItemCount;
        FilterOptions f = Filter(family, data);
        const int Candidates = 10;
        NeighborLists lists = NeighborLists.Build(data, Candidates, Candidates, NeighborRanking.Cosine, 2, null, default);
        SparseRows rows = Rows(data, f, lists);
        double[,] expected = ReferenceGraphFilter.Operator(data, f);
        double tolerance = 1e-5 * MaxAbs(expected) + 1e-6, worst = 0;
        long kept = 0;
        for (int i = 0; i < n; i++)
        {
            int[] candidates = lists.CandidatesOf(i).ToArray();
            Assert.True(candidates.Length <= Candidates);
            Array.Sort(candidates);
            Assert.Equal(candidates, rows.Columns(i).ToArray());
            for (int a = 0; a < candidates.Length; a++)
                worst = Math.Max(worst, Math.Abs(rows.Values(i)[a] - expected[i, candidates[a]]));
            kept += candidates.Length;
        }
        Assert.True(kept < (long)n * (n - 1) / 2, $"{kept} entries kept: the candidates do not restrict the rows");
        Assert.True(worst < tolerance, $"{family}: max |Δ| against the reference {worst}");
    }

    [Fact]
    public void TheSparseSolverWritesTheRowsOnTheEaseSolversCandidates()
    {
        InteractionSet data = Data();
        int n = data.ItemCount;
        var f = new FilterOptions { Family = ModelFamily.Bspm, Alpha = 0.3, Rank = ReferenceGraphFilter.GappedRank(data, 12) };
        var o = new TrainOptions { Filter = f, Solver = SolverKind.Sparse, Neighbors = 12, Threads = 2 };
        using var dir = new TempDirectory();
        string path = dir.File("bspm.ease");
        TrainReport report = EaseTrainer.Train(data, o, path);
        Assert.Equal("sparse", report.Solver);
        Assert.Equal("--solver sparse", report.SolverReason);
        Assert.Equal(12, report.Neighbors);

        // The EASE solver's own lists (of its default length) give each target its candidates.
        NeighborLists lists = NeighborLists.Build(data, o.EffectiveNeighbors(n), o.EffectiveGramNeighbors(n), o.Ranking, 1, null, default);
        double[,] expected = ReferenceGraphFilter.Operator(data, f);
        double tolerance = 1e-5 * MaxAbs(expected) + 1e-6;
        using ModelFile model = ModelFile.Open(path, new ModelOpenOptions { VerifyChecksums = true });
        for (int i = 0; i < n; i++)
        {
            model.GetRow(i, out ReadOnlySpan<int> cols, out ReadOnlySpan<float> vals);
            int[] candidates = lists.CandidatesOf(i).ToArray();
            Array.Sort(candidates);
            // Unpruned, a row keeps its candidates but any exact zero.
            Assert.Subset(candidates.ToHashSet(), cols.ToArray().ToHashSet());
            for (int a = 0; a < cols.Length; a++)
                Assert.True(Math.Abs(vals[a] - expected[i, cols[a]]) < tolerance, $"M[{i},{cols[a]}] = {vals[a]}, reference {expected[i, cols[a]]}");
        }
        using JsonDocument meta = JsonDocument.Parse(model.MetadataJson);
        JsonElement solver = meta.RootElement.GetProperty("solver");
        Assert.Equal("sparse", solver.GetProperty("kind").GetString());
        Assert.Equal(12, solver.GetProperty("neighbors").GetInt32());
        Assert.Equal("bspm", meta.RootElement.GetProperty("family").GetProperty("name").GetString());
    }

    [Fact]
    public void ACubicFilterIsRefusedAndAutoKeepsItDense()
    {
        var cubic = new FilterOptions { Family = ModelFamily.TurboCf, Order = 3 };
        var e = Assert.Throws<ArgumentException>(new TrainOptions { Filter = cubic, Solver = SolverKind.Sparse }.Validate);
        Assert.Contains("no sparse path", e.Message);
        Assert.DoesNotContain('\n', e.Message);
        SolverChoice c = MemoryBudget.Decide(Data(), new TrainOptions { Filter = cubic, Solver = SolverKind.Auto, MemoryLimitBytes = 1L << 30 });
        Assert.Equal(SolverKind.Dense, c.Kind);
        Assert.Contains("densely only", c.Reason);
    }

    private static InteractionSet EveryPairCoOccurs() => DenseInteractions.EveryPairCoOccurs();

    [Fact]
    public void WithCompleteListsABlendIsTheFilterPlusExactEase()
    {
        // Every pair co-occurs and 64 candidates exceed the 39 other items: the sparse EASE columns
        // are exact EASE and the filter rows whole rows, so the blend is the dense one.
        InteractionSet data = EveryPairCoOccurs();
        int n = data.ItemCount;
        var f = new FilterOptions { Family = ModelFamily.Bspm, Alpha = 0.3, Rank = ReferenceGraphFilter.GappedRank(data, 6), EaseWeight = 0.5 };
        const double Lambda = 10;
        double[,] expected = ReferenceGraphFilter.Add(ReferenceGraphFilter.Operator(data, f), ReferenceEase.B(data, Lambda), 1, f.EaseWeight);
        using var dir = new TempDirectory();
        string path = dir.File("blend.ease");
        TrainReport report = EaseTrainer.Train(data, new TrainOptions { Lambda = Lambda, Filter = f, Solver = SolverKind.Sparse, Neighbors = 64, Threads = 2 }, path);
        Assert.Equal("sparse", report.Solver);
        Assert.Contains(report.Phases, p => p.Phase == "solve");
        double tolerance = 1e-5 * MaxAbs(expected) + 1e-5, worst = 0;
        using ModelFile model = ModelFile.Open(path, new ModelOpenOptions { VerifyChecksums = true });
        for (int i = 0; i < n; i++)
        {
            model.GetRow(i, out ReadOnlySpan<int> cols, out ReadOnlySpan<float> vals);
            Assert.Equal(n - 1, cols.Length);
            for (int a = 0; a < cols.Length; a++)
                worst = Math.Max(worst, Math.Abs(vals[a] - expected[i, cols[a]]));
        }
        Assert.True(worst < tolerance, $"max |Δ| against filter + γ·EASE {worst}");
        using JsonDocument meta = JsonDocument.Parse(model.MetadataJson);
        Assert.Equal(Lambda, meta.RootElement.GetProperty("solver").GetProperty("lambda").GetDouble());
        Assert.Equal("bspm+ease", meta.RootElement.GetProperty("model").GetString());
    }
}

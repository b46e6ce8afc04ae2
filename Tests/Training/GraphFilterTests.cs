using System.Text.Json;
using Ease.Engine.Input;
using Ease.Engine.Linalg;
using Ease.Engine.Training;
using Ease.Engine.Training.Filters;
using Ease.Format;
using Ease.Tests.Support;

namespace Ease.Tests.Training;

/// <summary>
/// The graph-filter families against their papers' formulas computed independently in double
/// precision (<see cref="ReferenceGraphFilter"/>): explicit R̃, P̃ and products, V from Jacobi.
/// </summary>
public class GraphFilterTests
{
    private static InteractionSet Data() => ReferenceGraphFilter.Fixture();

    private static double MaxDifference(DenseMatrix<float> actual, double[,] expected)
    {
        double worst = 0;
        for (int i = 0; i < actual.Size; i++)
            for (int j = 0; j < actual.Size; j++)
                worst = Math.Max(worst, Math.Abs(actual[i, j] - expected[i, j]));
        return worst;
    }

    private static double MaxAbs(double[,] x)
    {
        double m = 0;
        foreach (double v in x)
            m = Math.Max(m, Math.Abs(v));
        return m;
    }

    private static DenseMatrix<float> Build(InteractionSet data, FilterOptions f, int threads = 2) =>
        GraphFilterOperator.Build(data, f, threads, null, default, out _);

    private static int GappedRank(InteractionSet data, int near) => ReferenceGraphFilter.GappedRank(data, near);

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void GfCfIsTheGraphPlusTheIdealLowPass(int threads)
    {
        InteractionSet data = Data();
        int rank = GappedRank(data, 8);
        using DenseMatrix<float> m = Build(data, new FilterOptions { Family = ModelFamily.GfCf, Alpha = 0.3, Rank = rank }, threads);
        double[,] expected = ReferenceGraphFilter.Add(ReferenceGraphFilter.Graph(data, 0.5), ReferenceGraphFilter.IdealLowPass(data, rank), 1, 0.3);
        Assert.True(MaxDifference(m, expected) < 1e-5 * MaxAbs(expected) + 1e-6, $"max |ΔM| = {MaxDifference(m, expected)}");
    }

    [Theory]
    [InlineData(1, 1.0)]
    [InlineData(1, 0.7)]
    [InlineData(2, 1.0)]
    [InlineData(3, 1.0)]
    public void TurboCfIsItsPolynomialOfTheNormalisedGraph(int order, double power)
    {
        InteractionSet data = Data();
        using DenseMatrix<float> m = Build(data, new FilterOptions { Family = ModelFamily.TurboCf, NormExponent = 0.6, Power = power, Order = order });
        double[,] p = ReferenceGraphFilter.Graph(data, 0.6, power);
        double[,] p2 = ReferenceGraphFilter.Multiply(p, p);
        double[,] expected = order switch
        {
            1 => p,
            2 => ReferenceGraphFilter.Add(p, p2, 2, -1),
            _ => ReferenceGraphFilter.Add(ReferenceGraphFilter.Add(p, p2, 0.71, 0.1), ReferenceGraphFilter.Multiply(p2, p), 1, -0.01),
        };
        Assert.True(MaxDifference(m, expected) < 1e-5 * MaxAbs(expected) + 1e-6, $"order {order}, power {power}: max |ΔM| = {MaxDifference(m, expected)}");
    }

    [Fact]
    public void BspmAveragesTheBlurredAndTheSharpenedPoints()
    {
        InteractionSet data = Data();
        int rank = GappedRank(data, 12);
        const double beta = 0.3, time = 1.2;
        using DenseMatrix<float> m = Build(data, new FilterOptions { Family = ModelFamily.Bspm, Alpha = beta, Rank = rank, Time = time });
        // ½[P̃ + (P̃ + βL)(I − T·P̃)]: one Euler step of blurring from r gives rP̃, the ideal
        // low-pass step gives rL, and one sharpening step of length T from r(P̃ + βL).
        double[,] p = ReferenceGraphFilter.Graph(data, 0.5);
        double[,] start = ReferenceGraphFilter.Add(p, ReferenceGraphFilter.IdealLowPass(data, rank), 1, beta);
        double[,] step = ReferenceGraphFilter.Add(ReferenceGraphFilter.Identity(p.GetLength(0)), p, 1, -time);
        double[,] expected = ReferenceGraphFilter.Add(p, ReferenceGraphFilter.Multiply(start, step), 0.5, 0.5);
        Assert.True(MaxDifference(m, expected) < 1e-5 * MaxAbs(expected) + 1e-6, $"max |ΔM| = {MaxDifference(m, expected)}");
    }

    [Fact]
    public void TheFileHoldsTheBlendOfEaseAndTheFilterWithAZeroDiagonal()
    {
        InteractionSet data = Data();
        using var dir = new TempDirectory();
        string path = dir.File("blend.ease");
        var filter = new FilterOptions { Family = ModelFamily.TurboCf, NormExponent = 0.5, Order = 1, EaseWeight = 2 };
        TrainReport report = EaseTrainer.Train(data, new TrainOptions { Lambda = 10, Filter = filter }, path);
        Assert.Equal(1.0, report.KeptWeightMass, 10);
        double[,] b = ReferenceEase.B(data, 10);
        double[,] expected = ReferenceGraphFilter.Add(ReferenceGraphFilter.Graph(data, 0.5), b, 1, 2);
        using ModelFile model = ModelFile.Open(path, new ModelOpenOptions { VerifyChecksums = true });
        double worst = 0;
        for (int i = 0; i < model.ItemCount; i++)
        {
            model.GetRow(i, out ReadOnlySpan<int> cols, out ReadOnlySpan<float> vals);
            var row = new double[model.ItemCount];
            for (int k = 0; k < cols.Length; k++)
                row[cols[k]] = vals[k];
            Assert.Equal(0, row[i]);
            for (int j = 0; j < row.Length; j++)
                worst = Math.Max(worst, j == i ? 0 : Math.Abs(row[j] - expected[i, j]));
        }
        Assert.True(worst < 2e-4, $"max |ΔM| = {worst}");
        using JsonDocument meta = JsonDocument.Parse(model.MetadataJson);
        Assert.Equal("turbo-cf+ease", meta.RootElement.GetProperty("model").GetString());
        JsonElement family = meta.RootElement.GetProperty("family");
        Assert.Equal("turbo-cf", family.GetProperty("name").GetString());
        Assert.Equal(2, family.GetProperty("ease_weight").GetDouble());
        Assert.Equal(10, family.GetProperty("ease_lambda").GetDouble());
    }

    [Fact]
    public void APolynomialOfAPoweredGraphIsRefused()
    {
        var f = new FilterOptions { Family = ModelFamily.TurboCf, Power = 0.7, Order = 2 };
        Assert.Contains("needs power 1", Assert.Throws<ArgumentException>(f.Validate).Message);
        Assert.Throws<ArgumentException>(new FilterOptions { Family = ModelFamily.GfCf, Power = 0.5 }.Validate);
        Assert.Throws<ArgumentException>(new TrainOptions { Filter = new FilterOptions(), Precision = Precision.Float64 }.Validate);
    }
}

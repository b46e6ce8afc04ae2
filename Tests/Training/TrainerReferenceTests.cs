using System.Globalization;
using Ease.Engine.Input;
using Ease.Engine.Linalg;
using Ease.Engine.Training;
using Ease.Format;
using Ease.Tests.Support;

namespace Ease.Tests.Training;

/// <summary>
/// The trainer against the independent numpy peer: fixtures/reference-B-l10.csv is the B that
/// ../shared/peers/ease_numpy.py computes from fixtures/reference-train.txt at λ = 10
/// (scripts/make_reference_fixture.py wrote both).
/// </summary>
public class TrainerReferenceTests
{
    private static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "fixtures", name);

    private static InteractionSet ReferenceData() =>
        InteractionReader.Read(Fixture("reference-train.txt"), new InputOptions { Format = InputFormat.Adjacency });

    private static double[][] ReferenceB() =>
        [.. File.ReadAllLines(Fixture("reference-B-l10.csv")).Select(l => l.Split(',').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray())];

    /// <summary>The model as a dense matrix indexed by the original (numeric) item ids.</summary>
    internal static double[,] Dense(ModelFile model)
    {
        int n = model.ItemCount;
        var b = new double[n, n];
        for (int r = 0; r < n; r++)
        {
            int i = int.Parse(model.ItemId(r), CultureInfo.InvariantCulture);
            model.GetRow(r, out ReadOnlySpan<int> cols, out ReadOnlySpan<float> vals);
            for (int k = 0; k < cols.Length; k++)
                b[i, int.Parse(model.ItemId(cols[k]), CultureInfo.InvariantCulture)] = vals[k];
        }
        return b;
    }

    [Theory]
    [InlineData(Precision.Float64, 1, 1e-6)]
    [InlineData(Precision.Float64, 2, 1e-6)]
    [InlineData(Precision.Float32, 2, 2e-4)]
    public void DenseWeightsEqualTheNumpyPeer(Precision precision, int threads, double tolerance)
    {
        using var dir = new TempDirectory();
        string path = dir.File("m.ease");
        TrainReport report = EaseTrainer.Train(ReferenceData(), new TrainOptions { Lambda = 10, Precision = precision, Threads = threads }, path);
        Assert.Equal(1.0, report.KeptWeightMass, 12);
        using ModelFile model = ModelFile.Open(path, new ModelOpenOptions { VerifyChecksums = true });
        double[][] expected = ReferenceB();
        double[,] actual = Dense(model);
        Assert.Equal(expected.Length, model.ItemCount);
        double worst = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.Equal(0, actual[i, i]);
            for (int j = 0; j < expected.Length; j++)
                worst = Math.Max(worst, Math.Abs(expected[i][j] - actual[i, j]));
        }
        // Weights are stored as float32: even the f64 path carries float rounding (~1e-8 here).
        Assert.True(worst < tolerance, $"largest |B - B_numpy| is {worst:E2}, tolerance {tolerance:E0}");
    }

    [Fact]
    public void DropoutSolvesTheEdlaeNormalEquations()
    {
        // EDLAE: (G + Λ)(I − B) is diagonal with Λ = λI + p/(1−p)·diag(G); checked on a G the test builds itself.
        InteractionSet data = ReferenceData();
        int n = data.ItemCount;
        var g = new double[n, n];
        for (int u = 0; u < data.UserCount; u++)
        {
            foreach (int i in data.ItemsOf(u))
            {
                foreach (int j in data.ItemsOf(u))
                    g[i, j]++;
            }
        }
        const double Lambda = 10, P = 0.3;
        for (int i = 0; i < n; i++)
            g[i, i] += Lambda + P / (1 - P) * g[i, i];

        using var dir = new TempDirectory();
        string path = dir.File("m.ease");
        EaseTrainer.Train(data, new TrainOptions { Lambda = Lambda, Dropout = P, Precision = Precision.Float64 }, path);
        using ModelFile model = ModelFile.Open(path);
        var b = new double[n, n];
        for (int r = 0; r < n; r++)
        {
            model.GetRow(r, out ReadOnlySpan<int> cols, out ReadOnlySpan<float> vals);
            for (int k = 0; k < cols.Length; k++)
                b[r, cols[k]] = vals[k];
        }
        double worstOff = 0, scale = 0;
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double s = 0;
                for (int k = 0; k < n; k++)
                    s += g[i, k] * ((k == j ? 1 : 0) - b[k, j]);
                if (i == j) scale = Math.Max(scale, Math.Abs(s));
                else worstOff = Math.Max(worstOff, Math.Abs(s));
            }
        }
        Assert.True(worstOff < 1e-4 * scale, $"off-diagonal residual {worstOff:E2} vs diagonal scale {scale:E2}");
        Assert.Contains("\"EDLAE\"", model.MetadataJson);
    }

    [Fact]
    public void NonPositiveDefiniteGramSuggestsALargerLambda()
    {
        var builder = new InteractionSetBuilder();
        builder.Add("u", "a");
        builder.Add("u", "b");
        using var dir = new TempDirectory();
        string path = dir.File("m.ease");
        var e = Assert.Throws<NotPositiveDefiniteException>(() => EaseTrainer.Train(builder.Build(), new TrainOptions { Lambda = 0, Precision = Precision.Float64 }, path));
        Assert.Contains("lambda", e.Message, StringComparison.OrdinalIgnoreCase);
        Assert.False(File.Exists(path));
    }

    [Fact]
    public void InvalidOptionsAreRejected()
    {
        InteractionSet data = ReferenceData();
        foreach (TrainOptions o in new[]
        {
            new TrainOptions { Lambda = -1 },
            new TrainOptions { Lambda = double.NaN },
            new TrainOptions { Dropout = 1 },
            new TrainOptions { Prune = PruneMode.TopK, PruneTopK = 0 },
            new TrainOptions { Prune = PruneMode.Density, PruneDensity = 0 },
            new TrainOptions { Prune = PruneMode.Density, PruneDensity = 1.5 },
        })
        {
            Assert.Throws<ArgumentException>(() => EaseTrainer.Train(data, o, Path.Combine(Path.GetTempPath(), "never.ease")));
        }
    }
}

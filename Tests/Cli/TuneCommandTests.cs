using System.Text.Json;
using System.Xml.Linq;
using Ease.Engine.Synthetic;
using Ease.Format;
using Ease.Tests.Support;

namespace Ease.Tests.Cli;

public class TuneCommandTests
{
    [Fact]
    public void GridPicksTheBestAndWritesModelAndChart()
    {
        using var dir = new TempDirectory();
        SyntheticData.WriteAdjacency(dir.File("train.txt"), dir.File("test.txt"), SyntheticData.Generate(800, 120, seed: 4), 0.2, seed: 4);
        string best = dir.File("best.ease"), chart = dir.File("chart.svg");
        var r = CliRunner.Run("tune", "-i", dir.File("train.txt"), "--history", dir.File("train.txt"), "--heldout", dir.File("test.txt"),
            "--format", "adjacency", "--lambda", "5,50", "--dropout", "0,0.2", "--prune-topk", "0,10", "-k", "10,20", "-o", best, "--chart", chart, "--json");
        Assert.True(r.ExitCode == 0, r.Err);
        JsonElement j = JsonDocument.Parse(r.Out).RootElement;
        JsonElement[] results = [.. j.GetProperty("results").EnumerateArray()];
        Assert.Equal(8, results.Length);
        double bestNdcg = results.Max(x => x.GetProperty("NDCG@10").GetDouble());
        Assert.Equal(bestNdcg, j.GetProperty("best").GetProperty("NDCG@10").GetDouble());
        Assert.All(results, x => Assert.True(x.GetProperty("users_per_s").GetDouble() > 0));

        // The written model is the best one: its own evaluation gives the same figure.
        var eval = CliRunner.Run("evaluate", "-m", best, "--history", dir.File("train.txt"), "--heldout", dir.File("test.txt"), "--format", "adjacency", "-k", "10", "--json");
        Assert.Equal(bestNdcg, JsonDocument.Parse(eval.Out).RootElement.GetProperty("NDCG@10").GetDouble(), 9);
        using (ModelFile m = ModelFile.Open(best))
            Assert.Contains($"\"lambda\":{j.GetProperty("best").GetProperty("lambda").GetDouble()}", m.MetadataJson);

        XDocument svg = XDocument.Load(chart);
        Assert.Equal("svg", svg.Root!.Name.LocalName);
        Assert.Contains("dense", svg.ToString());
        Assert.Single(Directory.GetFiles(dir.Path, "*.ease"));
        Assert.Empty(Directory.GetDirectories(dir.Path));
    }

    [Fact]
    public void BadGridValuesAreUsageErrors()
    {
        using var dir = new TempDirectory();
        string f = Path.Combine(AppContext.BaseDirectory, "fixtures", "reference-train.txt");
        Assert.Equal(1, CliRunner.Run("tune", "-i", f, "--history", f, "--heldout", f, "--format", "adjacency", "--lambda", "10,abc").ExitCode);
        Assert.Equal(1, CliRunner.Run("tune", "-i", f, "--history", f, "--heldout", f, "--format", "adjacency", "--dropout", "1").ExitCode);
        Assert.Equal(1, CliRunner.Run("tune", "-i", f, "--history", f, "--heldout", f, "--format", "adjacency", "--prune-topk", "2.5").ExitCode);
    }
}

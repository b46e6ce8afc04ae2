using System.Text.Json;
using Ease.Tests.Support;

namespace Ease.Tests.Cli;

/// <summary>`ease train --family` end to end: the family reaches the file's metadata and `info`; bad combinations are usage errors.</summary>
public class FamilyCommandTests
{
    private static string Fixture => Path.Combine(AppContext.BaseDirectory, "fixtures", "reference-train.txt");

    [Theory]
    [InlineData("gf-cf", "gf-cf")]
    [InlineData("turbo-cf", "turbo-cf")]
    [InlineData("bspm", "bspm")]
    [InlineData("bspm+ease", "bspm+ease")]
    public void TrainWritesTheFamilyAndInfoShowsIt(string family, string model)
    {
        using var dir = new TempDirectory();
        string path = dir.File("m.ease");
        var train = CliRunner.Run("train", "-i", Fixture, "--format", "adjacency", "-o", path, "--family", family, "--rank", "8", "--prune-topk", "10", "--values", "i8", "--json");
        Assert.True(train.ExitCode == 0, train.Err);
        using (JsonDocument summary = JsonDocument.Parse(train.Out))
        {
            Assert.Equal(model, summary.RootElement.GetProperty("family").GetString());
            Assert.True(summary.RootElement.GetProperty("family_parameters").GetProperty("operator").GetString()!.Length > 0);
        }
        var info = CliRunner.Run("info", path, "--json");
        Assert.True(info.ExitCode == 0, info.Err);
        using JsonDocument doc = JsonDocument.Parse(info.Out);
        Assert.Equal(model, doc.RootElement.GetProperty("metadata").GetProperty("model").GetString());
        var plain = CliRunner.Run("info", path);
        Assert.Contains("family", plain.Out, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("gf-cf")]
    [InlineData("bspm")]
    [InlineData("turbo-cf")]
    [InlineData("gf-cf+ease")]
    public void TheSparseSolverTrainsAFilterAndInfoShowsItsCandidates(string family)
    {
        using var dir = new TempDirectory();
        string path = dir.File("m.ease");
        var train = CliRunner.Run("train", "-i", Fixture, "--format", "adjacency", "-o", path, "--family", family, "--rank", "8", "--solver", "sparse", "--neighbors", "12", "--json");
        Assert.True(train.ExitCode == 0, train.Err);
        using (JsonDocument summary = JsonDocument.Parse(train.Out))
        {
            Assert.Equal("sparse", summary.RootElement.GetProperty("solver").GetString());
            Assert.Equal("--solver sparse", summary.RootElement.GetProperty("solver_reason").GetString());
            Assert.Equal(12, summary.RootElement.GetProperty("neighbors").GetInt32());
            // A row holds its 12 candidates, and in a blend also the targets whose 12 candidates hold it.
            Assert.True(summary.RootElement.GetProperty("nonzeros").GetInt64() <= 50 * (family.EndsWith("+ease", StringComparison.Ordinal) ? 24 : 12));
        }
        var info = CliRunner.Run("info", path);
        Assert.True(info.ExitCode == 0, info.Err);
        Assert.Contains("solver        sparse, 12 candidates per item", info.Out, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--family", "nope")]
    [InlineData("--alpha", "0.5")]
    [InlineData("--family", "turbo-cf", "--filter-order", "3", "--solver", "sparse")]
    [InlineData("--family", "gf-cf", "--solver", "sparse", "--shard", "0/2")]
    [InlineData("--family", "gf-cf", "--precision", "f64")]
    [InlineData("--family", "turbo-cf", "--power", "0.5", "--filter-order", "2")]
    [InlineData("--family", "gf-cf", "--ease-weight", "2")]
    [InlineData("--family", "gf-cf", "--rank", "0")]
    public void BadFamilyFlagsAreUsageErrors(params string[] flags)
    {
        using var dir = new TempDirectory();
        var r = CliRunner.Run(["train", "-i", Fixture, "--format", "adjacency", "-o", dir.File("m.ease"), .. flags]);
        Assert.Equal(1, r.ExitCode);
        Assert.Single(r.Err.Trim().Split('\n'));
        Assert.False(File.Exists(dir.File("m.ease")));
    }
}

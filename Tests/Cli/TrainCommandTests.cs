using System.Text.Json;
using Ease.Format;
using Ease.Tests.Support;

namespace Ease.Tests.Cli;

public class TrainCommandTests
{
    private static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "fixtures", name);

    [Fact]
    public void TrainsAndReportsJson()
    {
        using var dir = new TempDirectory();
        string model = dir.File("m.ease");
        var r = CliRunner.Run("train", "--input", Fixture("reference-train.txt"), "--format", "adjacency", "--output", model, "--lambda", "10", "--prune-topk", "5", "--json");
        Assert.True(r.ExitCode == 0, r.Err);
        using JsonDocument doc = JsonDocument.Parse(r.Out);
        JsonElement j = doc.RootElement;
        Assert.Equal(120, j.GetProperty("users").GetInt32());
        Assert.Equal(50, j.GetProperty("items").GetInt32());
        Assert.Equal(872, j.GetProperty("interactions").GetInt64());
        Assert.Equal(250, j.GetProperty("nonzeros").GetInt64());
        Assert.InRange(j.GetProperty("kept_weight_mass").GetDouble(), 0.05, 0.9999);
        foreach (string phase in new[] { "load", "gram", "factor", "invert", "prune+write" })
            Assert.True(j.GetProperty("phases").TryGetProperty(phase, out _), phase);
        Assert.True(j.GetProperty("peak_memory_bytes").GetInt64() > 0);
        using ModelFile m = ModelFile.Open(model, new ModelOpenOptions { VerifyChecksums = true });
        Assert.Equal(50, m.ItemCount);
        Assert.Contains("\"lambda\":10", m.MetadataJson);
        Assert.True(m.HasPopularity);
    }

    [Fact]
    public void TextSummaryWithPlainProgressOnStderr()
    {
        using var dir = new TempDirectory();
        var r = CliRunner.Run("train", "-i", Fixture("reference-train.txt"), "--format", "adjacency", "-o", dir.File("m.ease"));
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("120 users, 50 items, 872 interactions", r.Out);
        Assert.Contains("ease: load: started", r.Err);
        Assert.Contains("ease: prune+write: done", r.Err);
    }

    [Fact]
    public void MalformedRowNamesFileAndLineAndLeavesNoModel()
    {
        using var dir = new TempDirectory();
        string input = dir.File("log.csv");
        File.WriteAllText(input, "user,item,rating\nu1,i1,5\nu1,i2,4\nu2,i1,five\nu2,i3,3\n");
        string model = dir.File("m.ease");
        var r = CliRunner.Run("train", "-i", input, "-o", model, "--weight-col", "rating", "--min-weight", "4");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("log.csv:4", r.Err);
        Assert.Contains("five", r.Err);
        Assert.DoesNotContain("   at ", r.Err);
        Assert.False(File.Exists(model));
        Assert.Single(Directory.GetFiles(dir.Path));

        var skipped = CliRunner.Run("train", "-i", input, "-o", model, "--weight-col", "rating", "--min-weight", "4", "--skip-bad-rows", "--json");
        Assert.True(skipped.ExitCode == 0, skipped.Err);
        Assert.Equal(1, JsonDocument.Parse(skipped.Out).RootElement.GetProperty("skipped_rows").GetInt64());
    }

    [Fact]
    public void UsageErrors()
    {
        using var dir = new TempDirectory();
        string input = Fixture("reference-train.txt");
        string model = dir.File("m.ease");
        Assert.Equal(1, CliRunner.Run("train", "-i", input, "-o", model, "--format", "adjacency", "--prune-topk", "5", "--prune-density", "0.1").ExitCode);
        Assert.Equal(1, CliRunner.Run("train", "-i", input, "-o", model, "--format", "adjacency", "--lambda", "-3").ExitCode);
        Assert.Equal(1, CliRunner.Run("train", "-i", input, "-o", model, "--format", "adjacency", "--dropout", "1").ExitCode);
        Assert.Equal(1, CliRunner.Run("train", "-i", input, "-o", model, "--precision", "f16").ExitCode);
        Assert.Equal(1, CliRunner.Run("train", "-o", model).ExitCode);
        Assert.False(File.Exists(model));
    }

    [Fact]
    public void EmptyInputIsADataError()
    {
        using var dir = new TempDirectory();
        string input = dir.File("empty.csv");
        File.WriteAllText(input, "");
        var r = CliRunner.Run("train", "-i", input, "-o", dir.File("m.ease"));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("no interactions", r.Err);
    }

    [Fact]
    public void NotPositiveDefiniteIsADataErrorSuggestingLambda()
    {
        using var dir = new TempDirectory();
        string input = dir.File("one.csv");
        File.WriteAllText(input, "u,a\nu,b\n");
        var r = CliRunner.Run("train", "-i", input, "-o", dir.File("m.ease"), "--lambda", "0", "--precision", "f64", "--no-header");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("lambda", r.Err, StringComparison.OrdinalIgnoreCase);
    }
}

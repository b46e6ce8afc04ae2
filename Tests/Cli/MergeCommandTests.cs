using System.Text.Json;
using Ease.Engine.Synthetic;
using Ease.Tests.Support;

namespace Ease.Tests.Cli;

/// <summary>
/// The part files every merge test uses, trained once: four shards of one training, and parts
/// that do not belong to it (other data, other settings, another shard count).
/// </summary>
public sealed class MergeParts : IDisposable
{
    private readonly TempDirectory _dir = new();

    public MergeParts()
    {
        Input = _dir.File("train.txt");
        SyntheticData.WriteAdjacency(Input, SyntheticData.Generate(300, 150, seed: 21));
        // The same items, one more user: another input with the same item count.
        OtherInput = _dir.File("other.txt");
        File.WriteAllText(OtherInput, File.ReadAllText(Input) + "extra-user " + File.ReadLines(Input).First().Split(' ')[1] + "\n");

        Single = Train(Input, "single.ease", ["--solver", "sparse", "--neighbors", "24"]);
        Parts = [.. Enumerable.Range(0, 4).Select(i => Train(Input, $"part{i}.ease", ["--solver", "sparse", "--neighbors", "24", "--shard", $"{i}/4"]))];
        OtherData = Train(OtherInput, "other-data-part3.ease", ["--solver", "sparse", "--neighbors", "24", "--shard", "3/4"]);
        OtherNeighbors = Train(Input, "other-neighbors-part3.ease", ["--solver", "sparse", "--neighbors", "32", "--shard", "3/4"]);
        OtherCount = Train(Input, "two-shards-part1.ease", ["--solver", "sparse", "--neighbors", "24", "--shard", "1/2"]);
        Dense = Train(Input, "dense.ease", ["--solver", "dense"]);
    }

    public string Input { get; }
    public string OtherInput { get; }
    public string Single { get; }
    public string[] Parts { get; }
    public string OtherData { get; }
    public string OtherNeighbors { get; }
    public string OtherCount { get; }
    public string Dense { get; }

    private string Train(string input, string name, string[] solver)
    {
        string output = _dir.File(name);
        var r = CliRunner.Run(["train", "-i", input, "--format", "adjacency", "-o", output, "--lambda", "20", "--prune-topk", "10", "-q", .. solver]);
        Assert.True(r.ExitCode == 0, r.Err);
        return output;
    }

    public void Dispose() => _dir.Dispose();
}

public sealed class MergeCommandTests(MergeParts parts) : IClassFixture<MergeParts>, IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void MergedPartsEqualTheOneProcessTraining()
    {
        string output = _dir.File("merged.ease");
        var r = CliRunner.Run(["merge", parts.Parts[3], parts.Parts[1], parts.Parts[0], parts.Parts[2], "-o", output, "--json", "-q"]);
        Assert.True(r.ExitCode == 0, r.Err);
        JsonElement j = JsonDocument.Parse(r.Out).RootElement;
        Assert.Equal(4, j.GetProperty("parts").GetInt32());
        ReferenceEase.AssertSameWeights(parts.Single, output);
    }

    private void AssertRefused(string expected, params string[] partPaths)
    {
        string output = _dir.File("refused.ease");
        var r = CliRunner.Run(["merge", .. partPaths, "-o", output, "-q"]);
        Assert.Equal(2, r.ExitCode);
        Assert.Equal("", r.Out);
        string line = Assert.Single(r.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("ease: error: ", line);
        Assert.Contains(expected, line);
        Assert.False(File.Exists(output));
    }

    [Fact]
    public void AMissingShardIsRefusedNamingIt() =>
        AssertRefused("missing shard(s) 2/4", parts.Parts[0], parts.Parts[1], parts.Parts[3]);

    [Fact]
    public void ADuplicateShardIsRefusedNamingThePart()
    {
        string copy = _dir.File("copy-of-part1.ease");
        File.Copy(parts.Parts[1], copy);
        AssertRefused($"{copy}: shard 1/4 is given twice", [.. parts.Parts, copy]);
    }

    [Fact]
    public void APartOfOtherDataIsRefusedNamingIt() =>
        AssertRefused($"{parts.OtherData}: trained on different input", parts.Parts[0], parts.Parts[1], parts.Parts[2], parts.OtherData);

    [Fact]
    public void APartWithOtherSettingsIsRefusedNamingIt() =>
        AssertRefused($"{parts.OtherNeighbors}: trained with neighbors 32, but {parts.Parts[0]} with 24", parts.Parts[0], parts.Parts[1], parts.Parts[2], parts.OtherNeighbors);

    [Fact]
    public void APartOfAnotherShardCountIsRefusedNamingIt() =>
        AssertRefused($"{parts.OtherCount}: shard 1/2", parts.Parts[0], parts.OtherCount, parts.Parts[2], parts.Parts[3]);

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void AModelThatIsNotAPartIsRefusedNamingIt(bool dense)
    {
        string model = dense ? parts.Dense : parts.Single;
        AssertRefused($"{model}: not a part file", parts.Parts[0], model, parts.Parts[2], parts.Parts[3]);
    }

    [Fact]
    public void TheOutputMustNotBeAPart()
    {
        var r = CliRunner.Run(["merge", .. parts.Parts, "-o", parts.Parts[0]]);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("--output", r.Err);
    }
}

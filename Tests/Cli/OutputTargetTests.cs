using System.Text;
using Ease.Format;
using Ease.Tests.Support;

namespace Ease.Tests.Cli;

/// <summary>Where outputs go: FIFOs and devices are written into, "-" is stdout, a model never goes to "-".</summary>
public sealed class OutputTargetTests : ReferenceModelTests
{
    private CliRunner.Result Recommend(string output) =>
        CliRunner.Run("recommend", "-m", Model, "-i", Train, "--format", "adjacency", "-k", "5", "-o", output);

    [LinuxFact]
    public void RecommendIntoAFifoStreamsEveryLineAndKeepsTheFifo()
    {
        string reference = Dir.File("recs.csv");
        Assert.Equal(0, Recommend(reference).ExitCode);
        string fifo = Dir.File("recs.fifo");
        SpecialFiles.MakeFifo(fifo);
        var reader = new FifoReader(fifo);
        var r = Recommend(fifo);
        Assert.True(r.ExitCode == 0, r.Err);
        Assert.Equal(File.ReadAllText(reference), Encoding.UTF8.GetString(reader.Finish()));
        Assert.Equal("fifo", SpecialFiles.Kind(fifo));
        Assert.Equal("", r.Out);
    }

    [CharDeviceFact]
    public void RecommendIntoACharacterDeviceSucceedsAndKeepsTheDevice()
    {
        string device = Dir.File("null");
        Assert.True(SpecialFiles.TryMakeNullDevice(device));
        var r = Recommend(device);
        Assert.True(r.ExitCode == 0, r.Err);
        Assert.Equal("character special file", SpecialFiles.Kind(device));
        Assert.DoesNotContain(Directory.GetFiles(Dir.Path), f => Path.GetFileName(f).StartsWith('.'));
    }

    [Fact]
    public void RecommendToDashPrintsOnlyTheCsvOnStdout()
    {
        string reference = Dir.File("recs.csv");
        Assert.Equal(0, Recommend(reference).ExitCode);
        string history = Dir.File("h.csv");
        File.WriteAllText(history, "alice,5\nbob,ghost\n");
        var r = Recommend("-");
        Assert.True(r.ExitCode == 0, r.Err);
        Assert.Equal(File.ReadAllText(reference), r.Out.ReplaceLineEndings("\n"));
        Assert.False(File.Exists(Dir.File("-")));
        var mixed = CliRunner.Run("recommend", "-m", Model, "-i", history, "-k", "3", "-o", "-");
        Assert.Equal(0, mixed.ExitCode);
        Assert.Equal(1 + 2 * 3, mixed.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.All(mixed.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1), l => Assert.Equal(4, l.Split(',').Length));
        Assert.Contains("most popular items", mixed.Err);
    }

    [LinuxFact]
    public void PruneIntoAFifoDeliversAValidModel()
    {
        string fifo = Dir.File("pruned.fifo");
        SpecialFiles.MakeFifo(fifo);
        var reader = new FifoReader(fifo);
        var r = CliRunner.Run("prune", "-m", Model, "--prune-topk", "3", "-o", fifo);
        Assert.True(r.ExitCode == 0, r.Err);
        string copy = Dir.File("pruned.ease");
        File.WriteAllBytes(copy, reader.Finish());
        using (ModelFile pruned = ModelFile.Open(copy, new ModelOpenOptions { VerifyChecksums = true }))
            Assert.True(pruned.NonZeroCount <= 3L * pruned.ItemCount);
        Assert.Equal("fifo", SpecialFiles.Kind(fifo));
    }

    [Fact]
    public void ModelOutputToDashIsAUsageError()
    {
        var r = CliRunner.Run("prune", "-m", Model, "--prune-topk", "3", "-o", "-");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("standard output", r.Err);
        Assert.False(File.Exists("-"));
    }

    [Fact]
    public void OutputIntoADirectoryIsADataErrorAndLeavesNothingBehind()
    {
        var r = Recommend(Dir.Path);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("is a directory", r.Err);
        Assert.Equal([Model], Directory.GetFiles(Dir.Path));
    }
}

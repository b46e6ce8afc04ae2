using System.IO.Pipes;
using System.Text;
using Ease.Format;
using Ease.Tests.Support;

namespace Ease.Tests.Format;

public sealed class AtomicOutputTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static readonly string[] Lines = [.. Enumerable.Range(0, 5000).Select(i => $"user{i},{i % 7},item{i * 31 % 997}")];

    private static void WriteLines(TextWriter w)
    {
        foreach (string line in Lines)
            w.WriteLine(line);
    }

    private static string Expected => string.Concat(Lines.Select(l => l + "\n"));

    [Fact]
    public void CommitReplacesARegularFileAndLeavesNoTemporary()
    {
        string path = _dir.File("out.csv");
        File.WriteAllText(path, "old\n");
        AtomicOutput.WriteText(path, WriteLines);
        Assert.Equal(Expected, File.ReadAllText(path));
        Assert.Equal([path], Directory.GetFiles(_dir.Path));
    }

    [Fact]
    public void NewPathAppearsOnlyOnCommit()
    {
        string path = _dir.File("new.csv");
        using (AtomicOutput output = AtomicOutput.Create(path))
        {
            output.Stream.Write("abc"u8);
            output.Stream.Flush();
            Assert.False(File.Exists(path));
            Assert.False(output.IsWriteThrough);
            output.Commit();
        }
        Assert.Equal("abc", File.ReadAllText(path));
        Assert.Equal([path], Directory.GetFiles(_dir.Path));
    }

    [Fact]
    public void FailureMidwayKeepsTheOldContentAndLeavesNoTemporary()
    {
        string path = _dir.File("out.csv");
        File.WriteAllText(path, "old\n");
        Assert.Throws<InvalidOperationException>(() => AtomicOutput.WriteText(path, w =>
        {
            WriteLines(w);
            w.Flush();
            throw new InvalidOperationException("disk on fire");
        }));
        using (AtomicOutput abandoned = AtomicOutput.Create(path))
            abandoned.Stream.Write(Encoding.UTF8.GetBytes(Expected));
        Assert.Equal("old\n", File.ReadAllText(path));
        Assert.Equal([path], Directory.GetFiles(_dir.Path));
    }

    [LinuxFact]
    public void SymlinkToARegularFileReplacesItsTargetAndStaysALink()
    {
        Directory.CreateDirectory(_dir.File("data"));
        string target = _dir.File("data/real.csv");
        File.WriteAllText(target, "old\n");
        string link = _dir.File("link.csv");
        File.CreateSymbolicLink(link, "data/real.csv");
        AtomicOutput.WriteText(link, WriteLines);
        Assert.Equal("symbolic link", SpecialFiles.Kind(link));
        Assert.Equal("data/real.csv", new FileInfo(link).LinkTarget);
        Assert.Equal(Expected, File.ReadAllText(target));
        Assert.Equal([link], Directory.GetFiles(_dir.Path));
        Assert.Equal([target], Directory.GetFiles(_dir.File("data")));
    }

    [LinuxFact]
    public void DetectsFifosAndDescriptorsAsWriteThrough()
    {
        string regular = _dir.File("regular"), fifo = _dir.File("fifo"), link = _dir.File("link-to-fifo");
        File.WriteAllText(regular, "x");
        SpecialFiles.MakeFifo(fifo);
        File.CreateSymbolicLink(link, fifo);
        Assert.False(AtomicOutput.IsWriteThroughTarget(regular));
        Assert.False(AtomicOutput.IsWriteThroughTarget(_dir.File("missing")));
        Assert.True(AtomicOutput.IsWriteThroughTarget(fifo));
        Assert.True(AtomicOutput.IsWriteThroughTarget(link));
        using var pipe = new AnonymousPipeServerStream(PipeDirection.Out);
        Assert.True(AtomicOutput.IsWriteThroughTarget($"/proc/self/fd/{pipe.SafePipeHandle.DangerousGetHandle()}"));
        Assert.Throws<IOException>(() => AtomicOutput.Create(_dir.Path));
    }

    [CharDeviceFact]
    public void DetectsACharacterDeviceAsWriteThrough()
    {
        string device = _dir.File("null");
        Assert.True(SpecialFiles.TryMakeNullDevice(device));
        Assert.True(AtomicOutput.IsWriteThroughTarget(device));
    }

    [LinuxFact]
    public void FifoReceivesEveryLineAndStaysAFifo()
    {
        string fifo = _dir.File("fifo");
        SpecialFiles.MakeFifo(fifo);
        var reader = new FifoReader(fifo);
        AtomicOutput.WriteText(fifo, WriteLines);
        Assert.Equal(Expected, Encoding.UTF8.GetString(reader.Finish()));
        Assert.Equal("fifo", SpecialFiles.Kind(fifo));
        Assert.Equal([fifo], Directory.GetFileSystemEntries(_dir.Path));
    }

    [CharDeviceFact]
    public void CharacterDeviceIsWrittenIntoAndStaysADevice()
    {
        string device = _dir.File("null");
        Assert.True(SpecialFiles.TryMakeNullDevice(device));
        AtomicOutput.WriteText(device, WriteLines);
        Assert.Equal("character special file", SpecialFiles.Kind(device));
        Assert.Equal([device], Directory.GetFileSystemEntries(_dir.Path));
    }

    [LinuxFact]
    public void ModelWrittenIntoAFifoArrivesWhole()
    {
        string fifo = _dir.File("model.fifo");
        SpecialFiles.MakeFifo(fifo);
        var reader = new FifoReader(fifo);
        RandomModels.Create(40, 6, 3).Write(fifo);
        string copy = _dir.File("copy.ease");
        File.WriteAllBytes(copy, reader.Finish());
        using (ModelFile model = ModelFile.Open(copy, new ModelOpenOptions { VerifyChecksums = true }))
            Assert.Equal(40, model.ItemCount);
        Assert.Equal("fifo", SpecialFiles.Kind(fifo));
    }

    [LinuxFact]
    public void MoveOntoAFifoCopiesTheFileInAndDeletesIt()
    {
        string fifo = _dir.File("fifo");
        SpecialFiles.MakeFifo(fifo);
        string source = Path.Combine(AtomicOutput.StagingDirectory(fifo), $"ease-test-{Guid.NewGuid():N}");
        File.WriteAllText(source, Expected);
        var reader = new FifoReader(fifo);
        AtomicOutput.MoveOnto(source, fifo);
        Assert.Equal(Expected, Encoding.UTF8.GetString(reader.Finish()));
        Assert.False(File.Exists(source));
        Assert.Equal("fifo", SpecialFiles.Kind(fifo));
    }

    [Fact]
    public void MoveOntoARegularFileRenamesItIntoPlace()
    {
        string path = _dir.File("best.ease");
        File.WriteAllText(path, "old");
        Assert.Equal(_dir.Path, AtomicOutput.StagingDirectory(path));
        string source = _dir.File(".staged");
        File.WriteAllText(source, "new");
        AtomicOutput.MoveOnto(source, path);
        Assert.Equal("new", File.ReadAllText(path));
        Assert.Equal([path], Directory.GetFiles(_dir.Path));
    }

    [LinuxFact]
    public void DescriptorOfARegularFileIsAppendedToNotReplaced()
    {
        string path = _dir.File("log.txt");
        using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.ReadWrite);
        file.Write("before\n"u8);
        file.Flush();
        string descriptor = $"/proc/self/fd/{file.SafeFileHandle.DangerousGetHandle()}";
        Assert.True(AtomicOutput.IsWriteThroughTarget(descriptor));
        AtomicOutput.WriteText(descriptor, w => w.WriteLine("after"));
        Assert.Equal("before\nafter\n", File.ReadAllText(path));
        Assert.Equal([path], Directory.GetFiles(_dir.Path));
    }
}

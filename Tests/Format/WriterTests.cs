using Ease.Format;
using Ease.Tests.Support;

namespace Ease.Tests.Format;

public class WriterTests
{
    [Fact]
    public void AbandonedWriteLeavesNoFileAndNoTemporaries()
    {
        using var dir = new TempDirectory();
        string path = dir.File("m.ease");
        using (ModelFileWriter w = ModelFileWriter.Create(path, 3))
        {
            w.AppendRow([1], [1f]);
        }
        Assert.Empty(Directory.GetFiles(dir.Path));
    }

    [Fact]
    public void FailedWriteKeepsThePreviousModelIntact()
    {
        using var dir = new TempDirectory();
        string path = dir.File("m.ease");
        RandomModels.Create(20, 5, 1).Write(path);
        byte[] before = File.ReadAllBytes(path);
        using (ModelFileWriter w = ModelFileWriter.Create(path, 2))
        {
            w.AppendRow([1], [1f]);
            w.AppendRow([0], [1f]);
            Assert.Throws<InvalidOperationException>(() => w.Commit()); // ids missing
        }
        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Single(Directory.GetFiles(dir.Path));
    }

    [Fact]
    public void CommitReplacesTheTarget()
    {
        using var dir = new TempDirectory();
        string path = dir.File("m.ease");
        RandomModels.Create(20, 5, 1).Write(path);
        RandomModels.Create(30, 5, 2).Write(path);
        using ModelFile model = ModelFile.Open(path);
        Assert.Equal(30, model.ItemCount);
        Assert.Single(Directory.GetFiles(dir.Path));
    }

    [Fact]
    public void RejectsRowsThatWouldMakeAnInvalidFile()
    {
        using var dir = new TempDirectory();
        using ModelFileWriter w = ModelFileWriter.Create(dir.File("m.ease"), 4);
        Assert.Throws<ArgumentException>(() => w.AppendRow([2, 1], [1f, 1f]));     // not ascending
        Assert.Throws<ArgumentException>(() => w.AppendRow([1, 1], [1f, 1f]));     // duplicate
        Assert.Throws<ArgumentException>(() => w.AppendRow([4], [1f]));           // out of range
        Assert.Throws<ArgumentException>(() => w.AppendRow([0], [1f]));           // diagonal of row 0
        Assert.Throws<ArgumentException>(() => w.AppendRow([1], [float.NaN]));
        Assert.Throws<ArgumentException>(() => w.AppendRow([1], [float.PositiveInfinity]));
        Assert.Throws<ArgumentException>(() => w.AppendRow([1, 2], [1f]));
        Assert.Equal(0, w.RowsWritten);
        for (int i = 0; i < 4; i++)
            w.AppendRow([], []);
        Assert.Throws<InvalidOperationException>(() => w.AppendRow([], []));
        Assert.Throws<ArgumentException>(() => w.SetItemIds(["a", "b", "c"]));
        Assert.Throws<ArgumentException>(() => w.SetItemIds(["a", "", "c", "d"]));
        w.SetItemIds(["a", "b", "a", "d"]);
        var e = Assert.Throws<InvalidOperationException>(() => w.Commit());
        Assert.Contains("\"a\"", e.Message);
    }

    [Fact]
    public void ItemCountOutOfRangeIsRejected()
    {
        using var dir = new TempDirectory();
        Assert.Throws<ArgumentOutOfRangeException>(() => ModelFileWriter.Create(dir.File("m.ease"), 0));
        Assert.Empty(Directory.GetFiles(dir.Path));
    }
}

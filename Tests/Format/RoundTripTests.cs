using System.Text;
using Ease.Format;
using Ease.Tests.Support;

namespace Ease.Tests.Format;

public class RoundTripTests
{
    [Theory]
    [InlineData(1, 0, 1)]
    [InlineData(2, 1, 2)]
    [InlineData(17, 5, 3)]
    [InlineData(300, 40, 4)]
    [InlineData(2000, 200, 5)]
    public void EveryRowIdAndCountReadsBackExactly(int items, int maxRow, int seed)
    {
        using var dir = new TempDirectory();
        SparseModel source = RandomModels.Create(items, maxRow, seed);
        string path = dir.File("m.ease");
        source.Write(path);

        using ModelFile model = ModelFile.Open(path, new ModelOpenOptions { VerifyChecksums = true });
        Assert.Equal(items, model.ItemCount);
        Assert.Equal(source.Columns.Sum(c => (long)c.Length), model.NonZeroCount);
        Assert.Equal(new FileInfo(path).Length, model.FileLength);
        for (int i = 0; i < items; i++)
        {
            Assert.Equal(source.Columns[i], model.RowColumns(i).ToArray());
            // Bit patterns, not float equality: the file must hold the values byte for byte.
            Assert.Equal(source.Values[i].Select(BitConverter.SingleToInt32Bits), model.RowValues(i).ToArray().Select(BitConverter.SingleToInt32Bits));
            model.GetRow(i, out ReadOnlySpan<int> cols, out ReadOnlySpan<float> vals);
            Assert.Equal(source.Columns[i].Length, cols.Length);
            Assert.Equal(cols.Length, vals.Length);
            Assert.Equal(source.Ids[i], model.ItemId(i));
            Assert.Equal(Encoding.UTF8.GetBytes(source.Ids[i]), model.ItemIdUtf8(i).ToArray());
            Assert.True(model.TryFindItem(source.Ids[i], out int row));
            Assert.Equal(i, row);
            Assert.True(model.TryFindItem(Encoding.UTF8.GetBytes(source.Ids[i]), out row));
            Assert.Equal(i, row);
        }
        Assert.Equal(source.Popularity!.Select(p => (uint)p), model.Popularity.ToArray());
        Assert.Equal(source.Metadata, model.MetadataJson);
    }

    [Fact]
    public void UnknownIdsAreNotFound()
    {
        using var dir = new TempDirectory();
        SparseModel source = RandomModels.Create(100, 10, 9);
        string path = dir.File("m.ease");
        source.Write(path);
        using ModelFile model = ModelFile.Open(path);
        foreach (string id in new[] { "", "nope", "B", "1000", "42 ", new string('x', 5000), "B00000001x" })
            Assert.False(model.TryFindItem(id, out int row), id);
        Assert.Throws<ArgumentOutOfRangeException>(() => model.RowColumns(100).Length);
        Assert.Throws<ArgumentOutOfRangeException>(() => model.RowColumns(-1).Length);
    }

    [Fact]
    public void ModelWithoutOptionalSectionsOpens()
    {
        using var dir = new TempDirectory();
        string path = dir.File("m.ease");
        using (ModelFileWriter w = ModelFileWriter.Create(path, 3))
        {
            w.AppendRow([1], [0.5f]);
            w.AppendRow([], []);
            w.AppendRow([0, 1], [-1f, 2f]);
            w.SetItemIds(["a", "b", "c"]);
            w.Commit();
        }
        using ModelFile model = ModelFile.Open(path, new ModelOpenOptions { VerifyChecksums = true });
        Assert.False(model.HasPopularity);
        Assert.True(model.Popularity.IsEmpty);
        Assert.Equal("", model.MetadataJson);
        Assert.Equal(3, model.NonZeroCount);
    }

    [Fact]
    public void UnknownSectionKindsAreSkippedButChecksummed()
    {
        using var dir = new TempDirectory();
        string path = dir.File("m.ease");
        using (ModelFileWriter w = ModelFileWriter.Create(path, 2))
        {
            w.AppendRow([1], [0.5f]);
            w.AppendRow([0], [0.25f]);
            w.SetItemIds(["a", "b"]);
            w.AddExtraSection(1000, [1, 2, 3, 4, 5]);
            w.Commit();
        }
        using (ModelFile model = ModelFile.Open(path, new ModelOpenOptions { VerifyChecksums = true }))
        {
            Assert.Contains(model.Sections, s => s.Kind == 1000 && s.Length == 5);
            Assert.Equal(0.25f, model.RowValues(1)[0]);
        }
        var bytes = new ModelBytes(File.ReadAllBytes(path));
        var extra = bytes.Sections().Single(s => s.Kind == 1000);
        bytes.Bytes[extra.Offset + 2] ^= 0xFF;
        File.WriteAllBytes(path, bytes.Bytes);
        using ModelFile damaged = ModelFile.Open(path);
        var e = Assert.Throws<ModelFormatException>(() => damaged.Verify());
        Assert.Contains("unknown(1000)", e.Message);
    }

    [Fact]
    public void ManyThreadsReadOneModel()
    {
        using var dir = new TempDirectory();
        SparseModel source = RandomModels.Create(500, 50, 11);
        string path = dir.File("m.ease");
        source.Write(path);
        using ModelFile model = ModelFile.Open(path);
        Parallel.For(0, 8, t =>
        {
            for (int i = t; i < 500; i += 8)
            {
                Assert.Equal(source.Columns[i], model.RowColumns(i).ToArray());
                Assert.True(model.TryFindItem(source.Ids[i], out int row) && row == i);
            }
        });
    }

    [Fact]
    public void AccessAfterDisposeThrowsInsteadOfFaulting()
    {
        using var dir = new TempDirectory();
        RandomModels.Create(10, 3, 1).Write(dir.File("m.ease"));
        ModelFile model = ModelFile.Open(dir.File("m.ease"));
        model.Dispose();
        model.Dispose();
        Assert.Throws<ObjectDisposedException>(() => model.RowColumns(0).Length);
    }
}

using System.Buffers.Binary;
using System.Text;
using Ease.Format;
using Ease.Tests.Support;

namespace Ease.Tests.Format;

public class GoldenFileTests
{
    [Fact]
    public void WriterReproducesTheGoldenBytes()
    {
        using var dir = new TempDirectory();
        string path = dir.File("again.ease");
        GoldenFile.Write(GoldenFile.Load(), path);
        byte[] expected = File.ReadAllBytes(GoldenFile.ModelPath);
        byte[] actual = File.ReadAllBytes(path);
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            if (expected[i] != actual[i])
                Assert.Fail($"byte {i} differs: golden 0x{expected[i]:X2}, written 0x{actual[i]:X2}. The format drifted; a v1 file must keep its bytes.");
        }
    }

    /// <summary>Decodes the golden file straight from FORMAT.md's tables, without the reader.</summary>
    [Fact]
    public void GoldenBytesMeanWhatTheSpecSays()
    {
        byte[] f = File.ReadAllBytes(GoldenFile.ModelPath);
        GoldenFile.Source src = GoldenFile.Load();
        int n = src.Ids.Length;
        Assert.Equal("EASEMODL"u8.ToArray(), f[..8]);
        Assert.Equal(1, BinaryPrimitives.ReadUInt16LittleEndian(f.AsSpan(8)));
        Assert.Equal(0, BinaryPrimitives.ReadUInt16LittleEndian(f.AsSpan(10)));
        int sectionCount = (int)BinaryPrimitives.ReadUInt32LittleEndian(f.AsSpan(36));
        Assert.Equal(64 + 32 * sectionCount, (int)BinaryPrimitives.ReadUInt32LittleEndian(f.AsSpan(12)));
        Assert.Equal((ulong)n, BinaryPrimitives.ReadUInt64LittleEndian(f.AsSpan(16)));
        long nnz = src.Columns.Sum(c => c.Length);
        Assert.Equal((ulong)nnz, BinaryPrimitives.ReadUInt64LittleEndian(f.AsSpan(24)));
        Assert.Equal(1u, BinaryPrimitives.ReadUInt32LittleEndian(f.AsSpan(32)));
        Assert.Equal((ulong)f.Length, BinaryPrimitives.ReadUInt64LittleEndian(f.AsSpan(40)));
        byte[] header = f[..(64 + 32 * sectionCount)];
        uint storedCrc = BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(60));
        header.AsSpan(60, 4).Clear();
        Assert.Equal(storedCrc, Crc32C.Compute(header));

        var sections = new Dictionary<uint, byte[]>();
        for (int i = 0; i < sectionCount; i++)
        {
            var e = f.AsSpan(64 + 32 * i);
            uint kind = BinaryPrimitives.ReadUInt32LittleEndian(e);
            long offset = (long)BinaryPrimitives.ReadUInt64LittleEndian(e[8..]);
            long length = (long)BinaryPrimitives.ReadUInt64LittleEndian(e[16..]);
            Assert.Equal(0, offset % 64);
            byte[] data = f[(int)offset..(int)(offset + length)];
            Assert.Equal(BinaryPrimitives.ReadUInt32LittleEndian(e[24..]), Crc32C.Compute(data));
            sections.Add(kind, data);
        }

        long[] rowOffsets = U64(sections[1]);
        uint[] cols = U32(sections[2]);
        float[] vals = [.. U32(sections[3]).Select(BitConverter.UInt32BitsToSingle)];
        long[] idOffsets = U64(sections[4]);
        for (int i = 0; i < n; i++)
        {
            Assert.Equal(src.Columns[i].Select(c => (uint)c), cols[(int)rowOffsets[i]..(int)rowOffsets[i + 1]]);
            Assert.Equal(src.Values[i], vals[(int)rowOffsets[i]..(int)rowOffsets[i + 1]]);
            Assert.Equal(src.Ids[i], Encoding.UTF8.GetString(sections[5][(int)idOffsets[i]..(int)idOffsets[i + 1]]));
        }
        uint[] slots = U32(sections[6]);
        Assert.Equal(16, slots.Length); // smallest power of two >= 2n
        for (int i = 0; i < n; i++)
        {
            uint s = Crc32C.Compute(Encoding.UTF8.GetBytes(src.Ids[i])) & (uint)(slots.Length - 1);
            while (slots[s] != i + 1)
            {
                Assert.NotEqual(0u, slots[s]);
                s = (s + 1) & (uint)(slots.Length - 1);
            }
        }
        Assert.Equal(src.Popularity.Select(p => (uint)p), U32(sections[7]));
        Assert.Equal(src.Metadata, Encoding.UTF8.GetString(sections[8]));
    }

    [Fact]
    public void ReaderOpensAndVerifiesTheGoldenFile()
    {
        using ModelFile model = ModelFile.Open(GoldenFile.ModelPath, new ModelOpenOptions { VerifyChecksums = true });
        Assert.True(model.TryFindItem("item ü", out int row));
        Assert.Equal(2, row);
        Assert.Equal([0, 1, 2, 4, 5], model.RowColumns(3).ToArray());
    }

    private static long[] U64(byte[] b) => [.. Enumerable.Range(0, b.Length / 8).Select(i => (long)BinaryPrimitives.ReadUInt64LittleEndian(b.AsSpan(8 * i)))];
    private static uint[] U32(byte[] b) => [.. Enumerable.Range(0, b.Length / 4).Select(i => BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(4 * i)))];
}

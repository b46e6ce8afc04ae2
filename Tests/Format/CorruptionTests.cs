using Ease.Format;
using Ease.Tests.Support;

namespace Ease.Tests.Format;

/// <summary>
/// Every kind of damage FORMAT.md names must surface as a <see cref="ModelFormatException"/>
/// naming the file and place, never as an IndexOutOfRange, an access violation or a hang.
/// </summary>
public sealed class CorruptionTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly byte[] _good;

    public CorruptionTests()
    {
        string path = _dir.File("good.ease");
        RandomModels.Create(40, 8, 21).Write(path);
        _good = File.ReadAllBytes(path);
    }

    public void Dispose() => _dir.Dispose();

    private ModelBytes Copy() => new((byte[])_good.Clone());

    /// <summary>Open and verify; the damage must be reported as a format error.</summary>
    private ModelFormatException Damaged(byte[] bytes, bool verify = true) => ModelBytes.AssertDamaged(_dir, bytes, verify);

    [Fact]
    public void EmptyAndTinyFiles()
    {
        Assert.Contains("0 bytes", Damaged([]).Message);
        Assert.Contains("63 bytes", Damaged(_good[..63]).Message);
    }

    [Fact]
    public void TruncationAtAndInsideEverySection()
    {
        var bytes = Copy();
        var cuts = new SortedSet<long> { 64, 65, bytes.HeaderSize - 1, bytes.HeaderSize, _good.Length - 1 };
        foreach (var s in bytes.Sections())
        {
            cuts.Add(s.Offset);
            cuts.Add(s.Offset + s.Length / 2);
            cuts.Add(s.Offset + s.Length - 1);
            cuts.Add(s.Offset + s.Length);
        }
        foreach (long cut in cuts.Where(c => c < _good.Length))
        {
            var e = Damaged(_good[..(int)cut], verify: false);
            Assert.Matches("truncated|run past the end", e.Message);
        }
    }

    [Fact]
    public void ExtraTrailingBytes() => Assert.Contains("trailing", Damaged([.. _good, 0, 0, 0]).Message);

    [Fact]
    public void EveryFlippedHeaderOrTableByteIsCaught()
    {
        var bytes = Copy();
        for (int i = 0; i < bytes.HeaderSize; i++)
        {
            byte[] b = (byte[])_good.Clone();
            b[i] ^= 0x5A;
            Damaged(b, verify: false);
        }
    }

    [Theory]
    [InlineData(SectionKind.RowOffsets)]
    [InlineData(SectionKind.ColumnIndices)]
    [InlineData(SectionKind.Values)]
    [InlineData(SectionKind.ItemIdOffsets)]
    [InlineData(SectionKind.ItemIdBytes)]
    [InlineData(SectionKind.ItemIdIndex)]
    [InlineData(SectionKind.Popularity)]
    [InlineData(SectionKind.Metadata)]
    public void FlippedByteInEachSectionIsCaught(SectionKind kind)
    {
        var s = Copy().Section(kind);
        foreach (long at in new[] { s.Offset, s.Offset + s.Length / 2, s.Offset + s.Length - 1 })
        {
            byte[] b = (byte[])_good.Clone();
            b[at] ^= 0x01;
            Damaged(b);
        }
    }

    [Fact]
    public void VerifyingAtOpenReportsTheDamageAndReleasesTheMapping()
    {
        var s = Copy().Section(SectionKind.Values);
        byte[] b = (byte[])_good.Clone();
        b[s.Offset + 1] ^= 0x10;
        string path = _dir.File("bad-values.ease");
        File.WriteAllBytes(path, b);
        var e = Assert.Throws<ModelFormatException>(() => ModelFile.Open(path, new ModelOpenOptions { VerifyChecksums = true }));
        Assert.StartsWith(path, e.Message);
        File.Delete(path); // nothing holds the file
    }

    [Fact]
    public void WrongMagic()
    {
        var b = Copy();
        b.Bytes[0] = (byte)'X';
        Assert.Contains("not an Ease model file", Damaged(b.Bytes, verify: false).Message);
    }

    [Fact]
    public void FutureMajorVersionIsRefusedNamingBothVersions()
    {
        var b = Copy();
        b.WriteU16(8, 2);
        b.WriteU16(10, 3);
        b.FixHeaderCrc();
        string m = Damaged(b.Bytes, verify: false).Message;
        Assert.Contains("2.3", m);
        Assert.Contains("major version 1", m);
    }

    [Fact]
    public void NewerMinorVersionOpens()
    {
        var b = Copy();
        b.WriteU16(10, 7);
        b.FixHeaderCrc();
        string path = _dir.File("minor.ease");
        File.WriteAllBytes(path, b.Bytes);
        using ModelFile m = ModelFile.Open(path, new ModelOpenOptions { VerifyChecksums = true });
        Assert.Equal(7, m.MinorVersion);
    }

    [Fact]
    public void ValueTypeThatDoesNotMatchTheSectionsIsRefused()
    {
        // A float32 file relabelled float16: its values section is twice what float16 needs.
        var b = Copy();
        b.WriteU32(32, 2);
        b.FixHeaderCrc();
        Assert.Contains("expected 2 x non-zeros (f16)", Damaged(b.Bytes, verify: false).Message);
        b.WriteU32(32, 9);
        b.FixHeaderCrc();
        Assert.Contains("value type is 9", Damaged(b.Bytes, verify: false).Message);
    }

    [Fact]
    public void MisalignedSection()
    {
        var b = Copy();
        var s = b.Section(SectionKind.Values);
        b.WriteU64(s.EntryOffset + 8, (ulong)s.Offset + 4);
        b.FixHeaderCrc();
        Assert.Contains("not a multiple of 64", Damaged(b.Bytes, verify: false).Message);
    }

    [Fact]
    public void OverlappingSections()
    {
        var b = Copy();
        var cols = b.Section(SectionKind.ColumnIndices);
        var vals = b.Section(SectionKind.Values);
        b.WriteU64(vals.EntryOffset + 8, (ulong)cols.Offset);
        b.FixHeaderCrc();
        Assert.Contains("overlaps", Damaged(b.Bytes, verify: false).Message);
    }

    [Fact]
    public void SectionInsideHeader()
    {
        var b = Copy();
        var s = b.Section(SectionKind.Metadata);
        b.WriteU64(s.EntryOffset + 8, 64);
        b.FixHeaderCrc();
        Assert.Contains("inside", Damaged(b.Bytes, verify: false).Message);
    }

    [Fact]
    public void MissingRequiredSection()
    {
        var b = Copy();
        var s = b.Section(SectionKind.ItemIdIndex);
        b.WriteU32(s.EntryOffset, 999);
        b.FixHeaderCrc();
        Assert.Contains("no ItemIdIndex section", Damaged(b.Bytes, verify: false).Message);
    }

    [Fact]
    public void DuplicateSectionKind()
    {
        var b = Copy();
        var s = b.Section(SectionKind.Metadata);
        b.WriteU32(s.EntryOffset, (uint)SectionKind.Popularity);
        b.FixHeaderCrc();
        Assert.Contains("a second Popularity", Damaged(b.Bytes, verify: false).Message);
    }

    [Fact]
    public void WrongSectionLength()
    {
        var b = Copy();
        var s = b.Section(SectionKind.RowOffsets);
        b.WriteU64(s.EntryOffset + 16, (ulong)s.Length - 8);
        b.FixHeaderCrc();
        Assert.Contains("expected 8 x (items + 1)", Damaged(b.Bytes, verify: false).Message);
    }

    [Fact]
    public void ItemCountOutOfRange()
    {
        foreach (ulong n in new ulong[] { 0, 41, (ulong)int.MaxValue, ulong.MaxValue })
        {
            var b = Copy();
            b.WriteU64(16, n);
            b.FixHeaderCrc();
            Damaged(b.Bytes, verify: false);
        }
    }

    [Fact]
    public void HugeNonZeroCount()
    {
        var b = Copy();
        b.WriteU64(24, ulong.MaxValue / 2);
        b.FixHeaderCrc();
        Assert.Contains("non-zero count", Damaged(b.Bytes, verify: false).Message);
    }

    [Fact]
    public void NonMonotoneRowOffsets()
    {
        var b = Copy();
        var s = b.Section(SectionKind.RowOffsets);
        // Row 3 starts after row 4 ends: offsets go down.
        b.WriteU64(s.Offset + 8 * 4, ulong.MaxValue / 4);
        Assert.Contains("non-decreasing", Damaged(b.Bytes, verify: false).Message);
    }

    [Fact]
    public void FirstRowOffsetNotZero()
    {
        var b = Copy();
        b.WriteU64(b.Section(SectionKind.RowOffsets).Offset, 1);
        Assert.Contains("expected 0", Damaged(b.Bytes, verify: false).Message);
    }

    [Fact]
    public void ColumnIndexOutOfRange()
    {
        var b = Copy();
        var s = b.Section(SectionKind.ColumnIndices);
        b.WriteU32(s.Offset + 4 * 5, 40);
        string m = Damaged(b.Bytes, verify: false).Message;
        Assert.Contains("entry 5", m);
        Assert.Contains("expected < 40", m);
    }

    [Theory]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    [InlineData(float.NegativeInfinity)]
    public void NonFiniteValues(float value)
    {
        var b = Copy();
        var s = b.Section(SectionKind.Values);
        long nnz = s.Length / 4;
        b.WriteU32(s.Offset + 4 * (nnz - 1), BitConverter.SingleToUInt32Bits(value));
        Assert.Contains("finite", Damaged(b.Bytes, verify: false).Message);
    }

    [Fact]
    public void UnsortedColumnsAreCaughtByVerify()
    {
        var b = Copy();
        var rows = b.Section(SectionKind.RowOffsets);
        var cols = b.Section(SectionKind.ColumnIndices);
        // Find a row with two entries and swap them, then fix the checksum so only the order is wrong.
        for (int r = 0; r < 40; r++)
        {
            long start = BitConverter.ToInt64(b.Bytes, (int)(rows.Offset + 8 * r));
            long end = BitConverter.ToInt64(b.Bytes, (int)(rows.Offset + 8 * (r + 1)));
            if (end - start >= 2)
            {
                uint c0 = BitConverter.ToUInt32(b.Bytes, (int)(cols.Offset + 4 * start));
                uint c1 = BitConverter.ToUInt32(b.Bytes, (int)(cols.Offset + 4 * start + 4));
                b.WriteU32(cols.Offset + 4 * start, c1);
                b.WriteU32(cols.Offset + 4 * start + 4, c0);
                break;
            }
        }
        b.FixSectionCrc(SectionKind.ColumnIndices);
        Assert.Contains("strictly increasing", Damaged(b.Bytes).Message);
    }

    [Fact]
    public void IndexSlotOutOfRange()
    {
        var b = Copy();
        var s = b.Section(SectionKind.ItemIdIndex);
        b.WriteU32(s.Offset, 41);
        Assert.Contains("slot 0", Damaged(b.Bytes, verify: false).Message);
    }

    [Fact]
    public void IndexPointingAtWrongRowsNeverReturnsAWrongRow()
    {
        var b = Copy();
        var s = b.Section(SectionKind.ItemIdIndex);
        // Shift every slot to the next row: structurally valid, semantically wrong.
        for (long at = s.Offset; at < s.Offset + s.Length; at += 4)
        {
            uint v = BitConverter.ToUInt32(b.Bytes, (int)at);
            if (v != 0)
                b.WriteU32(at, v % 40 + 1);
        }
        b.FixSectionCrc(SectionKind.ItemIdIndex);
        string path = _dir.File("shifted.ease");
        File.WriteAllBytes(path, b.Bytes);
        using (ModelFile m = ModelFile.Open(path))
        {
            for (int i = 0; i < 40; i++)
            {
                if (m.TryFindItem(m.ItemIdUtf8(i), out int row))
                    Assert.Equal(i, row);
            }
        }
        Assert.Contains("not reachable", Damaged(b.Bytes).Message);
    }

    [Fact]
    public void EmptyIdIsRejected()
    {
        var b = Copy();
        var s = b.Section(SectionKind.ItemIdOffsets);
        ulong second = BitConverter.ToUInt64(b.Bytes, (int)s.Offset + 16);
        b.WriteU64(s.Offset + 8, second);
        Assert.Contains("expected 1 to 4096 bytes", Damaged(b.Bytes, verify: false).Message);
    }

    [Fact]
    public void MetadataThatIsNotJsonIsCaughtByVerify()
    {
        var b = Copy();
        var s = b.Section(SectionKind.Metadata);
        b.Bytes[s.Offset] = (byte)'#';
        b.FixSectionCrc(SectionKind.Metadata);
        Assert.Contains("not valid JSON", Damaged(b.Bytes).Message);
    }

    [Fact]
    public void MissingFileIsAFileNotFound()
    {
        Assert.Throws<FileNotFoundException>(() => ModelFile.Open(_dir.File("absent.ease")));
    }
}

using Ease.Format;
using Ease.Tests.Support;

namespace Ease.Tests.Format;

/// <summary>
/// Format v1.1's compact encodings (FORMAT.md, "Value encodings"): golden bytes per encoding, the
/// bytes decoded by the spec alone, round trips within the encoding's error, and the reader and
/// writer refusing what the spec forbids.
/// </summary>
public sealed class CompactEncodingTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    public static TheoryData<string> Encodings => new() { "f16", "bf16", "i8" };

    private static WeightType Parse(string name) => ModelEncoding.TryParse(name, out WeightType t) ? t : throw new ArgumentException(name);

    private static string GoldenPath(string name) => Path.Combine(GoldenFile.Dir, $"golden-v1.1-{name}.ease");

    [Theory]
    [MemberData(nameof(Encodings))]
    public void WriterReproducesTheGoldenBytes(string name)
    {
        string path = _dir.File($"again-{name}.ease");
        GoldenFile.Source source = GoldenFile.Load();
        GoldenFile.Write(source, path, ModelEncoding.For(Parse(name), source.Ids.Length));
        byte[] expected = File.ReadAllBytes(GoldenPath(name));
        byte[] actual = File.ReadAllBytes(path);
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            if (expected[i] != actual[i])
                Assert.Fail($"byte {i} differs: golden 0x{expected[i]:X2}, written 0x{actual[i]:X2}. The {name} encoding drifted; a v1.1 file must keep its bytes.");
        }
    }

    [Theory]
    [MemberData(nameof(Encodings))]
    public void GoldenBytesMeanWhatTheSpecSays(string name)
    {
        WeightType type = Parse(name);
        SpecDecoder.Rows rows = SpecDecoder.Decode(File.ReadAllBytes(GoldenPath(name)));
        GoldenFile.Source src = GoldenFile.Load();
        Assert.Equal(1, rows.Minor);
        Assert.Equal((uint)type, rows.ValueType);
        Assert.True(rows.UInt16Columns); // 6 items fit 16-bit columns
        for (int i = 0; i < src.Ids.Length; i++)
        {
            Assert.Equal(src.Columns[i], rows.Columns[i]);
            float max = src.Values[i].Length == 0 ? 0 : src.Values[i].Max(Math.Abs);
            for (int j = 0; j < src.Values[i].Length; j++)
            {
                double error = Math.Abs(rows.Values[i][j] - src.Values[i][j]);
                Assert.True(error <= SpecDecoder.Tolerance(type, src.Values[i][j], max), $"{name} row {i}: {src.Values[i][j]} decodes to {rows.Values[i][j]}");
            }
        }
        // The largest weight of an int8 row is exact: it is +-127 x its scale.
        if (type == WeightType.Int8Scaled)
            Assert.Equal(3.0f, rows.Values[3][4]);
    }

    [Theory]
    [MemberData(nameof(Encodings))]
    public void ReaderDecodesTheGoldenFileAsTheSpecDoes(string name)
    {
        byte[] bytes = File.ReadAllBytes(GoldenPath(name));
        SpecDecoder.Rows spec = SpecDecoder.Decode(bytes);
        using ModelFile model = ModelFile.Open(GoldenPath(name), new ModelOpenOptions { VerifyChecksums = true });
        Assert.Equal(Parse(name), model.WeightType);
        Assert.Equal(ColumnIndexType.UInt16, model.Encoding.Columns);
        Assert.False(model.HasFloat32Rows);
        var c = new int[model.MaxRowLength];
        var v = new float[model.MaxRowLength];
        for (int i = 0; i < model.ItemCount; i++)
        {
            int length = model.ReadRow(i, c, v);
            Assert.Equal(spec.Columns[i], c[..length]);
            Assert.Equal(spec.Values[i], v[..length]);
        }
        Assert.True(model.TryFindItem("item ü", out int row));
        Assert.Equal(2, row);
        // Float32 spans do not exist for compact rows: a clear error, not garbage.
        var e = Assert.Throws<InvalidOperationException>(() => model.RowValues(3).ToArray());
        Assert.Contains("ReadRow", e.Message);
    }

    [Theory]
    [InlineData("f16", false)]
    [InlineData("bf16", false)]
    [InlineData("i8", false)]
    [InlineData("f16", true)]
    [InlineData("i8", true)]
    [InlineData("f32", true)]
    public void RandomModelsRoundTripWithinTheEncodingsError(string name, bool wideColumns)
    {
        WeightType type = Parse(name);
        SparseModel m = RandomModels.Create(300, 90, 17);
        string path = _dir.File($"random-{name}-{wideColumns}.ease");
        var encoding = new ModelEncoding(type, wideColumns ? ColumnIndexType.UInt32 : ColumnIndexType.UInt16);
        using (ModelFileWriter w = ModelFileWriter.Create(path, m.ItemCount, encoding))
        {
            for (int i = 0; i < m.ItemCount; i++)
                w.AppendRow(m.Columns[i], m.Values[i]);
            w.SetItemIds(m.Ids);
            w.Commit();
        }
        SpecDecoder.Rows spec = SpecDecoder.Decode(File.ReadAllBytes(path));
        Assert.Equal(encoding.IsFloat32Rows ? 0 : 1, spec.Minor);
        using ModelFile model = ModelFile.Open(path, new ModelOpenOptions { VerifyChecksums = true });
        Assert.Equal(encoding, model.Encoding);
        Assert.Equal(m.Columns.Max(c => c.Length), model.MaxRowLength);
        var c = new int[model.MaxRowLength];
        var v = new float[model.MaxRowLength];
        for (int i = 0; i < m.ItemCount; i++)
        {
            int length = model.ReadRow(i, c, v);
            Assert.Equal(m.Columns[i], c[..length]);
            Assert.Equal(spec.Values[i], v[..length]);
            float max = m.Values[i].Length == 0 ? 0 : m.Values[i].Max(Math.Abs);
            for (int j = 0; j < length; j++)
                Assert.True(Math.Abs(v[j] - m.Values[i][j]) <= SpecDecoder.Tolerance(type, m.Values[i][j], max), $"row {i} column {c[j]}: {m.Values[i][j]} -> {v[j]}");
        }
        long expectedBytes = m.Columns.Sum(x => (long)x.Length) * encoding.BytesPerWeight;
        long stored = model.Sections.Where(s => s.Kind is (uint)SectionKind.ColumnIndices or (uint)SectionKind.Values).Sum(s => s.Length);
        Assert.Equal(expectedBytes, stored);
    }

    [Fact]
    public void WriterRefusesWhatAnEncodingCannotHold()
    {
        string path = _dir.File("overflow.ease");
        using (ModelFileWriter w = ModelFileWriter.Create(path, 3, ModelEncoding.For(WeightType.Float16, 3)))
        {
            var e = Assert.Throws<ArgumentException>(() => w.AppendRow([1], [70000f]));
            Assert.Contains("float16 range", e.Message);
        }
        Assert.False(File.Exists(path));
        Assert.Throws<ArgumentException>(() => ModelFileWriter.Create(_dir.File("wide.ease"), 65537, new ModelEncoding(WeightType.Float16, ColumnIndexType.UInt16)));
        Assert.Equal(ColumnIndexType.UInt32, ModelEncoding.For(WeightType.Float16, 65537).Columns);
        Assert.Equal(ColumnIndexType.UInt16, ModelEncoding.For(WeightType.Int8Scaled, 65536).Columns);
        Assert.Equal(ModelEncoding.Float32, ModelEncoding.For(WeightType.Float32, 10));
    }

    [Fact]
    public void AllZeroInt8RowHasScaleZero()
    {
        string path = _dir.File("zeros.ease");
        using (ModelFileWriter w = ModelFileWriter.Create(path, 3, ModelEncoding.For(WeightType.Int8Scaled, 3)))
        {
            w.AppendRow([1, 2], [0f, 0f]);
            w.AppendRow([], []);
            w.AppendRow([0], [-0.5f]);
            w.SetItemIds(["a", "b", "c"]);
            w.Commit();
        }
        using ModelFile m = ModelFile.Open(path, new ModelOpenOptions { VerifyChecksums = true });
        Assert.Equal([0f, 0f, 0.5f / 127], m.RowScales.ToArray());
        var c = new int[2];
        var v = new float[2];
        m.ReadRow(0, c, v);
        Assert.Equal([0f, 0f], v);
        m.ReadRow(2, c, v);
        Assert.Equal(-0.5f, v[0]);
    }

    // ---- damage: the validator keeps its promise for every encoding ----

    private byte[] Written(WeightType type, int items = 40)
    {
        string path = _dir.File($"good-{type}-{Guid.NewGuid():N}.ease");
        SparseModel m = RandomModels.Create(items, 8, 21);
        using (ModelFileWriter w = ModelFileWriter.Create(path, m.ItemCount, ModelEncoding.For(type, m.ItemCount)))
        {
            for (int i = 0; i < m.ItemCount; i++)
                w.AppendRow(m.Columns[i], m.Values[i]);
            w.SetItemIds(m.Ids);
            w.Commit();
        }
        return File.ReadAllBytes(path);
    }

    private ModelFormatException Damaged(byte[] bytes, bool verify = false) => ModelBytes.AssertDamaged(_dir, bytes, verify);

    [Theory]
    [InlineData(WeightType.Float16, (ushort)0x7C00)] // +infinity
    [InlineData(WeightType.Float16, (ushort)0xFE01)] // NaN
    [InlineData(WeightType.BFloat16, (ushort)0x7F80)] // +infinity
    [InlineData(WeightType.BFloat16, (ushort)0xFFC1)] // NaN
    public void NonFiniteHalfValuesAreRefusedNamingTheEntry(WeightType type, ushort bits)
    {
        var b = new ModelBytes(Written(type));
        var s = b.Section(SectionKind.Values);
        long entry = s.Length / 2 - 3;
        b.WriteU16(s.Offset + 2 * entry, bits);
        string m = Damaged(b.Bytes).Message;
        Assert.Contains("section Values", m);
        Assert.Contains($"entry {entry}", m);
        Assert.Contains("finite", m);
    }

    [Theory]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    [InlineData(-1f)]
    public void BadInt8ScalesAreRefused(float scale)
    {
        var b = new ModelBytes(Written(WeightType.Int8Scaled));
        var s = b.Section(SectionKind.RowScales);
        b.WriteU32(s.Offset + 4 * 7, BitConverter.SingleToUInt32Bits(scale));
        string m = Damaged(b.Bytes).Message;
        Assert.Contains("section RowScales", m);
        Assert.Contains("row 7", m);
    }

    [Fact]
    public void SixteenBitColumnOutOfRangeIsRefused()
    {
        var b = new ModelBytes(Written(WeightType.Float16));
        var s = b.Section(SectionKind.ColumnIndices);
        b.WriteU16(s.Offset + 2 * 5, 40);
        string m = Damaged(b.Bytes).Message;
        Assert.Contains("column 40", m);
        Assert.Contains("expected < 40", m);
    }

    [Fact]
    public void ScalesBelongToInt8Only()
    {
        var i8 = new ModelBytes(Written(WeightType.Int8Scaled));
        i8.WriteU32(i8.Section(SectionKind.RowScales).EntryOffset, 999); // the scales become an unknown section
        i8.FixHeaderCrc();
        Assert.Contains("need a RowScales section", Damaged(i8.Bytes).Message);

        // An int8 file relabelled as bfloat16 would need twice the value bytes; a length check
        // fires before any value is read.
        var relabelled = new ModelBytes(Written(WeightType.Int8Scaled));
        relabelled.WriteU32(32, (uint)WeightType.BFloat16);
        relabelled.FixHeaderCrc();
        Assert.Contains("expected 2 x non-zeros (bf16)", Damaged(relabelled.Bytes).Message);
    }

    [Fact]
    public void UnknownFlagsAndValueTypesAreRefusedByName()
    {
        var flags = new ModelBytes(Written(WeightType.Float16));
        flags.WriteU32(48, 3);
        flags.FixHeaderCrc();
        Assert.Contains("flags are 0x00000003", Damaged(flags.Bytes).Message);

        var type = new ModelBytes(Written(WeightType.Float16));
        type.WriteU32(32, 5);
        type.FixHeaderCrc();
        Assert.Contains("value type is 5", Damaged(type.Bytes).Message);

        // 16-bit columns cleared on a file that has them: the column section is half the length
        // 32-bit columns need.
        var wide = new ModelBytes(Written(WeightType.Float16));
        wide.WriteU32(48, 0);
        wide.FixHeaderCrc();
        Assert.Contains("4 x non-zeros (uint32)", Damaged(wide.Bytes).Message);
    }

    [Theory]
    [InlineData(WeightType.Float16)]
    [InlineData(WeightType.BFloat16)]
    [InlineData(WeightType.Int8Scaled)]
    public void FlippedBytesInEachSectionAreCaught(WeightType type)
    {
        byte[] good = Written(type);
        var b = new ModelBytes(good);
        foreach (var s in b.Sections())
        {
            foreach (long at in new[] { s.Offset, s.Offset + s.Length / 2, s.Offset + s.Length - 1 })
            {
                byte[] bad = (byte[])good.Clone();
                bad[at] ^= 0x01;
                Damaged(bad, verify: true);
            }
        }
    }

    [Theory]
    [InlineData(WeightType.Float16)]
    [InlineData(WeightType.Int8Scaled)]
    public void EveryTruncationIsCaught(WeightType type)
    {
        byte[] good = Written(type);
        for (int cut = 0; cut < good.Length; cut += 37)
            Damaged(good[..cut]);
    }
}

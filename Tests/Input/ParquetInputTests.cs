using System.Text.Json.Nodes;
using Ease.Engine.Input;
using Ease.Format;
using Ease.Tests.Support;

namespace Ease.Tests.Input;

/// <summary>
/// --format parquet on files from another writer (fixtures/parquet/, written by Apache Arrow's C++
/// Parquet library through scripts/make_parquet_fixtures.cs): the same interactions as the CSV of
/// the same rows, the same model, and one clear line for a file that cannot be read.
/// </summary>
public sealed class ParquetInputTests : IDisposable
{
    private static readonly string Fixtures = Path.Combine(AppContext.BaseDirectory, "fixtures", "parquet");
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static string Fixture(string name) => Path.Combine(Fixtures, name);

    private static InputOptions Columns(InputFormat format, string? weight = null, double? minWeight = null) =>
        new() { Format = format, UserColumn = "user", ItemColumn = "item", WeightColumn = weight, MinWeight = minWeight };

    [Theory]
    [InlineData("interactions.parquet", null, null)]
    [InlineData("interactions-typed.parquet", null, null)]
    [InlineData("interactions.parquet", "rating", 3.0)]
    [InlineData("interactions-typed.parquet", "rating", 4.0)]
    public void AParquetFileReadsAsTheCsvOfTheSameRows(string file, string? weight, double? minWeight)
    {
        InteractionSet csv = InteractionReader.Read(Fixture("interactions.csv"), Columns(InputFormat.Delimited, weight, minWeight));
        InteractionSet parquet = InteractionReader.Read(Fixture(file), Columns(InputFormat.Parquet, weight, minWeight));
        Assert.Equal(csv.UserIds, parquet.UserIds);
        Assert.Equal(csv.ItemIds, parquet.ItemIds);
        Assert.Equal(csv.InteractionCount, parquet.InteractionCount);
        for (int u = 0; u < csv.UserCount; u++)
            Assert.Equal(csv.ItemsOf(u).ToArray(), parquet.ItemsOf(u).ToArray());
        Assert.Contains("ü-", string.Concat(parquet.ItemIds));
        if (minWeight is not null)
            Assert.True(parquet.FilteredRows > 0);
    }

    [Fact]
    public void IntegerIdColumnsReadAsTheirDecimalText()
    {
        InteractionSet csv = InteractionReader.Read(Fixture("integer-ids.csv"), new InputOptions());
        InteractionSet parquet = InteractionReader.Read(Fixture("integer-ids.parquet"), new InputOptions { Format = InputFormat.Parquet });
        Assert.Equal(csv.UserIds, parquet.UserIds);
        Assert.Equal(csv.ItemIds, parquet.ItemIds);
        for (int u = 0; u < csv.UserCount; u++)
            Assert.Equal(csv.ItemsOf(u).ToArray(), parquet.ItemsOf(u).ToArray());
        Assert.Contains("5000015", parquet.ItemIds);
    }

    [Fact]
    public void ColumnsByIndexCountTheSchema()
    {
        InteractionSet byIndex = InteractionReader.Read(Fixture("interactions.parquet"), new InputOptions { Format = InputFormat.Parquet });
        InteractionSet byName = InteractionReader.Read(Fixture("interactions.parquet"), Columns(InputFormat.Parquet));
        Assert.Equal(byName.UserIds, byIndex.UserIds);
        Assert.Equal(byName.ItemIds, byIndex.ItemIds);
    }

    [Fact]
    public void TrainingOnParquetWritesTheModelOfTrainingOnCsv()
    {
        string fromCsv = _dir.Path + "/csv.ease", fromParquet = _dir.Path + "/parquet.ease";
        Assert.Equal(0, CliRunner.Run("train", "-i", Fixture("interactions.csv"), "--user-col", "user", "--item-col", "item", "--lambda", "20", "-o", fromCsv, "-q").ExitCode);
        Assert.Equal(0, CliRunner.Run("train", "-i", Fixture("interactions-typed.parquet"), "--format", "parquet", "--user-col", "user", "--item-col", "item", "--lambda", "20", "-o", fromParquet, "-q").ExitCode);
        var csv = new ModelBytes(File.ReadAllBytes(fromCsv));
        var parquet = new ModelBytes(File.ReadAllBytes(fromParquet));
        // Every section but the metadata, byte for byte, at the same place.
        var sections = csv.Sections().Where(s => s.Kind != (uint)SectionKind.Metadata).ToArray();
        Assert.Equal(sections, parquet.Sections().Where(s => s.Kind != (uint)SectionKind.Metadata));
        Assert.True(sections.Length >= 6);
        foreach (var (_, offset, length) in sections)
            Assert.True(csv.Bytes.AsSpan((int)offset, (int)length).SequenceEqual(parquet.Bytes.AsSpan((int)offset, (int)length)));
        // The metadata differs only where it names the run: the time, the input file and its format
        // (and the last bit of the kept weight mass, a sum over threads in whatever order they finish).
        using ModelFile a = ModelFile.Open(fromCsv);
        using ModelFile b = ModelFile.Open(fromParquet);
        Assert.Equal(WithoutProvenance(a.MetadataJson), WithoutProvenance(b.MetadataJson));
        Assert.Equal("parquet", JsonNode.Parse(b.MetadataJson)!["source"]!["format"]!.GetValue<string>());
    }

    private static string WithoutProvenance(string json)
    {
        JsonObject o = JsonNode.Parse(json)!.AsObject();
        o.Remove("created_utc");
        foreach (JsonObject part in o.Select(p => p.Value).OfType<JsonObject>().Append(o))
            if (part["kept_weight_mass"] is JsonValue mass)
                part["kept_weight_mass"] = Math.Round(mass.GetValue<double>(), 9);
        o["source"]!.AsObject().Remove("path");
        o["source"]!.AsObject().Remove("format");
        return o.ToJsonString();
    }

    [Fact]
    public void ANullIdIsABadRowNamedByItsNumber()
    {
        var e = Assert.Throws<InputFormatException>(() => InteractionReader.Read(Fixture("nulls.parquet"), new InputOptions { Format = InputFormat.Parquet }));
        Assert.Equal(3, e.LineNumber);
        Assert.Equal("no item id (null) in column \"item\"", e.Reason);
        InteractionSet skipped = InteractionReader.Read(Fixture("nulls.parquet"), new InputOptions { Format = InputFormat.Parquet, SkipBadRows = true });
        Assert.Equal(1, skipped.SkippedRows);
        Assert.Equal(3, skipped.InteractionCount);
        // The rows after the null keep their own values.
        Assert.Equal(["c"], skipped.ItemsOf(skipped.IndexOfUser("u2")).ToArray().Select(i => skipped.ItemIds[i]));
    }

    public static TheoryData<string, string[], string> BadFiles() => new()
    {
        { "truncated.parquet", [], "truncated.parquet: not a readable Parquet file (" },
        { "interactions.csv", [], "interactions.csv: not a readable Parquet file (" },
        { "interactions.parquet", ["--item-col", "title"], "interactions.parquet: item column \"title\" is not in the file (columns: user, item, rating)" },
        { "interactions.parquet", ["--weight-col", "5"], "interactions.parquet: weight column \"5\" is not in the file (columns: user, item, rating)" },
        { "wrong-types.parquet", [], "wrong-types.parquet: user column \"user\" holds Double values; expected a string or integer column" },
        { "wrong-types.parquet", ["--user-col", "item", "--item-col", "1", "--weight-col", "rating"], "wrong-types.parquet: weight column \"rating\" holds string values; expected a number column" },
    };

    [Theory]
    [MemberData(nameof(BadFiles))]
    public void AFileThatCannotBeReadGetsOneLineAndExitCodeTwo(string file, string[] options, string message)
    {
        var r = CliRunner.Run(["train", "-i", Fixture(file), "--format", "parquet", "-o", _dir.Path + "/m.ease", .. options]);
        Assert.Equal(2, r.ExitCode);
        string line = Assert.Single(r.Err.Trim().Split('\n'));
        Assert.StartsWith("ease: error: ", line);
        Assert.Contains(message, line);
        Assert.False(File.Exists(_dir.Path + "/m.ease"));
    }

    [Fact]
    public void EveryVerbThatReadsInteractionsTakesParquet()
    {
        string model = _dir.Path + "/m.ease";
        string[] columns = ["--format", "parquet", "--user-col", "user", "--item-col", "item"];
        Assert.Equal(0, CliRunner.Run(["train", "-i", Fixture("interactions.parquet"), .. columns, "--lambda", "20", "-o", model, "-q"]).ExitCode);
        var recommend = CliRunner.Run(["recommend", "-m", model, "-i", Fixture("interactions.parquet"), .. columns, "-k", "3"]);
        Assert.Equal(0, recommend.ExitCode);
        Assert.Equal(recommend.Out, CliRunner.Run(["recommend", "-m", model, "-i", Fixture("interactions.csv"), "--user-col", "user", "--item-col", "item", "-k", "3"]).Out);
        Assert.Equal(0, CliRunner.Run(["evaluate", "-m", model, "--history", Fixture("interactions.parquet"), "--heldout", Fixture("interactions-typed.parquet"), .. columns, "-k", "5"]).ExitCode);
        Assert.Equal(0, CliRunner.Run(["split", "-i", Fixture("interactions.parquet"), .. columns, "--out", _dir.Path + "/split", "--protocol", "per-user"]).ExitCode);
        Assert.True(File.Exists(_dir.Path + "/split/train.csv"));
    }
}

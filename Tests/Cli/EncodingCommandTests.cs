using System.Text.Json;
using Ease.Format;
using Ease.Tests.Support;

namespace Ease.Tests.Cli;

/// <summary>`train --values`, `prune --values`, `convert`, `info` and `bench` on compact encodings.</summary>
public sealed class EncodingCommandTests : ReferenceModelTests
{
    [Theory]
    [InlineData("f16", 4)]
    [InlineData("bf16", 4)]
    [InlineData("i8", 3)]
    public void ConvertWritesTheEncodingAndInfoShowsIt(string values, int bytesPerWeight)
    {
        string output = Dir.File($"model-{values}.ease");
        var r = CliRunner.Run("convert", "-m", Model, "--values", values, "-o", output);
        Assert.True(r.ExitCode == 0, r.Err);
        Assert.Contains($"{values} values, 16-bit columns ({bytesPerWeight} bytes per weight)", r.Out);

        var info = CliRunner.Run("info", output, "--json");
        Assert.True(info.ExitCode == 0, info.Err);
        JsonElement j = JsonDocument.Parse(info.Out).RootElement;
        Assert.Equal(values, j.GetProperty("values").GetString());
        Assert.Equal(16, j.GetProperty("column_bits").GetInt32());
        Assert.Equal(bytesPerWeight, j.GetProperty("bytes_per_weight").GetInt32());
        Assert.Equal("1.1", j.GetProperty("format_version").GetString());
        Assert.Equal(0, CliRunner.Run("verify", output).ExitCode);

        // Every weight kept, each within the encoding's error of the source's, read by the spec.
        SpecDecoder.Rows source = SpecDecoder.Decode(File.ReadAllBytes(Model));
        SpecDecoder.Rows converted = SpecDecoder.Decode(File.ReadAllBytes(output));
        ModelEncoding.TryParse(values, out WeightType type);
        for (int i = 0; i < source.Columns.Length; i++)
        {
            Assert.Equal(source.Columns[i], converted.Columns[i]);
            float max = source.Values[i].Length == 0 ? 0 : source.Values[i].Max(Math.Abs);
            for (int c = 0; c < source.Values[i].Length; c++)
                Assert.True(Math.Abs(source.Values[i][c] - converted.Values[i][c]) <= SpecDecoder.Tolerance(type, source.Values[i][c], max));
        }

        // Back to float32: a v1.0 file again, holding the decoded weights exactly.
        string back = Dir.File($"back-{values}.ease");
        Assert.Equal(0, CliRunner.Run("convert", "-m", output, "--values", "f32", "-o", back).ExitCode);
        SpecDecoder.Rows again = SpecDecoder.Decode(File.ReadAllBytes(back));
        Assert.Equal(0, again.Minor);
        for (int i = 0; i < source.Columns.Length; i++)
            Assert.Equal(converted.Values[i], again.Values[i]);
    }

    [Fact]
    public void TrainAndPruneWriteCompactModelsThatScoreLikeTheirDecodedWeights()
    {
        string f16 = Dir.File("trained-f16.ease");
        var t = CliRunner.Run("train", "-i", Train, "--format", "adjacency", "-o", f16, "--lambda", "10", "--values", "f16", "--json", "--quiet");
        Assert.True(t.ExitCode == 0, t.Err);
        Assert.Equal("f16", JsonDocument.Parse(t.Out).RootElement.GetProperty("values").GetString());
        using (ModelFile m = ModelFile.Open(f16))
            Assert.Equal(WeightType.Float16, m.WeightType);
        string sparse = Dir.File("sparse-bf16.ease");
        var s = CliRunner.Run("train", "-i", Train, "--format", "adjacency", "-o", sparse, "--lambda", "10", "--solver", "sparse", "--values", "bf16", "--quiet");
        Assert.True(s.ExitCode == 0, s.Err);
        using (ModelFile m = ModelFile.Open(sparse, new ModelOpenOptions { VerifyChecksums = true }))
            Assert.Equal(new ModelEncoding(WeightType.BFloat16, ColumnIndexType.UInt16), m.Encoding);

        string pruned = Dir.File("pruned-i8.ease");
        Assert.Equal(0, CliRunner.Run("prune", "-m", f16, "--prune-topk", "3", "--values", "i8", "-o", pruned).ExitCode);
        using (ModelFile m = ModelFile.Open(pruned))
        {
            Assert.Equal(WeightType.Int8Scaled, m.WeightType);
            for (int row = 0; row < m.ItemCount; row++)
                Assert.True(m.RowLength(row) <= 3);
        }

        // recommend on the compact model gives what the float32 model with the same (decoded)
        // weights gives.
        string decoded = Dir.File("pruned-back.ease");
        Assert.Equal(0, CliRunner.Run("convert", "-m", pruned, "--values", "f32", "-o", decoded).ExitCode);
        var a = CliRunner.Run("recommend", "-m", pruned, "-i", Train, "--format", "adjacency", "-k", "5");
        var b = CliRunner.Run("recommend", "-m", decoded, "-i", Train, "--format", "adjacency", "-k", "5");
        Assert.True(a.ExitCode == 0, a.Err);
        Assert.Equal(b.Out, a.Out);
    }

    [Fact]
    public void BenchReportsBlockAndPerUserThroughputAndTheEncodingsBytes()
    {
        string f16 = Dir.File("bench-f16.ease");
        Assert.Equal(0, CliRunner.Run("convert", "-m", Model, "--values", "f16", "-o", f16).ExitCode);
        var r = CliRunner.Run("bench", "-m", f16, "-i", Train, "--format", "adjacency", "--threads", "1", "--repeat", "1", "--batch-users", "16", "--json");
        Assert.True(r.ExitCode == 0, r.Err);
        JsonElement j = JsonDocument.Parse(r.Out).RootElement;
        Assert.Equal(16, j.GetProperty("batch_users").GetInt32());
        Assert.Equal("f16", j.GetProperty("values").GetString());
        Assert.Equal(4, j.GetProperty("bytes_per_weight").GetInt32());
        Assert.True(j.GetProperty("per_user_users_per_s").GetDouble() > 0);
        long weights = HistoryWeights(f16);
        Assert.Equal(weights * 4.0 / 120, j.GetProperty("bytes_per_user").GetDouble(), 0.05);
        Assert.Equal(1, CliRunner.Run("bench", "-m", f16, "-i", Train, "--format", "adjacency", "--batch-users", "300").ExitCode);
        Assert.Equal(1, CliRunner.Run("convert", "-m", f16, "--values", "f8", "-o", Dir.File("x.ease")).ExitCode);
    }
}

using System.Text.Json;
using Ease.Tests.Format;
using Ease.Tests.Support;

namespace Ease.Tests.Cli;

public class InfoVerifyCommandTests
{
    [Fact]
    public void InfoJsonReportsTheModel()
    {
        var r = CliRunner.Run("info", GoldenFile.ModelPath, "--json");
        Assert.Equal(0, r.ExitCode);
        using JsonDocument doc = JsonDocument.Parse(r.Out);
        JsonElement j = doc.RootElement;
        Assert.Equal(6, j.GetProperty("items").GetInt32());
        Assert.Equal(12, j.GetProperty("nonzeros").GetInt64());
        Assert.Equal(12.0 / 36, j.GetProperty("density").GetDouble(), 9);
        Assert.Equal(0, j.GetProperty("row_nnz").GetProperty("min").GetInt32());
        Assert.Equal(1.5, j.GetProperty("row_nnz").GetProperty("median").GetDouble());
        Assert.Equal(5, j.GetProperty("row_nnz").GetProperty("max").GetInt32());
        Assert.Equal(4.0 / 12, j.GetProperty("negative_share").GetDouble(), 9);
        Assert.Equal(new FileInfo(GoldenFile.ModelPath).Length, j.GetProperty("file_bytes").GetInt64());
        Assert.Equal("1.0", j.GetProperty("format_version").GetString());
        Assert.True(j.GetProperty("metadata").GetProperty("format_fixture").GetBoolean());
    }

    [Fact]
    public void InfoTextNamesTheEssentials()
    {
        var r = CliRunner.Run("info", GoldenFile.ModelPath);
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("items         6", r.Out);
        Assert.Contains("median 1.5", r.Out);
        Assert.Contains("33.3% of weights", r.Out);
    }

    [Fact]
    public void VerifyAcceptsASoundFile()
    {
        var r = CliRunner.Run("verify", GoldenFile.ModelPath);
        Assert.Equal(0, r.ExitCode);
        Assert.StartsWith("ok:", r.Out);
    }

    [Fact]
    public void DamagedFileIsOneLineAndExitCodeTwo()
    {
        using var dir = new TempDirectory();
        byte[] bytes = File.ReadAllBytes(GoldenFile.ModelPath);
        bytes[^40] ^= 0x10; // inside the metadata section: only the checksum notices
        string path = dir.File("bad.ease");
        File.WriteAllBytes(path, bytes);
        Assert.Equal(0, CliRunner.Run("info", path).ExitCode);
        var r = CliRunner.Run("verify", path);
        Assert.Equal(2, r.ExitCode);
        Assert.Single(r.Err.TrimEnd().Split('\n'));
        Assert.Contains(path, r.Err);
        Assert.Contains("checksum", r.Err);
        Assert.DoesNotContain("   at ", r.Err);

        var verbose = CliRunner.Run("verify", path, "--verbose");
        Assert.Equal(2, verbose.ExitCode);
        Assert.Contains("   at ", verbose.Err);
    }

    [Fact]
    public void MissingFileIsADataError()
    {
        var r = CliRunner.Run("info", "/nonexistent/model.ease");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("/nonexistent/model.ease", r.Err);
    }

    [Fact]
    public void UsageErrorsExitWithOne()
    {
        Assert.Equal(1, CliRunner.Run("info").ExitCode);
        Assert.Equal(1, CliRunner.Run("no-such-verb").ExitCode);
        Assert.Equal(1, CliRunner.Run("info", "a", "--no-such-flag").ExitCode);
    }

    [Fact]
    public void EveryVerbHasHelp()
    {
        foreach (string verb in new[] { "info", "verify" })
        {
            var r = CliRunner.Run(verb, "--help");
            Assert.Equal(0, r.ExitCode);
            Assert.Contains("Usage:", r.Out);
        }
    }
}

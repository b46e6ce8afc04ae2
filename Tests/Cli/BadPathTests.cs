using Ease.Tests.Support;

namespace Ease.Tests.Cli;

/// <summary>
/// The paths a new user gets wrong, for every verb that reads or writes one: one true line and exit
/// code 2. (Files without read permission and full disks: scripts/bad_paths.sh, which needs root.)
/// </summary>
public sealed class BadPathTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly string _model;
    private readonly string _train;
    private readonly string _folder;
    private readonly string _empty;

    public BadPathTests()
    {
        _model = _dir.File("model.ease");
        RandomModels.Create(40, 10, seed: 4).Write(_model);
        _train = _dir.File("train.csv");
        File.WriteAllLines(_train, ["1,0", "1,4", "2,8", "2,12"]);
        _folder = _dir.File("folder");
        Directory.CreateDirectory(_folder);
        _empty = _dir.File("empty");
        File.WriteAllBytes(_empty, []);
    }

    public void Dispose() => _dir.Dispose();

    private static void OneLine(CliRunner.Result r, string expected)
    {
        Assert.Equal(2, r.ExitCode);
        string[] lines = [.. r.Err.Trim().Split('\n').Where(l => !l.EndsWith(": started", StringComparison.Ordinal) && !l.Contains(": done in ", StringComparison.Ordinal))];
        Assert.Equal($"ease: error: {expected}", Assert.Single(lines));
    }

    [Fact]
    public void AModelThatIsADirectorySaysSo()
    {
        string message = $"{_folder}: is a directory, not a file";
        OneLine(CliRunner.Run("info", _folder), message);
        OneLine(CliRunner.Run("verify", _folder), message);
        OneLine(CliRunner.Run("similar", "-m", _folder, "--item", "3"), message);
        OneLine(CliRunner.Run("recommend", "-m", _folder, "-i", _train), message);
        OneLine(CliRunner.Run("prune", "-m", _folder, "--prune-topk", "3", "-o", _dir.File("p.ease")), message);
        OneLine(CliRunner.Run("serve", "-m", _folder, "--urls", "http://127.0.0.1:0"), message);
    }

    [Fact]
    public void AnInputThatIsADirectorySaysSo()
    {
        string message = $"{_folder}: is a directory, not a file";
        OneLine(CliRunner.Run("train", "-i", _folder, "-o", _dir.File("m.ease")), message);
        OneLine(CliRunner.Run("train", "-i", _folder, "--format", "parquet", "-o", _dir.File("m.ease")), message);
        OneLine(CliRunner.Run("recommend", "-m", _model, "-i", _folder), message);
        OneLine(CliRunner.Run("evaluate", "-m", _model, "--history", _folder, "--heldout", _train), message);
        OneLine(CliRunner.Run("split", "-i", _folder, "--out", _dir.File("split")), message);
    }

    [Fact]
    public void MissingFilesAreNamed()
    {
        string missing = _dir.File("none");
        OneLine(CliRunner.Run("info", missing), $"{missing}: no such file");
        OneLine(CliRunner.Run("train", "-i", missing, "-o", _dir.File("m.ease")), $"{missing}: no such file");
        OneLine(CliRunner.Run("recommend", "-m", _model, "-i", missing), $"{missing}: no such file");
    }

    [Fact]
    public void EmptyInputsSayNothingWasRead()
    {
        OneLine(CliRunner.Run("info", _empty), $"{_empty}: header: the file is 0 bytes; a model file starts with a 64-byte header");
        string noInteractions = $"{_empty}: no interactions read (0 lines, 0 skipped, 0 below --min-weight)";
        string noUsers = $"{_empty}: no users read (0 lines, 0 skipped, 0 below --min-weight)";
        OneLine(CliRunner.Run("train", "-i", _empty, "-o", _dir.File("m.ease")), noInteractions);
        OneLine(CliRunner.Run("tune", "-i", _empty, "--history", _train, "--heldout", _train), noInteractions);
        OneLine(CliRunner.Run("recommend", "-m", _model, "-i", _empty), noUsers);
        OneLine(CliRunner.Run("evaluate", "-m", _model, "--history", _empty, "--heldout", _train), noUsers);
        OneLine(CliRunner.Run("bench", "-m", _model, "-i", _empty), noUsers);
        OneLine(CliRunner.Run("split", "-i", _empty, "--out", _dir.File("split")), noUsers);
        // A shard may hold none of a file's users: that is not an error.
        Assert.Equal(0, CliRunner.Run("recommend", "-m", _model, "-i", _train, "--shard", "0/64").ExitCode);
    }

    [Fact]
    public void AnOutputFolderThatIsAFileSaysSo()
    {
        string message = $"{_empty}: is a file, not a folder";
        OneLine(CliRunner.Run("generate", "--users", "50", "--items", "20", "--out", _empty), message);
        OneLine(CliRunner.Run("split", "-i", _train, "--protocol", "per-user", "--out", _empty), message);
        OneLine(CliRunner.Run("demo", "--users", "50", "--items", "20", "--dir", _empty), message);
        Assert.Empty(File.ReadAllBytes(_empty));
    }

    [Fact]
    public void AModelOutputThatIsADirectorySaysSo() =>
        OneLine(CliRunner.Run("train", "-i", _train, "-o", _folder), $"{_folder}: is a directory");
}

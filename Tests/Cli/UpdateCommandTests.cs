using System.Diagnostics;
using System.Text.Json;
using Ease.Engine.Training.Update;
using Ease.Format;
using Ease.Tests.Support;

namespace Ease.Tests.Cli;

/// <summary>
/// `ease update` against its reference, a retrain on the new interactions in the same item order
/// (the base rows, then the additions; removed users last in the base so that removing them keeps
/// every other item's first-seen order): bit-equal for the sparse solver, within float rounding
/// for the dense solver's Woodbury update. And every refusal: exit 2, one line, nothing written.
/// </summary>
public class UpdateCommandTests
{
    private sealed record Rows(List<(string User, string Item)> Pairs)
    {
        public void Write(string path) => File.WriteAllLines(path, Pairs.Select(p => $"{p.User}\t{p.Item}"));
        public Rows Concat(Rows other) => new([.. Pairs, .. other.Pairs]);
        public Rows Without(Func<(string User, string Item), bool> drop) => new([.. Pairs.Where(p => !drop(p))]);
    }

    /// <summary>Users with 4 to 24 distinct items drawn from a long-tailed popularity, seeded.</summary>
    private static Rows Generate(int users, int items, int seed, string userPrefix = "u")
    {
        var rng = new Random(seed);
        var pairs = new List<(string, string)>();
        for (int u = 0; u < users; u++)
        {
            var seen = new HashSet<int>();
            int count = rng.Next(4, 25);
            while (seen.Count < count)
            {
                // Zipf-like: item index ~ items^U, so low indices are popular.
                int i = (int)Math.Min(items - 1, Math.Floor(Math.Pow(items, rng.NextDouble())) - 1);
                if (seen.Add(i))
                    pairs.Add(($"{userPrefix}{u}", $"i{i}"));
            }
        }
        return new Rows(pairs);
    }

    private static CliRunner.Result Train(string input, string model, string? state, params string[] extra)
    {
        var args = new List<string> { "train", "-i", input, "-o", model, "--lambda", "20", "-q" };
        if (state is not null)
            args.AddRange(["--state", state]);
        args.AddRange(extra);
        CliRunner.Result r = CliRunner.Run([.. args]);
        Assert.True(r.ExitCode == 0, r.Err);
        return r;
    }

    private static JsonElement Update(params string[] args)
    {
        CliRunner.Result r = CliRunner.Run(["update", .. args, "--json", "-q"]);
        Assert.True(r.ExitCode == 0, r.Err);
        return JsonDocument.Parse(r.Out).RootElement.Clone();
    }

    /// <summary>Max |difference| over the union of stored weights, rows and columns matched by item id; bitEqual when patterns and bits agree.</summary>
    private static (double MaxDiff, bool BitEqual) Compare(string a, string b)
    {
        using ModelFile ma = ModelFile.Open(a), mb = ModelFile.Open(b);
        var index = new Dictionary<string, int>();
        for (int i = 0; i < mb.ItemCount; i++)
            index[mb.ItemId(i)] = i;
        double max = 0;
        bool bitEqual = ma.ItemCount == mb.ItemCount && ma.NonZeroCount == mb.NonZeroCount;
        for (int i = 0; i < ma.ItemCount; i++)
        {
            var rowA = new Dictionary<string, float>();
            ma.GetRow(i, out ReadOnlySpan<int> ca, out ReadOnlySpan<float> va);
            for (int k = 0; k < ca.Length; k++)
                rowA[ma.ItemId(ca[k])] = va[k];
            var rowB = new Dictionary<string, float>();
            if (index.TryGetValue(ma.ItemId(i), out int ib))
            {
                mb.GetRow(ib, out ReadOnlySpan<int> cb, out ReadOnlySpan<float> vb);
                for (int k = 0; k < cb.Length; k++)
                    rowB[mb.ItemId(cb[k])] = vb[k];
            }
            foreach (string key in rowA.Keys.Union(rowB.Keys))
            {
                float x = rowA.GetValueOrDefault(key), y = rowB.GetValueOrDefault(key);
                max = Math.Max(max, Math.Abs((double)x - y));
                if (!rowA.ContainsKey(key) || !rowB.ContainsKey(key) || BitConverter.SingleToInt32Bits(x) != BitConverter.SingleToInt32Bits(y))
                    bitEqual = false;
            }
        }
        return (max, bitEqual);
    }

    private static readonly string[] Sparse = ["--solver", "sparse", "--neighbors", "6", "--gram-neighbors", "12", "--prune-topk", "8"];
    private static readonly string[] Dense = ["--solver", "dense", "--prune-topk", "30"];

    [Fact]
    public void SparseAdditionsWithNewItemsAndUsersAreBitEqualToARetrainAndReuseUntouchedColumns()
    {
        using var dir = new TempDirectory();
        Rows base0 = Generate(400, 300, 1);
        // Two old users take a brand-new item and a rare one; a new user arrives.
        var delta = new Rows([("u3", "new-a"), ("u3", "i290"), ("u7", "new-a"), ("newcomer", "new-a"), ("newcomer", "i5"), ("newcomer", "i250")]);
        base0.Write(dir.File("base.tsv"));
        delta.Write(dir.File("delta.tsv"));
        base0.Concat(delta).Write(dir.File("full.tsv"));
        Train(dir.File("base.tsv"), dir.File("m.ease"), dir.File("state"), Sparse);
        JsonElement j = Update("-m", dir.File("m.ease"), "--state", dir.File("state"), "--add", dir.File("delta.tsv"), "-o", dir.File("m2.ease"));
        Assert.Equal("incremental", j.GetProperty("method").GetString());
        Assert.Equal(1, j.GetProperty("new_items").GetInt32());
        // Some columns are solved again, and the rest are copied: the reuse path is what is checked.
        Assert.InRange(j.GetProperty("resolved_targets").GetInt32(), 1, j.GetProperty("items").GetInt32() - 1);
        Train(dir.File("full.tsv"), dir.File("ref.ease"), null, Sparse);
        (double max, bool bitEqual) = Compare(dir.File("m2.ease"), dir.File("ref.ease"));
        Assert.True(bitEqual, $"max |dB| {max}");

        // The new state is the retrain's: a second update on it still matches a retrain.
        var delta2 = new Rows([("u11", "i299"), ("u12", "new-b")]);
        delta2.Write(dir.File("delta2.tsv"));
        base0.Concat(delta).Concat(delta2).Write(dir.File("full2.tsv"));
        Update("-m", dir.File("m2.ease"), "--state", dir.File("state"), "--add", dir.File("delta2.tsv"), "-o", dir.File("m3.ease"));
        Train(dir.File("full2.tsv"), dir.File("ref2.ease"), null, Sparse);
        Assert.True(Compare(dir.File("m3.ease"), dir.File("ref2.ease")).BitEqual);
    }

    [Fact]
    public void SparseRemovalsEqualTrainingWithoutThem()
    {
        using var dir = new TempDirectory();
        Rows kept = Generate(300, 200, 2);
        Rows gone = Generate(6, 200, 3, "gone");
        kept.Concat(gone).Write(dir.File("base.tsv"));
        // Remove two users whole, and single interactions of two others.
        var removeRows = new Rows([kept.Pairs[0], kept.Pairs[40]]);
        removeRows.Write(dir.File("remove.tsv"));
        Train(dir.File("base.tsv"), dir.File("m.ease"), dir.File("state"), Sparse);
        Update("-m", dir.File("m.ease"), "--state", dir.File("state"), "--remove", dir.File("remove.tsv"),
            "--remove-user", "gone0", "--remove-user", "gone1", "-o", dir.File("m2.ease"), "--method", "incremental");
        kept.Concat(gone).Without(p => p.User is "gone0" or "gone1" || removeRows.Pairs.Contains(p)).Write(dir.File("ref.tsv"));
        Train(dir.File("ref.tsv"), dir.File("ref.ease"), null, Sparse);
        Assert.True(Compare(dir.File("m2.ease"), dir.File("ref.ease")).BitEqual);
    }

    [Theory]
    [InlineData("f32", 0.0, 1e-4)]
    [InlineData("f64", 0.0, 1e-9)]
    [InlineData("f64", 0.25, 1e-9)]
    public void DenseWoodburyUpdateEqualsARetrain(string precision, double dropout, double tolerance)
    {
        using var dir = new TempDirectory();
        Rows kept = Generate(300, 120, 4);
        Rows gone = Generate(5, 120, 5, "gone");
        kept.Concat(gone).Write(dir.File("base.tsv"));
        var delta = new Rows([("u1", "i100"), ("u2", "i3"), ("u2", "i77"), ("newcomer", "i1"), ("newcomer", "i2")]);
        delta.Write(dir.File("delta.tsv"));
        var removeRows = new Rows([kept.Pairs[5]]);
        removeRows.Write(dir.File("remove.tsv"));
        string[] settings = [.. Dense, "--precision", precision, "--dropout", dropout.ToString(System.Globalization.CultureInfo.InvariantCulture)];
        Train(dir.File("base.tsv"), dir.File("m.ease"), dir.File("state"), settings);
        JsonElement j = Update("-m", dir.File("m.ease"), "--state", dir.File("state"), "--add", dir.File("delta.tsv"), "--remove", dir.File("remove.tsv"),
            "--remove-user", "gone4", "-o", dir.File("m2.ease"));
        Assert.Equal("incremental", j.GetProperty("method").GetString());
        Assert.True(j.GetProperty("rank").GetInt32() > 0);
        kept.Concat(gone).Without(p => p.User == "gone4" || removeRows.Pairs.Contains(p)).Concat(delta).Write(dir.File("ref.tsv"));
        Train(dir.File("ref.tsv"), dir.File("ref.ease"), null, settings);
        (double max, _) = Compare(dir.File("m2.ease"), dir.File("ref.ease"));
        Assert.InRange(max, 0, tolerance);
    }

    [Fact]
    public void DenseNewItemsRetrainUnderAutoAndAreRefusedUnderIncremental()
    {
        using var dir = new TempDirectory();
        Generate(200, 80, 6).Write(dir.File("base.tsv"));
        File.WriteAllText(dir.File("delta.tsv"), "u1\tbrand-new\n");
        Train(dir.File("base.tsv"), dir.File("m.ease"), dir.File("state"), Dense);
        int items;
        using (ModelFile m = ModelFile.Open(dir.File("m.ease")))
            items = m.ItemCount;
        byte[] model = File.ReadAllBytes(dir.File("m.ease")), state = File.ReadAllBytes(UpdateStatePath.Of(dir.File("state")));
        CliRunner.Result r = CliRunner.Run("update", "-m", dir.File("m.ease"), "--state", dir.File("state"), "--add", dir.File("delta.tsv"),
            "-o", dir.File("m2.ease"), "--method", "incremental", "-q");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("'brand-new'", r.Err);
        Assert.Contains("retrain", r.Err);
        Assert.False(File.Exists(dir.File("m2.ease")));
        Assert.Equal(model, File.ReadAllBytes(dir.File("m.ease")));
        Assert.Equal(state, File.ReadAllBytes(UpdateStatePath.Of(dir.File("state"))));

        JsonElement j = Update("-m", dir.File("m.ease"), "--state", dir.File("state"), "--add", dir.File("delta.tsv"), "-o", dir.File("m2.ease"));
        Assert.Equal("retrain", j.GetProperty("method").GetString());
        Assert.Contains("new items", j.GetProperty("detail").GetString());
        using ModelFile m2 = ModelFile.Open(dir.File("m2.ease"));
        Assert.Equal(items + 1, m2.ItemCount);
    }

    public static TheoryData<string> Refusals => new() { "other-model", "truncated", "corrupted", "unknown-user", "unknown-item", "unknown-pair", "unknown-remove-user", "stale-base" };

    [Theory]
    [MemberData(nameof(Refusals))]
    public void RefusalsExitTwoWithOneLineAndWriteNothing(string kind)
    {
        using var dir = new TempDirectory();
        Generate(150, 60, 7).Write(dir.File("base.tsv"));
        Train(dir.File("base.tsv"), dir.File("m.ease"), dir.File("state"), Sparse);
        string stateFile = UpdateStatePath.Of(dir.File("state"));
        string model = dir.File("m.ease");
        string[] change = ["--remove-user", "u1"];
        switch (kind)
        {
            case "other-model":
                Train(dir.File("base.tsv"), dir.File("other.ease"), null, "--solver", "sparse", "--neighbors", "6", "--gram-neighbors", "12", "--prune-topk", "9");
                model = dir.File("other.ease");
                break;
            case "truncated":
                using (var s = new FileStream(stateFile, FileMode.Open))
                    s.SetLength(s.Length - 100);
                break;
            case "corrupted":
                byte[] bytes = File.ReadAllBytes(stateFile);
                bytes[bytes.Length / 2] ^= 0x40;
                File.WriteAllBytes(stateFile, bytes);
                break;
            case "unknown-user":
                File.WriteAllText(dir.File("gone.tsv"), "nobody\ti1\n");
                change = ["--remove", dir.File("gone.tsv")];
                break;
            case "unknown-item":
                File.WriteAllText(dir.File("gone.tsv"), "u1\tno-such-item\n");
                change = ["--remove", dir.File("gone.tsv")];
                break;
            case "unknown-pair":
                Rows all = Generate(150, 60, 7);
                string missing = all.Pairs.Select(p => p.Item).Distinct().First(i => !all.Pairs.Contains(("u1", i)));
                File.WriteAllText(dir.File("gone.tsv"), $"u1\t{missing}\n");
                change = ["--remove", dir.File("gone.tsv")];
                break;
            case "unknown-remove-user":
                change = ["--remove-user", "nobody"];
                break;
            case "stale-base":
                // The state moved on to m2; m is no longer its base.
                Update("-m", model, "--state", dir.File("state"), "--remove-user", "u2", "-o", dir.File("m2.ease"));
                break;
        }
        var before = Directory.GetFiles(dir.Path, "*", SearchOption.AllDirectories).ToDictionary(f => f, File.ReadAllBytes);
        CliRunner.Result r = CliRunner.Run(["update", "-m", model, "--state", dir.File("state"), .. change, "-o", dir.File("out.ease"), "-q"]);
        Assert.Equal(2, r.ExitCode);
        string[] lines = r.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.DoesNotContain("   at ", r.Err);
        string expected = kind switch
        {
            "other-model" or "stale-base" => "belongs to another model",
            "truncated" => "truncated",
            "corrupted" => "CRC-32C mismatch",
            "unknown-user" => "user 'nobody' is not in the model's interactions",
            "unknown-item" => "item 'no-such-item' is not in the model's catalogue",
            "unknown-pair" => "has no interaction with item",
            _ => "--remove-user: user 'nobody'",
        };
        Assert.Contains(expected, r.Err);
        var after = Directory.GetFiles(dir.Path, "*", SearchOption.AllDirectories).ToDictionary(f => f, File.ReadAllBytes);
        Assert.Equal(before.Keys.Order(), after.Keys.Order());
        foreach ((string f, byte[] b) in before)
            Assert.True(b.AsSpan().SequenceEqual(after[f]), f);
    }

    [Fact]
    public void TrainStateRefusesShardsAndDeviceOutputs()
    {
        using var dir = new TempDirectory();
        Generate(50, 30, 8).Write(dir.File("base.tsv"));
        CliRunner.Result r = CliRunner.Run("train", "-i", dir.File("base.tsv"), "-o", dir.File("p.ease"), "--solver", "sparse", "--shard", "0/2", "--state", dir.File("s"), "-q");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("--state", r.Err);
        Assert.False(Directory.Exists(dir.File("s")) && Directory.EnumerateFileSystemEntries(dir.File("s")).Any());
    }

    [Fact]
    public void TrainStateRefusesGraphFiltersBeforeReading()
    {
        using var dir = new TempDirectory();
        Generate(50, 30, 8).Write(dir.File("base.tsv"));
        CliRunner.Result r = CliRunner.Run("train", "-i", dir.File("base.tsv"), "-o", dir.File("f.ease"), "--family", "gf-cf", "--state", dir.File("s"), "-q");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("--family gf-cf model is retrained", r.Err);
        Assert.False(File.Exists(dir.File("f.ease")));
    }

    [Fact]
    public void AModelPathThatIsADirectorySaysSo()
    {
        using var dir = new TempDirectory();
        Directory.CreateDirectory(dir.File("m.ease"));
        Generate(50, 30, 8).Write(dir.File("delta.tsv"));
        CliRunner.Result r = CliRunner.Run("update", "-m", dir.File("m.ease"), "--state", dir.File("state"), "--add", dir.File("delta.tsv"), "-o", dir.File("out.ease"));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("is a directory, not a file", r.Err);
    }

    /// <summary>
    /// An update killed while it writes (after the new state's sections, during the model's rows)
    /// leaves the old model and the old state byte for byte, and the old pair still updates.
    /// </summary>
    [Fact]
    public void KilledUpdateLeavesTheOldModelAndStateIntact()
    {
        using var dir = new TempDirectory();
        Generate(3000, 2500, 9).Write(dir.File("base.tsv"));
        Train(dir.File("base.tsv"), dir.File("m.ease"), dir.File("state"), "--solver", "dense", "--threads", "1");
        byte[] model = File.ReadAllBytes(dir.File("m.ease"));
        string stateFile = UpdateStatePath.Of(dir.File("state"));
        byte[] state = File.ReadAllBytes(stateFile);

        string ease = Path.Combine(AppContext.BaseDirectory, "ease.dll");
        var info = new ProcessStartInfo("dotnet", ["exec", ease, "update", "-m", dir.File("m.ease"), "--state", dir.File("state"), "--remove-user", "u1",
            "-o", dir.File("m.ease"), "--threads", "1"])
        { RedirectStandardError = true, RedirectStandardOutput = true };
        using (Process p = Process.Start(info)!)
        {
            string? line;
            while ((line = p.StandardError.ReadLine()) is not null && !line.Contains("prune+write: started", StringComparison.Ordinal))
            {
            }
            Assert.NotNull(line);
            p.Kill(entireProcessTree: true);
            p.WaitForExit();
            Assert.NotEqual(0, p.ExitCode);
        }
        Assert.Equal(model, File.ReadAllBytes(dir.File("m.ease")));
        Assert.Equal(state, File.ReadAllBytes(stateFile));
        // The pair still works (stray temporary files of the killed process are hidden and ignored).
        Update("-m", dir.File("m.ease"), "--state", dir.File("state"), "--remove-user", "u1", "-o", dir.File("m2.ease"), "--threads", "1");
    }
}

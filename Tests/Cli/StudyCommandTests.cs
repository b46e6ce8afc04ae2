using System.Text.Json;
using System.Xml.Linq;
using Ease.Tests.Support;

namespace Ease.Tests.Cli;

/// <summary>`ease study` end to end on the demo's generated data: the report files, the JSON contract, exit codes.</summary>
public sealed class StudyCommandTests
{
    private static (string Train, string Test) Demo(TempDirectory dir)
    {
        var g = CliRunner.Run("generate", "--out", dir.Path, "--users", "700", "--items", "90", "--seed", "2");
        Assert.True(g.ExitCode == 0, g.Err);
        return (dir.File("train.txt"), dir.File("test.txt"));
    }

    [Fact]
    public void WritesTableChartAndJsonForEveryVariant()
    {
        using var dir = new TempDirectory();
        (string train, string test) = Demo(dir);
        string report = dir.File("report");
        var r = CliRunner.Run("study", "-i", train, "--history", train, "--heldout", test, "--format", "adjacency", "--lambda", "50",
            "-k", "10,20", "--variants", "linear,pruned-20", "--nonneg-support", "0", "-o", report, "--json");
        Assert.True(r.ExitCode == 0, r.Err);
        JsonElement j = JsonDocument.Parse(r.Out).RootElement;
        foreach (string key in new[] { "input", "users", "items", "interactions", "evaluated_users", "lambda", "k", "recall_normalization", "machine", "gram_seconds", "inverse_seconds", "variants" })
            Assert.True(j.TryGetProperty(key, out _), key);
        JsonElement[] variants = [.. j.GetProperty("variants").EnumerateArray()];
        string[] names = [.. variants.Select(v => v.GetProperty("name").GetString()!)];
        Assert.Equal(["ease", "no-zero-diagonal", "no-negatives-clipped", "no-negatives-fit", "low-rank-64-svd", "low-rank-64-lae",
            "low-rank-256-svd", "low-rank-256-lae", "low-rank-1024-svd", "low-rank-1024-lae", "pruned-128", "pruned-512", "pruned-2048", "pruned-20"], names);
        foreach (JsonElement v in variants)
        {
            foreach (string key in new[] { "claim", "parameters", "train_seconds", "own_seconds", "note", "ndcg_of_ease", "Recall@10", "NDCG@10", "Recall@20", "NDCG@20", "Recall@20_se", "NDCG@20_se", "Coverage@20", "users", "scoring_seconds" })
                Assert.True(v.TryGetProperty(key, out _), $"{v.GetProperty("name")}: {key}");
            Assert.InRange(v.GetProperty("NDCG@10").GetDouble(), 0.01, 1);
            Assert.True(v.GetProperty("parameters").GetInt64() > 0);
        }
        Assert.Equal(1.0, variants[0].GetProperty("ndcg_of_ease").GetDouble());
        // With 90 items every rank and every K ≥ 89 is the whole model: the capped low-rank SVD and the
        // largest pruning reproduce EASE's ranking.
        Assert.Equal(variants[0].GetProperty("NDCG@20").GetDouble(), variants[^2].GetProperty("NDCG@20").GetDouble(), 6);
        Assert.Equal(variants[0].GetProperty("NDCG@20").GetDouble(), variants[8].GetProperty("NDCG@20").GetDouble(), 3);

        JsonElement written = JsonDocument.Parse(File.ReadAllText(Path.Combine(report, "study.json"))).RootElement;
        Assert.Equal(names, written.GetProperty("variants").EnumerateArray().Select(v => v.GetProperty("name").GetString()!).ToArray());
        string md = File.ReadAllText(Path.Combine(report, "study.md"));
        Assert.Contains("| variant | claim | parameters | Recall@10 | NDCG@10 |", md);
        Assert.Contains("| no-negatives-fit | negative weights |", md);
        XDocument svg = XDocument.Load(Path.Combine(report, "study.svg"));
        Assert.Equal("svg", svg.Root!.Name.LocalName);
        Assert.Contains("low-rank-64-lae", svg.ToString());
        Assert.Equal(3, Directory.GetFiles(report).Length);
    }

    [Fact]
    public void DeepVariantsTrainWithAProgressLinePerEpochAndJoinTheTable()
    {
        using var dir = new TempDirectory();
        (string train, string test) = Demo(dir);
        var r = CliRunner.Run("study", "-i", train, "--history", train, "--heldout", test, "--format", "adjacency",
            "--variants", "ease,deep", "--epochs", "3", "--hidden", "16", "--latent", "8", "--batch-size", "100", "--anneal-steps", "10");
        Assert.True(r.ExitCode == 0, r.Err);
        foreach (string name in new[] { "mult-vae", "mult-dae", "gaussian-dae", "logistic-dae" })
        {
            Assert.Contains($"| {name} | likelihood vs depth |", r.Out);
            for (int e = 1; e <= 3; e++)
                Assert.Contains($"ease: {name}: train: epoch {e}/3: loss ", r.Err);
        }
        Assert.Contains("β ", r.Err);
        Assert.Contains("[n→16→8→16→n] tanh, multinomial likelihood", r.Out);
        Assert.Contains("KL annealed to β = 0.2 over 10 updates", r.Out);
        // --anneal-steps 0 holds β at the cap from the first update (the LightGCN Gowalla setting); the table says so.
        var held = CliRunner.Run("study", "-i", train, "--history", train, "--heldout", test, "--format", "adjacency",
            "--variants", "mult-vae", "--epochs", "1", "--hidden", "16", "--latent", "8", "--batch-size", "100", "--anneal-steps", "0", "--anneal-cap", "0.8");
        Assert.True(held.ExitCode == 0, held.Err);
        Assert.Contains("KL weight β = 0.8 from the first update", held.Out);
        Assert.Contains("β 0.8,", held.Err);
        Assert.Equal(1, CliRunner.Run("study", "-i", train, "--history", train, "--heldout", test, "--format", "adjacency", "--variants", "mult-vae", "--epochs", "0").ExitCode);
    }

    [Fact]
    public void ValidationChoosesTheDeepVariantsEpoch()
    {
        using var dir = new TempDirectory();
        (string train, string test) = Demo(dir);
        string[] common = ["-i", train, "--history", train, "--heldout", test, "--format", "adjacency", "--variants", "mult-vae",
            "--epochs", "4", "--hidden", "16", "--latent", "8", "--batch-size", "100", "--anneal-steps", "10"];
        var r = CliRunner.Run(["study", .. common, "--valid", test, "--eval-every", "2", "--select-by", "recall", "--json"]);
        Assert.True(r.ExitCode == 0, r.Err);
        JsonElement v = JsonDocument.Parse(r.Out).RootElement.GetProperty("variants")[0];
        Assert.Contains(v.GetProperty("epoch").GetInt32(), new[] { 2, 4 });
        Assert.Contains(" of 4 by validation Recall@20 ", v.GetProperty("note").GetString());

        var progress = CliRunner.Run(["study", .. common, "--valid", test]);
        Assert.True(progress.ExitCode == 0, progress.Err);
        for (int e = 1; e <= 4; e++)
            Assert.Contains($"ease: mult-vae: train: epoch {e}/4: validation Recall@20 ", progress.Err);

        static void OneLine(CliRunner.Result x, int code, string text)
        {
            Assert.Equal(code, x.ExitCode);
            Assert.Single(x.Err.Trim().Split('\n'));
            Assert.Contains(text, x.Err);
        }
        OneLine(CliRunner.Run(["study", .. common, "--patience", "2"]), 1, "need --valid");
        OneLine(CliRunner.Run(["study", .. common, "--valid", test, "--patience", "-1"]), 1, "--patience");
        OneLine(CliRunner.Run(["study", .. common, "--valid", test, "--eval-every", "0"]), 1, "--eval-every");
        OneLine(CliRunner.Run(["study", .. common, "--valid", test, "--select-by", "map"]), 1, "map");
        OneLine(CliRunner.Run(["study", "-i", train, "--history", train, "--heldout", test, "--format", "adjacency", "--variants", "ease", "--valid", test]), 1, "--valid");
        OneLine(CliRunner.Run(["study", .. common, "-q", "--valid", dir.File("none.txt")]), 2, "none.txt");
    }

    [Fact]
    public void UsageAndDataErrorsAreOneLineWithTheirExitCodes()
    {
        using var dir = new TempDirectory();
        (string train, string test) = Demo(dir);
        string[] common = ["--history", train, "--heldout", test, "--format", "adjacency", "-q"];

        var bogus = CliRunner.Run(["study", "-i", train, .. common, "--variants", "ease,bogus"]);
        Assert.Equal(1, bogus.ExitCode);
        Assert.Contains("unknown variant \"bogus\"", bogus.Err);
        Assert.Equal(1, CliRunner.Run(["study", "-i", train, .. common, "--lambda", "0"]).ExitCode);
        Assert.Equal(1, CliRunner.Run(["study", "-i", train, .. common, "--nonneg-support", "-1"]).ExitCode);
        Assert.Equal(1, CliRunner.Run(["study", "-i", train, .. common, "-k", "0"]).ExitCode);
        Assert.Equal(1, CliRunner.Run(["study", "-i", train, .. common, "-o", train]).ExitCode);

        var missing = CliRunner.Run(["study", "-i", dir.File("nope.txt"), .. common]);
        Assert.Equal(2, missing.ExitCode);
        Assert.Single(missing.Err.Trim().Split('\n'));
        Assert.Contains("nope.txt", missing.Err);

        string bad = dir.File("bad.txt");
        File.WriteAllBytes(bad, [.. "1 2 3\n2 "u8, 0xFF, .. " 4\n"u8]); // invalid UTF-8 on line 2
        var malformed = CliRunner.Run(["study", "-i", bad, .. common]);
        Assert.Equal(2, malformed.ExitCode);
        Assert.Single(malformed.Err.Trim().Split('\n'));
        Assert.Contains("bad.txt", malformed.Err);
        Assert.Contains("2", malformed.Err);
        Assert.DoesNotContain("   at ", malformed.Err);
    }
}

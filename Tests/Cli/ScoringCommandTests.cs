using System.Globalization;
using System.Text.Json;
using Ease.Format;
using Ease.Tests.Support;

namespace Ease.Tests.Cli;

/// <summary>recommend, similar, bench and evaluate on a model trained from the reference fixture.</summary>
public sealed class ScoringCommandTests : ReferenceModelTests
{
    [Fact]
    public void RecommendWritesRankedCsvWithoutHistoryItems()
    {
        string output = Dir.File("recs.csv");
        var r = CliRunner.Run("recommend", "-m", Model, "-i", Train, "--format", "adjacency", "-k", "5", "-o", output);
        Assert.True(r.ExitCode == 0, r.Err);
        string[] lines = File.ReadAllLines(output);
        Assert.Equal("user,rank,item,score", lines[0]);
        Assert.Equal(1 + 120 * 5, lines.Length);
        var history = File.ReadAllLines(Train).Select(l => l.Split(' ')).ToDictionary(p => p[0], p => p.Skip(1).ToHashSet());
        foreach (var group in lines.Skip(1).Select(l => l.Split(',')).GroupBy(p => p[0]))
        {
            float[] scores = [.. group.Select(p => float.Parse(p[3], CultureInfo.InvariantCulture))];
            Assert.Equal(scores.OrderByDescending(s => s), scores);
            Assert.Equal(["1", "2", "3", "4", "5"], group.Select(p => p[1]));
            Assert.DoesNotContain(group, p => history[group.Key].Contains(p[2]));
        }
    }

    [Fact]
    public void ExcludedItemsNeverAppearAndUnknownHistoryIsCounted()
    {
        string exclude = Dir.File("exclude.txt");
        File.WriteAllLines(exclude, ["1", "2", "3", "not-an-item"]);
        string history = Dir.File("h.csv");
        File.WriteAllText(history, "alice,5\nalice,nope\nbob,ghost\n");
        var r = CliRunner.Run("recommend", "-m", Model, "-i", history, "--exclude-items", exclude, "-k", "10");
        Assert.True(r.ExitCode == 0, r.Err);
        string[] rows = [.. r.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1)];
        Assert.Equal(20, rows.Length);
        Assert.DoesNotContain(rows, l => l.Split(',')[2] is "1" or "2" or "3" or "5");
        Assert.Contains("not in the model", r.Err);
        Assert.Contains("1 users got the most popular items", r.Err);
    }

    [Fact]
    public void SimilarListsTheRowsLargestWeights()
    {
        var r = CliRunner.Run("similar", "-m", Model, "--item", "5", "-k", "3", "--json");
        Assert.True(r.ExitCode == 0, r.Err);
        using JsonDocument doc = JsonDocument.Parse(r.Out);
        using ModelFile m = ModelFile.Open(Model);
        Assert.True(m.TryFindItem("5", out int row));
        float[] expected = [.. m.RowValues(row).ToArray().OrderByDescending(v => v).Take(3)];
        Assert.Equal(expected, doc.RootElement.EnumerateArray().Select(e => e.GetProperty("score").GetSingle()));
        Assert.Equal(2, CliRunner.Run("similar", "-m", Model, "--item", "no-such-item").ExitCode);
    }

    [Fact]
    public void BenchReportsTheContractKeys()
    {
        var r = CliRunner.Run("bench", "-m", Model, "-i", Train, "--format", "adjacency", "--threads", "2", "--repeat", "2", "--json");
        Assert.True(r.ExitCode == 0, r.Err);
        JsonElement j = JsonDocument.Parse(r.Out).RootElement;
        Assert.True(j.GetProperty("users_per_s").GetDouble() > 0);
        Assert.True(j.GetProperty("p50_us").GetDouble() <= j.GetProperty("p99_us").GetDouble());
        Assert.Equal(0, j.GetProperty("alloc_bytes_per_call").GetDouble());
        Assert.Equal(120, j.GetProperty("users").GetInt32());

        // The roofline keys: the rows a user's history names, 8 bytes per stored weight, counted
        // here from the training file and the model, independently of the bench code.
        long weights = HistoryWeights(Model);
        Assert.Equal(weights * 8.0 / 120, j.GetProperty("bytes_per_user").GetDouble(), 0.05);
        double rate = j.GetProperty("gbytes_per_s").GetDouble(), stream = j.GetProperty("stream_gbytes_per_s").GetDouble();
        Assert.Equal(j.GetProperty("bytes_per_user").GetDouble() * j.GetProperty("users_per_s").GetDouble() / 1e9, rate, 0.002);
        Assert.True(stream > 0.1, $"streaming bandwidth {stream} GB/s");
        Assert.Equal(rate / stream, j.GetProperty("roofline_fraction").GetDouble(), 0.001);
    }

    [Fact]
    public void EvaluateJsonKeys()
    {
        // Score the training users against their own training items with IncludeSeen off:
        // every held-out item is in the history, so nothing can be hit.
        var r = CliRunner.Run("evaluate", "-m", Model, "--history", Train, "--heldout", Train, "--format", "adjacency", "-k", "5,10", "--json");
        Assert.True(r.ExitCode == 0, r.Err);
        JsonElement j = JsonDocument.Parse(r.Out).RootElement;
        Assert.Equal(120, j.GetProperty("users").GetInt32());
        Assert.Equal(0, j.GetProperty("Recall@5").GetDouble());
        Assert.Equal(0, j.GetProperty("NDCG@10").GetDouble());
        Assert.Equal("heldout", j.GetProperty("recall_normalization").GetString());
        Assert.Equal(1, CliRunner.Run("evaluate", "-m", Model, "--history", Train, "--heldout", Train, "-k", "0").ExitCode);
    }
}

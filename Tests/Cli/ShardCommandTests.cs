using System.Globalization;
using System.Text;
using System.Text.Json;
using Ease.Cli.Commands;
using Ease.Tests.Support;

namespace Ease.Tests.Cli;

/// <summary>--shard I/N of recommend, evaluate and bench: N runs split the users of one run between them.</summary>
public sealed class ShardCommandTests : IDisposable
{
    private const int Users = 1200;
    private readonly TempDirectory _dir = new();
    private readonly string _model, _train, _test;

    public ShardCommandTests()
    {
        (_train, _test) = GenerateCommand.Write(_dir.Path, Users, 300, seed: 7, testFraction: 0.2);
        _model = _dir.File("m.ease");
        var r = CliRunner.Run("train", "-i", _train, "--format", "adjacency", "-o", _model, "--lambda", "50", "--prune-topk", "60", "-q");
        Assert.True(r.ExitCode == 0, r.Err);
    }

    public void Dispose() => _dir.Dispose();

    private string[] Recommend(string output, params string[] extra)
    {
        var r = CliRunner.Run(["recommend", "-m", _model, "-i", _train, "--format", "adjacency", "-k", "7", "-o", output, .. extra]);
        Assert.True(r.ExitCode == 0, r.Err);
        string[] lines = File.ReadAllLines(output);
        Assert.Equal("user,rank,item,score", lines[0]);
        return lines[1..];
    }

    [Fact]
    public void FourShardsTogetherAreOneRunDisjointAndBalanced()
    {
        string[] single = Recommend(_dir.File("all.csv"));
        string[][] shards = [.. Enumerable.Range(0, 4).Select(i => Recommend(_dir.File($"shard-{i}.csv"), "--shard", $"{i}/4"))];

        static byte[] SortedBytes(IEnumerable<string> rows) =>
            Encoding.UTF8.GetBytes(string.Join('\n', rows.Order(StringComparer.Ordinal)));
        Assert.Equal(Users * 7, single.Length);
        Assert.Equal(SortedBytes(single), SortedBytes(shards.SelectMany(s => s)));

        HashSet<string>[] owners = [.. shards.Select(s => s.Select(l => l.Split(',')[0]).ToHashSet())];
        for (int a = 0; a < 4; a++)
        {
            Assert.InRange(owners[a].Count, Users / 4 * 0.8, Users / 4 * 1.2);
            for (int b = a + 1; b < 4; b++)
                Assert.Empty(owners[a].Intersect(owners[b]));
        }
        Assert.Equal(Users, owners.Sum(o => o.Count));
    }

    [Fact]
    public void EvaluateShardsCombineAsUserWeightedMeans()
    {
        JsonElement Evaluate(params string[] extra)
        {
            var r = CliRunner.Run(["evaluate", "-m", _model, "--history", _train, "--heldout", _test, "--format", "adjacency", "-k", "10,20", "--json", .. extra]);
            Assert.True(r.ExitCode == 0, r.Err);
            return JsonDocument.Parse(r.Out).RootElement.Clone();
        }
        JsonElement whole = Evaluate();
        JsonElement[] parts = [.. Enumerable.Range(0, 3).Select(i => Evaluate("--shard", $"{i}/3"))];

        Assert.Equal(["0/3", "1/3", "2/3"], parts.Select(p => p.GetProperty("shard").GetString()));
        int users = parts.Sum(p => p.GetProperty("users").GetInt32());
        Assert.Equal(whole.GetProperty("users").GetInt32(), users);
        foreach (string metric in new[] { "Recall@10", "NDCG@10", "Recall@20", "NDCG@20" })
        {
            double combined = parts.Sum(p => p.GetProperty(metric).GetDouble() * p.GetProperty("users").GetInt32()) / users;
            Assert.Equal(whole.GetProperty(metric).GetDouble(), combined, 5);
        }
    }

    [Fact]
    public void BenchScoresOnlyItsShard()
    {
        var all = CliRunner.Run("bench", "-m", _model, "-i", _train, "--format", "adjacency", "--repeat", "1", "--json");
        Assert.True(all.ExitCode == 0, all.Err);
        int sum = 0;
        for (int i = 0; i < 2; i++)
        {
            var r = CliRunner.Run("bench", "-m", _model, "-i", _train, "--format", "adjacency", "--repeat", "1", "--json", "--shard", $"{i}/2");
            Assert.True(r.ExitCode == 0, r.Err);
            JsonElement j = JsonDocument.Parse(r.Out).RootElement;
            Assert.Equal($"{i}/2", j.GetProperty("shard").GetString());
            sum += j.GetProperty("users").GetInt32();
        }
        Assert.Equal(JsonDocument.Parse(all.Out).RootElement.GetProperty("users").GetInt32(), sum);
    }

    [Theory]
    [InlineData("recommend", "4/4")]
    [InlineData("recommend", "0/0")]
    [InlineData("recommend", "1")]
    [InlineData("bench", "-1/2")]
    [InlineData("bench", "one/two")]
    [InlineData("evaluate", "2/1")]
    [InlineData("evaluate", "0/4x")]
    public void AnInvalidShardIsAUsageErrorOnOneLine(string verb, string shard)
    {
        string[] args = verb == "evaluate"
            ? [verb, "-m", _model, "--history", _train, "--heldout", _test, "--format", "adjacency", "--shard", shard]
            : [verb, "-m", _model, "-i", _train, "--format", "adjacency", "--shard", shard];
        var r = CliRunner.Run(args);
        Assert.Equal(1, r.ExitCode);
        Assert.Equal("", r.Out);
        string line = Assert.Single(r.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("ease: error: --shard takes I/N", line);
        Assert.Contains(string.Create(CultureInfo.InvariantCulture, $"\"{shard}\""), line);
    }
}

using System.Text.Json;
using Ease.Format;
using Ease.Tests.Support;

namespace Ease.Tests.Cli;

/// <summary>`--max-weights` and `--light-model` of recommend, bench and evaluate.</summary>
public sealed class BudgetCommandTests : ReferenceModelTests
{
    private const int Budget = 200;

    private string Light()
    {
        string light = Dir.File("light.ease");
        var r = CliRunner.Run("prune", "-m", Model, "--prune-topk", "5", "--values", "i8", "-o", light);
        Assert.True(r.ExitCode == 0, r.Err);
        return light;
    }

    // Users whose history rows in the model hold more than the budget.
    private HashSet<string> UsersOverBudget()
    {
        using ModelFile m = ModelFile.Open(Model);
        var over = new HashSet<string>();
        foreach (string line in File.ReadAllLines(Train))
        {
            string[] parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            long weights = parts.Skip(1).Distinct().Sum(id => m.TryFindItem(id, out int row) ? (long)m.RowLength(row) : 0);
            if (weights > Budget)
                over.Add(parts[0]);
        }
        return over;
    }

    private static Dictionary<string, string[]> ByUser(string csv) =>
        csv.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1)
            .GroupBy(l => l[..l.IndexOf(',')])
            .ToDictionary(g => g.Key, g => g.ToArray());

    [Fact]
    public void RecommendScoresUsersOverTheBudgetFromTheLightModel()
    {
        string light = Light();
        HashSet<string> over = UsersOverBudget();
        Assert.InRange(over.Count, 1, 119);
        var full = CliRunner.Run("recommend", "-m", Model, "-i", Train, "--format", "adjacency", "-k", "5");
        var fromLight = CliRunner.Run("recommend", "-m", light, "-i", Train, "--format", "adjacency", "-k", "5");
        var budgeted = CliRunner.Run("recommend", "-m", Model, "-i", Train, "--format", "adjacency", "-k", "5",
            "--max-weights", Budget.ToString(System.Globalization.CultureInfo.InvariantCulture), "--light-model", light);
        Assert.True(budgeted.ExitCode == 0, budgeted.Err);
        Dictionary<string, string[]> a = ByUser(full.Out), b = ByUser(fromLight.Out), c = ByUser(budgeted.Out);
        Assert.Equal(a.Count, c.Count);
        foreach ((string user, string[] lines) in c)
            Assert.Equal(over.Contains(user) ? b[user] : a[user], lines);

        // A budget no user reaches changes nothing.
        var loose = CliRunner.Run("recommend", "-m", Model, "-i", Train, "--format", "adjacency", "-k", "5", "--max-weights", "1000000", "--light-model", light);
        Assert.Equal(full.Out, loose.Out);
    }

    [Fact]
    public void BenchAndEvaluateReportTheBudget()
    {
        string light = Light();
        int over = UsersOverBudget().Count;
        var bench = CliRunner.Run("bench", "-m", Model, "-i", Train, "--format", "adjacency", "--repeat", "1", "--threads", "1",
            "--max-weights", "200", "--light-model", light, "--json");
        Assert.True(bench.ExitCode == 0, bench.Err);
        JsonElement j = JsonDocument.Parse(bench.Out).RootElement;
        Assert.Equal(Budget, j.GetProperty("max_weights").GetInt32());
        Assert.Equal(over, j.GetProperty("budgeted_users").GetInt32());

        // Bytes per user: the light rows (3 bytes per weight) for users over, the model's otherwise.
        using (ModelFile m = ModelFile.Open(Model))
        using (ModelFile l = ModelFile.Open(light))
        {
            double bytes = 0;
            string[] lines = File.ReadAllLines(Train);
            foreach (string line in lines)
            {
                string[] parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                bool cut = UsersOverBudget().Contains(parts[0]);
                ModelFile source = cut ? l : m;
                bytes += parts.Skip(1).Sum(id => source.TryFindItem(id, out int row) ? (double)source.RowLength(row) : 0) * source.Encoding.BytesPerWeight;
            }
            Assert.Equal(bytes / lines.Length, j.GetProperty("bytes_per_user").GetDouble(), 0.1);
        }

        var eval = CliRunner.Run("evaluate", "-m", Model, "--history", Train, "--heldout", Train, "--format", "adjacency", "-k", "5",
            "--max-weights", "200", "--light-model", light, "--json");
        Assert.True(eval.ExitCode == 0, eval.Err);
        JsonElement e = JsonDocument.Parse(eval.Out).RootElement;
        Assert.Equal(Budget, e.GetProperty("max_weights").GetInt32());
        Assert.InRange(e.GetProperty("NDCG@5").GetDouble(), 0, 1);
    }

    [Fact]
    public void BadBudgetsAreUsageErrorsAndOtherItemsAreDataErrors()
    {
        string light = Light();
        var r = CliRunner.Run("recommend", "-m", Model, "-i", Train, "--format", "adjacency", "--light-model", light);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("--max-weights", r.Err);
        Assert.Equal(1, CliRunner.Run("evaluate", "-m", Model, "--history", Train, "--heldout", Train, "--format", "adjacency", "--max-weights", "-5").ExitCode);
        r = CliRunner.Run("bench", "-m", Model, "-i", Train, "--format", "adjacency", "--batch-users", "8", "--max-weights", "10");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("--batch-users", r.Err);

        string otherTrain = Dir.File("other.txt");
        File.WriteAllLines(otherTrain, ["0 100 101", "1 100 102", "2 101 102"]);
        string other = Dir.File("other.ease");
        Assert.Equal(0, CliRunner.Run("train", "-i", otherTrain, "--format", "adjacency", "-o", other, "--lambda", "1", "-q").ExitCode);
        r = CliRunner.Run("recommend", "-m", Model, "-i", Train, "--format", "adjacency", "--max-weights", "10", "--light-model", other);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("other.ease", r.Err);
        Assert.Contains("3 items", r.Err);
        Assert.DoesNotContain("   at ", r.Err);
    }
}

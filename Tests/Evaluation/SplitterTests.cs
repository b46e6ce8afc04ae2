using Ease.Engine.Evaluation;
using Ease.Engine.Input;
using Ease.Engine.Synthetic;
using Ease.Tests.Support;

namespace Ease.Tests.Evaluation;

public class SplitterTests
{
    private static InteractionSet Data() => SyntheticData.Generate(600, 200, seed: 3);

    private static HashSet<(string, string)> Pairs(string path) =>
        [.. File.ReadLines(path).Skip(1).Select(l => l.Split(',')).Select(p => (p[0], p[1]))];

    [Fact]
    public void StrongSplitFollowsTheProtocolAndIsReproducible()
    {
        using var a = new TempDirectory();
        using var b = new TempDirectory();
        InteractionSet data = Data();
        SplitSummary s = Splitter.Strong(data, heldoutUsers: 50, seed: 7, a.Path);
        Splitter.Strong(data, heldoutUsers: 50, seed: 7, b.Path);
        foreach (string f in new[] { "train.csv", "validation_tr.csv", "validation_te.csv", "test_tr.csv", "test_te.csv" })
            Assert.Equal(File.ReadAllBytes(Path.Combine(a.Path, f)), File.ReadAllBytes(Path.Combine(b.Path, f)));

        var train = Pairs(a.File("train.csv"));
        var trainUsers = train.Select(p => p.Item1).ToHashSet();
        var trainItems = train.Select(p => p.Item2).ToHashSet();
        Assert.Equal(s.TrainUsers, trainUsers.Count);
        foreach (string set in new[] { "validation", "test" })
        {
            var tr = Pairs(a.File($"{set}_tr.csv"));
            var te = Pairs(a.File($"{set}_te.csv"));
            var users = tr.Concat(te).Select(p => p.Item1).ToHashSet();
            Assert.Equal(50, users.Count);
            Assert.Empty(users.Intersect(trainUsers));
            Assert.Empty(tr.Intersect(te));
            Assert.All(tr.Concat(te), p => Assert.Contains(p.Item2, trainItems));
            foreach (var user in users)
            {
                int shown = tr.Count(p => p.Item1 == user), hidden = te.Count(p => p.Item1 == user);
                int total = shown + hidden;
                Assert.Equal(total >= 5 ? (int)(0.2 * total) : 0, hidden);
            }
        }
        Assert.Empty(Pairs(a.File("validation_tr.csv")).Select(p => p.Item1).Intersect(Pairs(a.File("test_tr.csv")).Select(p => p.Item1)));

        using var c = new TempDirectory();
        Splitter.Strong(data, heldoutUsers: 50, seed: 8, c.Path);
        Assert.NotEqual(File.ReadAllBytes(a.File("test_te.csv")), File.ReadAllBytes(c.File("test_te.csv")));
    }

    [Fact]
    public void PerUserSplitHidesAShareOfEveryUser()
    {
        using var dir = new TempDirectory();
        InteractionSet data = Data();
        Splitter.PerUser(data, 0.25, seed: 1, dir.Path);
        var train = Pairs(dir.File("train.csv"));
        var test = Pairs(dir.File("test.csv"));
        Assert.Empty(train.Intersect(test));
        Assert.Equal(data.InteractionCount, train.Count + test.Count);
        for (int u = 0; u < data.UserCount; u++)
        {
            int n = data.ItemsOf(u).Length;
            int hidden = test.Count(p => p.Item1 == data.UserIds[u]);
            Assert.Equal(n < 2 ? 0 : Math.Clamp((int)Math.Round(0.25 * n), 1, n - 1), hidden);
        }
    }

    [Fact]
    public void TooFewUsersIsAClearError()
    {
        using var dir = new TempDirectory();
        var e = Assert.Throws<ArgumentException>(() => Splitter.Strong(Data(), heldoutUsers: 400, seed: 1, dir.Path));
        Assert.Contains("400", e.Message);
    }
}

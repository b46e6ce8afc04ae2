using System.IO.Hashing;
using Ease.Engine.Input;
using Ease.Tests.Support;

namespace Ease.Tests.Input;

public sealed class UserShardTests
{
    [Theory]
    [InlineData("", 0xEF46DB3751D8E999UL)]
    [InlineData("abc", 0x44BC2CF5AD770999UL)]
    public void HashIsXxHash64WithSeedZero(string id, ulong expected) => Assert.Equal(expected, UserShard.Hash(id));

    [Fact]
    public void HashReadsTheUtf8BytesOfTheId()
    {
        Assert.Equal(XxHash64.HashToUInt64([0xC3, 0xA9, 0x31]), UserShard.Hash("é1"));
        Assert.Equal(UserShard.Hash("é1"), UserShard.Hash("é1"u8));
        string longId = new('ü', 700);
        Assert.Equal(XxHash64.HashToUInt64(System.Text.Encoding.UTF8.GetBytes(longId)), UserShard.Hash(longId));
    }

    [Theory]
    [InlineData("0/1", 0, 1)]
    [InlineData("3/4", 3, 4)]
    [InlineData("0/2147483647", 0, int.MaxValue)]
    public void ParsesZeroBasedIndexOfCount(string text, int index, int count)
    {
        Assert.True(UserShard.TryParse(text, out UserShard shard));
        Assert.Equal(new UserShard(index, count), shard);
        Assert.Equal(text, shard.ToString());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("4/4")]
    [InlineData("1/0")]
    [InlineData("-1/4")]
    [InlineData("+1/4")]
    [InlineData("1/4/2")]
    [InlineData(" 1/4")]
    [InlineData("1")]
    [InlineData("a/b")]
    [InlineData("0/99999999999")]
    public void RejectsAnythingButIOfN(string? text) => Assert.False(UserShard.TryParse(text, out _));

    [Fact]
    public void EveryUserFallsInExactlyOneShardAndShardsAreBalanced()
    {
        string[] ids = [.. Enumerable.Range(0, 8000).Select(i => i % 2 == 0 ? $"u{i}" : i.ToString(System.Globalization.CultureInfo.InvariantCulture))];
        const int n = 8;
        var sizes = new int[n];
        foreach (string id in ids)
        {
            int[] owners = [.. Enumerable.Range(0, n).Where(i => new UserShard(i, n).Contains(id))];
            Assert.Single(owners);
            sizes[owners[0]]++;
        }
        Assert.All(sizes, s => Assert.InRange(s, 1000 * 0.9, 1000 * 1.1));
    }

    [Theory]
    [InlineData(InputFormat.Delimited)]
    [InlineData(InputFormat.Adjacency)]
    public void ReadingAShardKeepsItsUsersInOrderWithTheirItems(InputFormat format)
    {
        using var dir = new TempDirectory();
        string path = dir.File("log.txt");
        var lines = new List<string>();
        for (int u = 0; u < 60; u++)
        {
            string[] items = [.. Enumerable.Range(0, 1 + u % 5).Select(i => $"item-{(u + i) % 7}")];
            if (format == InputFormat.Adjacency)
                lines.Add($"user-{u} {string.Join(' ', items)}");
            else
                lines.AddRange(items.Select(i => $"user-{u},{i}"));
        }
        File.WriteAllLines(path, lines);
        var options = new InputOptions { Format = format };
        string[] itemIds = [.. Enumerable.Range(0, 7).Select(i => $"item-{i}")];
        InteractionSet all = InteractionReader.Read(path, options, itemIds, UnknownItemPolicy.Drop);

        var seen = new List<string>();
        for (int s = 0; s < 3; s++)
        {
            var shard = new UserShard(s, 3);
            InteractionSet part = InteractionReader.Read(path, options with { Shard = shard }, itemIds, UnknownItemPolicy.Drop);
            Assert.Equal(all.UserIds.Where(shard.Contains), part.UserIds);
            Assert.Equal(itemIds, part.ItemIds);
            for (int u = 0; u < part.UserCount; u++)
                Assert.Equal(all.ItemsOf(all.IndexOfUser(part.UserIds[u])).ToArray(), part.ItemsOf(u).ToArray());
            seen.AddRange(part.UserIds);
        }
        Assert.Equal(all.UserIds.Order(StringComparer.Ordinal), seen.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void ABadRowIsReportedWhicheverShardItsUserIsIn()
    {
        using var dir = new TempDirectory();
        string path = dir.File("log.csv");
        File.WriteAllLines(path, ["a,1", "b", "c,2"]);
        for (int s = 0; s < 2; s++)
        {
            var options = new InputOptions { Shard = new UserShard(s, 2) };
            var e = Assert.Throws<InputFormatException>(() => InteractionReader.Read(path, options));
            Assert.Equal(2, e.LineNumber);
        }
    }
}

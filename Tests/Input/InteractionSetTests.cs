using Ease.Engine.Input;

namespace Ease.Tests.Input;

public sealed class InteractionSetTests
{
    static InteractionSet Sample()
    {
        var builder = new InteractionSetBuilder();
        builder.Add("u0", "c");
        builder.Add("u0", "a");
        builder.Add("u1", "a");
        builder.Add("u0", "c");
        builder.AddUser("lonely");
        builder.Add("u1", "b");
        return builder.Build();
    }

    [Fact]
    public void Csr_by_user_is_sorted_and_distinct()
    {
        var set = Sample();
        Assert.Equal(["u0", "u1", "lonely"], set.UserIds);
        Assert.Equal(["c", "a", "b"], set.ItemIds);
        Assert.Equal([0, 1], set.ItemsOf(0).ToArray());
        Assert.Equal([1, 2], set.ItemsOf(1).ToArray());
        Assert.True(set.ItemsOf(2).IsEmpty);
        Assert.Equal(4, set.InteractionCount);
        Assert.Equal(1, set.DuplicatePairs);
        Assert.Equal([0, 2, 4, 4], set.UserOffsets.ToArray());
    }

    [Fact]
    public void Transpose_by_item()
    {
        var set = Sample();
        Assert.Equal([0], set.UsersOf(0).ToArray());
        Assert.Equal([0, 1], set.UsersOf(1).ToArray());
        Assert.Equal([1], set.UsersOf(2).ToArray());
        Assert.Equal([1, 2, 1], set.ItemPopularity);
        Assert.Equal([0, 1, 3, 4], set.ItemOffsets.ToArray());
    }

    [Fact]
    public void Out_of_range_indices_throw_with_values()
    {
        var set = Sample();
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => set.ItemsOf(3));
        Assert.Contains("[0, 3)", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => set.UsersOf(-1));
    }

    [Fact]
    public void Builder_cannot_be_reused()
    {
        var builder = new InteractionSetBuilder();
        builder.Add("a", "b");
        builder.Build();
        Assert.Throws<InvalidOperationException>(() => builder.Build());
    }

    [Fact]
    public void Transpose_of_random_matrix_matches_pairs()
    {
        var set = Ease.Engine.Synthetic.SyntheticData.Generate(300, 200, seed: 5);
        var byUser = new HashSet<(int, int)>();
        for (int u = 0; u < set.UserCount; u++)
        {
            ReadOnlySpan<int> items = set.ItemsOf(u);
            for (int k = 1; k < items.Length; k++)
                Assert.True(items[k - 1] < items[k]);
            foreach (int i in items)
                byUser.Add((u, i));
        }
        var byItem = new HashSet<(int, int)>();
        for (int i = 0; i < set.ItemCount; i++)
        {
            foreach (int u in set.UsersOf(i))
                byItem.Add((u, i));
            Assert.Equal(set.UsersOf(i).Length, set.ItemPopularity[i]);
        }
        Assert.Equal(byUser.Count, set.InteractionCount);
        Assert.True(byUser.SetEquals(byItem));
    }
}

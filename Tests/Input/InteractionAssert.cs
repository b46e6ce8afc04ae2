using Ease.Engine.Input;

namespace Ease.Tests.Input;

internal static class InteractionAssert
{
    /// <summary>The set's interactions as sorted "user item" strings in external ids, for whole-content asserts.</summary>
    public static string[] Pairs(InteractionSet set)
    {
        var pairs = new List<string>();
        for (int u = 0; u < set.UserCount; u++)
        {
            foreach (int i in set.ItemsOf(u))
                pairs.Add($"{set.UserIds[u]} {set.ItemIds[i]}");
        }
        pairs.Sort(StringComparer.Ordinal);
        return pairs.ToArray();
    }

    public static void Equal(InteractionSet set, params string[] expected)
    {
        Array.Sort(expected, StringComparer.Ordinal);
        Assert.Equal(expected, Pairs(set));
    }
}

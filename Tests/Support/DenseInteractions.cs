using Ease.Engine.Input;

namespace Ease.Tests.Support;

/// <summary>Small data on which the sparse solver's restrictions vanish.</summary>
public static class DenseInteractions
{
    /// <summary>
    /// 40 items, 300 users who each take every item with probability 1/2: every pair co-occurs,
    /// so with enough candidates every item is a candidate of every other.
    /// </summary>
    public static InteractionSet EveryPairCoOccurs()
    {
        var random = new Random(17);
        var builder = new InteractionSetBuilder();
        for (int i = 0; i < 40; i++)
            builder.AddItem($"i{i}");
        for (int u = 0; u < 300; u++)
        {
            int user = builder.AddUser($"u{u}");
            for (int i = 0; i < 40; i++)
            {
                if (random.Next(2) == 0)
                    builder.Add(user, i);
            }
        }
        return builder.Build();
    }
}

using Ease.Format;

namespace Ease.Engine.Scoring;

/// <summary>
/// The check that a light model (the strongest part of each row, for latency budgets; see
/// <see cref="RecommendOptions.MaxWeights"/>) describes the same items, row for row, as the model
/// it stands in for: scoring a history from it must mean the same items.
/// </summary>
public static class LightModelCheck
{
    /// <summary>Null when <paramref name="light"/> can stand in for <paramref name="model"/>; else what differs, in one line.</summary>
    public static string? Mismatch(ModelFile model, ModelFile light)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(light);
        if (light.ItemCount != model.ItemCount)
            return $"the light model has {light.ItemCount} items, the model {model.ItemCount}";
        for (int row = 0; row < model.ItemCount; row++)
        {
            if (!light.ItemIdUtf8(row).SequenceEqual(model.ItemIdUtf8(row)))
                return $"row {row} is item \"{light.ItemId(row)}\" in the light model but \"{model.ItemId(row)}\" in the model";
        }
        return null;
    }

    /// <summary>Throws <see cref="ArgumentException"/> unless <paramref name="light"/> (when given) can stand in for <paramref name="model"/>.</summary>
    internal static void Check(ModelFile model, ModelFile? light, string paramName)
    {
        if (light is not null && Mismatch(model, light) is { } why)
            throw new ArgumentException(why, paramName);
    }
}

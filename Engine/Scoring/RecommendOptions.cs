namespace Ease.Engine.Scoring;

/// <summary>Per-call options of <see cref="Recommender"/>; <c>default</c> is the usual case.</summary>
public readonly record struct RecommendOptions
{
    /// <summary>
    /// Also return items of the history itself. By default they are excluded: never returned,
    /// not merely scored 0.
    /// </summary>
    public bool IncludeSeen { get; init; }

    /// <summary>
    /// An allow-list or deny-list over the model's items, applied inside the top-k selection,
    /// so the results are the best k allowed items. Null: every item is allowed.
    /// </summary>
    public ItemFilter? Filter { get; init; }
}

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

    /// <summary>
    /// A latency budget: the most stored weights one call adds (0, the default: no budget). When
    /// the history's rows hold more, the call scores from the strongest part of each row, the rows
    /// of the scorer's light model (a further prune of the same model: each of its rows keeps the
    /// largest weights of the full row), when it has one. If the rows still hold more than the
    /// budget, the call stops at it: it keeps the history's last entries (the most recent, in a
    /// chronological log) that fit, and always at least the last one.
    /// <see cref="RecommendStatus.WeightsBudgeted"/> tells when the budget took effect.
    /// </summary>
    public int MaxWeights { get; init; }
}

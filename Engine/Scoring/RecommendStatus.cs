namespace Ease.Engine.Scoring;

/// <summary>What happened during one recommend call, besides the results themselves.</summary>
/// <param name="Count">Number of results written (best first).</param>
/// <param name="HistoryItemsUsed">History entries whose rows were added to the scores (after dropping unknown ids and, for unweighted histories, duplicates).</param>
/// <param name="UnknownIds">External ids skipped because the model does not know them (never an error).</param>
/// <param name="DuplicatesIgnored">Unweighted history entries ignored because the item appeared earlier in the same history.</param>
/// <param name="UsedPopularityFallback">True when no history item was usable and the results are the most popular items instead (false with 0 results when the model has no popularity section).</param>
public readonly record struct RecommendStatus(
    int Count,
    int HistoryItemsUsed,
    int UnknownIds,
    int DuplicatesIgnored,
    bool UsedPopularityFallback)
{
    /// <summary>
    /// True when the history's rows held more weights than <see cref="RecommendOptions.MaxWeights"/>,
    /// so the call scored from the light model's rows and/or only the history's last entries
    /// (<see cref="HistoryItemsUsed"/> counts those).
    /// </summary>
    public bool WeightsBudgeted { get; init; }
}

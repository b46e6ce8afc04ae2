namespace Ease.Engine.Evaluation;

/// <summary>
/// A trained model that scores every item for a batch of users at once. The study evaluates each
/// variant (linear or deep) through this, then through the one top-k selection and the one
/// evaluator, so differences between variants come from the models alone. Batching matters for
/// the dense and deep variants: a batch turns per-user matrix-vector products into GEMMs.
/// </summary>
public interface IBatchScorer
{
    /// <summary>Items scored per user (the model's item count).</summary>
    int ItemCount { get; }

    /// <summary>
    /// Writes user u's scores for all items to <paramref name="scores"/>[u x ItemCount, (u + 1) x ItemCount),
    /// from the history rows [<paramref name="historyOffsets"/>[u], <paramref name="historyOffsets"/>[u + 1])
    /// of <paramref name="historyRows"/>. Seen items get whatever score the model gives them; the
    /// caller excludes them. May use every core; one batch at a time per instance.
    /// </summary>
    void ScoreBatch(ReadOnlySpan<int> historyOffsets, ReadOnlySpan<int> historyRows, Span<float> scores);
}

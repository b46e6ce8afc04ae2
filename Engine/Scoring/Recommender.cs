using System.Runtime.CompilerServices;
using Ease.Format;

namespace Ease.Engine.Scoring;

/// <summary>
/// Scores users against one EASE model: scores = sum of the rows of B of the user's history
/// items, then the top k items. Owns its scratch (a dense score buffer and a history bitset),
/// so one instance serves one thread at a time; create one per thread (the model itself is
/// shared). After the first calls it allocates nothing.
/// </summary>
/// <remarks>
/// Strategy (measured, see Benchmarks/Scoring): clear the dense buffer, scatter-add each history
/// row into it, write -infinity over excluded history items, then one SIMD pass over all items
/// comparing blocks against the current k-th best score (<see cref="DenseThresholdSelection"/>).
/// Items no history row touches keep score exactly 0 and compete like any other, which matters
/// when most touched scores are negative.
/// History semantics: an unweighted history is a set (a repeated item counts once; the status
/// counts the repeats); a weighted history adds weight x row for every entry, repeats included.
/// </remarks>
[SkipLocalsInit]
public sealed class Recommender
{
    private readonly ModelFile _model;
    private readonly ScoreBuffer _scores;
    private readonly ulong[] _historyBits;
    private int[] _rowScratch = new int[64];
    private float[] _weightScratch = new float[64];

    public Recommender(ModelFile model)
    {
        ArgumentNullException.ThrowIfNull(model);
        _model = model;
        _scores = new ScoreBuffer(model.ItemCount);
        _historyBits = new ulong[(model.ItemCount + 63) >> 6];
    }

    public ModelFile Model => _model;

    /// <summary>Vector width of the selection; tests force each one.</summary>
    internal SimdLevel Simd { get; set; } = SimdLevels.Best;

    /// <summary>Top items for a history of model rows (a set: repeats count once). Returns the number written to <paramref name="results"/>, best first.</summary>
    public int Recommend(ReadOnlySpan<int> historyRows, Span<ScoredItem> results, in RecommendOptions options = default) =>
        Recommend(historyRows, results, out _, options);

    /// <inheritdoc cref="Recommend(ReadOnlySpan{int}, Span{ScoredItem}, in RecommendOptions)"/>
    public int Recommend(ReadOnlySpan<int> historyRows, Span<ScoredItem> results, out RecommendStatus status, in RecommendOptions options = default)
    {
        CheckRows(historyRows);
        status = ScoreAndSelect(historyRows, default, weighted: false, unknownIds: 0, results, options);
        return status.Count;
    }

    /// <summary>Top items for a weighted history: scores = sum of weight x row of B, every entry (repeats add up).</summary>
    public int Recommend(ReadOnlySpan<int> historyRows, ReadOnlySpan<float> historyWeights, Span<ScoredItem> results, out RecommendStatus status, in RecommendOptions options = default)
    {
        CheckRows(historyRows);
        CheckWeights(historyRows.Length, historyWeights);
        status = ScoreAndSelect(historyRows, historyWeights, weighted: true, unknownIds: 0, results, options);
        return status.Count;
    }

    /// <summary>Top items for a history of external ids; unknown (or null) ids are skipped and counted in the status.</summary>
    public int Recommend(ReadOnlySpan<string> historyIds, Span<ScoredItem> results, out RecommendStatus status, in RecommendOptions options = default)
    {
        int[] rows = Scratch(ref _rowScratch, historyIds.Length);
        int known = 0;
        foreach (string id in historyIds)
        {
            if (id is not null && _model.TryFindItem(id.AsSpan(), out int row))
                rows[known++] = row;
        }
        status = ScoreAndSelect(rows.AsSpan(0, known), default, weighted: false, historyIds.Length - known, results, options);
        return status.Count;
    }

    /// <summary>Weighted history of external ids; unknown ids are skipped with their weights.</summary>
    public int Recommend(ReadOnlySpan<string> historyIds, ReadOnlySpan<float> historyWeights, Span<ScoredItem> results, out RecommendStatus status, in RecommendOptions options = default)
    {
        CheckWeights(historyIds.Length, historyWeights);
        int[] rows = Scratch(ref _rowScratch, historyIds.Length);
        float[] weights = Scratch(ref _weightScratch, historyIds.Length);
        int known = 0;
        for (int i = 0; i < historyIds.Length; i++)
        {
            string id = historyIds[i];
            if (id is not null && _model.TryFindItem(id.AsSpan(), out int row))
            {
                rows[known] = row;
                weights[known++] = historyWeights[i];
            }
        }
        status = ScoreAndSelect(rows.AsSpan(0, known), weights.AsSpan(0, known), weighted: true, historyIds.Length - known, results, options);
        return status.Count;
    }

    /// <summary>Top items for a history of external ids held in a list; see the span overload.</summary>
    public int Recommend(IReadOnlyList<string> historyIds, Span<ScoredItem> results, out RecommendStatus status, in RecommendOptions options = default)
    {
        ArgumentNullException.ThrowIfNull(historyIds);
        int[] rows = Scratch(ref _rowScratch, historyIds.Count);
        int known = 0;
        for (int i = 0; i < historyIds.Count; i++)
        {
            string id = historyIds[i];
            if (id is not null && _model.TryFindItem(id.AsSpan(), out int row))
                rows[known++] = row;
        }
        status = ScoreAndSelect(rows.AsSpan(0, known), default, weighted: false, historyIds.Count - known, results, options);
        return status.Count;
    }

    /// <summary>
    /// The items most similar to <paramref name="row"/>: its stored weights in B, largest first
    /// (ties by lower row), optionally filtered. Only stored weights are candidates, so fewer than
    /// k results come back when the row is shorter; the item itself is never in its own row.
    /// </summary>
    public int Similar(int row, Span<ScoredItem> results, ItemFilter? filter = null)
    {
        CheckFilter(filter);
        _model.GetRow(row, out ReadOnlySpan<int> columns, out ReadOnlySpan<float> values);
        var heap = new TopKHeap(results);
        if (results.IsEmpty)
            return 0;
        for (int i = 0; i < columns.Length; i++)
        {
            if (values[i] > heap.Threshold && (filter is null || filter.IsAllowedUnchecked(columns[i])))
                heap.Offer(columns[i], values[i]);
        }
        return heap.SortBestFirst();
    }

    private RecommendStatus ScoreAndSelect(ReadOnlySpan<int> rows, ReadOnlySpan<float> weights, bool weighted, int unknownIds, Span<ScoredItem> results, in RecommendOptions options)
    {
        ItemFilter? filter = options.Filter;
        CheckFilter(filter);
        Span<float> dense = _scores.Items;
        dense.Clear();
        ref float d = ref _scores.Start;
        int used = 0, duplicates = 0;
        if (weighted)
        {
            for (int i = 0; i < rows.Length; i++)
            {
                _model.GetRow(rows[i], out ReadOnlySpan<int> columns, out ReadOnlySpan<float> values);
                SparseRowAccumulation.AddScaled(ref d, columns, values, weights[i]);
            }
            used = rows.Length;
        }
        else
        {
            ulong[] bits = _historyBits;
            foreach (int row in rows)
            {
                ref ulong word = ref bits[row >> 6];
                ulong bit = 1UL << row;
                if ((word & bit) != 0)
                {
                    duplicates++;
                    continue;
                }
                word |= bit;
                _model.GetRow(row, out ReadOnlySpan<int> columns, out ReadOnlySpan<float> values);
                SparseRowAccumulation.Add(ref d, columns, values);
                used++;
            }
            foreach (int row in rows)
                bits[row >> 6] = 0;
        }

        bool fallback = false;
        if (used == 0)
        {
            // Nothing to score from: the most popular items, still filtered (nothing is seen).
            if (!_model.HasPopularity || results.IsEmpty)
                return new RecommendStatus(0, 0, unknownIds, duplicates, false);
            PopularityScores.Fill(_model.Popularity, dense);
            fallback = true;
        }
        else if (!options.IncludeSeen)
        {
            foreach (int row in rows)
                Unsafe.Add(ref d, row) = float.NegativeInfinity;
        }

        var heap = new TopKHeap(results);
        if (!results.IsEmpty)
            DenseThresholdSelection.Select(Simd, _scores, filter, ref heap);
        int count = heap.SortBestFirst();
        return new RecommendStatus(count, used, unknownIds, duplicates, fallback);
    }

    private void CheckRows(ReadOnlySpan<int> rows)
    {
        // All rows are checked before any state changes, so a bad row leaves the scorer clean.
        uint n = (uint)_model.ItemCount;
        foreach (int row in rows)
        {
            if ((uint)row >= n)
                ThrowRow(row);
        }
    }

    private static void CheckWeights(int count, ReadOnlySpan<float> weights)
    {
        if (weights.Length != count)
            throw new ArgumentException($"{weights.Length} weights for {count} history items", "historyWeights");
        foreach (float w in weights)
        {
            if (!float.IsFinite(w))
                throw new ArgumentException($"history weight {w} is not finite", "historyWeights");
        }
    }

    private void CheckFilter(ItemFilter? filter)
    {
        if (filter is not null && filter.ItemCount != _model.ItemCount)
            throw new ArgumentException($"the filter was built for {filter.ItemCount} items, the model has {_model.ItemCount}", "options");
    }

    private static T[] Scratch<T>(ref T[] buffer, int length)
    {
        if (buffer.Length < length)
            buffer = new T[Math.Max(length, buffer.Length * 2)];
        return buffer;
    }

    [System.Diagnostics.StackTraceHidden]
    private void ThrowRow(int row) =>
        throw new ArgumentOutOfRangeException("historyRows", row, $"history row must be in [0, {_model.ItemCount})");
}

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
/// Two strategies, chosen per call by the number of weights in the history's rows (measured, see
/// <see cref="ChooseStrategy"/>): <see cref="DenseThresholdSelection"/> scatter-adds into the dense buffer,
/// writes -infinity over excluded history items and scans every item with SIMD compares against
/// the current k-th best score; <see cref="TouchedSparseSelection"/> (small histories) records the
/// touched items and selects over those only. Either way, items no history row touches have
/// score exactly 0 and compete like any other, which matters when most touched scores are negative.
/// A third, <see cref="TiledDenseScoring"/> (cache-blocked), is kept tested but unused: it wins only
/// when the model's rows are already in cache (45 vs 50 us at 40 x 1,000 weights) and loses when
/// they come from memory (92 vs 74 us), which is the normal case for a large model.
/// History semantics: an unweighted history is a set (a repeated item counts once; the status
/// counts the repeats); a weighted history adds weight x row for every entry, repeats included.
/// </remarks>
[SkipLocalsInit]
public sealed class Recommender
{
    private readonly ModelFile _model;
    private readonly ScoreBuffer _scores;
    private readonly ulong[] _historyBits;
    private readonly ulong[] _touchedBits;
    private readonly int[] _touched;
    private readonly ModelFile? _light;
    // The model whose rows this call reads: the model, or its light model under a budget.
    private ModelFile _active;
    private bool _activeFloat32;
    // Compact models (f16, bf16, int8, 16-bit columns) decode each row here before it is added;
    // float32 models hand out their mapped rows in place and never touch these.
    private readonly int[] _decodedColumns;
    private readonly float[] _decodedValues;
    private int[] _decodedArenaColumns = [];
    private float[] _decodedArenaValues = [];
    private int[] _sortedRows = new int[64];
    private int[] _rowScratch = new int[64];
    private float[] _weightScratch = new float[64];
    private TiledDenseScoring.RowCursor[] _cursors = new TiledDenseScoring.RowCursor[64];
    private float[] _ruleWeights = new float[64];
    private readonly HistoryWeighting _rule;

    public Recommender(ModelFile model)
        : this(model, null)
    {
    }

    /// <param name="model">The model to score from.</param>
    /// <param name="lightModel">
    /// The strongest part of each of its rows, for calls with a <see cref="RecommendOptions.MaxWeights"/>
    /// budget: a further prune of <paramref name="model"/> (<c>ease prune --prune-topk</c>, any
    /// encoding), with the same items in the same rows (checked here). Null: a budget only trims the history.
    /// </param>
    public Recommender(ModelFile model, ModelFile? lightModel)
    {
        ArgumentNullException.ThrowIfNull(model);
        LightModelCheck.Check(model, lightModel, nameof(lightModel));
        _model = model;
        _light = lightModel;
        _active = model;
        _activeFloat32 = model.HasFloat32Rows;
        _scores = new ScoreBuffer(model.ItemCount);
        _historyBits = new ulong[(model.ItemCount + 63) >> 6];
        _touchedBits = new ulong[(model.ItemCount + 63) >> 6];
        // One spare slot: AddTracked writes each column before deciding whether to keep it.
        _touched = new int[model.ItemCount + 1];
        bool float32Rows = model.HasFloat32Rows && lightModel?.HasFloat32Rows != false;
        int longest = Math.Max(model.MaxRowLength, lightModel?.MaxRowLength ?? 0);
        _decodedColumns = float32Rows ? [] : new int[longest];
        _decodedValues = float32Rows ? [] : new float[longest];
        _rule = HistoryWeighting.Of(model);
    }

    public ModelFile Model => _model;

    /// <summary>
    /// The model's history rule (<see cref="HistoryWeighting"/>): when it is ordered, a history given without
    /// weights is taken as oldest first and weighted by position (repeats add up), instead of as a set.
    /// </summary>
    public HistoryWeighting HistoryRule => _rule;

    /// <summary>The rows a <see cref="RecommendOptions.MaxWeights"/> budget scores from, or null.</summary>
    public ModelFile? LightModel => _light;

    /// <summary>Vector width of the selection; tests force each one.</summary>
    internal SimdLevel Simd { get; set; } = SimdLevels.Best;

    /// <summary>Accumulation and selection strategy; tests and benchmarks force each one.</summary>
    internal ScoringStrategy Strategy { get; set; } = ScoringStrategy.Auto;

    /// <summary>Tile size of the tiled dense strategy (a multiple of 64); tests shrink it to get many tiles.</summary>
    internal int TileItems { get; set; } = TiledDenseScoring.DefaultTileItems;

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
        SetActive(_model);
        ReadRow(row, out ReadOnlySpan<int> columns, out ReadOnlySpan<float> values);
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
        if (options.MaxWeights < 0)
            throw new ArgumentOutOfRangeException(nameof(options), options.MaxWeights, "MaxWeights must be >= 0 (0: no budget)");
        if (results.IsEmpty)
            return new RecommendStatus(0, 0, unknownIds, 0, false);
        if (rows.IsEmpty)
            return PopularityFallback(unknownIds, results, filter);
        if (!weighted && _rule.IsOrdered)
        {
            // An ordered model: the history's position weights, by the model's rule (entries past its window get 0,
            // are not read, and are still excluded from the results).
            Span<float> positionWeights = Scratch(ref _ruleWeights, rows.Length).AsSpan(0, rows.Length);
            _rule.Fill(positionWeights);
            weights = positionWeights;
            weighted = true;
        }
        bool budgeted = PlanBudget(_model, _light, rows, options.MaxWeights, out ModelFile source, out int keep);
        SetActive(source);
        if (budgeted)
        {
            rows = rows[^keep..];
            if (weighted)
                weights = weights[^keep..];
        }
        if (!weighted)
            rows = SortedCopy(rows);
        RecommendStatus status = ChooseStrategy(rows) switch
        {
            ScoringStrategy.TouchedSparse => ScoreTouchedSparse(rows, weights, weighted, unknownIds, results, options),
            ScoringStrategy.TiledDense => ScoreTiledDense(rows, weights, weighted, unknownIds, results, options),
            _ => ScoreDense(rows, weights, weighted, unknownIds, results, options),
        };
        return budgeted ? status with { WeightsBudgeted = true } : status;
    }

    private void SetActive(ModelFile model)
    {
        _active = model;
        _activeFloat32 = model.HasFloat32Rows;
    }

    /// <summary>
    /// What a call under a budget of <paramref name="maxWeights"/> reads: the model whose rows it
    /// adds and how many of the history's last entries. False (the model, every entry) when the
    /// history's rows hold no more than the budget, or there is none.
    /// </summary>
    private static bool PlanBudget(ModelFile model, ModelFile? light, ReadOnlySpan<int> rows, int maxWeights, out ModelFile source, out int keep)
    {
        source = model;
        keep = rows.Length;
        if (maxWeights <= 0 || !HoldsMoreThan(model, rows, maxWeights))
            return false;
        source = light ?? model;
        keep = LastEntriesWithin(source, rows, maxWeights);
        return true;
    }

    /// <summary>
    /// The stored weights a call reads for a history (entries as given, repeats included) under a
    /// budget of <paramref name="maxWeights"/> (0: none) with <paramref name="lightModel"/> (or
    /// null), the model they are read from, and whether the budget takes effect: what
    /// <c>ease bench</c> counts as bytes per user.
    /// </summary>
    public static long WeightsRead(ModelFile model, ModelFile? lightModel, ReadOnlySpan<int> historyRows, int maxWeights, out ModelFile source, out bool budgeted)
    {
        ArgumentNullException.ThrowIfNull(model);
        budgeted = PlanBudget(model, lightModel, historyRows, maxWeights, out source, out int keep);
        long weights = 0;
        foreach (int row in historyRows[^keep..])
            weights += source.RowLength(row);
        return weights;
    }

    /// <summary>How many of the history's last entries fit in <paramref name="budget"/> weights of <paramref name="model"/>'s rows; at least one.</summary>
    private static int LastEntriesWithin(ModelFile model, ReadOnlySpan<int> rows, long budget)
    {
        long total = 0;
        int keep = 0;
        for (int i = rows.Length - 1; i >= 0; i--)
        {
            total += model.RowLength(rows[i]);
            if (total > budget && keep > 0)
                break;
            keep++;
        }
        return keep;
    }

    /// <summary>
    /// An unweighted history's rows in ascending order: every score is then a sum in row order,
    /// whatever order the caller gave, and <see cref="BatchRecommender"/>'s blocks, which add the
    /// rows of many users in ascending order, give bit-identical scores.
    /// </summary>
    private ReadOnlySpan<int> SortedCopy(ReadOnlySpan<int> rows)
    {
        Span<int> sorted = Scratch(ref _sortedRows, rows.Length).AsSpan(0, rows.Length);
        rows.CopyTo(sorted);
        sorted.Sort();
        return sorted;
    }

    // The next history row is fetched while this one is added: rows start at unrelated places in
    // a model far larger than the caches, and each start would otherwise cost a memory round trip
    // before the hardware prefetcher picks the stream up.
    // At most this many weights (8 KB of float32 rows): enough to cover a pruned row, not so much
    // that a long row of a dense model floods L1.
    private const int PrefetchWeights = 1024;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void PrefetchRow(int row)
    {
        EncodedRow next = _active.GetEncodedRow(row);
        next.Prefetch(0, Math.Min(next.Length, PrefetchWeights));
    }

    /// <summary>Row <paramref name="row"/> as float32 spans: in place, or decoded into scratch valid until the next call.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void ReadRow(int row, out ReadOnlySpan<int> columns, out ReadOnlySpan<float> values)
    {
        if (_activeFloat32)
        {
            _active.GetRow(row, out columns, out values);
            return;
        }
        EncodedRow r = _active.GetEncodedRow(row);
        Span<int> c = _decodedColumns.AsSpan(0, r.Length);
        Span<float> v = _decodedValues.AsSpan(0, r.Length);
        r.Decode(Simd, 0, c, v);
        columns = c;
        values = v;
    }

    private ScoringStrategy ChooseStrategy(ReadOnlySpan<int> rows)
    {
        if (Strategy != ScoringStrategy.Auto)
            return Strategy;
        return HoldsManyWeights(_active, rows) ? ScoringStrategy.DenseScan : ScoringStrategy.TouchedSparse;
    }

    /// <summary>
    /// Whether the rows hold more than ItemCount / <see cref="SparseItemsPerWeight"/> weights, so
    /// that a scan of every item pays. Dense costs a clear and a SIMD scan of every item (~6 us at
    /// 38,048 items); sparse costs a few times more per weight than dense. Measured on the synthetic
    /// 38,048-item models: 100 weights 3 us sparse vs 9 us dense, 1,000 weights about even, 4,000
    /// dense 1.6x faster. <see cref="BatchRecommender"/> sends the same histories to blocks.
    /// </summary>
    internal static bool HoldsManyWeights(ModelFile model, ReadOnlySpan<int> rows) =>
        HoldsMoreThan(model, rows, model.ItemCount / SparseItemsPerWeight);

    /// <summary>Whether the rows hold more than <paramref name="budget"/> weights (stops counting once they do).</summary>
    internal static bool HoldsMoreThan(ModelFile model, ReadOnlySpan<int> rows, long budget)
    {
        long weightsTotal = 0;
        foreach (int row in rows)
        {
            weightsTotal += model.RowLength(row);
            if (weightsTotal > budget)
                return true;
        }
        return false;
    }

    /// <summary>The sparse strategy is used while the history holds at most ItemCount / this many weights.</summary>
    internal const int SparseItemsPerWeight = 48;

    // The dense buffer is all zeros between calls (each strategy restores it), and the history
    // bitset all clear: both are set up and torn down within one call.
    private RecommendStatus ScoreDense(ReadOnlySpan<int> rows, ReadOnlySpan<float> weights, bool weighted, int unknownIds, Span<ScoredItem> results, in RecommendOptions options)
    {
        ref float d = ref _scores.Start;
        int used = 0, duplicates = 0;
        ulong[] bits = _historyBits;
        for (int i = 0; i < rows.Length; i++)
        {
            int row = rows[i];
            if (i + 1 < rows.Length)
                PrefetchRow(rows[i + 1]);
            ref ulong word = ref bits[row >> 6];
            ulong bit = 1UL << row;
            bool repeat = (word & bit) != 0;
            word |= bit;
            if (!weighted && repeat)
            {
                duplicates++;
                continue;
            }
            if (weighted && weights[i] == 0)
                continue; // adds nothing; the item is still excluded
            ReadRow(row, out ReadOnlySpan<int> columns, out ReadOnlySpan<float> values);
            if (weighted)
            {
                SparseRowAccumulation.AddScaled(ref d, columns, values, weights[i]);
            }
            else
            {
                SparseRowAccumulation.Add(ref d, columns, values);
            }
            used++;
        }
        foreach (int row in rows)
        {
            bits[row >> 6] = 0;
            if (!options.IncludeSeen)
                Unsafe.Add(ref d, row) = float.NegativeInfinity;
        }

        var heap = new TopKHeap(results);
        DenseThresholdSelection.Select(Simd, _scores, options.Filter, ref heap);
        _scores.Items.Clear();
        return new RecommendStatus(heap.SortBestFirst(), used, unknownIds, duplicates, false);
    }

    private unsafe RecommendStatus ScoreTiledDense(ReadOnlySpan<int> rows, ReadOnlySpan<float> weights, bool weighted, int unknownIds, Span<ScoredItem> results, in RecommendOptions options)
    {
        if (_cursors.Length < rows.Length)
            _cursors = new TiledDenseScoring.RowCursor[Math.Max(rows.Length, _cursors.Length * 2)];
        ref float d = ref _scores.Start;
        int used = 0, duplicates = 0;
        ulong[] bits = _historyBits;
        EnsureArena(rows);
        for (int i = 0; i < rows.Length; i++)
        {
            int row = rows[i];
            ref ulong word = ref bits[row >> 6];
            ulong bit = 1UL << row;
            if (!weighted && (word & bit) != 0)
            {
                duplicates++;
                continue;
            }
            word |= bit;
            if (weighted && weights[i] == 0)
                continue;
            ReadRowForTiles(row, out ReadOnlySpan<int> columns, out ReadOnlySpan<float> values);
            // The rows live in the file mapping or in pinned scratch: pointers stay valid.
            _cursors[used++] = new TiledDenseScoring.RowCursor
            {
                Columns = (int*)Unsafe.AsPointer(ref System.Runtime.InteropServices.MemoryMarshal.GetReference(columns)),
                Values = (float*)Unsafe.AsPointer(ref System.Runtime.InteropServices.MemoryMarshal.GetReference(values)),
                Position = 0,
                Length = columns.Length,
                Weight = weighted ? weights[i] : 1f,
            };
        }
        foreach (int row in rows)
        {
            bits[row >> 6] = 0;
            if (!options.IncludeSeen)
                Unsafe.Add(ref d, row) = float.NegativeInfinity;
        }
        var heap = new TopKHeap(results);
        TiledDenseScoring.ScoreAndSelect(_scores, _cursors.AsSpan(0, used), TileItems, Simd, options.Filter, ref heap);
        return new RecommendStatus(heap.SortBestFirst(), used, unknownIds, duplicates, false);
    }

    private RecommendStatus ScoreTouchedSparse(ReadOnlySpan<int> rows, ReadOnlySpan<float> weights, bool weighted, int unknownIds, Span<ScoredItem> results, in RecommendOptions options)
    {
        ref float d = ref _scores.Start;
        int used = 0, duplicates = 0, touchedCount = 0;
        ulong[] bits = _historyBits;
        for (int i = 0; i < rows.Length; i++)
        {
            int row = rows[i];
            if (i + 1 < rows.Length)
                PrefetchRow(rows[i + 1]);
            ref ulong word = ref bits[row >> 6];
            ulong bit = 1UL << row;
            bool repeat = (word & bit) != 0;
            word |= bit;
            if (!weighted && repeat)
            {
                duplicates++;
                continue;
            }
            if (weighted && weights[i] == 0)
                continue;
            ReadRow(row, out ReadOnlySpan<int> columns, out ReadOnlySpan<float> values);
            TouchedSparseSelection.AddTracked(ref d, _touchedBits, _touched, ref touchedCount, columns, values, weighted ? weights[i] : 1f, weighted);
            used++;
        }
        ReadOnlySpan<int> touched = _touched.AsSpan(0, touchedCount);
        var heap = new TopKHeap(results);
        TouchedSparseSelection.Select(ref d, _model.ItemCount, touched, _touchedBits, bits, options.IncludeSeen, options.Filter, ref heap);
        TouchedSparseSelection.Reset(ref d, touched, _touchedBits);
        foreach (int row in rows)
            bits[row >> 6] = 0;
        return new RecommendStatus(heap.SortBestFirst(), used, unknownIds, duplicates, false);
    }

    private int _arenaUsed;

    // The tiled strategy holds every history row at once, so compact rows are decoded one after
    // another into pinned arenas (the cursors point into them) instead of the one-row scratch.
    // The arenas are sized for the whole history before the first row is decoded.
    private void EnsureArena(ReadOnlySpan<int> rows)
    {
        _arenaUsed = 0;
        if (_activeFloat32)
            return;
        long total = 0;
        foreach (int row in rows)
            total += _active.RowLength(row);
        if (_decodedArenaColumns.Length < total)
        {
            int size = (int)Math.Min(Array.MaxLength, Math.Max(total, 2L * _decodedArenaColumns.Length));
            _decodedArenaColumns = GC.AllocateUninitializedArray<int>(size, pinned: true);
            _decodedArenaValues = GC.AllocateUninitializedArray<float>(size, pinned: true);
        }
    }

    private void ReadRowForTiles(int row, out ReadOnlySpan<int> columns, out ReadOnlySpan<float> values)
    {
        if (_activeFloat32)
        {
            _active.GetRow(row, out columns, out values);
            return;
        }
        EncodedRow r = _active.GetEncodedRow(row);
        Span<int> c = _decodedArenaColumns.AsSpan(_arenaUsed, r.Length);
        Span<float> v = _decodedArenaValues.AsSpan(_arenaUsed, r.Length);
        r.Decode(Simd, 0, c, v);
        _arenaUsed += r.Length;
        columns = c;
        values = v;
    }

    private RecommendStatus PopularityFallback(int unknownIds, Span<ScoredItem> results, ItemFilter? filter)
    {
        // Nothing to score from: the most popular items, still filtered (nothing is seen).
        if (!_model.HasPopularity)
            return new RecommendStatus(0, 0, unknownIds, 0, false);
        PopularityScores.Fill(_model.Popularity, _scores.Items);
        var heap = new TopKHeap(results);
        DenseThresholdSelection.Select(Simd, _scores, filter, ref heap);
        _scores.Items.Clear();
        return new RecommendStatus(heap.SortBestFirst(), 0, unknownIds, 0, true);
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

using Ease.Format;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace Ease.Engine.Scoring;

/// <summary>
/// The dense strategy for large histories, cache-blocked: the item range is cut into tiles small
/// enough for L1 (16 KB of scores). For each tile, every history row adds its weights whose
/// columns fall in the tile (rows are sorted by column, so each row keeps a cursor and a tile is
/// one contiguous segment of it), then the tile is scanned by the SIMD threshold selection and
/// cleared while it is still in L1. Scatter-adds into a 152 KB buffer otherwise miss L1 on
/// nearly every weight; here they hit it. Excluded history items are set to -infinity before
/// accumulating, and -infinity plus any finite weight stays -infinity.
/// </summary>
internal static unsafe class TiledDenseScoring
{
    /// <summary>Items per tile: 16 KB of floats; tiles are multiples of 64 items (the filter's word size).</summary>
    public const int DefaultTileItems = 4096;

    /// <summary>Where one history row stands: its weights in the mapped model and the next one to add.</summary>
    internal struct RowCursor
    {
        public int* Columns;
        public float* Values;
        public int Position;
        public int Length;
        public float Weight;
    }

    /// <param name="scores">The score buffer, all zeros except -infinity at excluded items; left all zeros.</param>
    /// <param name="rows">One cursor per history row, at its first weight.</param>
    /// <param name="tileItems">A positive multiple of 64.</param>
    /// <param name="level">The SIMD width to use.</param>
    /// <param name="filter">Items allowed or denied, or null.</param>
    /// <param name="heap">Receives the best items.</param>
    public static void ScoreAndSelect(ScoreBuffer scores, Span<RowCursor> rows, int tileItems, SimdLevel level, ItemFilter? filter, ref TopKHeap heap)
    {
        ref float dense = ref scores.Start;
        int itemCount = scores.ItemCount;
        for (int lo = 0; lo < scores.Length; lo += tileItems)
        {
            int hi = Math.Min(lo + tileItems, scores.Length);
            int limit = Math.Min(hi, itemCount);
            for (int r = 0; r < rows.Length; r++)
                AddSegment(ref dense, ref rows[r], limit);
            DenseThresholdSelection.SelectRange(level, ref dense, lo, hi, filter, ref heap);
            scores.Items[lo..limit].Clear();
        }
    }

    // Adds the row's weights with column < limit, from its cursor on.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AddSegment(ref float dense, ref RowCursor row, int limit)
    {
        int* c = row.Columns;
        float* v = row.Values;
        int p = row.Position;
        int end = LowerBound(c, p, row.Length, limit);
        // Fetch this row's next segment (about as long as this one) while the other rows of this
        // tile are added: many short streams defeat the hardware prefetcher.
        if (Sse.IsSupported)
        {
            int next = Math.Min(row.Length, end + (end - p) + 16);
            for (int q = end; q < next; q += 16)
            {
                Sse.Prefetch0(c + q);
                Sse.Prefetch0(v + q);
            }
        }
        float w = row.Weight;
        // w is exactly 1 for unweighted histories, and 1 * v == v, so both kinds share this loop.
        for (; p + 4 <= end; p += 4)
        {
            Unsafe.Add(ref dense, c[p]) += w * v[p];
            Unsafe.Add(ref dense, c[p + 1]) += w * v[p + 1];
            Unsafe.Add(ref dense, c[p + 2]) += w * v[p + 2];
            Unsafe.Add(ref dense, c[p + 3]) += w * v[p + 3];
        }
        for (; p < end; p++)
            Unsafe.Add(ref dense, c[p]) += w * v[p];
        row.Position = end;
    }

    /// <summary>First index in [from, to) whose column is &gt;= limit (to when none).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int LowerBound(int* columns, int from, int to, int limit)
    {
        int lo = from, count = to - from;
        while (count > 0)
        {
            int half = count >> 1;
            if (columns[lo + half] < limit)
            {
                lo += half + 1;
                count -= half + 1;
            }
            else
            {
                count = half;
            }
        }
        return lo;
    }
}

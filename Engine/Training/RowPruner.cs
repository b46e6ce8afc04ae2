using System.Numerics.Tensors;

namespace Ease.Engine.Training;

/// <summary>
/// Chooses which weights of one row of B to keep. Weights are ranked by magnitude, signs kept
/// (negative weights carry real signal); exact zeros and the diagonal are never kept; ties at
/// the cut go to the lower column so results are deterministic. Kept columns come out ascending.
/// </summary>
public static class RowPruner
{
    private const int HistogramBits = 12;
    private const int MagnitudeShift = 31 - HistogramBits;

    /// <summary>Keeps the <paramref name="k"/> weights of largest magnitude. Returns how many were kept.</summary>
    /// <param name="row">The dense row of weights.</param>
    /// <param name="k">How many to keep.</param>
    /// <param name="scratch">Working space: at least the row's length.</param>
    /// <param name="columns">Receives the kept weights' columns, ascending.</param>
    /// <param name="values">Receives the kept weights, in the order of <paramref name="columns"/>.</param>
    /// <remarks>
    /// A radix select instead of a comparison select: non-negative floats order like their bit
    /// patterns, so one pass histograms the top 12 bits of every |weight|, the bucket holding the
    /// k-th largest is found by a walk from the top, and only that bucket's few members are
    /// selected exactly. Four streaming passes over the row in all, no data-dependent swaps.
    /// </remarks>
    public static int TopK(ReadOnlySpan<float> row, int k, Span<float> scratch, Span<int> columns, Span<float> values)
    {
        Span<int> histogram = stackalloc int[1 << HistogramBits];
        histogram.Clear();
        int nonZero = 0;
        foreach (float v in row)
        {
            uint m = Magnitude(v);
            if (m != 0)
            {
                histogram[(int)(m >> MagnitudeShift)]++;
                nonZero++;
            }
        }
        if (nonZero <= k)
            return KeepAtLeast(row, 0f, int.MaxValue, columns, values);

        int bucket = histogram.Length - 1;
        int above = 0;
        while (above + histogram[bucket] < k)
            above += histogram[bucket--];

        // The members of the cut's bucket, as magnitudes, and the (k − above)-th largest of them.
        int members = 0;
        foreach (float v in row)
        {
            uint m = Magnitude(v);
            if (m != 0 && (int)(m >> MagnitudeShift) == bucket)
                scratch[members++] = BitConverter.UInt32BitsToSingle(m);
        }
        float cut = QuickSelect.KthLargest(scratch[..members], k - above);
        int strictlyAbove = above;
        foreach (float m in scratch[..members])
        {
            if (m > cut)
                strictlyAbove++;
        }
        return KeepAbove(row, cut, k - strictlyAbove, columns, values);
    }

    /// <summary>
    /// <see cref="TopK(ReadOnlySpan{float}, int, Span{float}, Span{int}, Span{float})"/> for a sparse
    /// row given as ascending <paramref name="columns"/> and their <paramref name="values"/>: the same
    /// choice (largest magnitudes, ties to the lower column), kept columns ascending.
    /// </summary>
    public static int TopK(ReadOnlySpan<int> columns, ReadOnlySpan<float> values, int k, Span<float> scratch, Span<int> keptColumns, Span<float> keptValues)
    {
        int nonZero = 0;
        foreach (float v in values)
        {
            if (v != 0)
                scratch[nonZero++] = MathF.Abs(v);
        }
        float cut = nonZero <= k ? 0 : QuickSelect.KthLargest(scratch[..nonZero], k);
        int tiesAllowed = int.MaxValue;
        if (nonZero > k)
        {
            int strictlyAbove = 0;
            foreach (float m in scratch[..nonZero])
            {
                if (m > cut)
                    strictlyAbove++;
            }
            tiesAllowed = k - strictlyAbove;
        }
        int kept = 0;
        for (int q = 0; q < values.Length; q++)
        {
            float m = MathF.Abs(values[q]);
            if (m != 0 && (m > cut || (m == cut && tiesAllowed-- > 0)))
            {
                keptColumns[kept] = columns[q];
                keptValues[kept++] = values[q];
            }
        }
        return kept;
    }

    /// <summary>Keeps every weight of a sparse row with magnitude at least <paramref name="threshold"/> (and non-zero).</summary>
    public static int AtLeast(ReadOnlySpan<int> columns, ReadOnlySpan<float> values, float threshold, Span<int> keptColumns, Span<float> keptValues)
    {
        int kept = 0;
        for (int q = 0; q < values.Length; q++)
        {
            float m = MathF.Abs(values[q]);
            if (m != 0 && m >= threshold)
            {
                keptColumns[kept] = columns[q];
                keptValues[kept++] = values[q];
            }
        }
        return kept;
    }

    private static uint Magnitude(float v) => BitConverter.SingleToUInt32Bits(v) & 0x7FFFFFFFu;

    /// <summary>Keeps every weight of magnitude at least <paramref name="threshold"/> (and non-zero).</summary>
    public static int AtLeast(ReadOnlySpan<float> row, float threshold, Span<int> columns, Span<float> values) =>
        KeepAtLeast(row, threshold, int.MaxValue, columns, values);

    private static int KeepAtLeast(ReadOnlySpan<float> row, float threshold, int limit, Span<int> columns, Span<float> values)
    {
        int kept = 0;
        for (int j = 0; j < row.Length && kept < limit; j++)
        {
            float m = MathF.Abs(row[j]);
            if (m != 0 && m >= threshold)
            {
                columns[kept] = j;
                values[kept++] = row[j];
            }
        }
        return kept;
    }

    private static int KeepAbove(ReadOnlySpan<float> row, float cut, int tiesAllowed, Span<int> columns, Span<float> values)
    {
        int kept = 0;
        for (int j = 0; j < row.Length; j++)
        {
            float m = MathF.Abs(row[j]);
            if (m > cut || (m == cut && m != 0 && tiesAllowed-- > 0))
            {
                columns[kept] = j;
                values[kept++] = row[j];
            }
        }
        return kept;
    }
}

/// <summary>Hoare-style selection of the k-th largest value, in place, expected O(n).</summary>
public static class QuickSelect
{
    /// <summary>The k-th largest (1-based) of <paramref name="values"/>; reorders the span.</summary>
    public static float KthLargest(Span<float> values, int k)
    {
        if (k < 1 || k > values.Length)
            throw new ArgumentOutOfRangeException(nameof(k), k, $"k must be in [1, {values.Length}]");
        int target = k - 1; // index in descending order
        int lo = 0, hi = values.Length - 1;
        while (lo < hi)
        {
            // Median of three as pivot keeps sorted and reverse-sorted rows linear.
            int mid = lo + ((hi - lo) >> 1);
            float a = values[lo], b = values[mid], c = values[hi];
            float pivot = a > b ? (b > c ? b : (a > c ? c : a)) : (a > c ? a : (b > c ? c : b));
            int i = lo, j = hi;
            while (i <= j)
            {
                while (values[i] > pivot) i++;
                while (values[j] < pivot) j--;
                if (i <= j)
                {
                    (values[i], values[j]) = (values[j], values[i]);
                    i++;
                    j--;
                }
            }
            if (target <= j) hi = j;
            else if (target >= i) lo = i;
            else return values[target];
        }
        return values[target];
    }
}

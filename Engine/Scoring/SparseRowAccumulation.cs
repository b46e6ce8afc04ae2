using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Ease.Engine.Scoring;

/// <summary>
/// Sparse-into-dense accumulation: adds one row of B (columns + values) into the dense score
/// buffer. Columns within a row are distinct, so the stores of one row never depend on each
/// other and the CPU overlaps them freely; unrolling by four only trims loop overhead.
/// Every column is &lt; item count (the model validated that at open), so no bounds checks.
/// </summary>
internal static class SparseRowAccumulation
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Add(ref float dense, ReadOnlySpan<int> columns, ReadOnlySpan<float> values)
    {
        ref int c = ref MemoryMarshal.GetReference(columns);
        ref float v = ref MemoryMarshal.GetReference(values);
        nint n = columns.Length;
        nint i = 0;
        for (; i + 4 <= n; i += 4)
        {
            Unsafe.Add(ref dense, Unsafe.Add(ref c, i)) += Unsafe.Add(ref v, i);
            Unsafe.Add(ref dense, Unsafe.Add(ref c, i + 1)) += Unsafe.Add(ref v, i + 1);
            Unsafe.Add(ref dense, Unsafe.Add(ref c, i + 2)) += Unsafe.Add(ref v, i + 2);
            Unsafe.Add(ref dense, Unsafe.Add(ref c, i + 3)) += Unsafe.Add(ref v, i + 3);
        }
        for (; i < n; i++)
            Unsafe.Add(ref dense, Unsafe.Add(ref c, i)) += Unsafe.Add(ref v, i);
    }

    /// <summary>Adds <paramref name="weight"/> x the row (history weights such as recency).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void AddScaled(ref float dense, ReadOnlySpan<int> columns, ReadOnlySpan<float> values, float weight)
    {
        ref int c = ref MemoryMarshal.GetReference(columns);
        ref float v = ref MemoryMarshal.GetReference(values);
        nint n = columns.Length;
        nint i = 0;
        for (; i + 4 <= n; i += 4)
        {
            Unsafe.Add(ref dense, Unsafe.Add(ref c, i)) += weight * Unsafe.Add(ref v, i);
            Unsafe.Add(ref dense, Unsafe.Add(ref c, i + 1)) += weight * Unsafe.Add(ref v, i + 1);
            Unsafe.Add(ref dense, Unsafe.Add(ref c, i + 2)) += weight * Unsafe.Add(ref v, i + 2);
            Unsafe.Add(ref dense, Unsafe.Add(ref c, i + 3)) += weight * Unsafe.Add(ref v, i + 3);
        }
        for (; i < n; i++)
            Unsafe.Add(ref dense, Unsafe.Add(ref c, i)) += weight * Unsafe.Add(ref v, i);
    }
}

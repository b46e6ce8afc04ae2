using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Ease.Engine.Scoring;

/// <summary>
/// The strategy for small histories (few weights in total): the work is proportional to the
/// number of touched items instead of the item count. Accumulation also records each item the
/// first time it is touched (a bitset plus a list); selection offers only touched items, then
/// untouched items, whose score is exactly 0, in ascending row order for as long as a 0 can
/// still enter the top-k (fewer than k candidates so far, or the k-th best is negative, or a
/// 0-tie with a higher row). Afterwards only the touched entries are reset, so the dense buffer
/// is all zeros between calls.
/// </summary>
internal static class TouchedSparseSelection
{
    /// <summary>Adds a row (optionally scaled) and appends newly touched columns to the list.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void AddTracked(ref float dense, ulong[] touchedBits, int[] touched, ref int touchedCount,
        ReadOnlySpan<int> columns, ReadOnlySpan<float> values, float weight, bool scaled)
    {
        ref int c = ref MemoryMarshal.GetReference(columns);
        ref float v = ref MemoryMarshal.GetReference(values);
        ref ulong bits = ref MemoryMarshal.GetArrayDataReference(touchedBits);
        ref int list = ref MemoryMarshal.GetArrayDataReference(touched);
        int count = touchedCount;
        for (int i = 0; i < columns.Length; i++)
        {
            int col = Unsafe.Add(ref c, i);
            float value = Unsafe.Add(ref v, i);
            Unsafe.Add(ref dense, col) += scaled ? weight * value : value;
            ref ulong word = ref Unsafe.Add(ref bits, col >> 6);
            ulong bit = 1UL << col;
            // Branch-free append: always write, advance only on a first touch.
            Unsafe.Add(ref list, count) = col;
            count += (word & bit) == 0 ? 1 : 0;
            word |= bit;
        }
        touchedCount = count;
    }

    public static void Select(ref float dense, int itemCount, ReadOnlySpan<int> touched, ulong[] touchedBits,
        ulong[] historyBits, bool includeSeen, ItemFilter? filter, ref TopKHeap heap)
    {
        ulong[]? allowed = filter?.Words;
        foreach (int row in touched)
        {
            if (!includeSeen && (historyBits[row >> 6] & (1UL << row)) != 0)
                continue;
            if (allowed is not null && (allowed[row >> 6] & (1UL << row)) == 0)
                continue;
            // Arrival order is not row order here: ties go through the heap's full comparison.
            float s = Unsafe.Add(ref dense, row);
            if (s >= heap.Threshold)
                heap.Offer(row, s);
        }

        if (heap.IsFull && heap.Threshold > 0f)
            return;
        for (int row = 0; row < itemCount; row++)
        {
            ulong bit = 1UL << row;
            int w = row >> 6;
            if ((touchedBits[w] & bit) != 0 || (!includeSeen && (historyBits[w] & bit) != 0))
                continue;
            if (allowed is not null && (allowed[w] & bit) == 0)
                continue;
            // Rows only grow from here: once a 0 at this row cannot enter, none later can.
            if (heap.IsFull && !heap.WouldAccept(row, 0f))
                break;
            heap.Offer(row, 0f);
        }
    }

    /// <summary>Restores the all-zero buffer and the empty touched set.</summary>
    public static void Reset(ref float dense, ReadOnlySpan<int> touched, ulong[] touchedBits)
    {
        foreach (int row in touched)
        {
            Unsafe.Add(ref dense, row) = 0f;
            touchedBits[row >> 6] = 0;
        }
    }
}

using Ease.Format;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Ease.Engine.Scoring;

/// <summary>
/// Top-k selection over a dense score buffer: a SIMD compare of each block against the current
/// k-th best score turns into a bit mask; only set bits (candidates that can enter the top-k,
/// ANDed with the filter's allowed bits) go to the heap. Once the heap is full the threshold
/// quickly rises above nearly every score, so the loop is almost pure loads and compares.
/// Excluded items hold -infinity in the buffer and so never pass (the threshold is -infinity at
/// its lowest and the compare is strict).
/// </summary>
internal static class DenseThresholdSelection
{
    public static void Select(SimdLevel level, ScoreBuffer scores, ItemFilter? filter, ref TopKHeap heap)
    {
        if (filter is null)
            Select(level, scores, new AllowAll(), ref heap);
        else
            Select(level, scores, new AllowBits(filter), ref heap);
    }

    private static void Select<TFilter>(SimdLevel level, ScoreBuffer scores, TFilter filter, ref TopKHeap heap)
        where TFilter : struct, IAllowedBits =>
        SelectRange(level, ref scores.Start, 0, scores.Length, 0, filter, ref heap);

    /// <summary>
    /// Offers the items of rows [start, end): start a multiple of 64, end a multiple of 16 (or
    /// the padded buffer length). Ranges must come in ascending order for one heap.
    /// </summary>
    internal static void SelectRange(SimdLevel level, ref float scores, int start, int end, ItemFilter? filter, ref TopKHeap heap)
    {
        if (filter is null)
            SelectRange(level, ref scores, start, end, 0, new AllowAll(), ref heap);
        else
            SelectRange(level, ref scores, start, end, 0, new AllowBits(filter), ref heap);
    }

    /// <summary>
    /// Offers the items of a tile that holds only rows [firstRow, firstRow + length): tile[i] is
    /// the score of row firstRow + i. firstRow a multiple of 64, length a multiple of 16 (padding
    /// past the last item holds -infinity). Tiles must come in ascending order for one heap.
    /// </summary>
    internal static void SelectTile(SimdLevel level, ref float tile, int firstRow, int length, ItemFilter? filter, ref TopKHeap heap)
    {
        if (filter is null)
            SelectRange(level, ref tile, 0, length, firstRow, new AllowAll(), ref heap);
        else
            SelectRange(level, ref tile, 0, length, firstRow, new AllowBits(filter), ref heap);
    }

    // Scores are read at [start, end) of the buffer; the item of buffer index i is i + rowOffset.
    private static void SelectRange<TFilter>(SimdLevel level, ref float scores, int start, int end, int rowOffset, TFilter filter, ref TopKHeap heap)
        where TFilter : struct, IAllowedBits
    {
        switch (level)
        {
            case SimdLevel.Vector512:
                SelectVector512(ref scores, start, end, rowOffset, filter, ref heap);
                break;
            case SimdLevel.Vector256:
                SelectVector256(ref scores, start, end, rowOffset, filter, ref heap);
                break;
            default:
                SelectScalar(ref scores, start, end, rowOffset, filter, ref heap);
                break;
        }
    }

    /// <summary>The reference path: one compare per item.</summary>
    /// <remarks>The padding holds -infinity, so scanning it is harmless.</remarks>
    internal static void SelectScalar<TFilter>(ref float scores, int start, int end, int rowOffset, TFilter filter, ref TopKHeap heap)
        where TFilter : struct, IAllowedBits
    {
        for (int i = start; i < end; i++)
        {
            float s = Unsafe.Add(ref scores, i);
            if (s > heap.Threshold && filter.IsAllowed(i + rowOffset))
                heap.Offer(i + rowOffset, s);
        }
    }

    internal static void SelectVector512<TFilter>(ref float scores, int start, int length, int rowOffset, TFilter filter, ref TopKHeap heap)
        where TFilter : struct, IAllowedBits
    {
        int i = start;
        // Four blocks per step: one branch on the combined mask when nothing passes.
        for (; i + 64 <= length; i += 64)
        {
            var t = Vector512.Create(heap.Threshold);
            // Compare straight into mask bits (kmov on AVX-512); OR-ing the compare vectors and
            // testing the OR against zero measured 2.5x slower than this.
            ulong mask = Vector512.GreaterThan(Vector512.LoadUnsafe(ref scores, (nuint)i), t).ExtractMostSignificantBits()
                | (Vector512.GreaterThan(Vector512.LoadUnsafe(ref scores, (nuint)(i + 16)), t).ExtractMostSignificantBits() << 16)
                | (Vector512.GreaterThan(Vector512.LoadUnsafe(ref scores, (nuint)(i + 32)), t).ExtractMostSignificantBits() << 32)
                | (Vector512.GreaterThan(Vector512.LoadUnsafe(ref scores, (nuint)(i + 48)), t).ExtractMostSignificantBits() << 48);
            if (mask == 0)
                continue;
            mask &= filter.Bits64(i + rowOffset);
            Drain(ref scores, i, rowOffset, mask, ref heap);
        }
        for (; i < length; i += 16)
        {
            var t = Vector512.Create(heap.Threshold);
            uint mask = (uint)Vector512.GreaterThan(Vector512.LoadUnsafe(ref scores, (nuint)i), t).ExtractMostSignificantBits();
            if (mask == 0)
                continue;
            Drain(ref scores, i, rowOffset, mask & filter.Bits16(i + rowOffset), ref heap);
        }
    }

    internal static void SelectVector256<TFilter>(ref float scores, int start, int length, int rowOffset, TFilter filter, ref TopKHeap heap)
        where TFilter : struct, IAllowedBits
    {
        int i = start;
        for (; i + 32 <= length; i += 32)
        {
            var t = Vector256.Create(heap.Threshold);
            ulong mask = Vector256.GreaterThan(Vector256.LoadUnsafe(ref scores, (nuint)i), t).ExtractMostSignificantBits()
                | ((ulong)Vector256.GreaterThan(Vector256.LoadUnsafe(ref scores, (nuint)(i + 8)), t).ExtractMostSignificantBits() << 8)
                | ((ulong)Vector256.GreaterThan(Vector256.LoadUnsafe(ref scores, (nuint)(i + 16)), t).ExtractMostSignificantBits() << 16)
                | ((ulong)Vector256.GreaterThan(Vector256.LoadUnsafe(ref scores, (nuint)(i + 24)), t).ExtractMostSignificantBits() << 24);
            if (mask == 0)
                continue;
            mask &= filter.Bits32(i + rowOffset);
            Drain(ref scores, i, rowOffset, mask, ref heap);
        }
        for (; i < length; i += 8)
        {
            var t = Vector256.Create(heap.Threshold);
            uint mask = (uint)Vector256.GreaterThan(Vector256.LoadUnsafe(ref scores, (nuint)i), t).ExtractMostSignificantBits();
            if (mask == 0)
                continue;
            Drain(ref scores, i, rowOffset, mask & filter.Bits8(i + rowOffset), ref heap);
        }
    }

    // Offers each set bit's item; re-checks against the threshold, which rises as items enter.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Drain(ref float scores, int start, int rowOffset, ulong mask, ref TopKHeap heap)
    {
        while (mask != 0)
        {
            int index = start + BitOperations.TrailingZeroCount(mask);
            mask &= mask - 1;
            float s = Unsafe.Add(ref scores, index);
            if (s > heap.Threshold)
                heap.Offer(index + rowOffset, s);
        }
    }

    internal interface IAllowedBits
    {
        bool IsAllowed(int row);
        ulong Bits64(int start);
        uint Bits32(int start);
        uint Bits16(int start);
        uint Bits8(int start);
    }

    internal readonly struct AllowAll : IAllowedBits
    {
        public bool IsAllowed(int row) => true;
        public ulong Bits64(int start) => ulong.MaxValue;
        public uint Bits32(int start) => uint.MaxValue;
        public uint Bits16(int start) => uint.MaxValue;
        public uint Bits8(int start) => uint.MaxValue;
    }

    internal readonly struct AllowBits(ItemFilter filter) : IAllowedBits
    {
        private readonly ulong[] _words = filter.Words;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public bool IsAllowed(int row) => (_words[row >> 6] & (1UL << row)) != 0;

        // start is a multiple of 64 here: one whole word.
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public ulong Bits64(int start) => _words[start >> 6];

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public uint Bits32(int start) => (uint)(_words[start >> 6] >> (start & 63));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public uint Bits16(int start) => (uint)(_words[start >> 6] >> (start & 63)) & 0xFFFFu;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public uint Bits8(int start) => (uint)(_words[start >> 6] >> (start & 63)) & 0xFFu;
    }
}

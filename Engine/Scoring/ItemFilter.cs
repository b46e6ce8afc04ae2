using Ease.Format;

namespace Ease.Engine.Scoring;

/// <summary>
/// Which items may be recommended: a bitset over the model's items, one bit per row, set when
/// the item is allowed. A deny-list is stored as its complement, so the selection loop only
/// ever ANDs candidate masks with allowed bits (16 at a time for Vector512). Immutable once
/// built, so one filter can be shared by every thread.
/// </summary>
public sealed class ItemFilter
{
    private readonly ulong[] _allowed;

    private ItemFilter(int itemCount, ulong[] allowed, int allowedCount)
    {
        ItemCount = itemCount;
        _allowed = allowed;
        AllowedCount = allowedCount;
    }

    /// <summary>Number of items of the model this filter was built for.</summary>
    public int ItemCount { get; }

    /// <summary>Number of allowed items.</summary>
    public int AllowedCount { get; }

    /// <summary>Only the given rows may be recommended (duplicates are fine).</summary>
    public static ItemFilter Allow(int itemCount, ReadOnlySpan<int> rows) => Build(itemCount, rows, allow: true);

    /// <summary>Every item but the given rows may be recommended.</summary>
    public static ItemFilter Deny(int itemCount, ReadOnlySpan<int> rows) => Build(itemCount, rows, allow: false);

    /// <summary>Only the given external ids may be recommended; ids the model does not know are ignored.</summary>
    public static ItemFilter AllowIds(ModelFile model, IEnumerable<string> ids) => Build(model.ItemCount, ResolveIds(model, ids), allow: true);

    /// <summary>Every item but the given external ids may be recommended; unknown ids are ignored.</summary>
    public static ItemFilter DenyIds(ModelFile model, IEnumerable<string> ids) => Build(model.ItemCount, ResolveIds(model, ids), allow: false);

    /// <summary>Whether <paramref name="row"/> may be recommended.</summary>
    public bool IsAllowed(int row)
    {
        if ((uint)row >= (uint)ItemCount)
            throw new ArgumentOutOfRangeException(nameof(row), row, $"row must be in [0, {ItemCount})");
        return (_allowed[row >> 6] & (1UL << row)) != 0;
    }

    /// <summary>
    /// The allowed bits, padded with zero bits to a whole number of 64-bit words covering the
    /// score buffer's padded length, so a SIMD block never reads past the end.
    /// </summary>
    internal ulong[] Words => _allowed;

    internal static int WordCount(int itemCount) => (ScoreBuffer.PaddedLength(itemCount) + 63) >> 6;

    private static ItemFilter Build(int itemCount, ReadOnlySpan<int> rows, bool allow)
    {
        if (itemCount < 1)
            throw new ArgumentOutOfRangeException(nameof(itemCount), itemCount, "a model has at least one item");
        var bits = new ulong[WordCount(itemCount)];
        foreach (int row in rows)
        {
            if ((uint)row >= (uint)itemCount)
                throw new ArgumentOutOfRangeException(nameof(rows), row, $"row must be in [0, {itemCount})");
            bits[row >> 6] |= 1UL << row;
        }
        if (!allow)
        {
            for (int w = 0; w < bits.Length; w++)
                bits[w] = ~bits[w];
            ClearBitsFrom(bits, itemCount);
        }
        int count = 0;
        foreach (ulong w in bits)
            count += System.Numerics.BitOperations.PopCount(w);
        return new ItemFilter(itemCount, bits, count);
    }

    // Bits at and beyond itemCount must stay 0: they cover the score buffer's padding.
    private static void ClearBitsFrom(ulong[] bits, int itemCount)
    {
        int word = itemCount >> 6;
        if (word < bits.Length)
        {
            bits[word] &= (1UL << (itemCount & 63)) - 1;
            for (int w = word + 1; w < bits.Length; w++)
                bits[w] = 0;
        }
    }

    private static int[] ResolveIds(ModelFile model, IEnumerable<string> ids)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(ids);
        var rows = new List<int>();
        foreach (string id in ids)
        {
            if (id is not null && model.TryFindItem(id.AsSpan(), out int row))
                rows.Add(row);
        }
        return [.. rows];
    }

    internal bool IsAllowedUnchecked(int row) => (_allowed[row >> 6] & (1UL << row)) != 0;
}

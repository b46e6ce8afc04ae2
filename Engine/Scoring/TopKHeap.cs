using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Ease.Engine.Scoring;

/// <summary>
/// A bounded binary heap of the k best items seen so far, kept in the caller's result span
/// itself (no scratch). The root is the worst kept item, so <see cref="Threshold"/> is the score
/// a candidate must beat. Candidates arrive in ascending row order, so a later candidate that
/// ties the root's score loses the tie (higher row) and strict "greater than" is the whole test;
/// the comparator still orders ties by row so the heap stays right for any arrival order.
/// </summary>
internal ref struct TopKHeap
{
    private readonly Span<ScoredItem> _items;
    private int _count;

    public TopKHeap(Span<ScoredItem> items)
    {
        _items = items;
        _count = 0;
        Threshold = float.NegativeInfinity;
    }

    /// <summary>
    /// Resumes a heap whose first <paramref name="count"/> items a previous heap over the same
    /// span left (in heap order, not yet sorted): batch scoring keeps one per user across tiles.
    /// </summary>
    public TopKHeap(Span<ScoredItem> items, int count)
    {
        _items = items;
        _count = count;
        Threshold = count == items.Length && count > 0 ? items[0].Score : float.NegativeInfinity;
    }

    public readonly int Count => _count;

    public readonly bool IsFull => _count == _items.Length;

    /// <summary>Whether <see cref="Offer"/> would keep this item.</summary>
    public readonly bool WouldAccept(int row, float score) =>
        _count < _items.Length || ScoredItem.IsWorse(Root.Score, Root.Row, score, row);

    /// <summary>-infinity until k items are held, then the worst kept score.</summary>
    public float Threshold { readonly get; private set; }

    /// <summary>Offers an item; kept when the heap is not full or it beats the root.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Offer(int row, float score)
    {
        if (_count < _items.Length)
            Add(row, score);
        else if (ScoredItem.IsWorse(Root.Score, Root.Row, score, row))
            ReplaceRoot(row, score);
    }

    private readonly ref ScoredItem Root => ref MemoryMarshal.GetReference(_items);

    private void Add(int row, float score)
    {
        ref ScoredItem h = ref MemoryMarshal.GetReference(_items);
        int i = _count++;
        while (i > 0)
        {
            int parent = (i - 1) >> 1;
            ScoredItem p = Unsafe.Add(ref h, parent);
            if (!ScoredItem.IsWorse(score, row, p.Score, p.Row))
                break;
            Unsafe.Add(ref h, i) = p;
            i = parent;
        }
        Unsafe.Add(ref h, i) = new ScoredItem(row, score);
        if (_count == _items.Length)
            Threshold = h.Score;
    }

    private void ReplaceRoot(int row, float score)
    {
        SiftDown(0, _count, row, score);
        Threshold = Root.Score;
    }

    // Moves the hole at i down within [0, count) until (row, score) fits there.
    private readonly void SiftDown(int i, int count, int row, float score)
    {
        ref ScoredItem h = ref MemoryMarshal.GetReference(_items);
        while (true)
        {
            int child = 2 * i + 1;
            if (child >= count)
                break;
            ScoredItem c = Unsafe.Add(ref h, child);
            if (child + 1 < count)
            {
                ScoredItem r = Unsafe.Add(ref h, child + 1);
                if (ScoredItem.IsWorse(r.Score, r.Row, c.Score, c.Row))
                {
                    child++;
                    c = r;
                }
            }
            if (!ScoredItem.IsWorse(c.Score, c.Row, score, row))
                break;
            Unsafe.Add(ref h, i) = c;
            i = child;
        }
        Unsafe.Add(ref h, i) = new ScoredItem(row, score);
    }

    /// <summary>Sorts the held items best first in place (heap sort) and returns how many there are.</summary>
    public readonly int SortBestFirst()
    {
        ref ScoredItem h = ref MemoryMarshal.GetReference(_items);
        for (int end = _count - 1; end > 0; end--)
        {
            // The worst remaining goes to the back; the front ends up best first.
            ScoredItem worst = h;
            ScoredItem last = Unsafe.Add(ref h, end);
            Unsafe.Add(ref h, end) = worst;
            SiftDown(0, end, last.Row, last.Score);
        }
        return _count;
    }
}

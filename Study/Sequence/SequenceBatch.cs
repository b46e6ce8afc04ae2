namespace Ease.Study.Sequence;

/// <summary>
/// Sequences packed end to end without padding: token t reads item Tokens[t] and (in training) predicts
/// Targets[t]; sequence s holds the tokens [Starts[s], Starts[s + 1]). Attention stays within a sequence.
/// </summary>
internal sealed class SequenceBatch
{
    public SequenceBatch(int sequences, int maxLength)
    {
        MaxLength = maxLength;
        Starts = new int[sequences + 1];
        Tokens = new int[sequences * maxLength];
        Targets = new int[sequences * maxLength];
        Learned = new int[sequences * maxLength];
        Offsets = new int[sequences * maxLength];
    }

    public int MaxLength { get; }
    public int Count { get; private set; }
    public int TokenCount => Starts[Count];
    public int[] Starts { get; }
    public int[] Tokens { get; }
    public int[] Targets { get; }

    /// <summary>The learned-position row of each token: maxlen − len + t, the slot SASRec's left-padded window gives it, so the latest item always has the last row.</summary>
    public int[] Learned { get; }

    /// <summary>Each token's index in its sequence (the rotary angle).</summary>
    public int[] Offsets { get; }

    public bool IsFull => Count + 1 >= Starts.Length;

    public void Clear() => Count = 0;

    /// <summary>Appends the last MaxLength items of <paramref name="items"/>; with <paramref name="targets"/>, each token's next item.</summary>
    public void Add(ReadOnlySpan<int> items, ReadOnlySpan<int> targets = default)
    {
        if (IsFull) throw new InvalidOperationException("the batch is full");
        if (items.Length > MaxLength)
        {
            if (!targets.IsEmpty) targets = targets[(items.Length - MaxLength)..];
            items = items[^MaxLength..];
        }
        int start = Starts[Count], len = items.Length;
        items.CopyTo(Tokens.AsSpan(start));
        if (!targets.IsEmpty) targets[..len].CopyTo(Targets.AsSpan(start));
        for (int t = 0; t < len; t++)
        {
            Learned[start + t] = MaxLength - len + t;
            Offsets[start + t] = t;
        }
        Starts[++Count] = start + len;
    }
}

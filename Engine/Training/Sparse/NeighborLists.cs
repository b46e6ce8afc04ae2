using Ease.Engine.Input;

namespace Ease.Engine.Training.Sparse;

/// <summary>How the candidates of a target item are ranked before the strongest are kept.</summary>
public enum NeighborRanking
{
    /// <summary>By the co-occurrence count G_ij.</summary>
    Count,
    /// <summary>By G_ij / sqrt(G_ii): the cosine with the target, which does not favour popular items as much.</summary>
    Cosine,
}

/// <summary>
/// A row-sparsified Gram matrix: for each item j, the (at most) M other items it co-occurs with
/// most, strongest first, with the exact counts G_ij. Built one item at a time from the
/// interactions (the users of j, then their items), so peak memory is the kept lists plus one
/// n-long counter per thread, never n². The first m of item j's list are the candidates of target j.
/// </summary>
internal sealed class NeighborLists : ICandidateLists
{
    private const int BlockShift = 6;
    private const int BlockItems = 1 << BlockShift;

    // Lists live in blocks of 64 items, each block's lists in two exactly sized arrays: no array
    // grows with n times the neighbours, and building never holds a list twice.
    private readonly Block[] _blocks;

    private sealed record Block(int[] Items, float[] Counts, int[] Start);

    private NeighborLists(Block[] blocks, long[] offsets, float[] cut, double[] residual, int candidates)
    {
        _blocks = blocks;
        CandidateOffsets = new long[offsets.Length];
        for (int j = 0; j + 1 < offsets.Length; j++)
            CandidateOffsets[j + 1] = CandidateOffsets[j] + Math.Min(candidates, (int)(offsets[j + 1] - offsets[j]));
        Offsets = offsets;
        Cut = cut;
        Residual = residual;
    }

    /// <summary>
    /// Per item, the largest count a pair missing from its list can have: the largest count it
    /// left out when the list was cut short, 0 when the list holds every co-occurrence.
    /// </summary>
    public float[] Cut { get; }

    /// <summary>Per item, the co-occurrence mass its list left out: Σ G_it over items t not kept.</summary>
    public double[] Residual { get; }

    /// <summary>n + 1 cumulative list lengths.</summary>
    public long[] Offsets { get; }
    public int ItemCount => Offsets.Length - 1;
    public long Total => Offsets[^1];
    public long BytesAllocated => Offsets.Length * 24L + Total * 8 + _blocks.Length * (BlockItems + 1) * 4L;

    /// <summary>n + 1 offsets of the targets' solutions (one weight per candidate).</summary>
    public long[] CandidateOffsets { get; }

    public int CandidateCount(int item) => (int)(CandidateOffsets[item + 1] - CandidateOffsets[item]);
    public ReadOnlySpan<int> CandidatesOf(int item) => ItemsOf(item)[..CandidateCount(item)];
    public ReadOnlySpan<float> CandidateCountsOf(int item) => CountsOf(item)[..CandidateCount(item)];

    public ReadOnlySpan<int> ItemsOf(int item)
    {
        Block b = _blocks[item >> BlockShift];
        int k = item & (BlockItems - 1);
        return b.Items.AsSpan(b.Start[k], b.Start[k + 1] - b.Start[k]);
    }

    public ReadOnlySpan<float> CountsOf(int item)
    {
        Block b = _blocks[item >> BlockShift];
        int k = item & (BlockItems - 1);
        return b.Counts.AsSpan(b.Start[k], b.Start[k + 1] - b.Start[k]);
    }

    /// <summary>Bytes the lists can take at most for <paramref name="n"/> items.</summary>
    public static long PeakBytes(int n, int maxNeighbors) => (long)n * Math.Min(maxNeighbors, Math.Max(0, n - 1)) * 8 + (n + 1L) * 40;

    /// <summary>Builds the lists from the interactions, one block of items per task.</summary>
    /// <param name="data">The interactions.</param>
    /// <param name="candidates">Candidates per target (the strongest of each list).</param>
    /// <param name="maxNeighbors">Co-occurrences kept per item for the local systems' Gram entries (at least <paramref name="candidates"/>).</param>
    /// <param name="ranking">How co-occurring items are ranked.</param>
    /// <param name="threads">Worker threads.</param>
    /// <param name="progress">Fraction of items done.</param>
    /// <param name="ct">Cancellation.</param>
    /// <param name="previous">With <paramref name="recompute"/>: lists known to be unchanged, copied instead of counted (an update).</param>
    /// <param name="recompute">Per item, whether its list must be counted afresh; items past <paramref name="previous"/>'s always are.</param>
    public static NeighborLists Build(InteractionSet data, int candidates, int maxNeighbors, NeighborRanking ranking, int threads,
        IProgress<double>? progress, CancellationToken ct, NeighborLists? previous = null, bool[]? recompute = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(candidates, 1);
        maxNeighbors = Math.Max(maxNeighbors, candidates);
        int n = data.ItemCount;
        int slot = Math.Min(maxNeighbors, Math.Max(0, n - 1));
        int[] popularity = data.ItemPopularity;
        _ = data.ItemOffsets; // builds the item-major CSR once, before the threads start
        float[] cut = new float[n];
        double[] residual = new double[n];
        int blockCount = (n + BlockItems - 1) / BlockItems;
        var blocks = new Block[blockCount];
        int done = 0;
        var options = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, threads), CancellationToken = ct };
        Parallel.For(0, blockCount, options, () => new Scratch(n, slot), (block, _, s) =>
        {
            int first = block * BlockItems, end = Math.Min(n, first + BlockItems);
            int[] start = new int[BlockItems + 1];
            int used = 0;
            for (int j = first; j < end; j++)
            {
                if (s.Items.Length < used + slot)
                {
                    Array.Resize(ref s.Items, Math.Max(2 * s.Items.Length, used + slot));
                    Array.Resize(ref s.Counts, s.Items.Length);
                }
                if (previous is not null && j < previous.ItemCount && !recompute![j])
                {
                    ReadOnlySpan<int> oldItems = previous.ItemsOf(j);
                    oldItems.CopyTo(s.Items.AsSpan(used));
                    previous.CountsOf(j).CopyTo(s.Counts.AsSpan(used));
                    cut[j] = previous.Cut[j];
                    residual[j] = previous.Residual[j];
                    used += oldItems.Length;
                }
                else
                {
                    used += Select(data, j, slot, ranking, popularity, s, s.Items.AsSpan(used, slot), s.Counts.AsSpan(used, slot), out cut[j], out residual[j]);
                }
                start[j - first + 1] = used;
            }
            for (int k = end - first; k < BlockItems; k++)
                start[k + 1] = used;
            blocks[block] = new Block(s.Items[..used], s.Counts[..used], start);
            int finished = Interlocked.Increment(ref done);
            if (progress is not null && (finished & 63) == 0)
                progress.Report((double)finished / blockCount);
            return s;
        }, _ => { });

        long[] offsets = new long[n + 1];
        for (int j = 0; j < n; j++)
        {
            Block b = blocks[j >> BlockShift];
            int k = j & (BlockItems - 1);
            offsets[j + 1] = offsets[j] + b.Start[k + 1] - b.Start[k];
        }
        progress?.Report(1);
        return new NeighborLists(blocks, offsets, cut, residual, candidates);
    }

    /// <summary>Lists read back from an update state (validated by the caller).</summary>
    public static NeighborLists FromArrays(long[] offsets, int[] items, float[] counts, float[] cut, double[] residual, int candidates)
    {
        int n = offsets.Length - 1;
        int blockCount = (n + BlockItems - 1) / BlockItems;
        var blocks = new Block[blockCount];
        for (int block = 0; block < blockCount; block++)
        {
            int first = block * BlockItems, end = Math.Min(n, first + BlockItems);
            long from = offsets[first], to = offsets[end];
            int[] start = new int[BlockItems + 1];
            for (int k = 0; k < BlockItems; k++)
                start[k + 1] = (int)(offsets[Math.Min(end, first + k + 1)] - from);
            blocks[block] = new Block(items[(int)from..(int)to], counts[(int)from..(int)to], start);
        }
        return new NeighborLists(blocks, offsets, cut, residual, candidates);
    }

    /// <summary>The slot length <see cref="Build"/> uses: lists of a catalogue whose slot differs cannot be reused.</summary>
    public static int Slot(int n, int candidates, int maxNeighbors) => Math.Min(Math.Max(maxNeighbors, candidates), Math.Max(0, n - 1));

    private sealed class Scratch(int n, int slot)
    {
        public int[] Items = new int[Math.Max(1, slot) * 8];
        public float[] Counts = new float[Math.Max(1, slot) * 8];
        public readonly int[] Count = new int[n];
        public readonly int[] Touched = new int[n];
        public readonly ulong[] Keys = new ulong[n];
    }

    /// <summary>Counts item j's co-occurrences, keeps the strongest <paramref name="slot"/>; returns how many.</summary>
    private static int Select(InteractionSet data, int j, int slot, NeighborRanking ranking, int[] popularity, Scratch s,
        Span<int> outItems, Span<float> outCounts, out float cut, out double residual)
    {
        int[] count = s.Count;
        int[] touched = s.Touched;
        int t = 0;
        foreach (int user in data.UsersOf(j))
        {
            foreach (int i in data.ItemsOf(user))
            {
                if (count[i]++ == 0)
                    touched[t++] = i;
            }
        }
        // Rank by a key whose high half is the score's float bits (non-negative floats order like
        // their bits) and whose low half prefers the lower item on ties: deterministic everywhere.
        ulong[] keys = s.Keys;
        int k = 0;
        for (int a = 0; a < t; a++)
        {
            int i = touched[a];
            if (i == j)
                continue;
            float score = ranking == NeighborRanking.Cosine ? (float)(count[i] / Math.Sqrt(popularity[i])) : count[i];
            keys[k++] = ((ulong)BitConverter.SingleToUInt32Bits(score) << 32) | (uint)(int.MaxValue - i);
        }
        int kept = Math.Min(k, slot);
        if (k > kept)
            TopKeys.Partition(keys.AsSpan(0, k), kept);
        double all = 0, keptMass = 0;
        for (int a = 0; a < t; a++)
        {
            if (touched[a] != j)
                all += count[touched[a]];
        }
        cut = 0;
        for (int a = 0; a < kept; a++)
            keptMass += count[int.MaxValue - (int)(uint)keys[a]];
        if (k > kept)
        {
            // Any count left out is at most the largest one left out.
            for (int a = kept; a < k; a++)
                cut = Math.Max(cut, count[int.MaxValue - (int)(uint)keys[a]]);
        }
        residual = all - keptMass;
        // Strongest first: a target's candidates are a prefix of its list.
        keys.AsSpan(0, kept).Sort();
        for (int a = 0; a < kept; a++)
        {
            int i = int.MaxValue - (int)(uint)keys[kept - 1 - a];
            outItems[a] = i;
            outCounts[a] = count[i];
        }
        for (int a = 0; a < t; a++)
            count[touched[a]] = 0;
        return kept;
    }
}

/// <summary>In-place selection of the largest keys.</summary>
internal static class TopKeys
{
    /// <summary>Reorders <paramref name="keys"/> so that its first <paramref name="k"/> entries are the k largest (in any order).</summary>
    public static void Partition(Span<ulong> keys, int k)
    {
        int lo = 0, hi = keys.Length - 1;
        uint seed = (uint)keys.Length * 2654435761u;
        while (lo < hi)
        {
            seed = seed * 1664525u + 1013904223u;
            ulong pivot = keys[lo + (int)(seed % (uint)(hi - lo + 1))];
            int i = lo, j = hi;
            while (i <= j)
            {
                while (keys[i] > pivot) i++;
                while (keys[j] < pivot) j--;
                if (i <= j)
                {
                    (keys[i], keys[j]) = (keys[j], keys[i]);
                    i++;
                    j--;
                }
            }
            // [lo, j] >= pivot >= [i, hi]
            if (k - 1 <= j) hi = j;
            else if (k - 1 >= i) lo = i;
            else return;
        }
    }
}

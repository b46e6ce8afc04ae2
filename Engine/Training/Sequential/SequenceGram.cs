using System.Numerics;
using Ease.Engine.Input;
using Ease.Engine.Linalg;

namespace Ease.Engine.Training.Sequential;

/// <summary>
/// The two matrices of the sequential solve, from the users' ordered sequences, exactly: SᵀS (inputs against inputs)
/// and SᵀY (inputs against targets), mixed with the set-level Gram G = XᵀX already held in the left matrix:
/// left ← αG + (1−α)SᵀS, right ← αG + (1−α)SᵀY. Row a gathers every occurrence of item a in the sequences, so
/// threads own rows, as in <see cref="GramBuilder"/>.
/// </summary>
/// <remarks>
/// SᵀS without forming S: two positions i, j of one sequence are inputs of the same step t for
/// max(i, j) &lt; t ≤ min(L − 1, min(i, j) + W), and there contribute γ^(t−1−i)·γ^(t−1−j), so the pair's total is
/// γ^|i−j|·(1 + γ² + … + γ^(2(m−1))) over the m such steps: O(W) per occurrence instead of O(W²) per step.
/// </remarks>
internal static class SequenceGram
{
    public static void Build<T>(InteractionSet data, SequentialOptions s, DenseMatrix<T> left, DenseMatrix<T> right, int threads,
        IProgress<double>? progress, CancellationToken ct)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int n = data.ItemCount;
        ReadOnlySpan<int> offsets = data.SequenceOffsets, items = data.SequenceItems;
        int[] seqOffsets = offsets.ToArray(), seqItems = items.ToArray();
        // Occurrences by item: the positions (into seqItems) of item a are at[start[a] .. start[a + 1]).
        int[] start = new int[n + 1];
        foreach (int item in seqItems)
            start[item + 1]++;
        for (int a = 0; a < n; a++)
            start[a + 1] += start[a];
        int[] at = new int[seqItems.Length], userOf = new int[seqItems.Length];
        int[] cursor = start[..^1];
        for (int u = 0; u < data.UserCount; u++)
        {
            for (int p = seqOffsets[u]; p < seqOffsets[u + 1]; p++)
            {
                at[cursor[seqItems[p]]++] = p;
                userOf[p] = u;
            }
        }

        int w = s.Window, h = s.Targets;
        double g = s.Decay, alpha = s.SetWeight;
        // pow[d] = γ^d (d < W); geometric[m] = 1 + γ² + … + γ^(2(m−1)) (m ≤ W); targetPow[k] = δ^k.
        double[] pow = new double[w + 1], geometric = new double[w + 1], targetPow = new double[h];
        pow[0] = 1;
        for (int d = 1; d <= w; d++)
            pow[d] = pow[d - 1] * g;
        for (int m = 1; m <= w; m++)
            geometric[m] = geometric[m - 1] + pow[m - 1] * pow[m - 1];
        targetPow[0] = 1;
        for (int k = 1; k < h; k++)
            targetPow[k] = targetPow[k - 1] * s.TargetDecay;

        const int BlockRows = 16;
        int blocks = (n + BlockRows - 1) / BlockRows, done = 0;
        var options = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, threads), CancellationToken = ct };
        Parallel.For(0, blocks, options, () => (Inputs: new double[n], Targets: new double[n]), (block, _, scratch) =>
        {
            int end = Math.Min(n, (block + 1) * BlockRows);
            for (int a = block * BlockRows; a < end; a++)
            {
                double[] ss = scratch.Inputs, sy = scratch.Targets;
                Array.Clear(ss);
                Array.Clear(sy);
                for (int o = start[a]; o < start[a + 1]; o++)
                {
                    int p = at[o], u = userOf[p], first = seqOffsets[u];
                    int length = seqOffsets[u + 1] - first, i = p - first;
                    ReadOnlySpan<int> seq = seqItems.AsSpan(first, length);
                    // Inputs of the same steps.
                    int jFrom = Math.Max(0, i - w + 1), jTo = Math.Min(length - 2, i + w - 1);
                    for (int j = jFrom; j <= jTo; j++)
                    {
                        int lo = Math.Max(i, j) + 1, hi = Math.Min(length - 1, Math.Min(i, j) + w);
                        if (hi >= lo)
                            ss[seq[j]] += pow[Math.Abs(i - j)] * geometric[hi - lo + 1];
                    }
                    // Targets of the steps i is an input of.
                    int tTo = Math.Min(length - 1, i + w);
                    for (int t = i + 1; t <= tTo; t++)
                    {
                        double weight = pow[t - 1 - i];
                        int kTo = Math.Min(h, length - t);
                        for (int k = 0; k < kTo; k++)
                            sy[seq[t + k]] += weight * targetPow[k];
                    }
                }
                Span<T> l = left.Row(a), r = right.Row(a);
                for (int j = 0; j < n; j++)
                {
                    double gram = double.CreateTruncating(l[j]);
                    l[j] = T.CreateTruncating(alpha * gram + (1 - alpha) * ss[j]);
                    r[j] = T.CreateTruncating(alpha * gram + (1 - alpha) * sy[j]);
                }
            }
            int finished = Interlocked.Increment(ref done);
            if (progress is not null && finished % 16 == 0)
                progress.Report((double)finished / blocks);
            return scratch;
        }, _ => { });
        progress?.Report(1);
    }
}

using System.Diagnostics;
using System.Numerics;
using Ease.Engine.Linalg;
using Ease.Engine.Scoring;

namespace Ease.Study;

/// <summary>What a non-negative fit cost and gave.</summary>
/// <param name="NonZeros">Positive weights kept.</param>
/// <param name="Support">Candidates per column (n − 1 when unrestricted).</param>
/// <param name="MeanSweeps">Coordinate-descent sweeps per column, on average.</param>
/// <param name="MaxSweeps">The most sweeps any column took.</param>
/// <param name="Unconverged">Columns stopped at the sweep limit.</param>
/// <param name="Seconds">Wall time.</param>
public sealed record NonNegativeFitReport(long NonZeros, int Support, double MeanSweeps, int MaxSweeps, int Unconverged, double Seconds);

/// <summary>Item-item weights as rows: row i holds (column, weight) pairs, columns ascending.</summary>
public sealed record SparseRows(int ItemCount, int[] Offsets, int[] Columns, float[] Values)
{
    public ReadOnlySpan<int> ColumnsOf(int row) => Columns.AsSpan(Offsets[row], Offsets[row + 1] - Offsets[row]);
    public ReadOnlySpan<float> ValuesOf(int row) => Values.AsSpan(Offsets[row], Offsets[row + 1] - Offsets[row]);
}

/// <summary>
/// EASE's loss with non-negative weights, SLIM-style: for every target column j,
/// min ½ bᵀ(G + λI)b − G_jᵀb subject to b ≥ 0 and b_j = 0 (the same ridge loss and zero diagonal
/// as EASE, which has no closed form once the sign constraint is added). Columns are independent
/// and solved in parallel by cyclic coordinate descent on the gradient r = (G + λI)b − G_j, kept
/// up to date (one row of G per changed weight): a full sweep, then sweeps over the non-zero
/// weights until they settle, then a full sweep again to confirm. The result is sparse, so a
/// column costs about (weights changed) x (support) flops.
/// <para>The unrestricted problem reads a whole n-row of G per change (fine at a few thousand
/// items); with a support of M the column is solved over the M candidates with the largest
/// positive EASE weights into it, on their M x M block of G gathered once, which bounds the cost
/// at about n·M² for the gathers.</para>
/// </summary>
public static class NonNegativeFit
{
    /// <param name="gram">G = XᵀX, n x n (exact counts).</param>
    /// <param name="lambda">λ, as in EASE.</param>
    /// <param name="inverse">P = (G + λI)⁻¹, to choose each column's support; may be null when unrestricted.</param>
    /// <param name="support">Candidates per column; 0 or ≥ n − 1 = all items.</param>
    /// <param name="tolerance">Stop when no sweep moves the gradient by more than this times max_i G_ij.</param>
    /// <param name="maxSweeps">Sweep limit per column.</param>
    /// <param name="threads">Columns solved in parallel; 0 = all cores.</param>
    /// <param name="progress">Fraction of columns done, or null.</param>
    /// <param name="ct">Cancels between columns.</param>
    public static (SparseRows Rows, NonNegativeFitReport Report) Fit(DenseMatrix<float> gram, double lambda, DenseMatrix<float>? inverse, int support,
        double tolerance = 1e-6, int maxSweeps = 500, int threads = 0, IProgress<double>? progress = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(gram);
        int n = gram.Size;
        bool full = support <= 0 || support >= n - 1;
        if (!full && inverse is null)
            throw new ArgumentException("a restricted support is chosen from the EASE inverse; pass it", nameof(inverse));
        int m = full ? n : support;
        var watch = Stopwatch.StartNew();
        var columnItems = new int[n][];
        var columnValues = new float[n][];
        long totalSweeps = 0;
        int maxSeen = 0, unconverged = 0, done = 0;
        object gate = new();
        var options = new ParallelOptions { MaxDegreeOfParallelism = threads > 0 ? threads : Environment.ProcessorCount, CancellationToken = ct };
        Parallel.For(0, n, options, () => new Workspace(m, full), (j, _, ws) =>
        {
            int sweeps;
            bool converged;
            if (full)
            {
                var system = new FullSystem(gram, j);
                (sweeps, converged) = Solve(ref system, gram.Row(j), lambda, tolerance, maxSweeps, ws);
                Collect(ws, n, i => i, j, columnItems, columnValues);
            }
            else
            {
                int count = ChooseSupport(inverse!.Row(j), j, ws.Support, ws.Candidates);
                var system = new GatheredSystem(gram, ws.Support, count, ws.Block);
                ReadOnlySpan<float> gj = gram.Row(j);
                for (int a = 0; a < count; a++)
                    ws.Target[a] = gj[ws.Support[a]];
                (sweeps, converged) = Solve(ref system, ws.Target.AsSpan(0, count), lambda, tolerance, maxSweeps, ws);
                int[] supportCopy = ws.Support;
                Collect(ws, count, a => supportCopy[a], j, columnItems, columnValues);
            }
            ws.Sweeps += sweeps;
            ws.MaxSweeps = Math.Max(ws.MaxSweeps, sweeps);
            if (!converged)
                ws.Unconverged++;
            int d = Interlocked.Increment(ref done);
            if (progress is not null && (d & 255) == 0)
                progress.Report((double)d / n);
            return ws;
        }, ws =>
        {
            lock (gate)
            {
                totalSweeps += ws.Sweeps;
                maxSeen = Math.Max(maxSeen, ws.MaxSweeps);
                unconverged += ws.Unconverged;
            }
        });
        progress?.Report(1);
        SparseRows rows = ToRows(n, columnItems, columnValues);
        return (rows, new NonNegativeFitReport(rows.Columns.LongLength, full ? n - 1 : support, (double)totalSweeps / Math.Max(1, n), maxSeen, unconverged, watch.Elapsed.TotalSeconds));
    }

    private sealed class Workspace(int m, bool full)
    {
        public readonly double[] B = new double[m];
        public readonly double[] R = new double[m];
        public readonly int[] Support = full ? [] : new int[m];
        public readonly ScoredItem[] Candidates = full ? [] : new ScoredItem[m];
        public readonly float[] Block = full ? [] : new float[m * m];
        public readonly float[] Target = full ? [] : new float[m];
        public long Sweeps;
        public int MaxSweeps;
        public int Unconverged;
    }

    /// <summary>The system's rows of G (λ is added on the diagonal separately).</summary>
    private interface ISystem
    {
        int Size { get; }

        /// <summary>A coordinate held at zero (the target itself), or -1.</summary>
        int Fixed { get; }

        ReadOnlySpan<float> Row(int a);
    }

    private readonly struct FullSystem(DenseMatrix<float> gram, int target) : ISystem
    {
        public int Size => gram.Size;
        public int Fixed => target;
        public ReadOnlySpan<float> Row(int a) => gram.Row(a);
    }

    private readonly struct GatheredSystem : ISystem
    {
        private readonly float[] _block;

        public GatheredSystem(DenseMatrix<float> gram, int[] support, int count, float[] block)
        {
            Size = count;
            _block = block;
            for (int a = 0; a < count; a++)
            {
                ReadOnlySpan<float> row = gram.Row(support[a]);
                Span<float> into = block.AsSpan(a * count, count);
                for (int b = 0; b < count; b++)
                    into[b] = row[support[b]];
            }
        }

        public int Size { get; }
        public int Fixed => -1;
        public ReadOnlySpan<float> Row(int a) => _block.AsSpan(a * Size, Size);
    }

    /// <summary>The items with the largest positive EASE weights into column j (B_ij = −P_ij / P_jj), ascending.</summary>
    private static int ChooseSupport(ReadOnlySpan<float> inverseRow, int j, int[] support, ScoredItem[] candidates)
    {
        var heap = new TopKHeap(candidates);
        for (int i = 0; i < inverseRow.Length; i++)
        {
            float weight = -inverseRow[i];
            if (i != j && weight > 0 && weight > heap.Threshold)
                heap.Offer(i, weight);
        }
        int count = heap.Count;
        for (int a = 0; a < count; a++)
            support[a] = candidates[a].Row;
        Array.Sort(support, 0, count);
        return count;
    }

    private static (int Sweeps, bool Converged) Solve<TSystem>(ref TSystem system, ReadOnlySpan<float> target, double lambda, double tolerance, int maxSweeps, Workspace ws)
        where TSystem : struct, ISystem
    {
        int m = system.Size;
        Span<double> b = ws.B.AsSpan(0, m), r = ws.R.AsSpan(0, m);
        b.Clear();
        float scale = 0;
        for (int a = 0; a < m; a++)
        {
            r[a] = -target[a];
            scale = Math.Max(scale, target[a]);
        }
        double limit = tolerance * Math.Max(1.0, scale);
        bool all = true;
        for (int sweep = 1; sweep <= maxSweeps; sweep++)
        {
            double largest = 0;
            for (int a = 0; a < m; a++)
            {
                if (a == system.Fixed || (!all && b[a] == 0))
                    continue;
                ReadOnlySpan<float> row = system.Row(a);
                double kaa = row[a] + lambda;
                double next = Math.Max(0, b[a] - r[a] / kaa);
                double delta = next - b[a];
                if (delta == 0)
                    continue;
                b[a] = next;
                AddScaled(r, row, delta);
                r[a] += delta * lambda;
                largest = Math.Max(largest, Math.Abs(delta) * kaa);
            }
            if (largest <= limit)
            {
                if (all)
                    return (sweep, true);
                all = true;
            }
            else
            {
                all = false;
            }
        }
        return (maxSweeps, false);
    }

    /// <summary>r += delta · row, the float row widened to double.</summary>
    private static void AddScaled(Span<double> r, ReadOnlySpan<float> row, double delta)
    {
        int w = Vector<float>.Count, i = 0;
        var d = new Vector<double>(delta);
        for (; i + w <= r.Length; i += w)
        {
            Vector.Widen(new Vector<float>(row[i..]), out Vector<double> lo, out Vector<double> hi);
            (new Vector<double>(r[i..]) + d * lo).CopyTo(r[i..]);
            (new Vector<double>(r[(i + Vector<double>.Count)..]) + d * hi).CopyTo(r[(i + Vector<double>.Count)..]);
        }
        for (; i < r.Length; i++)
            r[i] += delta * row[i];
    }

    private static void Collect(Workspace ws, int count, Func<int, int> item, int j, int[][] columnItems, float[][] columnValues)
    {
        int kept = 0;
        for (int a = 0; a < count; a++)
        {
            if (ws.B[a] > 0)
                kept++;
        }
        var items = new int[kept];
        var values = new float[kept];
        int k = 0;
        for (int a = 0; a < count; a++)
        {
            if (ws.B[a] > 0)
            {
                items[k] = item(a);
                values[k++] = (float)ws.B[a];
            }
        }
        columnItems[j] = items;
        columnValues[j] = values;
    }

    /// <summary>Columns (target j: source items i) to rows (source i: targets j, ascending).</summary>
    private static SparseRows ToRows(int n, int[][] columnItems, float[][] columnValues)
    {
        var offsets = new int[n + 1];
        foreach (int[] items in columnItems)
        {
            foreach (int i in items)
                offsets[i + 1]++;
        }
        for (int i = 0; i < n; i++)
            offsets[i + 1] += offsets[i];
        var columns = new int[offsets[n]];
        var values = new float[offsets[n]];
        int[] cursor = offsets[..^1];
        for (int j = 0; j < n; j++)
        {
            for (int k = 0; k < columnItems[j].Length; k++)
            {
                int i = columnItems[j][k];
                columns[cursor[i]] = j;
                values[cursor[i]++] = columnValues[j][k];
            }
        }
        return new SparseRows(n, offsets, columns, values);
    }
}

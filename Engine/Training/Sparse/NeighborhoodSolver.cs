using Ease.Engine.Linalg;

namespace Ease.Engine.Training.Sparse;

/// <summary>
/// Column j of EASE's B is the ridge regression of item j on all other items,
/// b = (G₋ⱼ₋ⱼ + Λ)⁻¹ G₋ⱼⱼ, and the zero diagonal is exactly the exclusion of j. Restricting the
/// regressors to j's candidate list S (its strongest co-occurrences) gives an m x m system,
/// b_S = (G_SS + Λ_S)⁻¹ G_Sj, solved exactly by Cholesky. G_SS comes from the candidates' own
/// lists (a pair is known if either item kept the other; the rest are treated as zero), so no
/// step needs more than the lists. Targets are independent: threads and shards split them.
/// </summary>
internal static class NeighborhoodSolver
{
    /// <summary>
    /// Solves targets [<paramref name="first"/>, <paramref name="end"/>) and writes each solution
    /// into <paramref name="weights"/> at the target's list offset minus the range's first offset.
    /// </summary>
    public static void Solve(NeighborLists lists, int[] popularity, double lambda, double dropout, int first, int end,
        float[] weights, int threads, IProgress<double>? progress, CancellationToken ct)
        => Solve(lists, popularity, lambda, dropout, first, end, null, weights, threads, progress, ct);

    /// <summary>
    /// Solves only <paramref name="targets"/> (ascending), writing each at its list offset in
    /// <paramref name="weights"/> (which covers all targets): an update re-solves the targets whose
    /// local system changed, with the same arithmetic as a full solve.
    /// </summary>
    public static void Solve(NeighborLists lists, int[] popularity, double lambda, double dropout, int[] targets,
        float[] weights, int threads, IProgress<double>? progress, CancellationToken ct)
        => Solve(lists, popularity, lambda, dropout, 0, targets.Length, targets, weights, threads, progress, ct);

    private static void Solve(NeighborLists lists, int[] popularity, double lambda, double dropout, int first, int end, int[]? targets,
        float[] weights, int threads, IProgress<double>? progress, CancellationToken ct)
    {
        int n = lists.ItemCount;
        long baseOffset = targets is null ? lists.CandidateOffsets[first] : 0;
        int Target(int k) => targets is null ? k : targets[k];
        int maxLength = 0;
        for (int k = first; k < end; k++)
            maxLength = Math.Max(maxLength, lists.CandidateCount(Target(k)));
        double dropoutScale = dropout / (1 - dropout);

        // Work is about m³/3 per target and m varies a lot: hand out small blocks dynamically,
        // and report progress by work, not by targets.
        double totalWork = 0;
        for (int k = first; k < end; k++)
            totalWork += Work(lists.CandidateCount(Target(k)));
        double doneWork = 0;
        object gate = new();
        const int BlockTargets = 16;
        int blocks = (end - first + BlockTargets - 1) / BlockTargets;
        var options = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, threads), CancellationToken = ct };
        var all = new System.Collections.Concurrent.ConcurrentBag<Scratch>();
        try
        {
            Parallel.For(0, blocks, options, () => { var s = new Scratch(n, maxLength); all.Add(s); return s; }, (block, _, s) =>
            {
                int j0 = first + block * BlockTargets, j1 = Math.Min(end, j0 + BlockTargets);
                double work = 0;
                for (int k = j0; k < j1; k++)
                {
                    int j = Target(k);
                    int m = lists.CandidateCount(j);
                    SolveTarget(lists, popularity, lambda, dropoutScale, j, s, weights.AsSpan((int)(lists.CandidateOffsets[j] - baseOffset), m));
                    work += Work(m);
                }
                if (progress is not null)
                {
                    double f;
                    lock (gate) f = (doneWork += work) / totalWork;
                    progress.Report(Math.Min(1, f));
                }
                return s;
            }, _ => { });
        }
        catch (AggregateException e) when (e.InnerExceptions.Any(x => x is LocalSystemNotPositiveDefiniteException))
        {
            // Parallel.For wraps what a target throws; callers catch the failing system itself
            // (the lowest target among those that failed, so the message does not vary by thread).
            throw e.InnerExceptions.OfType<LocalSystemNotPositiveDefiniteException>().MinBy(x => x.Target)!;
        }
        finally
        {
            foreach (Scratch s in all)
                s.Dispose();
        }
        progress?.Report(1);
    }

    /// <summary>Relative cost of one target with m candidates: the factorization plus filling the system.</summary>
    public static double Work(int m) => (double)m * m * m / 3 + 2.0 * m * m;

    private static void SolveTarget(NeighborLists lists, int[] popularity, double lambda, double dropoutScale, int j, Scratch s, Span<float> x)
    {
        ReadOnlySpan<int> cand = lists.CandidatesOf(j);
        int m = cand.Length;
        if (m == 0)
            return;
        int[] local = s.Local;
        ulong[] member = s.Member;
        for (int a = 0; a < m; a++)
        {
            local[cand[a]] = a;
            member[cand[a] >> 6] |= 1UL << cand[a];
        }

        // A = G_SS + Λ_S, lower triangle; each candidate's own list supplies its row and column.
        Span<float> a2 = s.Cholesky.Matrix(m);
        a2.Clear();
        for (int a = 0; a < m; a++)
        {
            int item = cand[a];
            a2[a * m + a] = (float)(popularity[item] + lambda + dropoutScale * popularity[item]);
            ReadOnlySpan<int> nb = lists.ItemsOf(item);
            ReadOnlySpan<float> gc = lists.CountsOf(item);
            for (int q = 0; q < nb.Length; q++)
            {
                // Most of a list lies outside S: a bit test in an L1-resident set rejects those
                // before the index lookup.
                int t = nb[q];
                if ((member[t >> 6] & (1UL << t)) == 0)
                    continue;
                int b = local[t];
                // Either side's list may hold the pair; write it where potrf reads it (row > column).
                if (b < a) a2[a * m + b] = gc[q];
                else a2[b * m + a] = gc[q];
            }
        }
        Compensate(lists, cand, a2, m, s.Diagonal);
        lists.CandidateCountsOf(j).CopyTo(x);
        try
        {
            s.Cholesky.Solve(m, x);
        }
        catch (NotPositiveDefiniteException e)
        {
            throw new LocalSystemNotPositiveDefiniteException(j, cand[e.Pivot], m, e.PivotValue, lambda);
        }
        finally
        {
            for (int a = 0; a < m; a++)
            {
                local[cand[a]] = -1;
                member[cand[a] >> 6] = 0;
            }
        }
    }

    /// <summary>
    /// Keeps the local system positive definite. A pair that neither candidate's list holds was
    /// set to 0, but its true count E_st lies in [0, min(cut_s, cut_t)]: G_SS minus those
    /// unknowns is not PSD in general. Adding to each diagonal entry a bound on its row's
    /// unknowns (Σ min(cut_s, cut_t) over its missing pairs, at most the mass its list left out)
    /// makes the difference diagonally dominant, so A = G_SS + Λ + D − E stays positive definite
    /// (Gershgorin) whatever the unknowns were. Lists that kept everything add nothing.
    /// </summary>
    private static void Compensate(NeighborLists lists, ReadOnlySpan<int> cand, Span<float> a2, int m, double[] extra)
    {
        float[] cut = lists.Cut;
        Span<double> d = extra.AsSpan(0, m);
        d.Clear();
        bool any = false;
        for (int a = 0; a < m; a++)
        {
            float ca = cut[cand[a]];
            if (ca == 0)
                continue;
            any = true;
            Span<float> row = a2.Slice(a * m, a);
            for (int b = 0; b < a; b++)
            {
                float cb = cut[cand[b]];
                if (row[b] == 0 && cb != 0)
                {
                    float bound = Math.Min(ca, cb);
                    d[a] += bound;
                    d[b] += bound;
                }
            }
        }
        if (!any)
            return;
        double[] residual = lists.Residual;
        for (int a = 0; a < m; a++)
            a2[a * m + a] += (float)Math.Min(d[a], residual[cand[a]]);
    }

    private sealed class Scratch : IDisposable
    {
        public readonly double[] Diagonal;
        public readonly int[] Local;
        public readonly ulong[] Member;
        public readonly LocalCholesky Cholesky;

        public Scratch(int n, int maxLength)
        {
            Local = new int[n];
            Array.Fill(Local, -1);
            Member = new ulong[(n + 63) / 64];
            Diagonal = new double[Math.Max(1, maxLength)];
            Cholesky = LocalCholesky.Create(maxLength);
        }

        public void Dispose() => Cholesky.Dispose();
    }
}

/// <summary>The local system of one target item is not positive definite (too small a λ for its neighbourhood).</summary>
public sealed class LocalSystemNotPositiveDefiniteException(int target, int pivotItem, int size, double pivotValue, double lambda)
    : Exception(
        $"the local system of item {target} ({size} neighbours) is not positive definite at neighbour item {pivotItem} " +
        $"(pivot {pivotValue:G4}); use a larger --lambda than {lambda}")
{
    /// <summary>0-based index of the target item whose system failed.</summary>
    public int Target { get; } = target;
    /// <summary>0-based index of the neighbour at the failing pivot.</summary>
    public int PivotItem { get; } = pivotItem;
    public int Size { get; } = size;
    public double PivotValue { get; } = pivotValue;
}

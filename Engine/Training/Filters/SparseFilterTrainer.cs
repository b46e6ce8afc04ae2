using System.Diagnostics;
using System.Text.Json.Nodes;
using Ease.Engine.Input;
using Ease.Engine.Training.Sparse;

namespace Ease.Engine.Training.Filters;

/// <summary>
/// Trains a graph filter past the dense limit: each item's row of the operator only on the
/// candidates the sparse EASE solver would give it (<see cref="NeighborLists"/>), computed from R̃
/// and the n x r low-pass factors (<see cref="CandidateFilterRows"/>), then pruned and written
/// like the sparse solver's rows. A blend adds EASE's rows from the sparse solver on the same
/// lists (M + γ·B, each row the union of the two). Memory grows with n·(candidates + r) plus the
/// input (and the EASE solver's lists for a blend).
/// </summary>
public static class SparseFilterTrainer
{
    public static TrainReport Train(InteractionSet data, TrainOptions o, string outputPath, JsonObject? metadata = null,
        IProgress<TrainProgress>? progress = null, CancellationToken ct = default)
    {
        FilterOptions f = GraphFilterTrainer.Checked(data, o);
        int n = data.ItemCount, threads = o.EffectiveThreads, neighbors = o.EffectiveNeighbors(n);
        var phases = new List<PhaseTiming>();
        var watch = Stopwatch.StartNew();

        // Alone, the lists hold only the candidates: a filter's entries come from R̃, not from the
        // lists' counts. A blend's EASE part needs the longer lists of its local systems.
        bool blend = f.EaseWeight != 0;
        NeighborLists lists = NeighborLists.Build(data, neighbors, blend ? o.EffectiveGramNeighbors(n) : neighbors, o.Ranking, threads,
            EaseTrainer.Report(progress, "neighbours"), ct);
        phases.Add(new PhaseTiming("neighbours", watch.Elapsed.TotalSeconds));
        long workBytes = lists.BytesAllocated;
        SparseRows? ease = null;
        if (blend)
        {
            ease = SparseEaseTrainer.SolveRows(data, o, lists, 0, n, phases, progress, ct, out long easeBytes);
            workBytes += easeBytes;
        }

        watch.Restart();
        SparseRows rows = Rows(data, f, lists, threads, progress, ct, out double svdSeconds, out long factorBytes);
        if (svdSeconds > 0)
            phases.Add(new PhaseTiming("svd", svdSeconds));
        phases.Add(new PhaseTiming("rows", watch.Elapsed.TotalSeconds - svdSeconds));
        workBytes += rows.BytesAllocated + factorBytes;
        if (ease is not null)
        {
            watch.Restart();
            rows = SparseRows.Sum(rows, ease, (float)f.EaseWeight);
            workBytes += rows.BytesAllocated;
            phases.Add(new PhaseTiming("blend", watch.Elapsed.TotalSeconds));
        }

        JsonObject solver = blend
            ? SparseEaseTrainer.SolverMetadata(o, neighbors, o.EffectiveGramNeighbors(n), DataFingerprint.Compute(data))
            : new JsonObject
            {
                ["kind"] = "sparse",
                ["neighbors"] = neighbors,
                ["ranking"] = o.Ranking.ToString().ToLowerInvariant(),
                ["fingerprint"] = DataFingerprint.Compute(data),
            };
        solver["method"] = blend ? "graph filter rows on each item's candidates + EASE by neighbourhood ridge" : "graph filter rows on each item's candidates";
        return SparseModelWriter.WriteModel(rows, data, o, metadata, solver, outputPath, phases, workBytes, neighbors, progress, ct);
    }

    /// <summary>The operator's rows on <paramref name="lists"/>' candidates; the SVD behind the low-pass term is timed apart.</summary>
    internal static SparseRows Rows(InteractionSet data, FilterOptions f, ICandidateLists lists, int threads, IProgress<TrainProgress>? progress,
        CancellationToken ct, out double svdSeconds, out long factorBytes)
    {
        f.Validate();
        if (f.SparseRefusal is { } refusal)
            throw new ArgumentException(refusal);
        (double[] c, double[] e) = f.Operator();
        var cache = new GraphFilterCache(data);
        NormalizedInteractions norm = cache.Normalized(f.EffectiveNormExponent);
        var watch = Stopwatch.StartNew();
        float[]? u = null, zt = null;
        int rank = 0;
        if (f.HasLowPass)
            (u, zt, rank) = GraphFilterOperator.LowPassFactors(cache, norm, f, e, threads, EaseTrainer.Report(progress, "svd"), ct);
        svdSeconds = watch.Elapsed.TotalSeconds;
        // R̃'s values, and U, D^1/2 V and Zᵀ (with P̃·D^1/2 V for BSPM's second term).
        factorBytes = data.InteractionCount * 8L + (u?.Length ?? 0) * 4L * (e.Length > 1 ? 4 : 3);
        return CandidateFilterRows.Build(lists, norm, c, f.Power, u, zt, rank, threads, EaseTrainer.Report(progress, "rows"), ct);
    }

    /// <summary>
    /// Bytes the run needs beyond the loaded input, at most: the candidate lists and the rows
    /// (8 bytes per candidate each), R̃'s values, the subspace iteration's blocks (n x l in f32 and
    /// f64, l = r + max(64, r)) and its users x l scratch, the n x r factors, and per thread an
    /// n-long row with its index list and a users-long vector.
    /// </summary>
    public static long PeakBytes(int items, int users, long interactions, int neighbors, int gramNeighbors, FilterOptions f, int threads)
    {
        int m = Math.Min(neighbors, Math.Max(0, items - 1));
        long entries = (long)items * m;
        long lowPass = 0;
        if (f.HasLowPass)
        {
            int r = Math.Min(f.EffectiveRank, items);
            long l = Math.Min(items, r + Math.Max(64, r));
            lowPass = items * l * 24 + users * l * 4 + (long)items * r * (8 + 4 * 4);
        }
        long filter = NeighborLists.PeakBytes(items, m) + entries * 8 + interactions * 8 + lowPass + threads * (items * 8L + users * 4L);
        // A blend adds the EASE solver's longer lists, its weights and rows, and the summed rows.
        return f.EaseWeight == 0 ? filter : filter + MemoryBudget.SparseBytes(items, neighbors, gramNeighbors, threads) + entries * 16;
    }
}

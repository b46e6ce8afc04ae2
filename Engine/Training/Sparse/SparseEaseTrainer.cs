using System.Diagnostics;
using System.Text.Json.Nodes;
using Ease.Engine.Input;
using Ease.Format;

namespace Ease.Engine.Training.Sparse;

/// <summary>
/// EASE past the dense limit: per target item, an exact ridge solve restricted to its strongest
/// co-occurrences (see <see cref="NeighborhoodSolver"/>), transposed into rows, pruned and
/// written. Memory and time grow with the items times the neighbours, never with n². With
/// <see cref="TrainOptions.ShardCount"/> &gt; 1 it solves one balanced range of targets and
/// writes an unpruned part file that <see cref="ModelMerger"/> assembles.
/// </summary>
public static class SparseEaseTrainer
{
    /// <summary>Trains with the sparse solver and writes the model (or one shard's part file).</summary>
    /// <param name="data">The interactions.</param>
    /// <param name="o">Settings.</param>
    /// <param name="outputPath">The model or part file.</param>
    /// <param name="metadata">Extra metadata.</param>
    /// <param name="progress">Phases.</param>
    /// <param name="ct">Cancellation.</param>
    /// <param name="state">With a state output, what `ease update` needs is written beside the model (one process, no shards).</param>
    public static TrainReport Train(InteractionSet data, TrainOptions o, string outputPath, JsonObject? metadata = null,
        IProgress<TrainProgress>? progress = null, CancellationToken ct = default, Update.StateOutput? state = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(o);
        o.Validate();
        if (data.ItemCount == 0 || data.InteractionCount == 0)
            throw new InvalidDataException("the input holds no interactions; nothing to train on");
        int n = data.ItemCount;
        int threads = o.EffectiveThreads;
        int neighbors = o.EffectiveNeighbors(n);
        var phases = new List<PhaseTiming>();
        var watch = Stopwatch.StartNew();

        NeighborLists lists = NeighborLists.Build(data, neighbors, o.EffectiveGramNeighbors(n), o.Ranking, threads, EaseTrainer.Report(progress, "neighbours"), ct);
        phases.Add(new PhaseTiming("neighbours", watch.Elapsed.TotalSeconds));
        long listBytes = lists.BytesAllocated;

        (int first, int end) = ShardRange(lists, o.ShardIndex, o.ShardCount);
        SparseRows rows = SolveRows(data, o, lists, first, end, phases, progress, ct, out long solvedBytes, state);
        long workBytes = listBytes + solvedBytes;

        JsonObject solver = SolverMetadata(o, neighbors, o.EffectiveGramNeighbors(n), DataFingerprint.Compute(data));
        if (o.ShardCount > 1)
            solver["part"] = new JsonObject { ["index"] = o.ShardIndex, ["count"] = o.ShardCount, ["first_item"] = first, ["end_item"] = end };
        TrainReport report = SparseModelWriter.WriteModel(rows, data, o, metadata, solver, outputPath, phases, workBytes, neighbors, progress, ct);
        if (state is not null)
        {
            watch.Restart();
            state.Finish(outputPath, data, o, "sparse", neighbors, o.EffectiveGramNeighbors(n), report.KernelPath);
            phases[^1] = phases[^1] with { Seconds = phases[^1].Seconds + watch.Elapsed.TotalSeconds };
        }
        return report;
    }

    /// <summary>
    /// Solves the targets [first, end) on their candidates and turns the solutions into rows,
    /// timing the solve and the transpose into <paramref name="phases"/>; <paramref name="bytes"/>
    /// is what the weights and rows took. With <paramref name="state"/>, the solved columns are
    /// written for `ease update` too.
    /// </summary>
    internal static SparseRows SolveRows(InteractionSet data, TrainOptions o, NeighborLists lists, int first, int end, List<PhaseTiming> phases,
        IProgress<TrainProgress>? progress, CancellationToken ct, out long bytes, Update.StateOutput? state = null)
    {
        var watch = Stopwatch.StartNew();
        float[] weights = new float[lists.CandidateOffsets[end] - lists.CandidateOffsets[first]];
        double flops = 0;
        for (int j = first; j < end; j++)
            flops += NeighborhoodSolver.Work(lists.CandidateCount(j));
        try
        {
            NeighborhoodSolver.Solve(lists, data.ItemPopularity, o.Lambda, o.Dropout, first, end, weights, o.EffectiveThreads,
                EaseTrainer.Report(progress, "solve"), ct);
        }
        catch (LocalSystemNotPositiveDefiniteException e)
        {
            throw new InvalidDataException(
                $"the local system of item '{data.ItemIds[e.Target]}' ({e.Size} neighbours) is not positive definite at neighbour " +
                $"'{data.ItemIds[e.PivotItem]}' (pivot {e.PivotValue:G4}); use a larger --lambda than {o.Lambda}", e);
        }
        double solveSeconds = watch.Elapsed.TotalSeconds;
        phases.Add(new PhaseTiming("solve", solveSeconds, solveSeconds > 0 ? flops / solveSeconds / 1e9 : 0));

        if (state is not null)
        {
            if (o.ShardCount > 1)
                throw new ArgumentException("--state needs the whole model in one process (no --shard)");
            watch.Restart();
            state.WriteSparse(data, lists, weights);
            phases.Add(new PhaseTiming("state", watch.Elapsed.TotalSeconds));
        }

        watch.Restart();
        var rows = SparseRows.FromColumns(lists, weights, first, end);
        bytes = weights.Length * 4L + rows.BytesAllocated;
        phases.Add(new PhaseTiming("transpose", watch.Elapsed.TotalSeconds));
        return rows;
    }

    /// <summary>Prunes the solved rows as <paramref name="o"/> says into <paramref name="writer"/>: kept mass share and threshold.</summary>
    internal static (double KeptMass, float Threshold) PruneInto(SparseRows rows, TrainOptions o, ModelFileWriter writer, int threads,
        IProgress<TrainProgress>? progress, CancellationToken ct)
    {
        float threshold = 0;
        if (o.Prune == PruneMode.Density)
            threshold = SparseModelWriter.DensityThresholdOf(rows, o.PruneDensity, threads, ct);
        (double kept, double all) = SparseModelWriter.Write(rows, o, threshold, writer, threads, EaseTrainer.Report(progress, "prune+write"), ct);
        return (all == 0 ? 1 : kept / all, threshold);
    }

    /// <summary>The solver's settings as recorded in the model: a merge refuses parts whose settings differ.</summary>
    internal static JsonObject SolverMetadata(TrainOptions o, int neighbors, int gramNeighbors, string fingerprint) => new()
    {
        ["kind"] = "sparse",
        ["method"] = "neighbourhood ridge",
        ["lambda"] = o.Lambda,
        ["dropout"] = o.Dropout,
        ["prune"] = o.Prune switch
        {
            PruneMode.TopK => $"topk:{o.PruneTopK}",
            PruneMode.Density => $"density:{o.PruneDensity.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}",
            _ => "none",
        },
        ["neighbors"] = neighbors,
        ["gram_neighbors"] = gramNeighbors,
        ["ranking"] = o.Ranking.ToString().ToLowerInvariant(),
        ["fingerprint"] = fingerprint,
    };

    /// <summary>
    /// Targets [first, end) of shard <paramref name="index"/> of <paramref name="count"/>: contiguous
    /// ranges of about equal solve work (m³/3 per target), the same in every process.
    /// </summary>
    internal static (int First, int End) ShardRange(NeighborLists lists, int index, int count)
    {
        int n = lists.ItemCount;
        if (count == 1)
            return (0, n);
        double total = 0;
        for (int j = 0; j < n; j++)
            total += NeighborhoodSolver.Work(lists.CandidateCount(j));
        int Boundary(int s)
        {
            if (s <= 0) return 0;
            if (s >= count) return n;
            double goal = total * s / count, sum = 0;
            for (int j = 0; j < n; j++)
            {
                if (sum >= goal)
                    return j;
                sum += NeighborhoodSolver.Work(lists.CandidateCount(j));
            }
            return n;
        }
        return (Boundary(index), Boundary(index + 1));
    }
}

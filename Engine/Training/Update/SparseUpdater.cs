using System.Diagnostics;
using System.Text.Json.Nodes;
using Ease.Engine.Input;
using Ease.Engine.Training.Sparse;
using Ease.Format;

namespace Ease.Engine.Training.Update;

/// <summary>
/// The sparse update, exact by construction: a target's column is a deterministic function of its
/// local system (its candidates and their counts, the candidates' popularity, the pairs their lists
/// hold among themselves, their cut and residual), so a target whose system did not change keeps
/// its column bit for bit and every other target is solved again by the same kernel. The result is
/// the model a sparse retrain on the same interactions, in the same item order, writes.
/// <list type="number">
/// <item>Lists: an item's list can only change if its own counts changed (it is in a changed
/// user's row) or, ranking by cosine, if the popularity of an item it co-occurs with changed: one
/// in its list, or one outside a list that was cut short whose best possible new score reaches the
/// weakest kept. Only those lists are counted again; the rest are copied.</item>
/// <item>Targets: solved again if new, if their candidates or right-hand side changed, or if a
/// candidate's popularity, cut or residual changed, or a candidate's list gained, lost or
/// recounted a pair with another candidate.</item>
/// </list>
/// </summary>
internal static class SparseUpdater
{
    public static UpdateReport Update(LoadedState state, DataDelta delta, TrainOptions o, string outputPath, StateOutput output,
        JsonObject? metadata, bool allowRetrain, IProgress<TrainProgress>? progress, CancellationToken ct)
    {
        var phases = new List<PhaseTiming>();
        var watch = Stopwatch.StartNew();
        InteractionSet before = state.Data, after = delta.Data;
        int n0 = before.ItemCount, n = after.ItemCount;
        int threads = o.EffectiveThreads;
        int neighbors = o.EffectiveNeighbors(n0), gram = o.EffectiveGramNeighbors(n0);
        var (offsets, items, counts, cut, residual, weights) = state.ReadSparse();
        var old = NeighborLists.FromArrays(offsets, items, counts, cut, residual, neighbors);
        if (weights.Length != old.CandidateOffsets[^1])
            throw new InvalidDataException($"{state.Path}: the weights section holds {weights.Length:N0} weights, the lists need {old.CandidateOffsets[^1]:N0}");
        phases.Add(new PhaseTiming("read state", watch.Elapsed.TotalSeconds));

        watch.Restart();
        int[] pop0 = before.ItemPopularity, pop1 = after.ItemPopularity;
        bool[] recompute = ListsToRecount(old, delta, pop0, pop1, o.Ranking, NeighborLists.Slot(n0, neighbors, gram) != NeighborLists.Slot(n, neighbors, gram));
        int recounted = recompute.Count(r => r);
        var lists = NeighborLists.Build(after, neighbors, gram, o.Ranking, threads, EaseTrainer.Report(progress, "neighbours"), ct, old, recompute);
        phases.Add(new PhaseTiming("neighbours", watch.Elapsed.TotalSeconds));

        watch.Restart();
        int[] targets = TargetsToSolve(old, lists, recompute, pop0, pop1, threads, ct);
        double dirtyWork = 0, allWork = 0;
        for (int j = 0, k = 0; j < n; j++)
        {
            double w = NeighborhoodSolver.Work(lists.CandidateCount(j));
            allWork += w;
            if (k < targets.Length && targets[k] == j)
            {
                dirtyWork += w;
                k++;
            }
        }
        if (allowRetrain && dirtyWork > 0.9 * allWork)
        {
            // Nearly every system changed: the update would be a retrain plus bookkeeping.
            output.Generation = 0;
            TrainReport retrain = SparseEaseTrainer.Train(after, o, outputPath, metadata, progress, ct, output);
            return UpdateReport.Retrained(retrain, $"{dirtyWork / allWork:P0} of the solve work changed, so a full retrain is as fast", delta, state.FileLength);
        }
        float[] solved = new float[lists.CandidateOffsets[^1]];
        for (int j = 0, k = 0; j < n; j++)
        {
            if (k < targets.Length && targets[k] == j)
            {
                k++;
                continue;
            }
            // Clean: same candidates in the same order, same system, same column.
            weights.AsSpan((int)old.CandidateOffsets[j], lists.CandidateCount(j)).CopyTo(solved.AsSpan((int)lists.CandidateOffsets[j]));
        }
        phases.Add(new PhaseTiming("compare", watch.Elapsed.TotalSeconds));

        watch.Restart();
        try
        {
            NeighborhoodSolver.Solve(lists, pop1, o.Lambda, o.Dropout, targets, solved, threads, EaseTrainer.Report(progress, "solve"), ct);
        }
        catch (LocalSystemNotPositiveDefiniteException e)
        {
            throw new InvalidDataException(
                $"the local system of item '{after.ItemIds[e.Target]}' ({e.Size} neighbours) is not positive definite at neighbour " +
                $"'{after.ItemIds[e.PivotItem]}' (pivot {e.PivotValue:G4}); use a larger --lambda than {o.Lambda}", e);
        }
        phases.Add(new PhaseTiming("solve", watch.Elapsed.TotalSeconds));

        watch.Restart();
        output.Generation = state.Generation + 1;
        output.WriteSparse(after, lists, solved);
        phases.Add(new PhaseTiming("state", watch.Elapsed.TotalSeconds));

        watch.Restart();
        var rows = SparseRows.FromColumns(lists, solved, 0, n);
        long nonZeros, fileBytes;
        using (ModelFileWriter writer = ModelFileWriter.Create(outputPath, n, ModelEncoding.For(o.Values, n)))
        {
            (double keptMass, _) = SparseEaseTrainer.PruneInto(rows, o, writer, threads, progress, ct);
            nonZeros = writer.NonZeroCount;
            writer.SetItemIds(after.ItemIds);
            writer.SetPopularity(pop1);
            JsonObject meta = EaseTrainer.BuildMetadata(after, o, metadata, nonZeros, keptMass);
            meta["solver"] = SparseEaseTrainer.SolverMetadata(o, neighbors, gram, DataFingerprint.Compute(after));
            writer.SetMetadata(meta.ToJsonString());
            writer.Commit();
            fileBytes = writer.FileLength;
        }
        output.Finish(outputPath, after, o, "sparse", neighbors, gram, "sparse/" + Linalg.SpdInverse.Resolve<float>(Linalg.KernelPath.Auto));
        phases.Add(new PhaseTiming("prune+write", watch.Elapsed.TotalSeconds));
        return new UpdateReport
        {
            Solver = "sparse",
            Method = "incremental",
            Delta = delta,
            Phases = phases,
            NonZeros = nonZeros,
            FileBytes = fileBytes,
            StateBytesBefore = state.FileLength,
            Detail = $"{recounted:N0} of {n:N0} neighbour lists recounted, {targets.Length:N0} of {n:N0} targets solved again ({(allWork == 0 ? 0 : dirtyWork / allWork):P1} of the solve work)",
            Recounted = recounted,
            Resolved = targets.Length,
            WorkShare = allWork == 0 ? 0 : dirtyWork / allWork,
        };
    }

    private static bool[] ListsToRecount(NeighborLists old, DataDelta delta, int[] pop0, int[] pop1, NeighborRanking ranking, bool all)
    {
        int n0 = old.ItemCount, n = pop1.Length;
        bool[] recount = new bool[n];
        if (all)
        {
            Array.Fill(recount, true);
            return recount;
        }
        for (int j = n0; j < n; j++)
            recount[j] = true;
        foreach (UserChange c in delta.Changes)
        {
            foreach (int i in c.Before) recount[i] = true;
            foreach (int i in c.After) recount[i] = true;
        }
        if (ranking != NeighborRanking.Cosine)
            return recount;

        // Items whose popularity changed move in the cosine ranking of every list they could be in.
        bool[] moved = new bool[n];
        var movedPop = new List<int>();
        for (int i = 0; i < n; i++)
        {
            int p0 = i < n0 ? pop0[i] : 0;
            if (p0 != pop1[i])
            {
                moved[i] = true;
                if (pop1[i] > 0)
                    movedPop.Add(pop1[i]);
            }
        }
        int[] sorted = [.. movedPop.Distinct().Order()];
        Parallel.For(0, n0, j =>
        {
            if (recount[j])
                return;
            ReadOnlySpan<int> list = old.ItemsOf(j);
            foreach (int i in list)
            {
                if (moved[i])
                {
                    recount[j] = true;
                    return;
                }
            }
            float c = old.Cut[j];
            if (c == 0 || list.IsEmpty || sorted.Length == 0)
                return; // the list holds every co-occurrence, none of which moved
            // An item outside the list has count ≤ min(cut, its popularity): its new score is at
            // most min(c, p)/√p, largest at the popularity nearest c from either side.
            int last = list[^1];
            double weakest = old.CountsOf(j)[^1] / Math.Sqrt(pop1[last]);
            int at = Array.BinarySearch(sorted, (int)Math.Ceiling(c));
            if (at < 0) at = ~at;
            double bound = 0;
            if (at < sorted.Length) bound = Math.Max(bound, Math.Min(c, sorted[at]) / Math.Sqrt(sorted[at]));
            if (at > 0) bound = Math.Max(bound, Math.Min(c, sorted[at - 1]) / Math.Sqrt(sorted[at - 1]));
            if (bound >= weakest * (1 - 1e-6))
                recount[j] = true;
        });
        return recount;
    }

    private static int[] TargetsToSolve(NeighborLists old, NeighborLists lists, bool[] recount, int[] pop0, int[] pop1, int threads, CancellationToken ct)
    {
        int n0 = old.ItemCount, n = lists.ItemCount;
        // Per item: whether anything of it that enters another target's system changed, and
        // which pairs its list gained, lost or recounted.
        bool[] itemDirty = new bool[n];
        int[][] pairDelta = new int[n][];
        var options = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, threads), CancellationToken = ct };
        Parallel.For(0, n, options, () => new float[n], (c, _, seen) =>
        {
            if (c >= n0)
            {
                itemDirty[c] = true;
                return seen;
            }
            itemDirty[c] = pop0[c] != pop1[c] || old.Cut[c] != lists.Cut[c] || old.Residual[c] != lists.Residual[c];
            if (!recount[c])
                return seen;
            ReadOnlySpan<int> a = old.ItemsOf(c), b = lists.ItemsOf(c);
            ReadOnlySpan<float> ac = old.CountsOf(c), bc = lists.CountsOf(c);
            var changed = new List<int>();
            for (int q = 0; q < a.Length; q++)
                seen[a[q]] = ac[q];
            for (int q = 0; q < b.Length; q++)
            {
                if (seen[b[q]] != bc[q])
                    changed.Add(b[q]);
                seen[b[q]] = -1; // matched
            }
            for (int q = 0; q < a.Length; q++)
            {
                if (seen[a[q]] >= 0)
                    changed.Add(a[q]);
                seen[a[q]] = 0;
            }
            foreach (int t in b)
                seen[t] = 0;
            if (changed.Count > 0)
                pairDelta[c] = [.. changed];
            return seen;
        }, _ => { });

        bool[] dirty = new bool[n];
        Parallel.For(0, n, options, () => new ulong[(n + 63) / 64], (j, _, member) =>
        {
            if (j >= n0)
            {
                dirty[j] = true;
                return member;
            }
            ReadOnlySpan<int> cand = lists.CandidatesOf(j);
            if (recount[j] && (!cand.SequenceEqual(old.CandidatesOf(j)) || !lists.CandidateCountsOf(j).SequenceEqual(old.CandidateCountsOf(j))))
            {
                dirty[j] = true;
                return member;
            }
            foreach (int c in cand)
                member[c >> 6] |= 1UL << c;
            bool d = false;
            foreach (int c in cand)
            {
                if (itemDirty[c])
                {
                    d = true;
                    break;
                }
                if (pairDelta[c] is { } changed)
                {
                    foreach (int t in changed)
                    {
                        if ((member[t >> 6] & (1UL << t)) != 0)
                        {
                            d = true;
                            break;
                        }
                    }
                    if (d)
                        break;
                }
            }
            foreach (int c in cand)
                member[c >> 6] = 0;
            dirty[j] = d;
            return member;
        }, _ => { });
        var targets = new List<int>();
        for (int j = 0; j < n; j++)
        {
            if (dirty[j])
                targets.Add(j);
        }
        return [.. targets];
    }
}

/// <summary>What an update did and cost.</summary>
public sealed record UpdateReport
{
    public required string Solver { get; init; }
    /// <summary>"incremental" or "retrain".</summary>
    public required string Method { get; init; }
    internal DataDelta Delta { get; init; } = null!;
    public int ChangedUsers => Delta.Changes.Count;
    public long AddedPairs => Delta.AddedPairs;
    public long RemovedPairs => Delta.RemovedPairs;
    public int RemovedUsers => Delta.RemovedUsers;
    public int NewItems => Delta.NewItems;
    public int Users => Delta.Data.UserCount;
    public int Items => Delta.Data.ItemCount;
    public long Interactions => Delta.Data.InteractionCount;
    public required IReadOnlyList<PhaseTiming> Phases { get; init; }
    public long NonZeros { get; init; }
    public long FileBytes { get; init; }
    public long StateBytesBefore { get; init; }
    public string Detail { get; init; } = "";
    public int Recounted { get; init; }
    public int Resolved { get; init; }
    public double WorkShare { get; init; }
    public int Rank { get; init; }

    internal static UpdateReport Retrained(TrainReport r, string reason, DataDelta delta, long stateBytes) => new()
    {
        Solver = r.Solver,
        Method = "retrain",
        Delta = delta,
        Phases = r.Phases,
        NonZeros = r.NonZeros,
        FileBytes = r.FileBytes,
        StateBytesBefore = stateBytes,
        Detail = $"retrained: {reason}",
    };
}

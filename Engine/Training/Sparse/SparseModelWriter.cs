using System.Buffers;
using System.Text.Json.Nodes;
using Ease.Engine.Input;
using Ease.Format;

namespace Ease.Engine.Training.Sparse;

/// <summary>
/// Prunes sparse rows of B as the options say and appends them to a model writer. The single
/// place where the sparse solver's weights are chosen, for a one-process run and for a merge of
/// shards alike, which is why the two give the same model weight for weight.
/// </summary>
internal static class SparseModelWriter
{
    /// <summary>
    /// Prunes the solved rows as the options say and writes the model file with the data's ids and
    /// popularity and the solver's metadata (with <see cref="TrainOptions.ShardCount"/> &gt; 1 an
    /// unpruned float32 part file instead, for the merge); the report of a sparse run, this phase
    /// added to <paramref name="phases"/>.
    /// </summary>
    public static TrainReport WriteModel(SparseRows rows, InteractionSet data, TrainOptions o, JsonObject? metadata, JsonObject solver, string outputPath,
        List<PhaseTiming> phases, long workBytes, int neighbors, IProgress<TrainProgress>? progress, CancellationToken ct)
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        int threads = o.EffectiveThreads;
        double keptMass;
        float threshold = 0;
        long nonZeros, fileBytes;
        // Parts stay float32: the merge prunes them and encodes the result once.
        using (ModelFileWriter writer = ModelFileWriter.Create(outputPath, data.ItemCount, o.ShardCount > 1 ? ModelEncoding.Float32 : ModelEncoding.For(o.Values, data.ItemCount)))
        {
            if (o.ShardCount > 1)
            {
                // A part keeps every solved weight: pruning a row needs all of its shards.
                (double kept, double all) = Write(rows, o with { Prune = PruneMode.None }, 0, writer, threads, EaseTrainer.Report(progress, "write part"), ct);
                keptMass = all == 0 ? 1 : kept / all;
            }
            else
            {
                (keptMass, threshold) = SparseEaseTrainer.PruneInto(rows, o, writer, threads, progress, ct);
            }
            nonZeros = writer.NonZeroCount;
            writer.SetItemIds(data.ItemIds);
            writer.SetPopularity(data.ItemPopularity);
            JsonObject meta = EaseTrainer.BuildMetadata(data, o, metadata, nonZeros, keptMass);
            meta["solver"] = solver;
            writer.SetMetadata(meta.ToJsonString());
            writer.Commit();
            fileBytes = writer.FileLength;
        }
        phases.Add(new PhaseTiming(o.ShardCount > 1 ? "write part" : "prune+write", watch.Elapsed.TotalSeconds));
        return new TrainReport
        {
            Users = data.UserCount,
            Items = data.ItemCount,
            Interactions = data.InteractionCount,
            NonZeros = nonZeros,
            KeptWeightMass = keptMass,
            Phases = phases,
            KernelPath = "sparse/" + Linalg.SpdInverse.Resolve<float>(Linalg.KernelPath.Auto),
            Threads = threads,
            MatrixBytes = workBytes,
            FileBytes = fileBytes,
            PruneThreshold = threshold,
            Solver = "sparse",
            Neighbors = neighbors,
            SolvedWeights = rows.NonZeros,
        };
    }

    /// <summary>The global magnitude threshold for <see cref="PruneMode.Density"/> (<see cref="float.Epsilon"/>: keep all).</summary>
    public static float DensityThresholdOf(ISparseRowSource rows, double density, int threads, CancellationToken ct)
    {
        int n = rows.RowCount;
        return DensityThreshold.Find((long)Math.Round(density * n * (double)n), (create, _) => Histogram(rows, create, threads, ct));
    }

    private static DensityThreshold Histogram(ISparseRowSource rows, Func<DensityThreshold> create, int threads, CancellationToken ct)
    {
        DensityThreshold total = create();
        object gate = new();
        var options = new ParallelOptions { MaxDegreeOfParallelism = threads, CancellationToken = ct };
        Parallel.For(0, rows.RowCount, options, () => (Hist: create(), Cols: new int[64], Vals: new float[64]), (i, _, local) =>
        {
            int len = rows.Read(i, ref local.Cols, ref local.Vals);
            local.Hist.Add(local.Vals.AsSpan(0, len));
            return local;
        }, local => { lock (gate) total.Merge(local.Hist); });
        return total;
    }

    /// <summary>Prunes and appends every row; returns the squared weight mass kept and in all.</summary>
    public static (double Kept, double All) Write(ISparseRowSource rows, TrainOptions o, float threshold, ModelFileWriter writer,
        int threads, IProgress<double>? progress, CancellationToken ct)
    {
        int n = rows.RowCount;
        const int BlockRows = 4096;
        var kept = new (int[] Cols, float[] Vals, int Count)[BlockRows];
        double keptSquares = 0, allSquares = 0;
        object gate = new();
        var options = new ParallelOptions { MaxDegreeOfParallelism = threads, CancellationToken = ct };
        for (int start = 0; start < n; start += BlockRows)
        {
            int count = Math.Min(BlockRows, n - start);
            Parallel.For(0, count, options, () => (Kept: 0.0, All: 0.0, Cols: new int[64], Vals: new float[64], Scratch: new float[64]), (r, _, s) =>
            {
                int len = rows.Read(start + r, ref s.Cols, ref s.Vals);
                if (s.Scratch.Length < len)
                    s.Scratch = new float[s.Cols.Length];
                int cap = Math.Max(1, o.Prune == PruneMode.TopK ? Math.Min(len, o.PruneTopK) : len);
                int[] cols = ArrayPool<int>.Shared.Rent(cap);
                float[] vals = ArrayPool<float>.Shared.Rent(cap);
                ReadOnlySpan<int> rc = s.Cols.AsSpan(0, len);
                ReadOnlySpan<float> rv = s.Vals.AsSpan(0, len);
                int c = o.Prune switch
                {
                    PruneMode.TopK => RowPruner.TopK(rc, rv, o.PruneTopK, s.Scratch, cols, vals),
                    PruneMode.Density => RowPruner.AtLeast(rc, rv, threshold, cols, vals),
                    _ => RowPruner.AtLeast(rc, rv, 0, cols, vals),
                };
                kept[r] = (cols, vals, c);
                s.Kept += EaseTrainer.SumSquares(vals.AsSpan(0, c));
                s.All += EaseTrainer.SumSquares(rv);
                return s;
            }, s => { lock (gate) { keptSquares += s.Kept; allSquares += s.All; } });

            EaseTrainer.AppendPooled(kept, count, writer);
            progress?.Report((double)(start + count) / n);
        }
        return (keptSquares, allSquares);
    }
}

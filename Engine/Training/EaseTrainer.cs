using System.Buffers;
using System.Diagnostics;
using System.Numerics;
using System.Text.Json.Nodes;
using Ease.Engine.Input;
using Ease.Engine.Linalg;
using Ease.Format;

namespace Ease.Engine.Training;

/// <summary>
/// EASE (Steck 2019) and EDLAE (Steck 2020) in closed form: G = XᵀX, P = (G + Λ)⁻¹ with
/// Λ = λI + p/(1−p)·diag(G), B = I − P·diag(1/diag P), diag(B) = 0; pruned and streamed into a
/// model file row block by row block. One n x n buffer holds G, then P; B never exists whole.
/// </summary>
public static class EaseTrainer
{
    /// <summary>Trains on <paramref name="data"/> and writes the model to <paramref name="outputPath"/>.</summary>
    /// <param name="data">The interactions; its item ids become the model's.</param>
    /// <param name="options">λ, dropout, precision, pruning, threads.</param>
    /// <param name="outputPath">The model file to write.</param>
    /// <param name="metadata">Extra metadata (e.g. the input's description); training parameters are added.</param>
    /// <param name="progress">Phase and fraction done, or null.</param>
    /// <param name="ct">Cancels between blocks.</param>
    /// <param name="state">With a state output, what `ease update` needs is written beside the model.</param>
    public static TrainReport Train(InteractionSet data, TrainOptions options, string outputPath, JsonObject? metadata = null,
        IProgress<TrainProgress>? progress = null, CancellationToken ct = default, Update.StateOutput? state = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (data.ItemCount == 0 || data.InteractionCount == 0)
            throw new InvalidDataException("the input holds no interactions; nothing to train on");
        if (options.Sequential is not null)
            return Sequential.SequentialTrainer.Train(data, options, outputPath, metadata, progress, ct);
        SolverChoice choice = MemoryBudget.Decide(data, options);
        if (options.Filter is not null)
        {
            TrainReport filter = choice.Kind == SolverKind.Sparse
                ? Filters.SparseFilterTrainer.Train(data, options, outputPath, metadata, progress, ct)
                : Filters.GraphFilterTrainer.Train(data, options with { Solver = SolverKind.Dense }, outputPath, metadata, progress, ct);
            return filter with { SolverReason = choice.Reason };
        }
        if (choice.Kind == SolverKind.Sparse)
            return Sparse.SparseEaseTrainer.Train(data, options, outputPath, metadata, progress, ct, state) with { SolverReason = choice.Reason };
        metadata = metadata?.DeepClone().AsObject() ?? [];
        metadata["solver"] = new JsonObject { ["kind"] = "dense", ["method"] = "blocked Cholesky inverse" };
        TrainReport report = options.Precision == Precision.Float64
            ? Train<double>(data, options, outputPath, metadata, progress, ct, state)
            : Train<float>(data, options, outputPath, metadata, progress, ct, state);
        return report with { SolverReason = choice.Reason };
    }

    private static TrainReport Train<T>(InteractionSet data, TrainOptions o, string outputPath, JsonObject? metadata,
        IProgress<TrainProgress>? progress, CancellationToken ct, Update.StateOutput? state)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        using var solver = new EaseSolver<T>(data, o.EffectiveThreads, keepGram: false, progress, ct);
        SpdInverseReport inv = solver.Solve(o.Lambda, o.Dropout, progress, ct);
        var stateWatch = Stopwatch.StartNew();
        state?.WriteDense(data, solver.Matrix, Report(progress, "state"));
        double stateSeconds = stateWatch.Elapsed.TotalSeconds;
        ModelWriteReport written = solver.Write(outputPath, o, metadata, progress, ct);
        stateWatch.Restart();
        state?.Finish(outputPath, data, o, "dense", 0, 0, inv.KernelPath.ToString());
        stateSeconds += stateWatch.Elapsed.TotalSeconds;
        var phases = new List<PhaseTiming>
        {
            new("gram", solver.GramSeconds),
            new("factor", inv.FactorSeconds, inv.FactorGflops),
            new("invert", inv.InvertSeconds, inv.InvertGflops),
        };
        if (o.Prune == PruneMode.Density)
            phases.Add(new PhaseTiming("threshold", written.ThresholdSeconds));
        phases.Add(new PhaseTiming("prune+write", written.WriteSeconds));
        if (state is not null)
            phases.Add(new PhaseTiming("state", stateSeconds));
        return new TrainReport
        {
            Users = data.UserCount,
            Items = data.ItemCount,
            Interactions = data.InteractionCount,
            NonZeros = written.NonZeros,
            KeptWeightMass = written.KeptWeightMass,
            Phases = phases,
            KernelPath = inv.KernelPath,
            Threads = o.EffectiveThreads,
            MatrixBytes = solver.MatrixBytes,
            FileBytes = written.FileBytes,
            PruneThreshold = written.Threshold,
        };
    }

    /// <summary>
    /// Prunes <paramref name="rows"/> as <paramref name="o"/> says (finding the density threshold
    /// first when it asks for one) and writes the model with the data's ids and popularity: the one
    /// way every family reaches a file.
    /// </summary>
    public static ModelWriteReport WriteModel<T>(IWeightRows<T> rows, InteractionSet data, TrainOptions o, JsonObject? metadata, string path,
        int threads, IProgress<TrainProgress>? progress, CancellationToken ct)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        o.Validate();
        int n = data.ItemCount;
        var watch = Stopwatch.StartNew();
        float threshold = 0;
        double thresholdSeconds = 0;
        if (o.Prune == PruneMode.Density)
        {
            threshold = FindDensityThreshold(rows, (long)Math.Round(o.PruneDensity * n * (double)n), threads, Report(progress, "threshold"), ct);
            thresholdSeconds = watch.Elapsed.TotalSeconds;
            watch.Restart();
        }
        long nonZeros, fileBytes;
        double keptMass;
        using (ModelFileWriter writer = ModelFileWriter.Create(path, n, ModelEncoding.For(o.Values, n)))
        {
            (nonZeros, keptMass) = WriteRows(rows, o, threshold, writer, threads, Report(progress, "prune+write"), ct);
            writer.SetItemIds(data.ItemIds);
            writer.SetPopularity(data.ItemPopularity);
            writer.SetMetadata(BuildMetadata(data, o, metadata, nonZeros, keptMass).ToJsonString(MetadataJson));
            writer.Commit();
            fileBytes = writer.FileLength;
        }
        return new ModelWriteReport(nonZeros, keptMass, threshold, thresholdSeconds, watch.Elapsed.TotalSeconds, fileBytes);
    }

    /// <summary>G_ii += λ + p/(1−p)·G_ii (EDLAE's dropout-equivalent ridge; p = 0 is plain EASE).</summary>
    internal static void AddRidge<T>(DenseMatrix<T> g, int[] popularity, TrainOptions o)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        double dropoutScale = o.Dropout / (1 - o.Dropout);
        for (int i = 0; i < g.Size; i++)
            g[i, i] += T.CreateChecked(o.Lambda + dropoutScale * popularity[i]);
    }

    internal static float FindDensityThreshold<T>(IWeightRows<T> rows, long target, int threads, IProgress<double>? progress, CancellationToken ct)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        => DensityThreshold.Find(target, (create, pass) => Histogram(rows, create, threads, p => progress?.Report(0.5 * (pass + p)), ct));

    private static DensityThreshold Histogram<T>(IWeightRows<T> rows, Func<DensityThreshold> create, int threads, Action<double> progress, CancellationToken ct)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int n = rows.Size;
        DensityThreshold total = create();
        object gate = new();
        int done = 0;
        var options = new ParallelOptions { MaxDegreeOfParallelism = threads, CancellationToken = ct };
        Parallel.For(0, n, options, () => (Hist: create(), Row: new float[n], Scratch: new T[n]), (i, _, local) =>
        {
            rows.Compute(i, local.Row, local.Scratch);
            local.Hist.Add(local.Row);
            int d = Interlocked.Increment(ref done);
            if ((d & 1023) == 0)
                progress((double)d / n);
            return local;
        }, local => { lock (gate) total.Merge(local.Hist); });
        progress(1);
        return total;
    }

    /// <summary>Rows in blocks: a block's rows are computed and pruned in parallel, then appended in order.</summary>
    internal static (long NonZeros, double KeptMass) WriteRows<T>(IWeightRows<T> rows, TrainOptions o, float threshold,
        ModelFileWriter writer, int threads, IProgress<double>? progress, CancellationToken ct)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int n = rows.Size;
        // About 4 M kept entries in flight per block, at least one row per thread.
        int rowCapacity = o.Prune == PruneMode.TopK ? Math.Min(o.PruneTopK, n) : n;
        int blockRows = Math.Clamp((1 << 22) / Math.Max(1, rowCapacity), threads, 1024);
        var kept = new (int[] Cols, float[] Vals, int Count)[blockRows];
        double keptSquares = 0, allSquares = 0;
        object gate = new();
        var options = new ParallelOptions { MaxDegreeOfParallelism = threads, CancellationToken = ct };
        var scratch = new ThreadLocal<(float[] Row, float[] Mag, T[] Wide)>(() => (new float[n], new float[n], new T[n]));
        try
        {
            for (int start = 0; start < n; start += blockRows)
            {
                int count = Math.Min(blockRows, n - start);
                Parallel.For(0, count, options, () => (Kept: 0.0, All: 0.0), (r, _, sums) =>
                {
                    int i = start + r;
                    (float[] row, float[] mag, T[] wide) = scratch.Value;
                    rows.Compute(i, row, wide);
                    int[] cols = ArrayPool<int>.Shared.Rent(Math.Max(1, rowCapacity));
                    float[] vals = ArrayPool<float>.Shared.Rent(Math.Max(1, rowCapacity));
                    int c = o.Prune switch
                    {
                        PruneMode.TopK => RowPruner.TopK(row, o.PruneTopK, mag, cols, vals),
                        PruneMode.Density => RowPruner.AtLeast(row, threshold, cols, vals),
                        _ => RowPruner.AtLeast(row, 0, cols, vals),
                    };
                    kept[r] = (cols, vals, c);
                    sums.Kept += SumSquares(vals.AsSpan(0, c));
                    sums.All += SumSquares(row);
                    return sums;
                }, sums => { lock (gate) { keptSquares += sums.Kept; allSquares += sums.All; } });

                AppendPooled(kept, count, writer);
                progress?.Report((double)(start + count) / n);
            }
        }
        finally
        {
            scratch.Dispose();
        }
        return (writer.NonZeroCount, allSquares == 0 ? 1 : keptSquares / allSquares);
    }

    /// <summary>Appends a block of pruned rows in order and returns their pooled buffers.</summary>
    internal static void AppendPooled((int[] Cols, float[] Vals, int Count)[] kept, int count, ModelFileWriter writer)
    {
        for (int r = 0; r < count; r++)
        {
            (int[] cols, float[] vals, int c) = kept[r];
            writer.AppendRow(cols.AsSpan(0, c), vals.AsSpan(0, c));
            ArrayPool<int>.Shared.Return(cols);
            ArrayPool<float>.Shared.Return(vals);
            kept[r] = default;
        }
    }

    /// <summary>Σ v² accumulated in double (kept and total mass must agree exactly when nothing is pruned).</summary>
    internal static double SumSquares(ReadOnlySpan<float> v)
    {
        var acc = Vector<double>.Zero;
        int i = 0;
        for (; i <= v.Length - Vector<float>.Count; i += Vector<float>.Count)
        {
            Vector.Widen(new Vector<float>(v.Slice(i, Vector<float>.Count)), out Vector<double> lo, out Vector<double> hi);
            acc += lo * lo + hi * hi;
        }
        double s = Vector.Sum(acc);
        for (; i < v.Length; i++)
            s += (double)v[i] * v[i];
        return s;
    }

    /// <summary>Metadata is UTF-8 JSON with its formulas (P̃, ½, ᵀ) kept as written.</summary>
    internal static readonly System.Text.Json.JsonSerializerOptions MetadataJson = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    internal static JsonObject BuildMetadata(InteractionSet data, TrainOptions o, JsonObject? extra, long nonZeros, double keptMass)
    {
        var meta = new JsonObject
        {
            ["model"] = o.Dropout > 0 ? "EDLAE" : "EASE",
            ["lambda"] = o.Lambda,
            ["dropout"] = o.Dropout,
            ["precision"] = o.Precision == Precision.Float64 ? "f64" : "f32",
            ["prune"] = o.Prune switch
            {
                PruneMode.TopK => new JsonObject { ["mode"] = "topk", ["k"] = o.PruneTopK },
                PruneMode.Density => new JsonObject { ["mode"] = "density", ["density"] = o.PruneDensity },
                _ => new JsonObject { ["mode"] = "none" },
            },
            ["kept_weight_mass"] = keptMass,
            ["values"] = Ease.Format.ModelEncoding.Name(o.Values),
            ["data"] = new JsonObject
            {
                ["users"] = data.UserCount,
                ["items"] = data.ItemCount,
                ["interactions"] = data.InteractionCount,
                ["nonzeros"] = nonZeros,
            },
            ["created_utc"] = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture),
        };
        if (o.Filter is { } f)
        {
            meta["model"] = f.DisplayName;
            meta["family"] = Filters.GraphFilterTrainer.Describe(f, o);
        }
        if (o.Sequential is { } s)
        {
            meta["model"] = "sequential";
            meta["family"] = s.Describe(o);
        }
        if (o.EffectiveHistory.IsOrdered)
            meta[Scoring.HistoryWeighting.MetadataKey] = o.EffectiveHistory.ToJson();
        if (extra is not null)
        {
            foreach ((string key, JsonNode? value) in extra)
                meta[key] = value?.DeepClone();
        }
        return meta;
    }

    internal static IProgress<double>? Report(IProgress<TrainProgress>? progress, string phase) =>
        progress is null ? null : new SynchronousProgress<double>(f => progress.Report(new TrainProgress(phase, f)));
}

/// <summary>An <see cref="IProgress{T}"/> that calls its handler on the reporting thread (no sync context hop).</summary>
public sealed class SynchronousProgress<T>(Action<T> handler) : IProgress<T>
{
    public void Report(T value) => handler(value);
}

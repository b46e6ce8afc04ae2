using System.Diagnostics;
using System.Numerics;
using System.Text.Json.Nodes;
using Ease.Engine.Input;
using Ease.Engine.Linalg;

namespace Ease.Engine.Training.Sequential;

/// <summary>
/// Trains the sequential family (<see cref="SequentialOptions"/>) into the ordinary model file with the dense
/// kernels of EASE: <see cref="GramBuilder"/> for XᵀX, the blocked Cholesky inverse, one packed GEMM for P·C, and
/// <see cref="EaseTrainer.WriteModel"/>; the metadata carries the family and the history rule the scorer applies.
/// </summary>
public static class SequentialTrainer
{
    public static TrainReport Train(InteractionSet data, TrainOptions o, string outputPath, JsonObject? metadata = null,
        IProgress<TrainProgress>? progress = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(o);
        SequentialOptions s = o.Sequential ?? throw new ArgumentException("the options name no sequential family");
        o.Validate();
        if (!data.HasSequences)
            throw new ArgumentException("the sequential family needs the input in order: read it with InputOptions.KeepOrder (or an order column)");
        if (data.ItemCount == 0 || data.InteractionCount == 0)
            throw new InvalidDataException("the input holds no interactions; nothing to train on");
        long limit = MemoryBudget.Limit(o);
        long need = DenseBytes(data.ItemCount, o.Precision) + MemoryBudget.InputBytes(data) + 12L * data.SequenceItems.Length;
        if (need > limit)
            throw new InsufficientMemoryException(
                $"the sequential family needs about {MemoryBudget.Format(need)} for {data.ItemCount:N0} items (three dense n x n matrices), over the memory limit of {MemoryBudget.Format(limit)}");
        JsonObject meta = metadata?.DeepClone().AsObject() ?? [];
        meta["solver"] = new JsonObject { ["kind"] = "dense", ["method"] = "blocked Cholesky inverse and one GEMM" };
        return o.Precision == Precision.Float64
            ? Train<double>(data, o, s, outputPath, meta, progress, ct)
            : Train<float>(data, o, s, outputPath, meta, progress, ct);
    }

    /// <summary>Bytes of the dense matrices: the left-hand matrix (then P), the right-hand C, and P·C.</summary>
    public static long DenseBytes(int items, Precision precision) => 3 * MemoryBudget.DenseBytes(items, precision);

    private static unsafe TrainReport Train<T>(InteractionSet data, TrainOptions o, SequentialOptions s, string outputPath, JsonObject meta,
        IProgress<TrainProgress>? progress, CancellationToken ct)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int n = data.ItemCount, threads = o.EffectiveThreads;
        var phases = new List<PhaseTiming>();
        var watch = Stopwatch.StartNew();
        using var p = new DenseMatrix<T>(n);
        using var product = new DenseMatrix<T>(n);
        long bytes = p.BytesAllocated * 3;
        GramBuilder.Build(data, p, threads, EaseTrainer.Report(progress, "gram"), ct);
        phases.Add(new PhaseTiming("gram", watch.Elapsed.TotalSeconds));
        SpdInverseReport inv;
        double productSeconds, productGflops;
        using (var c = new DenseMatrix<T>(n))
        {
            watch.Restart();
            SequenceGram.Build(data, s, p, c, threads, EaseTrainer.Report(progress, "sequences"), ct);
            phases.Add(new PhaseTiming("sequences", watch.Elapsed.TotalSeconds));
            EaseTrainer.AddRidge(p, data.ItemPopularity, o);
            IProgress<SpdInverseProgress>? inverseProgress = progress is null ? null
                : new SynchronousProgress<SpdInverseProgress>(x => progress.Report(new TrainProgress(x.Phase, x.Fraction)));
            inv = SpdInverse.InvertInPlace(p, threads, inverseProgress, ct);
            phases.Add(new PhaseTiming("factor", inv.FactorSeconds, inv.FactorGflops));
            phases.Add(new PhaseTiming("invert", inv.InvertSeconds, inv.InvertGflops));
            watch.Restart();
            progress?.Report(new TrainProgress("product", 0));
            product.Clear();
            using (var gemm = new DenseGemm<T>(threads))
                gemm.Multiply(n, n, n, T.One, p.Data, (nint)p.Stride, 1, c.Data, (nint)c.Stride, 1, product.Data, (nint)product.Stride);
            progress?.Report(new TrainProgress("product", 1));
            productSeconds = watch.Elapsed.TotalSeconds;
            productGflops = 2.0 * n * (double)n * n / productSeconds / 1e9;
            phases.Add(new PhaseTiming("product", productSeconds, productGflops));
        }
        ModelWriteReport w = EaseTrainer.WriteModel(new SequentialRows<T>(product, p, s.ZeroDiagonal), data, o, meta, outputPath, threads, progress, ct);
        if (o.Prune == PruneMode.Density)
            phases.Add(new PhaseTiming("threshold", w.ThresholdSeconds));
        phases.Add(new PhaseTiming("prune+write", w.WriteSeconds));
        return new TrainReport
        {
            Users = data.UserCount,
            Items = n,
            Interactions = data.InteractionCount,
            NonZeros = w.NonZeros,
            KeptWeightMass = w.KeptWeightMass,
            Phases = phases,
            KernelPath = inv.KernelPath,
            Threads = threads,
            MatrixBytes = bytes,
            FileBytes = w.FileBytes,
            PruneThreshold = w.Threshold,
            Solver = "dense",
        };
    }
}

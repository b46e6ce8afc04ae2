using System.Diagnostics;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using Ease.Engine.Input;
using Ease.Engine.Linalg;

namespace Ease.Engine.Training.Update;

/// <summary>
/// The dense update: A = G + Λ changes by ΔA = Σ_users (x'x'ᵀ − xxᵀ) (+ the EDLAE ridge's change
/// on the diagonal), so P = A⁻¹ follows by Woodbury, P' = P − P U (C⁻¹ + Uᵀ P U)⁻¹ Uᵀ P, in
/// O(n²·r) instead of a new O(n³) inverse. The columns of U are the changed users' new rows (C = +1)
/// and old rows (C = −1). They are applied in chunks, additions before removals: every
/// intermediate matrix is then at least the final A, hence positive definite, and each chunk's
/// r x r system ±(C + Uᵀ P U) is SPD, factored by the engine's Cholesky. Uᵀ P is a sum of P's rows
/// (U is 0/1), the rest two packed GEMMs: V = P U L⁻ᵀ and P ∓= V Vᵀ. Then B is rewritten from P
/// with the model's own pruning, as training writes it.
/// </summary>
internal static unsafe class DenseUpdater
{
    /// <summary>Columns per Woodbury chunk: bounds the n x r buffers and keeps the r x r factorization cheap.</summary>
    internal const int ChunkColumns = 1024;

    public static UpdateReport Update(LoadedState state, DataDelta delta, TrainOptions o, string outputPath, StateOutput output,
        JsonObject meta, UpdateMethod method, IProgress<TrainProgress>? progress, CancellationToken ct)
    {
        int n = state.Data.ItemCount;
        if (delta.NewItems > 0)
        {
            string first = delta.Data.ItemIds[n];
            if (method == UpdateMethod.Incremental)
                throw new InvalidDataException(
                    $"the additions name {delta.NewItems:N0} items the model does not have (e.g. '{first}'): the dense update cannot grow the catalogue; " +
                    "retrain (`ease update --method retrain`, or `ease train --state`), or use the sparse solver");
            return ModelUpdater.Retrain(delta, o, outputPath, meta, output,
                $"{delta.NewItems:N0} new items (e.g. '{first}') and the dense update cannot grow the catalogue", state.FileLength, progress, ct);
        }
        List<(int[] Items, double Scale)> up = [], down = [];
        foreach (UserChange c in delta.Changes)
        {
            if (c.After.Length > 0) up.Add((c.After, 1));
            if (c.Before.Length > 0) down.Add((c.Before, 1));
        }
        if (o.Dropout > 0)
        {
            // EDLAE's ridge p/(1−p)·G_ii follows the popularity: a diagonal change per item.
            double scale = o.Dropout / (1 - o.Dropout);
            int[] pop0 = state.Data.ItemPopularity, pop1 = delta.Data.ItemPopularity;
            for (int i = 0; i < n; i++)
            {
                double d = scale * (pop1[i] - pop0[i]);
                if (d > 0) up.Add(([i], Math.Sqrt(d)));
                else if (d < 0) down.Add(([i], Math.Sqrt(-d)));
            }
        }
        int rank = up.Count + down.Count;
        double updateFlops = Flops(n, up.Count) + Flops(n, down.Count);
        double retrainFlops = (double)n * n * n;
        if (method == UpdateMethod.Auto && updateFlops > 0.7 * retrainFlops)
        {
            return ModelUpdater.Retrain(delta, o, outputPath, meta, output,
                $"the change has rank {rank:N0}: its Woodbury update ({updateFlops / 1e9:N0} GFLOP) is estimated slower than a new inverse ({retrainFlops / 1e9:N0} GFLOP)", state.FileLength, progress, ct);
        }
        meta["solver"] = new JsonObject { ["kind"] = "dense", ["method"] = "blocked Cholesky inverse, Woodbury update" };
        return o.Precision == Precision.Float64
            ? Update<double>(state, delta, o, outputPath, output, meta, up, down, progress, ct)
            : Update<float>(state, delta, o, outputPath, output, meta, up, down, progress, ct);
    }

    /// <summary>Flops of the Woodbury update with r columns, in chunks.</summary>
    internal static double Flops(int n, int r)
    {
        double f = 0;
        for (int done = 0; done < r; done += ChunkColumns)
        {
            double c = Math.Min(ChunkColumns, r - done);
            f += 2.0 * n * n * c + 2.0 * n * c * c + c * c * c / 3;
        }
        return f;
    }

    private static UpdateReport Update<T>(LoadedState state, DataDelta delta, TrainOptions o, string outputPath, StateOutput output, JsonObject meta,
        List<(int[] Items, double Scale)> up, List<(int[] Items, double Scale)> down, IProgress<TrainProgress>? progress, CancellationToken ct)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var phases = new List<PhaseTiming>();
        var watch = Stopwatch.StartNew();
        int threads = o.EffectiveThreads;
        using DenseMatrix<T> p = state.ReadInverse<T>(EaseTrainer.Report(progress, "read state"));
        phases.Add(new PhaseTiming("read state", watch.Elapsed.TotalSeconds));

        watch.Restart();
        double flops = 0;
        using (var gemm = new DenseGemm<T>(threads))
        {
            int total = up.Count + down.Count, done = 0;
            IProgress<double>? report = EaseTrainer.Report(progress, "woodbury");
            foreach ((List<(int[] Items, double Scale)> columns, int sign) in new[] { (up, 1), (down, -1) })
            {
                for (int start = 0; start < columns.Count; start += ChunkColumns)
                {
                    ct.ThrowIfCancellationRequested();
                    int count = Math.Min(ChunkColumns, columns.Count - start);
                    Apply(p, columns.GetRange(start, count), sign, gemm, threads, ct);
                    done += count;
                    report?.Report((double)done / total);
                }
            }
            flops = gemm.Flops;
        }
        double seconds = watch.Elapsed.TotalSeconds;
        phases.Add(new PhaseTiming("woodbury", seconds, seconds > 0 ? flops / seconds / 1e9 : 0));

        watch.Restart();
        output.Generation = state.Generation + 1;
        output.WriteDense(delta.Data, p, EaseTrainer.Report(progress, "state"));
        phases.Add(new PhaseTiming("state", watch.Elapsed.TotalSeconds));

        watch.Restart();
        ModelWriteReport written = EaseTrainer.WriteModel(new EaseRows<T>(p), delta.Data, o, meta, outputPath, threads, progress, ct);
        output.Finish(outputPath, delta.Data, o, "dense", 0, 0, SpdInverse.Resolve<T>(KernelPath.Auto).ToString());
        phases.Add(new PhaseTiming("prune+write", watch.Elapsed.TotalSeconds));
        return new UpdateReport
        {
            Solver = "dense",
            Method = "incremental",
            Delta = delta,
            Phases = phases,
            NonZeros = written.NonZeros,
            FileBytes = written.FileBytes,
            StateBytesBefore = state.FileLength,
            Rank = up.Count + down.Count,
            Detail = $"Woodbury update of rank {up.Count + down.Count:N0} ({up.Count:N0} up, {down.Count:N0} down) in chunks of at most {ChunkColumns}",
        };
    }

    /// <summary>P ← (P⁻¹ + sign·Σ s_k² u_k u_kᵀ)⁻¹ for one chunk of columns u_k (0/1 rows scaled by s_k).</summary>
    internal static void Apply<T>(DenseMatrix<T> p, List<(int[] Items, double Scale)> columns, int sign, DenseGemm<T> gemm, int threads, CancellationToken ct)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int n = p.Size, r = columns.Count;
        nuint wBytes = (nuint)((long)n * r * sizeof(T));
        T* w = (T*)NativeMemory.AlignedAlloc(wBytes, 64);
        T* v = (T*)NativeMemory.AlignedAlloc(wBytes, 64);
        T* linv = (T*)NativeMemory.AlignedAlloc((nuint)((long)r * r * sizeof(T)), 64);
        using var k = new DenseMatrix<double>(r);
        try
        {
            if (w == null || v == null || linv == null)
                throw new OutOfMemoryException($"Woodbury buffers of {2L * n * r * sizeof(T):N0} bytes");
            var options = new ParallelOptions { MaxDegreeOfParallelism = threads, CancellationToken = ct };
            // Wᵀ = Uᵀ P, row by row: row c is the scaled sum of P's rows of column c's items (P is symmetric).
            Parallel.For(0, r, options, c =>
            {
                var row = new Span<T>(w + (long)c * n, n);
                row.Clear();
                foreach (int i in columns[c].Items)
                    TensorPrimitives.Add(row, p.Row(i), row);
                TensorPrimitives.Multiply(row, T.CreateTruncating(columns[c].Scale), row);
            });
            // M = sign·(C⁻¹ + Uᵀ P U) = I + sign·Uᵀ P U, SPD for additions and for removals that leave A positive definite.
            Parallel.For(0, r, options, a =>
            {
                var row = new ReadOnlySpan<T>(w + (long)a * n, n);
                Span<double> kr = k.Row(a);
                for (int b = 0; b <= a; b++)
                {
                    double sum = 0;
                    foreach (int i in columns[b].Items)
                        sum += double.CreateTruncating(row[i]);
                    kr[b] = (a == b ? 1 : 0) + sign * sum * columns[b].Scale;
                }
            });
            try
            {
                using var small = new DenseGemm<double>(threads);
                small.InverseCholeskyFactor(k.Data, r, (nint)k.Stride);
            }
            catch (NotPositiveDefiniteException e)
            {
                throw new InvalidDataException(
                    $"the Woodbury system of the update is not positive definite at column {e.Pivot} (pivot {e.PivotValue:G4}): " +
                    "the inverse in the state has lost accuracy; retrain (`ease update --method retrain`)");
            }
            for (int a = 0; a < r; a++)
            {
                Span<double> kr = k.Row(a);
                for (int b = 0; b < r; b++)
                    linv[(long)a * r + b] = b <= a ? T.CreateTruncating(kr[b]) : T.Zero;
            }
            // V = W L⁻ᵀ (n x r): W's element (t, c) is wᵀ[c, t]; (L⁻ᵀ)'s element (c, d) is L⁻¹[d, c].
            new Span<T>(v, n * r).Clear();
            gemm.Multiply(n, r, r, T.One, w, 1, n, linv, 1, r, v, r);
            // P −= sign · V Vᵀ: W M⁻¹ Wᵀ = V Vᵀ with M = L Lᵀ, and P' = P − sign·W M⁻¹ Wᵀ.
            gemm.Multiply(n, n, r, T.CreateTruncating(-sign), v, r, 1, v, 1, r, p.Data, (nint)p.Stride);
        }
        finally
        {
            NativeMemory.AlignedFree(w);
            NativeMemory.AlignedFree(v);
            NativeMemory.AlignedFree(linv);
        }
    }
}

using System.Numerics.Tensors;
using Ease.Engine.Input;
using Ease.Engine.Linalg;

namespace Ease.Engine.Training.Filters;

/// <summary>
/// Builds a graph filter's item × item operator M as one dense n x n matrix:
/// M = c₁P̄ + c₂P̄² + … + D^-1/2 V·(e₀·W + e₁·W·P̃), W = Vᵀ D^1/2 (see <see cref="FilterOptions.Operator"/>).
/// P̄ comes from R̃ row by row; powers of P̄ are applied by Horner's rule through R̃ (column panels
/// of M, in place), never as an n³ product; V comes from a randomized subspace iteration whose
/// products also go through R̃; the low-pass term is added by one n x n x r GEMM.
/// </summary>
public static class GraphFilterOperator
{
    /// <summary>Columns of M per panel of a P̄ product: the panel and its R̃ image stay in L3 (38,048 x 128 floats = 19 MB).</summary>
    private const int PanelWidth = 128;

    /// <summary>What building the operator took, for the report.</summary>
    public sealed record Timings(double GramSeconds, double SvdSeconds, double FilterSeconds, double LowPassSeconds, double LowPassGflops);

    /// <summary>M += w·B, row by row from EASE's P held in place (a blend M + γ·B, or a step between two γ).</summary>
    public static void AddEase(DenseMatrix<float> m, EaseRows<float> ease, double w, int threads)
    {
        ArgumentNullException.ThrowIfNull(m);
        ArgumentNullException.ThrowIfNull(ease);
        Parallel.For(0, m.Size, new ParallelOptions { MaxDegreeOfParallelism = threads > 0 ? threads : Environment.ProcessorCount },
            () => (Row: new float[m.Size], Scratch: new float[m.Size]), (i, _, local) =>
            {
                ease.Compute(i, local.Row, local.Scratch);
                Span<float> target = m.Row(i);
                System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(local.Row, (float)w, target, target);
                return local;
            }, _ => { });
    }

    /// <summary>The operator of <paramref name="f"/> on <paramref name="data"/>; the caller disposes it. Its diagonal is left as computed.</summary>
    /// <param name="data">The interactions.</param>
    /// <param name="f">The family and its parameters.</param>
    /// <param name="threads">Worker threads; 0 = all cores.</param>
    /// <param name="progress">Phase and fraction done, or null.</param>
    /// <param name="ct">Cancels between blocks.</param>
    /// <param name="timings">What each stage took.</param>
    /// <param name="cache">What a grid shares between its points (R̃ per normalisation, V per rank and seed), or null.</param>
    public static DenseMatrix<float> Build(InteractionSet data, FilterOptions f, int threads, IProgress<TrainProgress>? progress, CancellationToken ct, out Timings timings,
        GraphFilterCache? cache = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(f);
        f.Validate();
        int n = data.ItemCount;
        threads = threads > 0 ? threads : Environment.ProcessorCount;
        (double[] c, double[] e) = f.Operator();
        cache ??= new GraphFilterCache(data);
        NormalizedInteractions norm = cache.Normalized(f.EffectiveNormExponent);
        var watch = System.Diagnostics.Stopwatch.StartNew();

        // Low-pass factors first: they need only R̃, and M is free to be overwritten after.
        float[]? u = null, z = null;
        int rank = 0;
        double svdSeconds = 0;
        if (f.HasLowPass)
        {
            (u, z, rank) = LowPassFactors(cache, norm, f, e, threads, EaseTrainer.Report(progress, "svd"), ct);
            svdSeconds = watch.Elapsed.TotalSeconds;
        }

        watch.Restart();
        var m = new DenseMatrix<float>(n);
        try
        {
            FillGram(norm, m, f.Power, threads, EaseTrainer.Report(progress, "gram"), ct);
            double gramSeconds = watch.Elapsed.TotalSeconds;

            watch.Restart();
            ApplyPolynomial(norm, m, c, threads, EaseTrainer.Report(progress, "filter"), ct);
            double filterSeconds = watch.Elapsed.TotalSeconds;

            watch.Restart();
            double gflops = 0;
            if (u is not null)
            {
                AddLowRank(m, u, z!, rank, threads);
                gflops = 2.0 * n * n * rank / Math.Max(1e-9, watch.Elapsed.TotalSeconds) / 1e9;
                progress?.Report(new TrainProgress("low-pass", 1));
            }
            timings = new Timings(gramSeconds, svdSeconds, filterSeconds, watch.Elapsed.TotalSeconds, gflops);
            return m;
        }
        catch
        {
            m.Dispose();
            throw;
        }
    }

    /// <summary>Row i of M = row i of P̃, each entry raised to <paramref name="power"/> when it is not 1.</summary>
    private static void FillGram(NormalizedInteractions norm, DenseMatrix<float> m, double power, int threads, IProgress<double>? progress, CancellationToken ct)
    {
        int n = m.Size, done = 0;
        const int Block = 32;
        var options = new ParallelOptions { MaxDegreeOfParallelism = threads, CancellationToken = ct };
        Parallel.For(0, (n + Block - 1) / Block, options, b =>
        {
            for (int i = b * Block, end = Math.Min(n, (b + 1) * Block); i < end; i++)
            {
                Span<float> row = m.Row(i);
                norm.GramRow(i, row);
                if (power != 1)
                    TensorPrimitives.Pow(row, (float)power, row); // entries are ≥ 0, so 0^s stays 0
            }
            int d = Interlocked.Increment(ref done);
            if ((d & 63) == 0)
                progress?.Report((double)d * Block / n);
        });
        progress?.Report(1);
    }

    /// <summary>
    /// M ← c₁P̄ + … + c_dP̄^d by Horner's rule, M holding P̄ on entry: Q = c_d·P̄ + c_{d−1}·I,
    /// then Q ← P̄·Q + c_k·I down to Q ← P̄·Q. P̄·Q goes through R̃, one column panel of Q at a time
    /// (a panel of P̄·Q depends only on the same panel of Q), so no second n x n buffer exists.
    /// </summary>
    private static unsafe void ApplyPolynomial(NormalizedInteractions norm, DenseMatrix<float> m, double[] c, int threads, IProgress<double>? progress, CancellationToken ct)
    {
        int n = m.Size, d = c.Length;
        Scale(m, (float)c[d - 1], threads);
        if (d == 1)
        {
            progress?.Report(1);
            return;
        }
        AddDiagonal(m, (float)c[d - 2]);
        var t = new float[(long)norm.Users * PanelWidth];
        var y = new float[(long)n * PanelWidth];
        int panels = (n + PanelWidth - 1) / PanelWidth, steps = (d - 1) * panels, done = 0;
        for (int k = d - 2; k >= 0; k--)
        {
            for (int start = 0; start < n; start += PanelWidth)
            {
                int width = Math.Min(PanelWidth, n - start);
                fixed (float* yp = y)
                {
                    norm.ApplyGram(m.Data + start, m.Stride, yp, width, width, t, threads, ct);
                    for (int i = 0; i < n; i++)
                        new ReadOnlySpan<float>(yp + (long)i * width, width).CopyTo(m.Row(i).Slice(start, width));
                }
                progress?.Report((double)++done / steps);
            }
            if (k > 0)
                AddDiagonal(m, (float)c[k - 1]);
        }
    }

    /// <summary>
    /// U = D^-1/2 V (n x r) and Zᵀ = e₀·D^1/2 V + e₁·P̃·D^1/2 V (n x r), so that the low-pass term
    /// D^-1/2 V (e₀W + e₁WP̃) is U·Z with W = Vᵀ D^1/2; V = the top r right singular vectors of R̃
    /// with the symmetric normalisation, i.e. the top eigenvectors of P̃.
    /// </summary>
    internal static (float[] U, float[] Zt, int Rank) LowPassFactors(GraphFilterCache cache, NormalizedInteractions norm, FilterOptions f, double[] e, int threads,
        IProgress<double>? progress, CancellationToken ct)
    {
        // Validate keeps the low-pass families on the symmetric normalisation, whose P̃ has V as eigenvectors.
        if (norm.Exponent != 0.5)
            throw new InvalidOperationException($"the low-pass term needs the symmetric normalisation, got a = {norm.Exponent}");
        GraphFilterCache.LowPass basis = cache.Basis(norm, f.EffectiveRank, f.PowerIterations, f.Seed, threads, progress, ct);
        float[] zt = new float[basis.Scaled.Length];
        TensorPrimitives.Multiply(basis.Scaled, (float)e[0], zt);
        if (e.Length > 1 && e[1] != 0)
            TensorPrimitives.MultiplyAdd(basis.GraphTimesScaled(norm, threads, ct), (float)e[1], zt, zt);
        progress?.Report(1);
        return (basis.Unscaled, zt, basis.Rank);
    }

    /// <summary>M += U·Z, U n x r row-major, Z given as Zᵀ (n x r row-major): one GEMM on the engine's kernels.</summary>
    private static unsafe void AddLowRank(DenseMatrix<float> m, float[] u, float[] zt, int r, int threads)
    {
        int n = m.Size;
        using var gemm = new DenseGemm<float>(threads);
        fixed (float* up = u)
        fixed (float* zp = zt)
            gemm.Multiply(n, n, r, 1f, up, r, 1, zp, 1, r, m.Data, (nint)m.Stride);
    }

    private static void Scale(DenseMatrix<float> m, float s, int threads)
    {
        if (s == 1)
            return;
        Parallel.For(0, m.Size, new ParallelOptions { MaxDegreeOfParallelism = threads }, i =>
        {
            Span<float> row = m.Row(i);
            TensorPrimitives.Multiply(row, s, row);
        });
    }

    private static void AddDiagonal(DenseMatrix<float> m, float s)
    {
        if (s == 0)
            return;
        for (int i = 0; i < m.Size; i++)
            m[i, i] += s;
    }
}

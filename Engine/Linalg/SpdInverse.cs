using System.Diagnostics;
using System.Numerics;

namespace Ease.Engine.Linalg;

/// <summary>In-place inversion of symmetric positive-definite matrices (Cholesky based).</summary>
public static unsafe class SpdInverse
{
    /// <summary>
    /// Replaces the symmetric positive-definite matrix <paramref name="a"/> by its inverse, using
    /// potrf (A = L L^T), trtri (L := L^-1) and lauum (L^-T L^-1) on the lower triangle, then mirrors
    /// the result so both triangles hold the full symmetric inverse. Only the lower triangle of the
    /// input is used for the arithmetic (the whole matrix is scanned for NaN/Inf first). Extra
    /// memory: a few packing buffers of O(blocksize^2) per thread, never a second n x n matrix.
    /// On exception (not positive definite, cancellation) the contents of <paramref name="a"/> are undefined.
    /// </summary>
    /// <param name="a">Matrix to invert in place.</param>
    /// <param name="threads">Worker threads; 0 = <see cref="Environment.ProcessorCount"/>.</param>
    /// <param name="progress">Optional progress sink (a few hundred calls at most, from any thread).</param>
    /// <param name="ct">Cancellation, checked between blocks.</param>
    /// <exception cref="NotPositiveDefiniteException">A pivot of the Cholesky factorisation is not strictly positive.</exception>
    /// <exception cref="ArgumentException">The matrix contains NaN or infinity.</exception>
    public static SpdInverseReport InvertInPlace<T>(DenseMatrix<T> a, int threads = 0, IProgress<SpdInverseProgress>? progress = null, CancellationToken ct = default)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        => InvertInPlace(a, threads, progress, ct, KernelPath.Auto);

    /// <summary>Selects the best micro-kernel the hardware accelerates.</summary>
    internal static KernelPath Resolve<T>(KernelPath path) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (path == KernelPath.Auto)
        {
            if (MicroKernel512<T>.IsSupported) return KernelPath.Vector512;
            if (MicroKernel256<T>.IsSupported) return KernelPath.Vector256;
            return KernelPath.Scalar;
        }
        bool ok = path switch
        {
            KernelPath.Vector512 => MicroKernel512<T>.IsSupported,
            KernelPath.Vector256 => MicroKernel256<T>.IsSupported,
            _ => true,
        };
        if (!ok) throw new PlatformNotSupportedException($"Kernel path {path} is not hardware accelerated on this machine.");
        return path;
    }

    /// <summary>Test/benchmark entry point with an explicit kernel path.</summary>
    internal static SpdInverseReport InvertInPlace<T>(DenseMatrix<T> a, int threads, IProgress<SpdInverseProgress>? progress, CancellationToken ct, KernelPath path)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(a);
        if (typeof(T) != typeof(float) && typeof(T) != typeof(double))
            throw new NotSupportedException($"SpdInverse supports float and double, not {typeof(T).Name}.");
        ArgumentOutOfRangeException.ThrowIfNegative(threads);
        if (threads == 0) threads = Environment.ProcessorCount;
        path = Resolve<T>(path);
        int n = a.Size;
        double nd = n;
        var tracker = new ProgressTracker(progress, ct);
        CheckFinite(a, threads);

        using var ws = new GemmWorkspace<T>(threads) { Tracker = tracker };
        return path switch
        {
            KernelPath.Vector512 => Run<T, MicroKernel512<T>>(a, threads, tracker, ws, "Vector512"),
            KernelPath.Vector256 => Run<T, MicroKernel256<T>>(a, threads, tracker, ws, "Vector256"),
            _ => Run<T, MicroKernelScalar<T>>(a, threads, tracker, ws, "Scalar"),
        };
    }

    private static SpdInverseReport Run<T, TK>(DenseMatrix<T> a, int threads, ProgressTracker tracker, GemmWorkspace<T> ws, string pathName)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TK : IMicroKernel<T>
    {
        int n = a.Size;
        double n3 = (double)n * n * n;
        T* p = a.Data;
        nint ld = (nint)a.Stride;
        var k = new BlockedSpdInverse<T, TK>(ws, threads, n, tracker);
        var sw = Stopwatch.StartNew();
        if (n > 0)
        {
            tracker.Begin("potrf", n3 / 3);
            k.Potrf(p, n, ld, 0);
            tracker.End();
        }
        double factor = sw.Elapsed.TotalSeconds;
        sw.Restart();
        if (n > 0)
        {
            tracker.Begin("trtri", n3 / 3);
            k.Trtri(p, n, ld);
            tracker.End();
            tracker.Begin("lauum", n3 / 3);
            k.Lauum(p, n, ld);
            tracker.End();
            tracker.Begin("mirror", (double)n * n / 2);
            BlockedSpdInverse<T, TK>.Mirror(p, n, ld, threads, tracker);
            tracker.End();
        }
        double invert = sw.Elapsed.TotalSeconds;
        return new SpdInverseReport(n, threads, pathName, factor, invert, n3 / 3, 2 * n3 / 3);
    }

    /// <summary>Rejects NaN/Inf anywhere in the matrix (x - x is 0 only for finite x).</summary>
    private static void CheckFinite<T>(DenseMatrix<T> a, int threads) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int n = a.Size;
        T* p = a.Data;
        long stride = a.Stride;
        int bad = int.MaxValue;
        Parallel.For(0, Math.Max(1, threads), new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, threads) }, t =>
        {
            int r0 = (int)((long)n * t / threads), r1 = (int)((long)n * (t + 1) / threads);
            for (int i = r0; i < r1 && i < Volatile.Read(ref bad); i++)
            {
                var row = new ReadOnlySpan<T>(p + i * stride, n);
                int v = 0;
                var vrow = System.Runtime.InteropServices.MemoryMarshal.Cast<T, Vector<T>>(row);
                Vector<T> acc = Vector<T>.Zero;
                for (; v < vrow.Length; v++) acc |= vrow[v] - vrow[v];
                bool finite = Vector.EqualsAll(acc, Vector<T>.Zero);
                for (int j = vrow.Length * Vector<T>.Count; j < n && finite; j++) finite = T.IsFinite(row[j]);
                if (!finite)
                {
                    int cur;
                    while (i < (cur = Volatile.Read(ref bad)) && Interlocked.CompareExchange(ref bad, i, cur) != cur) { }
                    break;
                }
            }
        });
        if (bad != int.MaxValue)
        {
            var row = new ReadOnlySpan<T>(p + bad * stride, n);
            int j = 0;
            while (j < n && T.IsFinite(row[j])) j++;
            throw new ArgumentException($"The matrix contains a non-finite value ({row[Math.Min(j, n - 1)]}) at row {bad}, column {j}; cannot invert.", nameof(a));
        }
    }
}

using System.Numerics;

namespace Ease.Engine.Linalg;

/// <summary>
/// C += alpha · op(A) · op(B) on the packed GEMM and the best micro-kernel of the machine, for
/// callers outside the inversion (the study's subspace iterations and low-rank scoring). Holds one
/// packing workspace and thread team, so a sequence of products pays for them once; one product
/// at a time per instance. Operands are addressed by element strides: element (i, p) of A is
/// a[i·ars + p·acs], so a transpose is a swap of the two strides, never a copy.
/// </summary>
internal sealed unsafe class DenseGemm<T> : IDisposable where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly GemmWorkspace<T> _workspace;
    private readonly KernelPath _path;

    /// <param name="threads">Threads of the team; 0 = all cores.</param>
    /// <param name="path">Micro-kernel; tests pin each one.</param>
    public DenseGemm(int threads, KernelPath path = KernelPath.Auto)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(threads);
        Threads = threads == 0 ? Environment.ProcessorCount : threads;
        _path = SpdInverse.Resolve<T>(path);
        _workspace = new GemmWorkspace<T>(Threads);
    }

    public int Threads { get; }

    /// <summary>The micro-kernel in use.</summary>
    public KernelPath Path => _path;

    /// <summary>The thread team the products run on: other parallel work of the caller runs on it too, so cores are never oversubscribed.</summary>
    public ThreadTeam Team => _workspace.Team;

    /// <summary>Flops done so far by this instance (2·m·n·k per product).</summary>
    public double Flops { get; private set; }

    /// <summary>C (m x n, row stride ldc) += alpha · A (m x k) · B (k x n).</summary>
    public void Multiply(int m, int n, int k, T alpha, T* a, nint ars, nint acs, T* b, nint brs, nint bcs, T* c, nint ldc)
    {
        ObjectDisposedException.ThrowIf(_workspace.SharedB == null, this);
        switch (_path)
        {
            case KernelPath.Vector512:
                PackedGemm<T, MicroKernel512<T>>.Run(_workspace, Threads, m, n, k, alpha, a, ars, acs, b, brs, bcs, c, ldc, GemmMode.None);
                break;
            case KernelPath.Vector256:
                PackedGemm<T, MicroKernel256<T>>.Run(_workspace, Threads, m, n, k, alpha, a, ars, acs, b, brs, bcs, c, ldc, GemmMode.None);
                break;
            default:
                PackedGemm<T, MicroKernelScalar<T>>.Run(_workspace, Threads, m, n, k, alpha, a, ars, acs, b, brs, bcs, c, ldc, GemmMode.None);
                break;
        }
        Flops += 2.0 * m * n * k;
    }

    /// <summary>
    /// Replaces the lower triangle of the symmetric positive-definite <paramref name="a"/> (n x n,
    /// row stride ld) by L⁻¹, where L Lᵀ = a: the blocked potrf and trtri of the inversion, on this
    /// instance's workspace. The upper triangle is left as it was.
    /// </summary>
    /// <exception cref="NotPositiveDefiniteException">A pivot is not positive.</exception>
    public void InverseCholeskyFactor(T* a, int n, nint ld)
    {
        ObjectDisposedException.ThrowIf(_workspace.SharedB == null, this);
        switch (_path)
        {
            case KernelPath.Vector512:
                InverseCholeskyFactor<MicroKernel512<T>>(a, n, ld);
                break;
            case KernelPath.Vector256:
                InverseCholeskyFactor<MicroKernel256<T>>(a, n, ld);
                break;
            default:
                InverseCholeskyFactor<MicroKernelScalar<T>>(a, n, ld);
                break;
        }
    }

    private void InverseCholeskyFactor<TK>(T* a, int n, nint ld) where TK : IMicroKernel<T>
    {
        var tracker = new ProgressTracker(null, default);
        _workspace.Tracker = tracker;
        try
        {
            var k = new BlockedSpdInverse<T, TK>(_workspace, Threads, n, tracker);
            double n3 = (double)n * n * n;
            tracker.Begin("potrf", n3 / 3);
            k.Potrf(a, n, ld, 0);
            tracker.End();
            tracker.Begin("trtri", n3 / 3);
            k.Trtri(a, n, ld);
            tracker.End();
        }
        finally
        {
            _workspace.Tracker = null;
        }
        Flops += 2.0 / 3 * n * (double)n * n;
    }

    public void Dispose() => _workspace.Dispose();
}

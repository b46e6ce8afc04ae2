using Ease.Engine.Linalg;

namespace Ease.Study.Deep;

/// <summary>
/// The engine's packed GEMM workspace and thread team for one training run or one scoring call, and the
/// micro-kernel chosen for it. Dense products go through <see cref="Gemm"/>; elementwise and sparse work
/// runs on the same team so the two cores are never oversubscribed.
/// </summary>
internal sealed unsafe class DeepCompute : IDisposable
{
    private readonly DenseGemm<float> _gemm;

    public DeepCompute(int threads, KernelPath path)
    {
        _gemm = new DenseGemm<float>(Math.Max(1, threads), path);
    }

    public KernelPath Path => _gemm.Path;

    public ThreadTeam Team => _gemm.Team;

    public int Threads => _gemm.Threads;

    /// <summary>
    /// C += A·B with A m x k at a[i*ars + p*acs], B k x n at b[p*brs + j*bcs], C row-major with leading dimension ldc.
    /// </summary>
    public void Gemm(int m, int n, int k, float* a, nint ars, nint acs, float* b, nint brs, nint bcs, float* c, nint ldc) =>
        _gemm.Multiply(m, n, k, 1f, a, ars, acs, b, brs, bcs, c, ldc);

    /// <summary>Runs body(member) on every team member; the body splits its own work by member index.</summary>
    public void Parallel(Action<int> body) => _gemm.Team.Run(body);

    /// <summary>[begin, end) of <paramref name="count"/> items for member <paramref name="t"/>, contiguous and balanced.</summary>
    public (int Begin, int End) Share(int t, int count)
    {
        int size = _gemm.Team.Size;
        return ((int)((long)count * t / size), (int)((long)count * (t + 1) / size));
    }

    public void Dispose() => _gemm.Dispose();
}

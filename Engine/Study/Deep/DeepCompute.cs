using Ease.Engine.Linalg;

namespace Ease.Engine.Study.Deep;

/// <summary>
/// The engine's packed GEMM workspace and thread team for one training run or one scoring call, and the
/// micro-kernel chosen for it. Dense products go through <see cref="Gemm"/>; elementwise and sparse work
/// runs on the same team so the two cores are never oversubscribed.
/// </summary>
internal sealed unsafe class DeepCompute : IDisposable
{
    private readonly GemmWorkspace<float> _ws;

    public DeepCompute(int threads, KernelPath path)
    {
        Path = SpdInverse.Resolve<float>(path);
        _ws = new GemmWorkspace<float>(Math.Max(1, threads));
    }

    public KernelPath Path { get; }

    public ThreadTeam Team => _ws.Team;

    public int Threads => _ws.Threads;

    /// <summary>
    /// C += A·B with A m x k at a[i*ars + p*acs], B k x n at b[p*brs + j*bcs], C row-major with leading dimension ldc.
    /// </summary>
    public void Gemm(int m, int n, int k, float* a, nint ars, nint acs, float* b, nint brs, nint bcs, float* c, nint ldc)
    {
        switch (Path)
        {
            case KernelPath.Vector512:
                PackedGemm<float, MicroKernel512<float>>.Run(_ws, _ws.Threads, m, n, k, 1f, a, ars, acs, b, brs, bcs, c, ldc, GemmMode.None);
                break;
            case KernelPath.Vector256:
                PackedGemm<float, MicroKernel256<float>>.Run(_ws, _ws.Threads, m, n, k, 1f, a, ars, acs, b, brs, bcs, c, ldc, GemmMode.None);
                break;
            default:
                PackedGemm<float, MicroKernelScalar<float>>.Run(_ws, _ws.Threads, m, n, k, 1f, a, ars, acs, b, brs, bcs, c, ldc, GemmMode.None);
                break;
        }
    }

    /// <summary>Runs body(member) on every team member; the body splits its own work by member index.</summary>
    public void Parallel(Action<int> body) => _ws.Team.Run(body);

    /// <summary>[begin, end) of <paramref name="count"/> items for member <paramref name="t"/>, contiguous and balanced.</summary>
    public (int Begin, int End) Share(int t, int count)
    {
        int size = _ws.Team.Size;
        return ((int)((long)count * t / size), (int)((long)count * (t + 1) / size));
    }

    public void Dispose() => _ws.Dispose();
}

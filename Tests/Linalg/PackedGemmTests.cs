using System.Numerics;
using Ease.Engine.Linalg;

namespace Ease.Tests.Linalg;

/// <summary>
/// Team-parallel GEMMs whose A operand is a transposed view (as in lauum and trmm with L^T) take
/// the grouped packing path (<see cref="PackedGemm{T,TK}.APanelGroupFor"/>), which has its own
/// AVX-512 transpose. Checked entry by entry against a naive double-precision product of the same
/// inputs, on every kernel path, with row, column and depth counts that leave partial 16 x 16
/// blocks, partial micro-panels and a partial KC pass.
/// </summary>
public sealed unsafe class PackedGemmTests
{
    // 3605 rows: over the grouping threshold (8 x 2 threads x 16 panels) for every kernel's MR,
    // and not a multiple of 16 or of any MR. 100 columns and depth 300 (> KC) leave tails too.
    private const int M = 3605, N = 100, K = 300;

    public static IEnumerable<object[]> Cases()
    {
        foreach (var path in new[] { "Vector512", "Vector256", "Scalar" })
            foreach (var precision in new[] { "f32", "f64" })
                foreach (var mode in new[] { "None", "Lower" })
                    foreach (var alpha in new[] { 1.0, -0.5 })
                        yield return new object[] { path, precision, mode, alpha };
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void TransposedAMatchesNaiveProduct(string pathName, string precision, string modeName, double alpha)
    {
        var path = Enum.Parse<KernelPath>(pathName);
        var mode = Enum.Parse<GemmMode>(modeName);
        try { SpdInverse.Resolve<float>(path); }
        catch (PlatformNotSupportedException) { return; } // path not accelerated here (or disabled by DOTNET_EnableAVX*)
        if (precision == "f32") Run<float>(path, mode, alpha, 2e-4);
        else Run<double>(path, mode, alpha, 1e-11);
    }

    private static void Run<T>(KernelPath path, GemmMode mode, double alpha, double tol) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        switch (path)
        {
            case KernelPath.Vector512: Run<T, MicroKernel512<T>>(mode, alpha, tol); break;
            case KernelPath.Vector256: Run<T, MicroKernel256<T>>(mode, alpha, tol); break;
            default: Run<T, MicroKernelScalar<T>>(mode, alpha, tol); break;
        }
    }

    private static void Run<T, TK>(GemmMode mode, double alpha, double tol)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        where TK : IMicroKernel<T>
    {
        bool lower = mode == GemmMode.Lower;
        int n = lower ? M : N; // SYRK-like lower mode needs square C
        var rng = new Random(17);
        // At is K x M row-major: A(i,p) = At[p*M + i] is a transposed view (ars = 1, acs = M).
        var at = new T[K * M];
        var b = new T[K * n];
        var c = new T[M * n];
        for (int x = 0; x < at.Length; x++) at[x] = T.CreateTruncating(rng.NextDouble() * 2 - 1);
        for (int x = 0; x < b.Length; x++) b[x] = T.CreateTruncating(rng.NextDouble() * 2 - 1);
        for (int x = 0; x < c.Length; x++) c[x] = T.CreateTruncating(rng.NextDouble() * 2 - 1);
        var c0 = (T[])c.Clone();

        Assert.True(PackedGemm<T, TK>.APanelGroupFor(M, 1, M, overwrite: false, teamSize: 2) > 1, "the grouped path is not exercised");
        using (var ws = new GemmWorkspace<T>(2))
        fixed (T* pa = at, pb = b, pc = c)
        {
            PackedGemm<T, TK>.Run(ws, 2, M, n, K, T.CreateTruncating(alpha), pa, 1, M, pb, n, 1, pc, n, mode);
        }

        // Lower mode only promises the lower triangle (the rest of straddling tiles is scratch);
        // every 7th row of it is checked to keep the naive reference fast.
        for (int i = 0; i < M; i += lower ? 7 : 1)
        {
            int jEnd = lower ? i + 1 : n;
            for (int j = 0; j < jEnd; j++)
            {
                double s = double.CreateTruncating(c0[i * n + j]);
                double acc = 0;
                for (int p = 0; p < K; p++) acc += double.CreateTruncating(at[p * M + i]) * double.CreateTruncating(b[p * n + j]);
                s += alpha * acc;
                double got = double.CreateTruncating(c[i * n + j]);
                if (Math.Abs(got - s) > tol * (1 + Math.Abs(s)))
                    Assert.Fail($"{typeof(TK).Name} {typeof(T).Name} {mode} alpha={alpha}: C[{i},{j}] = {got}, expected {s}");
            }
        }
    }
}

using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Ease.Engine.Linalg;

/// <summary>
/// AVX-512 micro-kernel: 14 rows x 2 zmm (14x32 fp32 / 14x16 fp64). 28 accumulators + 2 B vectors
/// + 1 broadcast = 31 of the 32 zmm registers, so nothing spills; per k step 2 vector loads and
/// 14 broadcasts feed 28 FMAs, which keeps both FMA ports busy without saturating the load ports.
/// (Mirror image of BLIS's skx 16x14 dgemm shape: our C is row-major so the vector runs along j.)
/// </summary>
internal readonly unsafe struct MicroKernel512<T> : IMicroKernel<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public static int MR => 14;

    public static int NR => 2 * Vector512<T>.Count;

    public static bool IsSupported => Vector512.IsHardwareAccelerated && Vector512<T>.IsSupported;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<T> Fma(Vector512<T> x, Vector512<T> y, Vector512<T> acc)
    {
        // Only the float and double overloads exist; the typeof tests fold away at JIT time.
        if (typeof(T) == typeof(float))
            return Vector512.FusedMultiplyAdd(x.AsSingle(), y.AsSingle(), acc.AsSingle()).As<float, T>();
        return Vector512.FusedMultiplyAdd(x.AsDouble(), y.AsDouble(), acc.AsDouble()).As<double, T>();
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(int k, T* a, T* b, T* c, nint ldc, bool accumulate)
    {
        // Row i of the packed A panel starts at a + i*KC (constant displacement, see GemmBlocking).
        const int S = GemmBlocking.KC;
        int w = Vector512<T>.Count;
        Vector512<T> c00 = default, c01 = default;
        Vector512<T> c10 = default, c11 = default;
        Vector512<T> c20 = default, c21 = default;
        Vector512<T> c30 = default, c31 = default;
        Vector512<T> c40 = default, c41 = default;
        Vector512<T> c50 = default, c51 = default;
        Vector512<T> c60 = default, c61 = default;
        Vector512<T> c70 = default, c71 = default;
        Vector512<T> c80 = default, c81 = default;
        Vector512<T> c90 = default, c91 = default;
        Vector512<T> c100 = default, c101 = default;
        Vector512<T> c110 = default, c111 = default;
        Vector512<T> c120 = default, c121 = default;
        Vector512<T> c130 = default, c131 = default;
        // Touch the C tile now so its (likely L2/L3-resident) lines arrive while the FMAs run,
        // instead of stalling the final read-modify-write.
        if (Sse.IsSupported)
        {
            Sse.Prefetch0(c + 0 * ldc); Sse.Prefetch0(c + 0 * ldc + w);
            Sse.Prefetch0(c + 1 * ldc); Sse.Prefetch0(c + 1 * ldc + w);
            Sse.Prefetch0(c + 2 * ldc); Sse.Prefetch0(c + 2 * ldc + w);
            Sse.Prefetch0(c + 3 * ldc); Sse.Prefetch0(c + 3 * ldc + w);
            Sse.Prefetch0(c + 4 * ldc); Sse.Prefetch0(c + 4 * ldc + w);
            Sse.Prefetch0(c + 5 * ldc); Sse.Prefetch0(c + 5 * ldc + w);
            Sse.Prefetch0(c + 6 * ldc); Sse.Prefetch0(c + 6 * ldc + w);
            Sse.Prefetch0(c + 7 * ldc); Sse.Prefetch0(c + 7 * ldc + w);
            Sse.Prefetch0(c + 8 * ldc); Sse.Prefetch0(c + 8 * ldc + w);
            Sse.Prefetch0(c + 9 * ldc); Sse.Prefetch0(c + 9 * ldc + w);
            Sse.Prefetch0(c + 10 * ldc); Sse.Prefetch0(c + 10 * ldc + w);
            Sse.Prefetch0(c + 11 * ldc); Sse.Prefetch0(c + 11 * ldc + w);
            Sse.Prefetch0(c + 12 * ldc); Sse.Prefetch0(c + 12 * ldc + w);
            Sse.Prefetch0(c + 13 * ldc); Sse.Prefetch0(c + 13 * ldc + w);
        }
        for (int p = 0; p < k; p++)
        {
            Vector512<T> b0 = Vector512.Load(b);
            Vector512<T> b1 = Vector512.Load(b + w);
            Vector512<T> a0 = Vector512.Create(a[0 * S]); c00 = Fma(a0, b0, c00); c01 = Fma(a0, b1, c01);
            Vector512<T> a1 = Vector512.Create(a[1 * S]); c10 = Fma(a1, b0, c10); c11 = Fma(a1, b1, c11);
            Vector512<T> a2 = Vector512.Create(a[2 * S]); c20 = Fma(a2, b0, c20); c21 = Fma(a2, b1, c21);
            Vector512<T> a3 = Vector512.Create(a[3 * S]); c30 = Fma(a3, b0, c30); c31 = Fma(a3, b1, c31);
            Vector512<T> a4 = Vector512.Create(a[4 * S]); c40 = Fma(a4, b0, c40); c41 = Fma(a4, b1, c41);
            Vector512<T> a5 = Vector512.Create(a[5 * S]); c50 = Fma(a5, b0, c50); c51 = Fma(a5, b1, c51);
            Vector512<T> a6 = Vector512.Create(a[6 * S]); c60 = Fma(a6, b0, c60); c61 = Fma(a6, b1, c61);
            Vector512<T> a7 = Vector512.Create(a[7 * S]); c70 = Fma(a7, b0, c70); c71 = Fma(a7, b1, c71);
            Vector512<T> a8 = Vector512.Create(a[8 * S]); c80 = Fma(a8, b0, c80); c81 = Fma(a8, b1, c81);
            Vector512<T> a9 = Vector512.Create(a[9 * S]); c90 = Fma(a9, b0, c90); c91 = Fma(a9, b1, c91);
            Vector512<T> a10 = Vector512.Create(a[10 * S]); c100 = Fma(a10, b0, c100); c101 = Fma(a10, b1, c101);
            Vector512<T> a11 = Vector512.Create(a[11 * S]); c110 = Fma(a11, b0, c110); c111 = Fma(a11, b1, c111);
            Vector512<T> a12 = Vector512.Create(a[12 * S]); c120 = Fma(a12, b0, c120); c121 = Fma(a12, b1, c121);
            Vector512<T> a13 = Vector512.Create(a[13 * S]); c130 = Fma(a13, b0, c130); c131 = Fma(a13, b1, c131);
            a++;
            b += 2 * w;
        }
        if (accumulate)
        {
            Vector512.Store(Vector512.Load(c + 0 * ldc) + c00, c + 0 * ldc); Vector512.Store(Vector512.Load(c + 0 * ldc + w) + c01, c + 0 * ldc + w);
            Vector512.Store(Vector512.Load(c + 1 * ldc) + c10, c + 1 * ldc); Vector512.Store(Vector512.Load(c + 1 * ldc + w) + c11, c + 1 * ldc + w);
            Vector512.Store(Vector512.Load(c + 2 * ldc) + c20, c + 2 * ldc); Vector512.Store(Vector512.Load(c + 2 * ldc + w) + c21, c + 2 * ldc + w);
            Vector512.Store(Vector512.Load(c + 3 * ldc) + c30, c + 3 * ldc); Vector512.Store(Vector512.Load(c + 3 * ldc + w) + c31, c + 3 * ldc + w);
            Vector512.Store(Vector512.Load(c + 4 * ldc) + c40, c + 4 * ldc); Vector512.Store(Vector512.Load(c + 4 * ldc + w) + c41, c + 4 * ldc + w);
            Vector512.Store(Vector512.Load(c + 5 * ldc) + c50, c + 5 * ldc); Vector512.Store(Vector512.Load(c + 5 * ldc + w) + c51, c + 5 * ldc + w);
            Vector512.Store(Vector512.Load(c + 6 * ldc) + c60, c + 6 * ldc); Vector512.Store(Vector512.Load(c + 6 * ldc + w) + c61, c + 6 * ldc + w);
            Vector512.Store(Vector512.Load(c + 7 * ldc) + c70, c + 7 * ldc); Vector512.Store(Vector512.Load(c + 7 * ldc + w) + c71, c + 7 * ldc + w);
            Vector512.Store(Vector512.Load(c + 8 * ldc) + c80, c + 8 * ldc); Vector512.Store(Vector512.Load(c + 8 * ldc + w) + c81, c + 8 * ldc + w);
            Vector512.Store(Vector512.Load(c + 9 * ldc) + c90, c + 9 * ldc); Vector512.Store(Vector512.Load(c + 9 * ldc + w) + c91, c + 9 * ldc + w);
            Vector512.Store(Vector512.Load(c + 10 * ldc) + c100, c + 10 * ldc); Vector512.Store(Vector512.Load(c + 10 * ldc + w) + c101, c + 10 * ldc + w);
            Vector512.Store(Vector512.Load(c + 11 * ldc) + c110, c + 11 * ldc); Vector512.Store(Vector512.Load(c + 11 * ldc + w) + c111, c + 11 * ldc + w);
            Vector512.Store(Vector512.Load(c + 12 * ldc) + c120, c + 12 * ldc); Vector512.Store(Vector512.Load(c + 12 * ldc + w) + c121, c + 12 * ldc + w);
            Vector512.Store(Vector512.Load(c + 13 * ldc) + c130, c + 13 * ldc); Vector512.Store(Vector512.Load(c + 13 * ldc + w) + c131, c + 13 * ldc + w);
        }
        else
        {
            Vector512.Store(c00, c + 0 * ldc); Vector512.Store(c01, c + 0 * ldc + w);
            Vector512.Store(c10, c + 1 * ldc); Vector512.Store(c11, c + 1 * ldc + w);
            Vector512.Store(c20, c + 2 * ldc); Vector512.Store(c21, c + 2 * ldc + w);
            Vector512.Store(c30, c + 3 * ldc); Vector512.Store(c31, c + 3 * ldc + w);
            Vector512.Store(c40, c + 4 * ldc); Vector512.Store(c41, c + 4 * ldc + w);
            Vector512.Store(c50, c + 5 * ldc); Vector512.Store(c51, c + 5 * ldc + w);
            Vector512.Store(c60, c + 6 * ldc); Vector512.Store(c61, c + 6 * ldc + w);
            Vector512.Store(c70, c + 7 * ldc); Vector512.Store(c71, c + 7 * ldc + w);
            Vector512.Store(c80, c + 8 * ldc); Vector512.Store(c81, c + 8 * ldc + w);
            Vector512.Store(c90, c + 9 * ldc); Vector512.Store(c91, c + 9 * ldc + w);
            Vector512.Store(c100, c + 10 * ldc); Vector512.Store(c101, c + 10 * ldc + w);
            Vector512.Store(c110, c + 11 * ldc); Vector512.Store(c111, c + 11 * ldc + w);
            Vector512.Store(c120, c + 12 * ldc); Vector512.Store(c121, c + 12 * ldc + w);
            Vector512.Store(c130, c + 13 * ldc); Vector512.Store(c131, c + 13 * ldc + w);
        }
    }
}

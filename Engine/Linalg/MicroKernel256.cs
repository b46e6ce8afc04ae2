using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Ease.Engine.Linalg;

/// <summary>
/// AVX2 micro-kernel: 6 rows x 2 ymm (6x16 fp32 / 6x8 fp64). 12 accumulators + 2 B vectors +
/// 1 broadcast fits the 16 ymm registers of an AVX2-only CPU (the BLIS haswell shape, mirrored).
/// </summary>
internal readonly unsafe struct MicroKernel256<T> : IMicroKernel<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public static int MR => 6;

    public static int NR => 2 * Vector256<T>.Count;

    public static bool IsSupported => Vector256.IsHardwareAccelerated && Vector256<T>.IsSupported;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<T> Fma(Vector256<T> x, Vector256<T> y, Vector256<T> acc)
    {
        // Only the float and double overloads exist; the typeof tests fold away at JIT time.
        if (typeof(T) == typeof(float))
            return Vector256.FusedMultiplyAdd(x.AsSingle(), y.AsSingle(), acc.AsSingle()).As<float, T>();
        return Vector256.FusedMultiplyAdd(x.AsDouble(), y.AsDouble(), acc.AsDouble()).As<double, T>();
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(int k, T* a, T* b, T* c, nint ldc, bool accumulate)
    {
        // Row i of the packed A panel starts at a + i*KC (constant displacement, see GemmBlocking).
        const int S = GemmBlocking.KC;
        int w = Vector256<T>.Count;
        Vector256<T> c00 = default, c01 = default;
        Vector256<T> c10 = default, c11 = default;
        Vector256<T> c20 = default, c21 = default;
        Vector256<T> c30 = default, c31 = default;
        Vector256<T> c40 = default, c41 = default;
        Vector256<T> c50 = default, c51 = default;
        // Touch the C tile now so its (likely L2/L3-resident) lines arrive while the FMAs run,
        // instead of stalling the final read-modify-write.
        if (Sse.IsSupported)
        {
            Sse.Prefetch0(c + 0 * ldc);
            Sse.Prefetch0(c + 1 * ldc);
            Sse.Prefetch0(c + 2 * ldc);
            Sse.Prefetch0(c + 3 * ldc);
            Sse.Prefetch0(c + 4 * ldc);
            Sse.Prefetch0(c + 5 * ldc);
        }
        for (int p = 0; p < k; p++)
        {
            Vector256<T> b0 = Vector256.Load(b);
            Vector256<T> b1 = Vector256.Load(b + w);
            Vector256<T> a0 = Vector256.Create(a[0 * S]); c00 = Fma(a0, b0, c00); c01 = Fma(a0, b1, c01);
            Vector256<T> a1 = Vector256.Create(a[1 * S]); c10 = Fma(a1, b0, c10); c11 = Fma(a1, b1, c11);
            Vector256<T> a2 = Vector256.Create(a[2 * S]); c20 = Fma(a2, b0, c20); c21 = Fma(a2, b1, c21);
            Vector256<T> a3 = Vector256.Create(a[3 * S]); c30 = Fma(a3, b0, c30); c31 = Fma(a3, b1, c31);
            Vector256<T> a4 = Vector256.Create(a[4 * S]); c40 = Fma(a4, b0, c40); c41 = Fma(a4, b1, c41);
            Vector256<T> a5 = Vector256.Create(a[5 * S]); c50 = Fma(a5, b0, c50); c51 = Fma(a5, b1, c51);
            a++;
            b += 2 * w;
        }
        if (accumulate)
        {
            Vector256.Store(Vector256.Load(c + 0 * ldc) + c00, c + 0 * ldc); Vector256.Store(Vector256.Load(c + 0 * ldc + w) + c01, c + 0 * ldc + w);
            Vector256.Store(Vector256.Load(c + 1 * ldc) + c10, c + 1 * ldc); Vector256.Store(Vector256.Load(c + 1 * ldc + w) + c11, c + 1 * ldc + w);
            Vector256.Store(Vector256.Load(c + 2 * ldc) + c20, c + 2 * ldc); Vector256.Store(Vector256.Load(c + 2 * ldc + w) + c21, c + 2 * ldc + w);
            Vector256.Store(Vector256.Load(c + 3 * ldc) + c30, c + 3 * ldc); Vector256.Store(Vector256.Load(c + 3 * ldc + w) + c31, c + 3 * ldc + w);
            Vector256.Store(Vector256.Load(c + 4 * ldc) + c40, c + 4 * ldc); Vector256.Store(Vector256.Load(c + 4 * ldc + w) + c41, c + 4 * ldc + w);
            Vector256.Store(Vector256.Load(c + 5 * ldc) + c50, c + 5 * ldc); Vector256.Store(Vector256.Load(c + 5 * ldc + w) + c51, c + 5 * ldc + w);
        }
        else
        {
            Vector256.Store(c00, c + 0 * ldc); Vector256.Store(c01, c + 0 * ldc + w);
            Vector256.Store(c10, c + 1 * ldc); Vector256.Store(c11, c + 1 * ldc + w);
            Vector256.Store(c20, c + 2 * ldc); Vector256.Store(c21, c + 2 * ldc + w);
            Vector256.Store(c30, c + 3 * ldc); Vector256.Store(c31, c + 3 * ldc + w);
            Vector256.Store(c40, c + 4 * ldc); Vector256.Store(c41, c + 4 * ldc + w);
            Vector256.Store(c50, c + 5 * ldc); Vector256.Store(c51, c + 5 * ldc + w);
        }
    }
}

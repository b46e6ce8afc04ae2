using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Ease.Engine.Linalg;

/// <summary>
/// AVX-512 8 x 8 fp64 transpose, the fp64 counterpart of <see cref="TransposeFloat16x16"/>: eight
/// row loads, unpack (pairs) and two rounds of 128-bit lane shuffles, eight row stores.
/// </summary>
internal static unsafe class TransposeDouble8x8
{
    public static bool IsSupported => Avx512F.IsSupported;

    /// <summary>dst[i*ldd + p] = alpha * src[i + p*cs] for i in [0, rows), p in [0, cols); both multiples of 8.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Blocks(double* src, nint cs, int rows, int cols, double alpha, double* dst, nint ldd)
    {
        var va = Vector512.Create(alpha);
        bool scale = alpha != 1d;
        for (int p0 = 0; p0 < cols; p0 += 8)
            for (int i0 = 0; i0 < rows; i0 += 8)
                Block(src + i0 + p0 * cs, cs, dst + i0 * ldd + p0, ldd, va, scale);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Block(double* s, nint cs, double* d, nint ldd, Vector512<double> alpha, bool scale)
    {
        // t(2k+j), lane L = column 2L+j of rows 2k, 2k+1.
        Interleave(s, cs, out Vector512<double> t0, out Vector512<double> t1);
        Interleave(s + 2 * cs, cs, out Vector512<double> t2, out Vector512<double> t3);
        Interleave(s + 4 * cs, cs, out Vector512<double> t4, out Vector512<double> t5);
        Interleave(s + 6 * cs, cs, out Vector512<double> t6, out Vector512<double> t7);
        Rows(t0, t2, t4, t6, d, ldd, alpha, scale);
        Rows(t1, t3, t5, t7, d + ldd, ldd, alpha, scale);
    }

    /// <summary>Rows s and s+cs interleaved per 128-bit lane: lo = (a0 b0), hi = (a1 b1) in each lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Interleave(double* s, nint cs, out Vector512<double> lo, out Vector512<double> hi)
    {
        Vector512<double> a = Vector512.Load(s), b = Vector512.Load(s + cs);
        lo = Avx512F.UnpackLow(a, b);
        hi = Avx512F.UnpackHigh(a, b);
    }

    /// <summary>Writes output rows j, 2+j, 4+j, 6+j (d points at row j): lane L of a, b, c, e goes to row 2L+j.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Rows(Vector512<double> a, Vector512<double> b, Vector512<double> c, Vector512<double> e, double* d, nint ldd, Vector512<double> alpha, bool scale)
    {
        Vector512<double> x = Avx512F.Shuffle4x128(a, b, 0x88), y = Avx512F.Shuffle4x128(c, e, 0x88);
        Vector512<double> x2 = Avx512F.Shuffle4x128(a, b, 0xDD), y2 = Avx512F.Shuffle4x128(c, e, 0xDD);
        Vector512<double> o0 = Avx512F.Shuffle4x128(x, y, 0x88), o4 = Avx512F.Shuffle4x128(x, y, 0xDD);
        Vector512<double> o2 = Avx512F.Shuffle4x128(x2, y2, 0x88), o6 = Avx512F.Shuffle4x128(x2, y2, 0xDD);
        if (scale)
        {
            o0 *= alpha; o2 *= alpha; o4 *= alpha; o6 *= alpha;
        }
        Vector512.Store(o0, d);
        Vector512.Store(o2, d + 2 * ldd);
        Vector512.Store(o4, d + 4 * ldd);
        Vector512.Store(o6, d + 6 * ldd);
    }
}

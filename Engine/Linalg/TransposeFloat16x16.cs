using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Ease.Engine.Linalg;

/// <summary>
/// AVX-512 16 x 16 fp32 transpose, used to pack transposed views of A for the GEMM: sixteen row
/// loads, then unpack (pairs), shuffle (quads) and two rounds of 128-bit lane shuffles, sixteen
/// row stores: 64 shuffles per 256 elements instead of 256 scalar gathers from 16 rows.
/// </summary>
internal static unsafe class TransposeFloat16x16
{
    public static bool IsSupported => Avx512F.IsSupported;

    /// <summary>
    /// dst[i*ldd + p] = alpha * src[i + p*cs] for i in [0, rows), p in [0, cols); both multiples of 16.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Blocks(float* src, nint cs, int rows, int cols, float alpha, float* dst, nint ldd)
    {
        var va = Vector512.Create(alpha);
        bool scale = alpha != 1f;
        for (int p0 = 0; p0 < cols; p0 += 16)
        {
            for (int i0 = 0; i0 < rows; i0 += 16)
            {
                float* s = src + i0 + p0 * cs;
                float* d = dst + i0 * ldd + p0;
                Block(s, cs, d, ldd, va, scale);
            }
        }
    }

    /// <summary>Transposes the 16 x 16 block at s (rows cs apart) into d (rows ldd apart), scaled by alpha.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Block(float* s, nint cs, float* d, nint ldd, Vector512<float> alpha, bool scale)
    {
        // Stage 1: interleave row pairs within each 128-bit lane.
        Interleave(s, cs, out Vector512<float> t0, out Vector512<float> t1);
        Interleave(s + 2 * cs, cs, out Vector512<float> t2, out Vector512<float> t3);
        Interleave(s + 4 * cs, cs, out Vector512<float> t4, out Vector512<float> t5);
        Interleave(s + 6 * cs, cs, out Vector512<float> t6, out Vector512<float> t7);
        Interleave(s + 8 * cs, cs, out Vector512<float> t8, out Vector512<float> t9);
        Interleave(s + 10 * cs, cs, out Vector512<float> t10, out Vector512<float> t11);
        Interleave(s + 12 * cs, cs, out Vector512<float> t12, out Vector512<float> t13);
        Interleave(s + 14 * cs, cs, out Vector512<float> t14, out Vector512<float> t15);

        // Stage 2: u(4k+j), lane L = column 4L+j of rows 4k..4k+3.
        Vector512<float> u0 = Avx512F.Shuffle(t0, t2, 0x44), u1 = Avx512F.Shuffle(t0, t2, 0xEE);
        Vector512<float> u2 = Avx512F.Shuffle(t1, t3, 0x44), u3 = Avx512F.Shuffle(t1, t3, 0xEE);
        Vector512<float> u4 = Avx512F.Shuffle(t4, t6, 0x44), u5 = Avx512F.Shuffle(t4, t6, 0xEE);
        Vector512<float> u6 = Avx512F.Shuffle(t5, t7, 0x44), u7 = Avx512F.Shuffle(t5, t7, 0xEE);
        Vector512<float> u8 = Avx512F.Shuffle(t8, t10, 0x44), u9 = Avx512F.Shuffle(t8, t10, 0xEE);
        Vector512<float> u10 = Avx512F.Shuffle(t9, t11, 0x44), u11 = Avx512F.Shuffle(t9, t11, 0xEE);
        Vector512<float> u12 = Avx512F.Shuffle(t12, t14, 0x44), u13 = Avx512F.Shuffle(t12, t14, 0xEE);
        Vector512<float> u14 = Avx512F.Shuffle(t13, t15, 0x44), u15 = Avx512F.Shuffle(t13, t15, 0xEE);

        // Stages 3 and 4: gather lane L of u(j), u(4+j), u(8+j), u(12+j) into output row 4L+j.
        Column(u0, u4, u8, u12, d, ldd, alpha, scale);
        Column(u1, u5, u9, u13, d + ldd, ldd, alpha, scale);
        Column(u2, u6, u10, u14, d + 2 * ldd, ldd, alpha, scale);
        Column(u3, u7, u11, u15, d + 3 * ldd, ldd, alpha, scale);
    }

    /// <summary>Rows s and s+cs interleaved per 128-bit lane: lo = (a0 b0 a1 b1), hi = (a2 b2 a3 b3) in each lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Interleave(float* s, nint cs, out Vector512<float> lo, out Vector512<float> hi)
    {
        Vector512<float> a = Vector512.Load(s), b = Vector512.Load(s + cs);
        lo = Avx512F.UnpackLow(a, b);
        hi = Avx512F.UnpackHigh(a, b);
    }

    /// <summary>Writes output rows j, 4+j, 8+j, 12+j (d points at row j) from the four stage-2 vectors of column offset j.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Column(Vector512<float> a, Vector512<float> b, Vector512<float> c, Vector512<float> e, float* d, nint ldd, Vector512<float> alpha, bool scale)
    {
        Vector512<float> x = Avx512F.Shuffle4x128(a, b, 0x88), y = Avx512F.Shuffle4x128(c, e, 0x88);
        Vector512<float> x2 = Avx512F.Shuffle4x128(a, b, 0xDD), y2 = Avx512F.Shuffle4x128(c, e, 0xDD);
        Vector512<float> o0 = Avx512F.Shuffle4x128(x, y, 0x88), o8 = Avx512F.Shuffle4x128(x, y, 0xDD);
        Vector512<float> o4 = Avx512F.Shuffle4x128(x2, y2, 0x88), o12 = Avx512F.Shuffle4x128(x2, y2, 0xDD);
        if (scale)
        {
            o0 *= alpha; o4 *= alpha; o8 *= alpha; o12 *= alpha;
        }
        Vector512.Store(o0, d);
        Vector512.Store(o4, d + 4 * ldd);
        Vector512.Store(o8, d + 8 * ldd);
        Vector512.Store(o12, d + 12 * ldd);
    }
}

using System.Numerics;
using System.Runtime.CompilerServices;

namespace Ease.Engine.Linalg;

/// <summary>
/// Portable fallback: 4x4 register tile in scalars, used when no SIMD is hardware accelerated
/// (and by tests to check the blocking logic independently of vector widths).
/// </summary>
internal readonly unsafe struct MicroKernelScalar<T> : IMicroKernel<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public static int MR => 4;

    public static int NR => 4;

    public static bool IsSupported => true;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(int k, T* a, T* b, T* c, nint ldc, bool accumulate)
    {
        const int S = GemmBlocking.KC;
        T c00 = T.Zero, c01 = T.Zero, c02 = T.Zero, c03 = T.Zero;
        T c10 = T.Zero, c11 = T.Zero, c12 = T.Zero, c13 = T.Zero;
        T c20 = T.Zero, c21 = T.Zero, c22 = T.Zero, c23 = T.Zero;
        T c30 = T.Zero, c31 = T.Zero, c32 = T.Zero, c33 = T.Zero;
        for (int p = 0; p < k; p++)
        {
            T b0 = b[0], b1 = b[1], b2 = b[2], b3 = b[3];
            T a0 = a[0];
            c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
            T a1 = a[S];
            c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
            T a2 = a[2 * S];
            c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3;
            T a3 = a[3 * S];
            c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2; c33 += a3 * b3;
            a++;
            b += 4;
        }
        if (!accumulate)
        {
            c[0] = T.Zero; c[1] = T.Zero; c[2] = T.Zero; c[3] = T.Zero;
            c[ldc] = T.Zero; c[ldc + 1] = T.Zero; c[ldc + 2] = T.Zero; c[ldc + 3] = T.Zero;
            c[2 * ldc] = T.Zero; c[2 * ldc + 1] = T.Zero; c[2 * ldc + 2] = T.Zero; c[2 * ldc + 3] = T.Zero;
            c[3 * ldc] = T.Zero; c[3 * ldc + 1] = T.Zero; c[3 * ldc + 2] = T.Zero; c[3 * ldc + 3] = T.Zero;
        }
        c[0] += c00; c[1] += c01; c[2] += c02; c[3] += c03;
        c += ldc;
        c[0] += c10; c[1] += c11; c[2] += c12; c[3] += c13;
        c += ldc;
        c[0] += c20; c[1] += c21; c[2] += c22; c[3] += c23;
        c += ldc;
        c[0] += c30; c[1] += c31; c[2] += c32; c[3] += c33;
    }
}

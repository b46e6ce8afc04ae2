using System.Numerics;

namespace Ease.Engine.Linalg;

/// <summary>
/// Register-blocked GEMM micro-kernel: C[MR x NR] (+)= sum_p a[i*KC + p] * b[p*NR + j].
/// a is a packed MR-row micro-panel with row stride <see cref="GemmBlocking.KC"/> (its values are broadcast), b a packed NR-column micro-panel
/// (loaded as vectors along the contiguous row of C). Implemented as static abstract members so
/// the GEMM driver is specialised per kernel and the call is inlined/direct, not virtual.
/// </summary>
internal unsafe interface IMicroKernel<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    /// <summary>Rows of the register tile (broadcast dimension).</summary>
    static abstract int MR { get; }

    /// <summary>Columns of the register tile (vector dimension, contiguous in C).</summary>
    static abstract int NR { get; }

    /// <summary>Full-tile update. When <paramref name="accumulate"/> is false C is overwritten.</summary>
    static abstract void Run(int k, T* a, T* b, T* c, nint ldc, bool accumulate);
}

/// <summary>Which micro-kernel family to use.</summary>
internal enum KernelPath
{
    Auto = 0,
    Vector512 = 1,
    Vector256 = 2,
    Scalar = 3,
}

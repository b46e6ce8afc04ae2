using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;

namespace Ease.Engine.Linalg;

/// <summary>
/// Recursive (divide-in-halves) in-place potrf / trtri / lauum on the lower triangle of a row-major
/// matrix. Recursion pushes almost all flops into a few large GEMM/SYRK calls on
/// <see cref="PackedGemm{T,TK}"/> (the top level alone holds about half of them). Leaves of at most
/// <see cref="Leaf"/> columns: the triangular multiplies/solves against a leaf block are again one
/// packed GEMM each (the block is copied, zero-padded, into a small scratch; the solve uses its
/// explicit inverse), so they run at GEMM speed on all cores; only the leaf potrf/trtri/lauum of a
/// Leaf x Leaf diagonal block (O(n * Leaf^2) flops in total) use vectorised dot/axpy loops.
/// The strictly-upper triangle is scratch throughout and is rebuilt by <see cref="Mirror"/>.
/// </summary>
internal sealed unsafe class BlockedSpdInverse<T, TK>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
    where TK : IMicroKernel<T>
{
    // Leaf size of the recursion (64). Small enough that the leaf-only work is negligible, large
    // enough that the smallest GEMMs still have a reasonable depth.
    internal const int Leaf = GemmWorkspace<T>.TriLd;

    private readonly GemmWorkspace<T> _ws;
    private readonly int _threads;
    private readonly int _n;
    private readonly ProgressTracker _progress;

    public BlockedSpdInverse(GemmWorkspace<T> ws, int threads, int n, ProgressTracker progress)
    {
        _ws = ws;
        _threads = threads;
        _n = n;
        _progress = progress;
    }

    /// <summary>Diagnostics: wall ticks spent inside GEMM calls (the rest is leaves, scaling, recursion).</summary>
    internal static long GemmTicks;

    private void Gemm(int m, int n, int k, T alpha, T* a, nint ars, nint acs, T* b, nint brs, nint bcs, T* c, nint ldc, bool lower)
    {
        long t0 = System.Diagnostics.Stopwatch.GetTimestamp();
        PackedGemm<T, TK>.Run(_ws, _threads, m, n, k, alpha, a, ars, acs, b, brs, bcs, c, ldc, lower);
        GemmTicks += System.Diagnostics.Stopwatch.GetTimestamp() - t0;
        _progress.Add(0); // work was reported per block inside the GEMM; this is the cancellation check
    }

    /// <summary>Split point: about half, rounded to a multiple of 16 so sub-blocks keep tile/cache-line alignment.</summary>
    private static int Split(int n)
    {
        int h = n / 2;
        if (n >= 64) h = (h + 8) / 16 * 16;
        return Math.Clamp(h, 1, n - 1);
    }

    // ---------------------------------------------------------------- potrf: A = L L^T

    public void Potrf(T* a, int n, nint ld, int offset)
    {
        if (n <= Leaf)
        {
            PotrfLeaf(a, n, ld, offset);
            return;
        }
        int n1 = Split(n), n2 = n - n1;
        Potrf(a, n1, ld, offset);
        T* a21 = a + n1 * ld;
        TrsmRightLowerTrans(a, n1, a21, n2, ld);
        // A22 -= A21 A21^T (lower part).
        Gemm(n2, n2, n1, -T.One, a21, ld, 1, a21, 1, ld, a21 + n1, ld, lower: true);
        Potrf(a21 + n1, n2, ld, offset + n1);
    }

    private void PotrfLeaf(T* a, int n, nint ld, int offset)
    {
        for (int i = 0; i < n; i++)
        {
            T* ri = a + i * ld;
            for (int j = 0; j < i; j++)
            {
                T* rj = a + j * ld;
                ri[j] = (ri[j] - Dot(ri, rj, j)) / rj[j];
            }
            T d = ri[i] - Dot(ri, ri, i);
            // !(d > 0) also catches NaN, so NaN/Inf input ends here rather than propagating.
            if (!(d > T.Zero)) throw new NotPositiveDefiniteException(offset + i, double.CreateTruncating(d), _n);
            ri[i] = T.Sqrt(d);
        }
        _progress.Add(n * (double)n * n / 3);
    }

    /// <summary>B (m x n) := B L^-T with L lower n x n: the panel solve of potrf.</summary>
    private void TrsmRightLowerTrans(T* l, int n, T* b, int m, nint ld)
    {
        if (n <= Leaf)
        {
            TrsmLeaf(l, n, b, m, ld);
            return;
        }
        int n1 = Split(n), n2 = n - n1;
        TrsmRightLowerTrans(l, n1, b, m, ld);
        // B2 -= X1 L21^T ; L21^T(p, j) = L[n1 + j][p].
        Gemm(m, n2, n1, -T.One, b, ld, 1, l + n1 * ld, 1, ld, b + n1, ld, lower: false);
        TrsmRightLowerTrans(l + n1 * ld + n1, n2, b + n1, m, ld);
    }

    private void TrsmLeaf(T* l, int n, T* b, int m, nint ld)
    {
        // X = B L^-T as one in-place GEMM with the explicitly inverted leaf block: twice the flops
        // of a substitution but at GEMM speed and parallel, instead of m*n^2/2 short dot products.
        T* tri = CopyLower(l, n, ld);
        TrtriLeaf(tri, n, GemmWorkspace<T>.TriLd);
        PackedGemm<T, TK>.Run(_ws, _threads, m, n, n, T.One, b, ld, 1, tri, 1, GemmWorkspace<T>.TriLd, b, ld, GemmMode.InPlaceRows);
        _progress.Add(0);
    }

    // ---------------------------------------------------------------- trtri: L := L^-1

    public void Trtri(T* a, int n, nint ld)
    {
        if (n <= Leaf)
        {
            TrtriLeaf(a, n, ld);
            return;
        }
        int n1 = Split(n), n2 = n - n1;
        T* a21 = a + n1 * ld;
        T* a22 = a21 + n1;
        Trtri(a, n1, ld);
        Trtri(a22, n2, ld);
        // inv([L11 0; L21 L22]) has (2,1) block -L22^-1 L21 L11^-1; both inverses are in place now.
        TrmmLeftLower(a22, n2, a21, n1, ld);
        TrmmRightLower(a, n1, a21, n2, ld, -T.One);
    }

    private void TrtriLeaf(T* a, int n, nint ld)
    {
        T* tmp = stackalloc T[Leaf];
        for (int i = 0; i < n; i++)
        {
            T* ri = a + i * ld;
            new Span<T>(tmp, i).Clear();
            // tmp[j] = sum_{l=j}^{i-1} L[i][l] X[l][j], accumulated as axpys of the already-inverted rows.
            for (int l = 0; l < i; l++) Axpy(ri[l], a + l * ld, tmp, l + 1);
            T dinv = T.One / ri[i];
            T s = -dinv;
            for (int j = 0; j < i; j++) ri[j] = s * tmp[j];
            ri[i] = dinv;
        }
        _progress.Add(n * (double)n * n / 3);
    }

    /// <summary>B (n x cols) := T B, T lower n x n.</summary>
    private void TrmmLeftLower(T* t, int n, T* b, int cols, nint ld)
    {
        if (n <= Leaf)
        {
            TrmmLeftLowerLeaf(t, n, b, cols, ld);
            return;
        }
        int n1 = Split(n), n2 = n - n1;
        // Bottom half first: it needs the original top half B1.
        TrmmLeftLower(t + n1 * ld + n1, n2, b + n1 * ld, cols, ld);
        Gemm(n2, cols, n1, T.One, t + n1 * ld, ld, 1, b, ld, 1, b + n1 * ld, ld, lower: false);
        TrmmLeftLower(t, n1, b, cols, ld);
    }

    private void TrmmLeftLowerLeaf(T* t, int n, T* b, int cols, nint ld)
    {
        T* tri = CopyLower(t, n, ld);
        PackedGemm<T, TK>.Run(_ws, _threads, n, cols, n, T.One, tri, GemmWorkspace<T>.TriLd, 1, b, ld, 1, b, ld, GemmMode.InPlaceCols);
        _progress.Add(0);
    }

    /// <summary>B (m x n) := alpha B T, T lower n x n.</summary>
    private void TrmmRightLower(T* t, int n, T* b, int m, nint ld, T alpha)
    {
        if (n <= Leaf)
        {
            TrmmRightLowerLeaf(t, n, b, m, ld, alpha);
            return;
        }
        int n1 = Split(n), n2 = n - n1;
        TrmmRightLower(t, n1, b, m, ld, alpha);
        // B1 += alpha B2 T21 (B2 still original).
        Gemm(m, n1, n2, alpha, b + n1, ld, 1, t + n1 * ld, ld, 1, b, ld, lower: false);
        TrmmRightLower(t + n1 * ld + n1, n2, b + n1, m, ld, alpha);
    }

    private void TrmmRightLowerLeaf(T* t, int n, T* b, int m, nint ld, T alpha)
    {
        T* tri = CopyLower(t, n, ld);
        PackedGemm<T, TK>.Run(_ws, _threads, m, n, n, alpha, b, ld, 1, tri, GemmWorkspace<T>.TriLd, 1, b, ld, GemmMode.InPlaceRows);
        _progress.Add(0);
    }

    /// <summary>Copies the lower triangle of an n x n block into the workspace scratch, zeroing the upper part
    /// (the matrix's own upper triangle is scratch and must not leak into the products).</summary>
    private T* CopyLower(T* src, int n, nint ld)
    {
        T* tri = _ws.Tri;
        const int L = GemmWorkspace<T>.TriLd;
        for (int i = 0; i < n; i++)
        {
            new Span<T>(src + i * ld, i + 1).CopyTo(new Span<T>(tri + i * L, i + 1));
            new Span<T>(tri + i * L + i + 1, L - i - 1).Clear();
        }
        return tri;
    }

    // ---------------------------------------------------------------- lauum: lower(W^T W) in place

    public void Lauum(T* a, int n, nint ld)
    {
        if (n <= Leaf)
        {
            LauumLeaf(a, n, ld);
            return;
        }
        int n1 = Split(n), n2 = n - n1;
        T* a21 = a + n1 * ld;
        T* a22 = a21 + n1;
        Lauum(a, n1, ld);
        // A11 += W21^T W21 (lower): A-operand (i,p) = W21[p][i].
        Gemm(n1, n1, n2, T.One, a21, 1, ld, a21, ld, 1, a, ld, lower: true);
        // A21 := W22^T W21.
        TrmmLeftLowerTrans(a22, n2, a21, n1, ld);
        Lauum(a22, n2, ld);
    }

    private void LauumLeaf(T* a, int n, nint ld)
    {
        T* tmp = stackalloc T[Leaf];
        for (int i = 0; i < n; i++)
        {
            // Row i of the result needs rows l >= i of W, which are still original (ascending order).
            new Span<T>(tmp, i + 1).Clear();
            for (int l = i; l < n; l++)
            {
                T* rl = a + l * ld;
                Axpy(rl[i], rl, tmp, i + 1);
            }
            new Span<T>(tmp, i + 1).CopyTo(new Span<T>(a + i * ld, i + 1));
        }
        _progress.Add(n * (double)n * n / 3);
    }

    /// <summary>B (n x cols) := T^T B, T lower n x n.</summary>
    private void TrmmLeftLowerTrans(T* t, int n, T* b, int cols, nint ld)
    {
        if (n <= Leaf)
        {
            TrmmLeftLowerTransLeaf(t, n, b, cols, ld);
            return;
        }
        int n1 = Split(n), n2 = n - n1;
        // Top half first: it needs the original bottom half B2.
        TrmmLeftLowerTrans(t, n1, b, cols, ld);
        // B1 += (T21)^T B2 ; A-operand (i,p) = T[n1 + p][i].
        Gemm(n1, cols, n2, T.One, t + n1 * ld, 1, ld, b + n1 * ld, ld, 1, b, ld, lower: false);
        TrmmLeftLowerTrans(t + n1 * ld + n1, n2, b + n1 * ld, cols, ld);
    }

    private void TrmmLeftLowerTransLeaf(T* t, int n, T* b, int cols, nint ld)
    {
        T* tri = CopyLower(t, n, ld);
        PackedGemm<T, TK>.Run(_ws, _threads, n, cols, n, T.One, tri, 1, GemmWorkspace<T>.TriLd, b, ld, 1, b, ld, GemmMode.InPlaceCols);
        _progress.Add(0);
    }

    // ---------------------------------------------------------------- mirror lower -> upper

    public static void Mirror(T* a, int n, nint ld, int threads, ProgressTracker progress)
    {
        // 32 x 32 tiles: the 64 rows touched per tile pair (each on its own page for large n) stay
        // within the L1 DTLB; 64 x 64 tiles measured ~40 % slower from TLB misses. The pass is
        // memory bound anyway (reads the lower half, writes the upper half once).
        const int B = 32;
        int blocks = (n + B - 1) / B;
        Parallel.For(0, blocks, new ParallelOptions { MaxDegreeOfParallelism = threads }, bi =>
        {
            int i0 = bi * B, i1 = Math.Min(n, i0 + B);
            for (int j0 = 0; j0 <= i0; j0 += B)
            {
                for (int i = i0; i < i1; i++)
                {
                    T* ri = a + i * ld;
                    int jEnd = Math.Min(i, j0 + B);
                    for (int j = j0; j < jEnd; j++) a[j * ld + i] = ri[j];
                }
            }
            progress.Add((double)(i1 - i0) * i1);
        });
    }

    // ---------------------------------------------------------------- helpers

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static T Dot(T* x, T* y, int n) =>
        n == 0 ? T.Zero : TensorPrimitives.Dot(new ReadOnlySpan<T>(x, n), new ReadOnlySpan<T>(y, n));

    /// <summary>y[0..n) += alpha * x[0..n).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Axpy(T alpha, T* x, T* y, int n)
    {
        if (n == 0) return;
        var ys = new Span<T>(y, n);
        TensorPrimitives.FusedMultiplyAdd(new ReadOnlySpan<T>(x, n), alpha, ys, ys);
    }
}

using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using Ease.Engine.Linalg;

namespace Ease.Engine.Training.Sparse;

/// <summary>
/// Solves one small SPD system A x = b per call on the calling thread: the dense blocked potrf
/// (the same recursive kernel as the full inversion, with a one-thread team) and two triangular
/// substitutions. One instance per worker thread; it owns an m x m buffer and a packing workspace.
/// </summary>
internal abstract unsafe class LocalCholesky : IDisposable
{
    private float* _matrix;
    private readonly int _capacity;

    protected LocalCholesky(int capacity)
    {
        _capacity = Math.Max(1, capacity);
        _matrix = (float*)NativeMemory.AlignedAlloc((nuint)_capacity * (nuint)_capacity * sizeof(float), 64);
        if (_matrix == null)
            throw new OutOfMemoryException($"local system buffer of {_capacity} x {_capacity} floats");
    }

    /// <summary>The best kernel the CPU accelerates, as the dense solver picks it.</summary>
    public static LocalCholesky Create(int capacity)
    {
        ProgressTracker tracker = new(null, CancellationToken.None);
        return SpdInverse.Resolve<float>(KernelPath.Auto) switch
        {
            KernelPath.Vector512 => new Typed<MicroKernel512<float>>(capacity, tracker),
            KernelPath.Vector256 => new Typed<MicroKernel256<float>>(capacity, tracker),
            _ => new Typed<MicroKernelScalar<float>>(capacity, tracker),
        };
    }

    public int Capacity => _capacity;

    /// <summary>The m x m row-major system (leading dimension m); only its lower triangle is read.</summary>
    public Span<float> Matrix(int m) => new(_matrix, m * m);

    /// <summary>
    /// Factors the system filled through <see cref="Matrix"/> and overwrites <paramref name="x"/>
    /// (the right-hand side) with the solution.
    /// </summary>
    /// <exception cref="NotPositiveDefiniteException">Pivot is the local index of the failing row.</exception>
    public void Solve(int m, Span<float> x)
    {
        if ((uint)m > (uint)_capacity || x.Length < m)
            throw new ArgumentOutOfRangeException(nameof(m), m, $"local system size must be in [0, {_capacity}]");
        if (m == 0)
            return;
        if (m <= SmallLimit)
            FactorSmall(_matrix, m);
        else
            Factor(_matrix, m);
        // L y = b, then Lᵀ x = y. Row i of L is contiguous, so the forward pass is a dot product
        // per row; the backward pass walks Lᵀ's rows as columns of L, an axpy per step.
        float* l = _matrix;
        for (int i = 0; i < m; i++)
        {
            var row = new ReadOnlySpan<float>(l + (nint)i * m, i);
            x[i] = (x[i] - TensorPrimitives.Dot(row, x[..i])) / l[(nint)i * m + i];
        }
        for (int i = m - 1; i >= 0; i--)
        {
            float xi = x[i] / l[(nint)i * m + i];
            x[i] = xi;
            var row = new ReadOnlySpan<float>(l + (nint)i * m, i);
            // x[0..i) -= xi * L[i, 0..i)
            TensorPrimitives.MultiplyAdd(row, -xi, x[..i], x[..i]);
        }
    }

    protected abstract void Factor(float* a, int m);

    /// <summary>
    /// Up to this size a row-by-row (Crout) factorization beats the recursive blocked one: most
    /// targets of a long-tail catalogue have small systems, where packing for GEMMs and the
    /// per-call cost of short library dot products dominate.
    /// </summary>
    internal const int SmallLimit = 256;

    /// <summary>
    /// L row by row: L_ij = (A_ij − L_i[0..j)·L_j[0..j)) / L_jj, four j at a time so that each
    /// vector of row i is loaded once for four dot products; the few terms inside the 4 x 4
    /// block are added one by one afterwards.
    /// </summary>
    private static void FactorSmall(float* a, int m)
    {
        int w = System.Numerics.Vector<float>.Count;
        for (int i = 0; i < m; i++)
        {
            float* ri = a + (nint)i * m;
            int j = 0;
            for (; j + 4 <= i; j += 4)
            {
                float* r0 = a + (nint)j * m, r1 = r0 + m, r2 = r1 + m, r3 = r2 + m;
                var s0 = System.Numerics.Vector<float>.Zero;
                var s1 = s0;
                var s2 = s0;
                var s3 = s0;
                int k = 0;
                for (; k + w <= j; k += w)
                {
                    var x = System.Numerics.Vector.Load(ri + k);
                    s0 += x * System.Numerics.Vector.Load(r0 + k);
                    s1 += x * System.Numerics.Vector.Load(r1 + k);
                    s2 += x * System.Numerics.Vector.Load(r2 + k);
                    s3 += x * System.Numerics.Vector.Load(r3 + k);
                }
                float d0 = System.Numerics.Vector.Sum(s0), d1 = System.Numerics.Vector.Sum(s1);
                float d2 = System.Numerics.Vector.Sum(s2), d3 = System.Numerics.Vector.Sum(s3);
                for (; k < j; k++)
                {
                    float x = ri[k];
                    d0 += x * r0[k];
                    d1 += x * r1[k];
                    d2 += x * r2[k];
                    d3 += x * r3[k];
                }
                float l0 = (ri[j] - d0) / r0[j];
                ri[j] = l0;
                float l1 = (ri[j + 1] - d1 - l0 * r1[j]) / r1[j + 1];
                ri[j + 1] = l1;
                float l2 = (ri[j + 2] - d2 - l0 * r2[j] - l1 * r2[j + 1]) / r2[j + 2];
                ri[j + 2] = l2;
                ri[j + 3] = (ri[j + 3] - d3 - l0 * r3[j] - l1 * r3[j + 1] - l2 * r3[j + 2]) / r3[j + 3];
            }
            for (; j < i; j++)
            {
                float* rj = a + (nint)j * m;
                ri[j] = (ri[j] - Dot(ri, rj, j)) / rj[j];
            }
            float diagonal = ri[i] - Dot(ri, ri, i);
            // !(d > 0) also catches NaN.
            if (!(diagonal > 0))
                throw new NotPositiveDefiniteException(i, diagonal, m);
            ri[i] = MathF.Sqrt(diagonal);
        }
    }

    private static float Dot(float* x, float* y, int n)
    {
        int w = System.Numerics.Vector<float>.Count;
        var s = System.Numerics.Vector<float>.Zero;
        int k = 0;
        for (; k + w <= n; k += w)
            s += System.Numerics.Vector.Load(x + k) * System.Numerics.Vector.Load(y + k);
        float d = System.Numerics.Vector.Sum(s);
        for (; k < n; k++)
            d += x[k] * y[k];
        return d;
    }

    public virtual void Dispose()
    {
        if (_matrix != null)
            NativeMemory.AlignedFree(_matrix);
        _matrix = null;
    }

    private sealed class Typed<TK>(int capacity, ProgressTracker tracker) : LocalCholesky(capacity) where TK : IMicroKernel<float>
    {
        private readonly GemmWorkspace<float> _ws = new(1) { Tracker = tracker };

        protected override void Factor(float* a, int m) =>
            new BlockedSpdInverse<float, TK>(_ws, 1, m, tracker).Potrf(a, m, m, 0);

        public override void Dispose()
        {
            _ws.Dispose();
            base.Dispose();
        }
    }
}

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

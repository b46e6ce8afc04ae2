using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using Ease.Engine.Linalg;

namespace Ease.Engine.Training.Sequential;

/// <summary>
/// Rows of the sequential model B = R − P·diag(μ) with R = P·C, from R and P held in place: B_ij = R_ij − P_ij·μ_j,
/// diagonal 0. Row i is what history item i adds to every candidate j.
/// </summary>
internal sealed class SequentialRows<T> : IWeightRows<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly DenseMatrix<T> _r;
    private readonly DenseMatrix<T> _p;
    private readonly T[] _mu;

    /// <param name="product">R = P·C.</param>
    /// <param name="inverse">P.</param>
    /// <param name="zeroDiagonal">μ_j = R_jj / P_jj (diag B = 0 as a constraint); else μ = 0.</param>
    public SequentialRows(DenseMatrix<T> product, DenseMatrix<T> inverse, bool zeroDiagonal)
    {
        _r = product;
        _p = inverse;
        int n = inverse.Size;
        _mu = new T[n];
        for (int j = 0; j < n && zeroDiagonal; j++)
        {
            T d = inverse[j, j];
            if (!(d > T.Zero) || !T.IsFinite(d))
                throw new NotPositiveDefiniteException(j, double.CreateTruncating(d), n);
            _mu[j] = product[j, j] / d;
        }
    }

    public int Size => _p.Size;

    public void Compute(int i, Span<float> row, Span<T> scratch)
    {
        // scratch = R_i − P_i ∘ μ
        TensorPrimitives.Multiply<T>(_p.Row(i), _mu, scratch);
        TensorPrimitives.Subtract<T>(_r.Row(i), scratch, scratch);
        if (typeof(T) == typeof(float))
            MemoryMarshal.Cast<T, float>(scratch).CopyTo(row);
        else
            TensorPrimitives.ConvertTruncating<T, float>(scratch, row);
        row[i] = 0;
    }
}

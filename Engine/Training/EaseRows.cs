using System.Numerics;
using System.Numerics.Tensors;
using Ease.Engine.Linalg;

namespace Ease.Engine.Training;

/// <summary>
/// Produces rows of B = I − P·diag(1/diag P) with a zero diagonal from the inverse P held in
/// place: B_ij = −P_ij / P_jj for j ≠ i. Row i of B is what history item i adds to every
/// candidate j, which is what the model file stores as row i.
/// </summary>
public sealed class EaseRows<T> : IWeightRows<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly DenseMatrix<T> _p;
    private readonly T[] _negInverseDiagonal;

    public EaseRows(DenseMatrix<T> inverse)
    {
        _p = inverse;
        int n = inverse.Size;
        _negInverseDiagonal = new T[n];
        for (int j = 0; j < n; j++)
        {
            T d = inverse[j, j];
            if (!(d > T.Zero) || !T.IsFinite(d))
                throw new NotPositiveDefiniteException(j, double.CreateTruncating(d), n);
            _negInverseDiagonal[j] = -T.One / d;
        }
    }

    public int Size => _p.Size;

    /// <summary>Writes row <paramref name="i"/> of B into <paramref name="row"/> (float32, diagonal 0).</summary>
    /// <param name="i">The row, 0 ≤ i &lt; n.</param>
    /// <param name="row">n floats to write.</param>
    /// <param name="scratch">Working space of n elements of T (used when T is not float).</param>
    public void Compute(int i, Span<float> row, Span<T> scratch)
    {
        ReadOnlySpan<T> p = _p.Row(i);
        if (typeof(T) == typeof(float))
        {
            TensorPrimitives.Multiply(
                System.Runtime.InteropServices.MemoryMarshal.Cast<T, float>(p),
                System.Runtime.InteropServices.MemoryMarshal.Cast<T, float>(_negInverseDiagonal),
                row);
        }
        else
        {
            TensorPrimitives.Multiply(p, _negInverseDiagonal, scratch);
            TensorPrimitives.ConvertTruncating<T, float>(scratch, row);
        }
        row[i] = 0;
    }
}

using System.Numerics.Tensors;
using Ease.Engine.Linalg;

namespace Ease.Engine.Training.Filters;

/// <summary>
/// Rows of a graph filter's operator M, or of its blend M + γ·B with EASE, diagonal 0. The
/// diagonal only ever scores an item the user already has, which the scorer excludes, so zeroing
/// it changes no recommendation and frees the row's pruning budget for other items.
/// </summary>
public sealed class FilterRows : IWeightRows<float>
{
    private readonly DenseMatrix<float> _m;
    private readonly EaseRows<float>? _ease;
    private readonly float _easeWeight;

    /// <param name="operatorMatrix">M, read only, outliving this.</param>
    /// <param name="ease">EASE's rows for a blend, or null.</param>
    /// <param name="easeWeight">γ of the blend.</param>
    public FilterRows(DenseMatrix<float> operatorMatrix, EaseRows<float>? ease = null, double easeWeight = 0)
    {
        ArgumentNullException.ThrowIfNull(operatorMatrix);
        if (ease is not null && ease.Size != operatorMatrix.Size)
            throw new ArgumentException($"EASE has {ease.Size} items, the operator {operatorMatrix.Size}");
        _m = operatorMatrix;
        _ease = ease;
        _easeWeight = (float)easeWeight;
    }

    public int Size => _m.Size;

    public void Compute(int i, Span<float> row, Span<float> scratch)
    {
        if (_ease is null || _easeWeight == 0)
        {
            _m.Row(i).CopyTo(row);
        }
        else
        {
            _ease.Compute(i, row, scratch);
            TensorPrimitives.MultiplyAdd(row, _easeWeight, _m.Row(i), row);
        }
        row[i] = 0;
    }
}

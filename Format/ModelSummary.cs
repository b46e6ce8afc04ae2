using System.Runtime.Intrinsics;

namespace Ease.Format;

/// <summary>Statistics of a model's weights, as `ease info` shows them.</summary>
public sealed record ModelSummary(
    int Items,
    long NonZeros,
    double Density,
    int RowNonZerosMin,
    double RowNonZerosMedian,
    int RowNonZerosMax,
    int EmptyRows,
    double NegativeShare,
    double SumSquares)
{
    /// <summary>Scans the model once: O(items) for row lengths, O(non-zeros) for the signs.</summary>
    public static ModelSummary Compute(ModelFile model)
    {
        ArgumentNullException.ThrowIfNull(model);
        int n = model.ItemCount;
        var lengths = new int[n];
        long negatives = 0;
        double sumSquares = 0;
        int empty = 0;
        var columnScratch = new int[model.MaxRowLength];
        var valueScratch = new float[model.MaxRowLength];
        for (int row = 0; row < n; row++)
        {
            ReadOnlySpan<float> values = valueScratch.AsSpan(0, model.ReadRow(row, columnScratch, valueScratch));
            lengths[row] = values.Length;
            if (values.IsEmpty)
                empty++;
            negatives += CountNegative(values);
            sumSquares += System.Numerics.Tensors.TensorPrimitives.SumOfSquares(values);
        }
        Array.Sort(lengths);
        double median = n % 2 == 1 ? lengths[n / 2] : 0.5 * (lengths[n / 2 - 1] + lengths[n / 2]);
        long nnz = model.NonZeroCount;
        return new ModelSummary(
            n,
            nnz,
            nnz / ((double)n * n),
            lengths[0],
            median,
            lengths[^1],
            empty,
            nnz == 0 ? 0 : (double)negatives / nnz,
            sumSquares);
    }

    private static long CountNegative(ReadOnlySpan<float> values)
    {
        long count = 0;
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            for (; i <= values.Length - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                Vector256<float> v = Vector256.Create(values.Slice(i, Vector256<float>.Count));
                count += System.Numerics.BitOperations.PopCount(Vector256.LessThan(v, Vector256<float>.Zero).ExtractMostSignificantBits());
            }
        }
        for (; i < values.Length; i++)
        {
            if (values[i] < 0)
                count++;
        }
        return count;
    }
}

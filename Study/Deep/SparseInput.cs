using System.Numerics.Tensors;

namespace Ease.Study.Deep;

/// <summary>
/// The first layer's products with the batch's sparse input X (CSR: user rows, item columns, values
/// 1/‖x_u‖ scaled by the dropout keep factor): X·W forward and Xᵀ·dY for the weight gradient. The
/// input has a few dozen nonzeros per user against tens of thousands of items, so a dense GEMM would
/// multiply mostly zeros; each nonzero instead adds one scaled row of W (or of dY).
/// </summary>
internal static unsafe class SparseInput
{
    /// <summary>C[u, :] += Σ_k values[k]·W[items[k], :] for users [u0, u1); W and C have <paramref name="width"/> columns.</summary>
    public static void Multiply(ReadOnlySpan<int> offsets, ReadOnlySpan<int> items, ReadOnlySpan<float> values,
        float* w, int width, float* c, int u0, int u1)
    {
        for (int u = u0; u < u1; u++)
        {
            var row = new Span<float>(c + (nint)u * width, width);
            for (int k = offsets[u]; k < offsets[u + 1]; k++)
            {
                var wr = new ReadOnlySpan<float>(w + (nint)items[k] * width, width);
                TensorPrimitives.MultiplyAdd(wr, values[k], row, row);
            }
        }
    }

    /// <summary>
    /// dW[items[k], c0..c1) += values[k]·dY[u, c0..c1) over all users: the transpose product, split by
    /// column range so that threads never write the same element and the sum order is fixed.
    /// </summary>
    public static void TransposeMultiply(ReadOnlySpan<int> offsets, ReadOnlySpan<int> items, ReadOnlySpan<float> values,
        float* dy, int width, float* dw, int users, int c0, int c1)
    {
        int span = c1 - c0;
        if (span <= 0) return;
        for (int u = 0; u < users; u++)
        {
            var src = new ReadOnlySpan<float>(dy + (nint)u * width + c0, span);
            for (int k = offsets[u]; k < offsets[u + 1]; k++)
            {
                var dst = new Span<float>(dw + (nint)items[k] * width + c0, span);
                TensorPrimitives.MultiplyAdd(src, values[k], dst, dst);
            }
        }
    }
}

using System.Numerics.Tensors;

namespace Ease.Study.Deep;

/// <summary>
/// Negative log-likelihood of one user's binary row x under the output logits, and its gradient with
/// respect to the logits, written over them. x is given by its nonzero items; the dense row is never built.
/// </summary>
internal static class OutputLoss
{
    /// <summary>
    /// Returns −log p(x | logits) and overwrites <paramref name="row"/> with scale·∂/∂logits
    /// (scale = 1/batch: the reference averages the loss over the batch's users).
    /// </summary>
    public static double Row(Likelihood likelihood, Span<float> row, ReadOnlySpan<int> history, float scale, Span<float> scratch)
    {
        double atHistory = 0;
        foreach (int j in history)
            atHistory += row[j];
        int count = history.Length;
        double loss;
        switch (likelihood)
        {
            case Likelihood.Multinomial:
            {
                if (count == 0)
                {
                    row.Clear();
                    return 0;
                }
                // log softmax = l − (max + log Σ exp(l − max)); the max keeps exp in range.
                float max = TensorPrimitives.Max(row);
                TensorPrimitives.Subtract(row, max, row);
                TensorPrimitives.Exp(row, row);
                double z = TensorPrimitives.Sum(row);
                loss = -atHistory + count * (max + Math.Log(z));
                // ∂/∂l of −Σ x log softmax(l) = softmax(l)·Σx − x.
                TensorPrimitives.Multiply(row, (float)(count * scale / z), row);
                break;
            }
            case Likelihood.Gaussian:
            {
                // ½ Σ (l − x)² = ½ Σ l² − Σ_{x=1} l + ½ |x|; gradient l − x.
                loss = 0.5 * TensorPrimitives.SumOfSquares(row) - atHistory + 0.5 * count;
                TensorPrimitives.Multiply(row, scale, row);
                break;
            }
            default:
            {
                // −Σ [x log σ(l) + (1 − x) log(1 − σ(l))] = Σ softplus(l) − Σ_{x=1} l, with
                // softplus(l) = max(l, 0) + log(1 + exp(−|l|)) (no overflow for large |l|); gradient σ(l) − x.
                var s = scratch[..row.Length];
                TensorPrimitives.Abs(row, s);
                TensorPrimitives.Negate(s, s);
                TensorPrimitives.Exp(s, s);
                TensorPrimitives.Add(s, 1f, s);
                TensorPrimitives.Log(s, s);
                double softplus = TensorPrimitives.Sum(s);
                TensorPrimitives.Max(row, 0f, s);
                softplus += TensorPrimitives.Sum(s);
                loss = softplus - atHistory;
                TensorPrimitives.Sigmoid(row, row);
                TensorPrimitives.Multiply(row, scale, row);
                break;
            }
        }
        foreach (int j in history)
            row[j] -= scale;
        return loss;
    }
}

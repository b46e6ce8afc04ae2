using Ease.Study.Sequence;

namespace Ease.Tests.Study;

/// <summary>
/// An independent double-precision forward loss of the two transformers, written from their definitions with plain
/// loops and no code shared with <c>SequencePass</c>: embeddings (+ learned positions), per block a pre-norm causal
/// self-attention and a pre-norm feed-forward, each added to the residual stream through its dropout mask, a final
/// norm, logits against the output matrix, and the mean cross-entropy (full, or the target against the sampled
/// items of its chunk). Weights are read from the network's flat layout; dropout masks are replayed, not drawn.
/// </summary>
internal sealed class SequenceReference
{
    private readonly SequenceNetwork _net;
    private readonly int _d, _f, _heads, _dh;
    private readonly bool _llm;

    public SequenceReference(SequenceNetwork net)
    {
        _net = net;
        _d = net.D;
        _f = net.F;
        _llm = net.Llm;
        _heads = net.Options.Heads;
        _dh = _d / _heads;
    }

    /// <summary>The dropout multipliers of one training pass: embedding, and per block the attention and feed-forward branches (row-major tokens × d). Null = no dropout.</summary>
    public sealed record Masks(double[] Embedding, double[][] Attention, double[][] FeedForward);

    /// <summary>
    /// The mean loss over the batch's tokens for weights <paramref name="w"/>. Sampled softmax takes the items of
    /// chunk c (rows [c·chunkRows, (c + 1)·chunkRows)) from <paramref name="negatives"/>[c·K, (c + 1)·K).
    /// </summary>
    public double Loss(double[] w, SequenceBatch batch, Masks? masks, ReadOnlySpan<int> negatives = default, int chunkRows = 0)
    {
        int T = batch.TokenCount, d = _d, n = _net.Items;
        var x = new double[T * d];
        for (int t = 0; t < T; t++)
            for (int j = 0; j < d; j++)
            {
                double v = w[_net.Embedding + (long)batch.Tokens[t] * d + j];
                if (!_llm) v += w[_net.Positions + (long)batch.Learned[t] * d + j];
                x[t * d + j] = v * (masks?.Embedding[t * d + j] ?? 1);
            }
        for (int b = 0; b < _net.Block.Length; b++)
        {
            BlockLayout L = _net.Block[b];
            double[] a = Norm(w, x, T, L.Gain1, L.Bias1);
            double[] qkv = MatMul(a, T, d, w, L.Qkv, 3 * d);
            if (_llm) Rotate(qkv, batch);
            double[] o = Attention(qkv, batch);
            double[] y = MatMul(o, T, d, w, L.Wo, d);
            for (int i = 0; i < T * d; i++) x[i] += y[i] * (masks?.Attention[b][i] ?? 1);
            double[] c = Norm(w, x, T, L.Gain2, L.Bias2);
            double[] act;
            if (_llm)
            {
                double[] pre = MatMul(c, T, d, w, L.W1, 2 * _f);
                act = new double[T * _f];
                for (int t = 0; t < T; t++)
                    for (int j = 0; j < _f; j++)
                    {
                        double g = pre[t * 2 * _f + j], u = pre[t * 2 * _f + _f + j];
                        act[t * _f + j] = g / (1 + Math.Exp(-g)) * u;
                    }
            }
            else
            {
                act = MatMul(c, T, d, w, L.W1, _f);
                for (int i = 0; i < act.Length; i++) act[i] = Math.Max(0, act[i] + w[L.B1 + i % _f]);
            }
            y = MatMul(act, T, _f, w, L.W2, d);
            for (int i = 0; i < T * d; i++)
            {
                double v = y[i] + (L.B2 >= 0 ? w[L.B2 + i % d] : 0);
                x[i] += v * (masks?.FeedForward[b][i] ?? 1);
            }
        }
        double[] h = Norm(w, x, T, _net.FinalGain, _net.FinalBias);
        int k = _net.Options.Negatives;
        double total = 0;
        for (int t = 0; t < T; t++)
        {
            double Logit(int item)
            {
                double s = 0;
                for (int j = 0; j < d; j++) s += h[t * d + j] * w[_net.Output + (long)item * d + j];
                return s;
            }
            int target = batch.Targets[t];
            double pos = Logit(target);
            var logits = new List<double> { pos };
            if (k == 0)
            {
                for (int i = 0; i < n; i++)
                    if (i != target) logits.Add(Logit(i));
            }
            else
            {
                int chunk = t / chunkRows;
                for (int j = 0; j < k; j++)
                {
                    int item = negatives[chunk * k + j];
                    if (item != target) logits.Add(Logit(item));
                }
            }
            double max = logits.Max();
            total += Math.Log(logits.Sum(z => Math.Exp(z - max))) + max - pos;
        }
        return total / T;
    }

    /// <summary>LayerNorm (with a bias) or RMSNorm (without), ε = 1e-6 inside the root.</summary>
    private double[] Norm(double[] w, double[] x, int rows, long gain, long bias)
    {
        int d = _d;
        var y = new double[rows * d];
        for (int r = 0; r < rows; r++)
        {
            double mean = 0;
            if (bias >= 0)
            {
                for (int j = 0; j < d; j++) mean += x[r * d + j];
                mean /= d;
            }
            double sq = 0;
            for (int j = 0; j < d; j++) sq += (x[r * d + j] - mean) * (x[r * d + j] - mean);
            double inv = 1 / Math.Sqrt(sq / d + SequenceKernels.NormEpsilon);
            for (int j = 0; j < d; j++)
                y[r * d + j] = w[gain + j] * (x[r * d + j] - mean) * inv + (bias >= 0 ? w[bias + j] : 0);
        }
        return y;
    }

    /// <summary>x (rows × inDim) times the row-major inDim × outDim matrix at <paramref name="at"/>.</summary>
    private static double[] MatMul(double[] x, int rows, int inDim, double[] w, long at, int outDim)
    {
        var y = new double[rows * outDim];
        for (int r = 0; r < rows; r++)
            for (int i = 0; i < inDim; i++)
            {
                double xi = x[r * inDim + i];
                for (int j = 0; j < outDim; j++)
                    y[r * outDim + j] += xi * w[at + (long)i * outDim + j];
            }
        return y;
    }

    /// <summary>Rotary positions (RoFormer): in each head, the pair (2i, 2i + 1) of q and of k turned by p·10000^(−2i/dh), p the token's index in its sequence.</summary>
    private void Rotate(double[] qkv, SequenceBatch batch)
    {
        int d = _d;
        for (int t = 0; t < batch.TokenCount; t++)
        {
            int p = batch.Offsets[t];
            for (int part = 0; part < 2; part++)
                for (int head = 0; head < _heads; head++)
                    for (int i = 0; i < _dh / 2; i++)
                    {
                        double angle = p * Math.Pow(10000, -2.0 * i / _dh);
                        long at = (long)t * 3 * d + part * d + head * _dh + 2 * i;
                        double a = qkv[at], b = qkv[at + 1];
                        qkv[at] = a * Math.Cos(angle) - b * Math.Sin(angle);
                        qkv[at + 1] = a * Math.Sin(angle) + b * Math.Cos(angle);
                    }
        }
    }

    /// <summary>Causal softmax attention within each sequence, per head, scores scaled by 1/√dh.</summary>
    private double[] Attention(double[] qkv, SequenceBatch batch)
    {
        int d = _d;
        var o = new double[batch.TokenCount * d];
        for (int s = 0; s < batch.Count; s++)
        {
            int start = batch.Starts[s], end = batch.Starts[s + 1];
            for (int head = 0; head < _heads; head++)
                for (int i = start; i < end; i++)
                {
                    var scores = new double[i - start + 1];
                    for (int j = start; j <= i; j++)
                    {
                        double dot = 0;
                        for (int c = 0; c < _dh; c++)
                            dot += qkv[i * 3 * d + head * _dh + c] * qkv[j * 3 * d + d + head * _dh + c];
                        scores[j - start] = dot / Math.Sqrt(_dh);
                    }
                    double max = scores.Max(), sum = scores.Sum(z => Math.Exp(z - max));
                    for (int j = start; j <= i; j++)
                    {
                        double p = Math.Exp(scores[j - start] - max) / sum;
                        for (int c = 0; c < _dh; c++)
                            o[i * d + head * _dh + c] += p * qkv[j * 3 * d + 2 * d + head * _dh + c];
                    }
                }
        }
        return o;
    }
}

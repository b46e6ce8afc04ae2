using System.Numerics.Tensors;
using Ease.Engine.Synthetic;
using Ease.Study.Deep;
using static Ease.Study.Sequence.SequenceKernels;

namespace Ease.Study.Sequence;

/// <summary>
/// The forward and backward pass of the transformer over one packed batch, with every activation the backward pass
/// needs kept in buffers allocated once for <c>sequences × maxlen</c> tokens. Dense products run on the engine's
/// packed GEMM (<see cref="DeepCompute"/>); row-wise work is split over the same thread team.
/// Block b: x ← x + drop(Attn(Norm₁(x))·Wo); x ← x + drop(FFN(Norm₂(x))); the output is Norm_f(x)·Eᵀ.
/// </summary>
internal sealed unsafe class SequencePass
{
    private readonly SequenceNetwork _net;
    private readonly DeepCompute _cc;
    private readonly int _cap, _d, _f, _dh, _heads, _blocks, _chunk;
    private readonly bool _llm;
    private readonly float[][] _x, _xmid, _a, _c, _qkv, _o, _pre, _act, _m1, _m2, _s1, _s2, _p;
    private readonly float[] _m0, _sf, _hf, _dhf, _dx, _tmp, _dc, _dqkv, _do, _dpre, _dact, _z, _g0, _neg, _dneg, _last;
    private readonly float[] _cos = [], _sin = [];
    private readonly float[][] _partials, _rows;
    private readonly long[] _probBase;
    private readonly double[] _lossPartials;
    private readonly int[] _negatives;
    private int _tokens;
    private bool _dropped;

    public SequencePass(SequenceNetwork net, DeepCompute cc, int sequences)
    {
        _net = net;
        _cc = cc;
        SequenceOptions o = net.Options;
        _d = net.D;
        _f = net.F;
        _llm = net.Llm;
        _heads = o.Heads;
        _dh = _d / _heads;
        _blocks = o.Blocks;
        _cap = sequences * o.MaxLength;
        int pre = _llm ? 2 * _f : _f;
        float[][] PerBlock(long width) => Enumerable.Range(0, _blocks).Select(_ => Pinned.Floats(_cap * width)).ToArray();
        _x = Enumerable.Range(0, _blocks + 1).Select(_ => Pinned.Floats((long)_cap * _d)).ToArray();
        _xmid = PerBlock(_d);
        _a = PerBlock(_d);
        _c = PerBlock(_d);
        _qkv = PerBlock(3 * _d);
        _o = PerBlock(_d);
        _pre = PerBlock(pre);
        _act = PerBlock(_f);
        _m1 = PerBlock(_d);
        _m2 = PerBlock(_d);
        _s1 = PerBlock(2);
        _s2 = PerBlock(2);
        _p = PerBlock((long)o.MaxLength * _heads);
        _m0 = Pinned.Floats((long)_cap * _d);
        _sf = Pinned.Floats(2L * _cap);
        _hf = Pinned.Floats((long)_cap * _d);
        _dhf = Pinned.Floats((long)_cap * _d);
        _dx = Pinned.Floats((long)_cap * _d);
        _tmp = Pinned.Floats((long)_cap * _d);
        _dc = Pinned.Floats((long)_cap * _d);
        _dqkv = Pinned.Floats((long)_cap * 3 * _d);
        _do = Pinned.Floats((long)_cap * _d);
        _dpre = Pinned.Floats((long)_cap * pre);
        _dact = Pinned.Floats((long)_cap * _f);
        _last = Pinned.Floats((long)sequences * _d);
        int n = net.Items;
        int k = o.Negatives;
        int width = k > 0 ? k : n;
        _chunk = Math.Clamp((1 << 22) / width, 64, 4096);
        _chunk = Math.Min(_chunk, _cap);
        _z = Pinned.Floats((long)_chunk * width);
        _g0 = Pinned.Floats(_chunk);
        _neg = Pinned.Floats((long)Math.Max(k, 1) * _d);
        _dneg = Pinned.Floats((long)Math.Max(k, 1) * _d);
        _negatives = new int[(_cap + _chunk - 1) / _chunk * Math.Max(k, 1)];
        if (_llm)
            (_cos, _sin) = RotaryTables(o.MaxLength, _dh);
        int threads = cc.Threads;
        _partials = Enumerable.Range(0, threads).Select(_ => Pinned.Floats(2 * Math.Max(_d, pre))).ToArray();
        _rows = Enumerable.Range(0, threads).Select(_ => Pinned.Floats(o.MaxLength)).ToArray();
        _lossPartials = new double[threads];
        _probBase = new long[sequences + 1];
    }

    /// <summary>Floating-point operations of the GEMMs and attention since the counter was last read.</summary>
    public double Flops { get; set; }

    /// <summary>Row-major tokens × d: the final normed hidden states of the last forward pass.</summary>
    internal float[] Hidden => _hf;

    /// <summary>The embedding dropout multipliers of the last training pass (tests replay them).</summary>
    internal float[] EmbeddingMask => _m0;

    internal float[] AttentionMask(int block) => _m1[block];

    internal float[] FeedForwardMask(int block) => _m2[block];

    internal int ChunkRows => _chunk;

    /// <summary>The sampled items of chunk c of the last sampled loss: [c·K, (c + 1)·K).</summary>
    internal ReadOnlySpan<int> Negatives => _negatives;

    private static float* P(float[] a) => Pinned.Ptr(a);

    private float* W(long offset) => P(_net.Weights) + offset;

    private float* G(long offset) => P(_net.Gradient) + offset;

    private void Gemm(int m, int n, int k, float* a, nint ars, nint acs, float* b, nint brs, nint bcs, float* c, nint ldc)
    {
        _cc.Gemm(m, n, k, a, ars, acs, b, brs, bcs, c, ldc);
        Flops += 2.0 * m * n * k;
    }

    /// <summary>y = x·W (x rows × in, W in × out).</summary>
    private void Linear(float* x, float* w, float* y, int rows, int inDim, int outDim)
    {
        new Span<float>(y, rows * outDim).Clear();
        Gemm(rows, outDim, inDim, x, inDim, 1, w, outDim, 1, y, outDim);
    }

    /// <summary>dW += xᵀ·dy; dx = dy·Wᵀ (dx skipped when null).</summary>
    private void LinearBackward(float* x, float* w, float* dy, float* dw, float* dx, int rows, int inDim, int outDim)
    {
        Gemm(inDim, outDim, rows, x, 1, inDim, dy, outDim, 1, dw, outDim);
        if (dx == null) return;
        new Span<float>(dx, rows * inDim).Clear();
        Gemm(rows, inDim, outDim, dy, outDim, 1, w, 1, outDim, dx, inDim);
    }

    private void Rows(int count, Action<int, int, int> body) => _cc.Parallel(t =>
    {
        (int begin, int end) = _cc.Share(t, count);
        body(t, begin, end);
    });

    /// <summary>Adds each thread's partial sums (first <paramref name="width"/> floats) to dst, in thread order.</summary>
    private void Reduce(float* dst, int width, int at = 0)
    {
        foreach (float[] part in _partials)
        {
            for (int j = 0; j < width; j++)
            {
                dst[j] += part[at + j];
                part[at + j] = 0;
            }
        }
    }

    private void ColumnSums(float* src, int rows, int width, float* dst)
    {
        Rows(rows, (t, b, e) =>
        {
            float[] part = _partials[t];
            for (int r = b; r < e; r++)
                for (int j = 0; j < width; j++)
                    part[j] += src[(long)r * width + j];
        });
        Reduce(dst, width);
    }

    private void Norm(float* x, float* y, float* stats, long gain, long bias, int rows) =>
        Rows(rows, (_, b, e) => NormForward(x, y, stats, W(gain), bias < 0 ? null : W(bias), _d, b, e));

    private void NormBack(float* x, float* dy, float* dx, float* stats, long gain, long bias, int rows)
    {
        bool ln = bias >= 0;
        Rows(rows, (t, b, e) =>
        {
            float* part = P(_partials[t]);
            NormBackward(x, dy, dx, stats, W(gain), ln, part, part + _d, _d, b, e);
        });
        Reduce(G(gain), _d);
        if (ln) Reduce(G(bias), _d, _d);
        else foreach (float[] part in _partials) Array.Clear(part, _d, _d);
    }

    private void Mask(float* mask, ulong seed, int rows)
    {
        int blocks = (rows + DropoutBlockRows - 1) / DropoutBlockRows;
        float p = _net.Options.Dropout;
        Rows(blocks, (_, b, e) => DropoutMask(mask, _d, p, seed, rows, b, e));
    }

    /// <summary>
    /// The forward pass over <paramref name="batch"/>; with <paramref name="train"/> and dropout &gt; 0 the masks are drawn
    /// from <paramref name="seed"/>. Leaves the final hidden states in <see cref="Hidden"/>.
    /// </summary>
    public void Forward(SequenceBatch batch, bool train, ulong seed)
    {
        int T = batch.TokenCount;
        if (T > _cap) throw new ArgumentException("batch exceeds the pass's capacity");
        _tokens = T;
        _dropped = train && _net.Options.Dropout > 0;
        int d = _d;
        long probs = 0;
        for (int s = 0; s < batch.Count; s++)
        {
            _probBase[s] = probs;
            long len = batch.Starts[s + 1] - batch.Starts[s];
            probs += len * len * _heads;
        }
        _probBase[batch.Count] = probs;
        if (_dropped) Mask(P(_m0), seed * 31 + 1, T);
        int[] tokens = batch.Tokens, learned = batch.Learned;
        Rows(T, (_, b, e) =>
        {
            float* x = P(_x[0]);
            for (int t = b; t < e; t++)
            {
                float* xr = x + (long)t * d, er = W(_net.Embedding) + (long)tokens[t] * d;
                float* pr = _net.Positions >= 0 ? W(_net.Positions) + (long)learned[t] * d : null;
                float* m = P(_m0) + (long)t * d;
                for (int j = 0; j < d; j++)
                {
                    float v = er[j] + (pr != null ? pr[j] : 0f);
                    xr[j] = _dropped ? v * m[j] : v;
                }
            }
        });
        for (int blk = 0; blk < _blocks; blk++)
        {
            BlockLayout L = _net.Block[blk];
            float* x = P(_x[blk]), xmid = P(_xmid[blk]), a = P(_a[blk]), c = P(_c[blk]), qkv = P(_qkv[blk]);
            float* att = P(_o[blk]), pre = P(_pre[blk]), act = P(_act[blk]), next = P(_x[blk + 1]);
            Norm(x, a, P(_s1[blk]), L.Gain1, L.Bias1, T);
            Linear(a, W(L.Qkv), qkv, T, d, 3 * d);
            if (_llm) RotateRows(qkv, batch, T, 1f);
            AttentionAll(batch, qkv, att, P(_p[blk]), forward: true, null, null);
            Linear(att, W(L.Wo), P(_tmp), T, d, d);
            if (_dropped) Mask(P(_m1[blk]), seed * 31 + 2 + 2 * (ulong)blk, T);
            Residual(x, P(_tmp), _dropped ? P(_m1[blk]) : null, xmid, T, d);
            Norm(xmid, c, P(_s2[blk]), L.Gain2, L.Bias2, T);
            int f = _f;
            if (_llm)
            {
                Linear(c, W(L.W1), pre, T, d, 2 * f);
                Rows(T, (_, b, e) =>
                {
                    for (long i = (long)b * f; i < (long)e * f; i++)
                    {
                        long r = i / f, j = i % f;
                        float g = pre[r * 2 * f + j], u = pre[r * 2 * f + f + j];
                        act[i] = g * Sigmoid(g) * u;
                    }
                });
            }
            else
            {
                Linear(c, W(L.W1), pre, T, d, f);
                float* b1 = W(L.B1);
                Rows(T, (_, b, e) =>
                {
                    for (long i = (long)b * f; i < (long)e * f; i++)
                    {
                        float v = pre[i] + b1[i % f];
                        pre[i] = v;
                        act[i] = v > 0 ? v : 0;
                    }
                });
            }
            Linear(act, W(L.W2), P(_tmp), T, f, d);
            if (L.B2 >= 0)
            {
                float* b2 = W(L.B2);
                float* tmp = P(_tmp);
                Rows(T, (_, b, e) =>
                {
                    for (int t = b; t < e; t++)
                        for (int j = 0; j < d; j++)
                            tmp[(long)t * d + j] += b2[j];
                });
            }
            if (_dropped) Mask(P(_m2[blk]), seed * 31 + 3 + 2 * (ulong)blk, T);
            Residual(xmid, P(_tmp), _dropped ? P(_m2[blk]) : null, next, T, d);
        }
        Norm(P(_x[_blocks]), P(_hf), P(_sf), _net.FinalGain, _net.FinalBias, T);
    }

    private void Residual(float* x, float* y, float* mask, float* result, int rows, int d) => Rows(rows, (_, b, e) =>
    {
        for (long i = (long)b * d; i < (long)e * d; i++)
            result[i] = x[i] + (mask != null ? mask[i] * y[i] : y[i]);
    });

    private void RotateRows(float* qkv, SequenceBatch batch, int rows, float sign)
    {
        int[] offsets = batch.Offsets;
        Rows(rows, (_, b, e) =>
        {
            fixed (int* pos = offsets)
                Rotate(qkv, pos, P(_cos), P(_sin), _d, _dh, b, e, sign);
        });
    }

    /// <summary>Every (sequence, head) pair, taken from a shared counter: the outputs are disjoint, so the order of work does not change them.</summary>
    private void AttentionAll(SequenceBatch batch, float* qkv, float* o, float* p, bool forward, float* dO, float* dqkv)
    {
        int pairs = batch.Count * _heads;
        int next = -1;
        double flops = 0;
        for (int s = 0; s < batch.Count; s++)
        {
            double len = batch.Starts[s + 1] - batch.Starts[s];
            flops += len * (len + 1) / 2 * _dh * (forward ? 4 : 8) * _heads;
        }
        Flops += flops;
        int[] starts = batch.Starts;
        _cc.Parallel(t =>
        {
            float* row = P(_rows[t]);
            int pair;
            while ((pair = Interlocked.Increment(ref next)) < pairs)
            {
                int s = pair / _heads, h = pair % _heads;
                int start = starts[s], len = starts[s + 1] - start;
                float* ps = p + _probBase[s] + (long)h * len * len;
                if (forward)
                    AttentionForward(qkv, o, ps, start, len, _d, h, _dh);
                else
                    AttentionBackward(qkv, dO, ps, dqkv, row, start, len, _d, h, _dh);
            }
        });
    }

    /// <summary>
    /// The mean softmax cross-entropy of the batch's tokens against their targets, full (over all items) or sampled
    /// (target against <see cref="SequenceOptions.Negatives"/> uniform items drawn per chunk of rows from
    /// <paramref name="seed"/>, accidental hits masked), with its gradient: the output matrix's into the network's
    /// gradient, the hidden states' kept for <see cref="Backward"/>. Logits exist for one chunk of rows at a time.
    /// Returns the sum of the tokens' losses.
    /// </summary>
    public double Loss(SequenceBatch batch, ulong seed)
    {
        int T = _tokens, d = _d, n = _net.Items, k = _net.Options.Negatives;
        float scale = 1f / T;
        new Span<float>(P(_dhf), T * d).Clear();
        Array.Clear(_lossPartials);
        float* output = W(_net.Output), dOutput = G(_net.Output);
        int[] targets = batch.Targets;
        for (int c0 = 0, chunk = 0; c0 < T; c0 += _chunk, chunk++)
        {
            int rows = Math.Min(_chunk, T - c0);
            float* h = P(_hf) + (long)c0 * d, dh = P(_dhf) + (long)c0 * d, z = P(_z);
            int width = k > 0 ? k : n;
            new Span<float>(z, rows * width).Clear();
            int negAt = chunk * k;
            if (k > 0)
            {
                var rng = new Xoshiro256(unchecked((long)(seed * 0x9E3779B97F4A7C15UL + (ulong)chunk)));
                for (int j = 0; j < k; j++)
                {
                    int item = rng.NextInt(n);
                    _negatives[negAt + j] = item;
                    new Span<float>(output + (long)item * d, d).CopyTo(new Span<float>(P(_neg) + (long)j * d, d));
                }
                Gemm(rows, k, d, h, d, 1, P(_neg), 1, d, z, k);
            }
            else
            {
                Gemm(rows, n, d, h, d, 1, output, 1, d, z, n);
            }
            int first = c0;
            Rows(rows, (t, b, e) =>
            {
                double loss = 0;
                for (int r = b; r < e; r++)
                {
                    float* zr = z + (long)r * width;
                    int target = targets[first + r];
                    if (k > 0)
                    {
                        float pos = Dot(h + (long)r * d, output + (long)target * d, d);
                        float max = pos;
                        for (int j = 0; j < k; j++)
                        {
                            if (_negatives[negAt + j] == target) zr[j] = float.NegativeInfinity;
                            else if (zr[j] > max) max = zr[j];
                        }
                        var row = new Span<float>(zr, k);
                        TensorPrimitives.Subtract(row, max, row);
                        TensorPrimitives.Exp(row, row);
                        double ePos = Math.Exp(pos - max), sum = ePos + TensorPrimitives.Sum(row);
                        loss += Math.Log(sum) + max - pos;
                        TensorPrimitives.Multiply(row, (float)(scale / sum), row);
                        _g0[r] = ((float)(ePos / sum) - 1f) * scale;
                    }
                    else
                    {
                        // The row's softmax is most of the step's non-GEMM work (tokens × items exponentials), so it
                        // runs on TensorPrimitives' vectorized Max, Exp and Sum rather than scalar MathF.Exp.
                        var row = new Span<float>(zr, n);
                        float zt = zr[target], max = TensorPrimitives.Max(row);
                        TensorPrimitives.Subtract(row, max, row);
                        TensorPrimitives.Exp(row, row);
                        double sum = TensorPrimitives.Sum(row);
                        loss += Math.Log(sum) + max - zt;
                        TensorPrimitives.Multiply(row, (float)(scale / sum), row);
                        zr[target] -= scale;
                    }
                }
                _lossPartials[t] += loss;
            });
            Gemm(rows, d, width, z, width, 1, k > 0 ? P(_neg) : output, d, 1, dh, d);
            if (k > 0)
            {
                new Span<float>(P(_dneg), k * d).Clear();
                Gemm(k, d, rows, z, 1, k, h, d, 1, P(_dneg), d);
                for (int j = 0; j < k; j++)
                    Axpy(1f, P(_dneg) + (long)j * d, dOutput + (long)_negatives[negAt + j] * d, d);
                for (int r = 0; r < rows; r++)
                {
                    int target = targets[c0 + r];
                    Axpy(_g0[r], output + (long)target * d, dh + (long)r * d, d);
                    Axpy(_g0[r], h + (long)r * d, dOutput + (long)target * d, d);
                }
                Flops += 8.0 * rows * d;
            }
            else
            {
                Gemm(n, d, rows, z, 1, n, h, d, 1, dOutput, d);
            }
        }
        double total = 0;
        foreach (double part in _lossPartials) total += part;
        return total;
    }

    /// <summary>The backward pass of the last <see cref="Forward"/>, from the hidden-state gradient <see cref="Loss"/> left; adds into the network's gradient.</summary>
    public void Backward(SequenceBatch batch)
    {
        int T = _tokens, d = _d, f = _f;
        float* dx = P(_dx);
        new Span<float>(dx, T * d).Clear();
        NormBack(P(_x[_blocks]), P(_dhf), dx, P(_sf), _net.FinalGain, _net.FinalBias, T);
        for (int blk = _blocks - 1; blk >= 0; blk--)
        {
            BlockLayout L = _net.Block[blk];
            float* dy = _dropped ? P(_tmp) : dx;
            if (_dropped) Multiply(dx, P(_m2[blk]), dy, T * d);
            if (L.B2 >= 0) ColumnSums(dy, T, d, G(L.B2));
            float* dact = P(_dact), dpre = P(_dpre), pre = P(_pre[blk]);
            LinearBackward(P(_act[blk]), W(L.W2), dy, G(L.W2), dact, T, f, d);
            if (_llm)
            {
                Rows(T, (_, b, e) =>
                {
                    for (long i = (long)b * f; i < (long)e * f; i++)
                    {
                        long r = i / f, j = i % f;
                        float g = pre[r * 2 * f + j], u = pre[r * 2 * f + f + j];
                        float sg = Sigmoid(g);
                        dpre[r * 2 * f + j] = dact[i] * u * sg * (1 + g * (1 - sg));
                        dpre[r * 2 * f + f + j] = dact[i] * g * sg;
                    }
                });
                LinearBackward(P(_c[blk]), W(L.W1), dpre, G(L.W1), P(_dc), T, d, 2 * f);
            }
            else
            {
                Rows(T, (_, b, e) =>
                {
                    for (long i = (long)b * f; i < (long)e * f; i++)
                        dpre[i] = pre[i] > 0 ? dact[i] : 0;
                });
                ColumnSums(dpre, T, f, G(L.B1));
                LinearBackward(P(_c[blk]), W(L.W1), dpre, G(L.W1), P(_dc), T, d, f);
            }
            NormBack(P(_xmid[blk]), P(_dc), dx, P(_s2[blk]), L.Gain2, L.Bias2, T);
            dy = _dropped ? P(_tmp) : dx;
            if (_dropped) Multiply(dx, P(_m1[blk]), dy, T * d);
            LinearBackward(P(_o[blk]), W(L.Wo), dy, G(L.Wo), P(_do), T, d, d);
            AttentionAll(batch, P(_qkv[blk]), null, P(_p[blk]), forward: false, P(_do), P(_dqkv));
            if (_llm) RotateRows(P(_dqkv), batch, T, -1f);
            LinearBackward(P(_a[blk]), W(L.Qkv), P(_dqkv), G(L.Qkv), P(_dc), T, d, 3 * d);
            NormBack(P(_x[blk]), P(_dc), dx, P(_s1[blk]), L.Gain1, L.Bias1, T);
        }
        // Scattered adds into the embedding rows run on one thread: items repeat across tokens.
        float* dE = G(_net.Embedding), dPos = _net.Positions >= 0 ? G(_net.Positions) : null, m0 = P(_m0);
        for (int t = 0; t < T; t++)
        {
            float* g = dx + (long)t * d;
            if (_dropped)
                for (int j = 0; j < d; j++) g[j] *= m0[j + (long)t * d];
            Axpy(1f, g, dE + (long)batch.Tokens[t] * d, d);
            if (dPos != null) Axpy(1f, g, dPos + (long)batch.Learned[t] * d, d);
        }
    }

    private void Multiply(float* x, float* mask, float* y, int count) => Rows(count, (_, b, e) =>
    {
        for (int i = b; i < e; i++) y[i] = x[i] * mask[i];
    });

    /// <summary>Scores every item for each sequence of <paramref name="batch"/> from its last token: scores[s·n + i] = h_last·e_i.</summary>
    public void Score(SequenceBatch batch, float* scores)
    {
        Forward(batch, train: false, 0);
        int d = _d, n = _net.Items;
        for (int s = 0; s < batch.Count; s++)
            new Span<float>(P(_hf) + (long)(batch.Starts[s + 1] - 1) * d, d).CopyTo(new Span<float>(P(_last) + (long)s * d, d));
        new Span<float>(scores, batch.Count * n).Clear();
        Gemm(batch.Count, n, d, P(_last), d, 1, W(_net.Output), 1, d, scores, n);
    }
}

using System.Numerics.Tensors;
using Ease.Engine.Synthetic;

namespace Ease.Study.Deep;

/// <summary>
/// Forward and backward pass of one batch of users through a <see cref="DeepNetwork"/>, with every buffer
/// sized once for the largest batch: activations of each layer (kept for the backward pass), the
/// pre-activation gradients, the VAE's code, noise and their gradients, and the batch's input in CSR form.
/// The output layer (logits, then their gradient in place) is the caller's buffer: training keeps one,
/// scoring writes straight into the caller's score rows.
/// </summary>
internal sealed unsafe class BatchPass
{
    private readonly DeepNetwork _net;
    private readonly float[][] _act;   // post-activation output of each hidden layer, Capacity x Out
    private readonly float[][] _grad;  // ∂loss/∂(pre-activation) of each hidden layer, Capacity x Out
    private readonly float[] _z, _dz, _eps;
    private readonly double[] _rowLoss;
    private readonly int[] _histOffsets, _inOffsets;
    private int[] _histItems = new int[1024];
    private int[] _inItems = new int[1024];
    private float[] _inValues = new float[1024];
    private float[][] _scratch = [];

    // Per-call state read by the cached parallel bodies (no closure allocated per batch).
    private DeepCompute? _cc;
    private int _layer;
    private float* _out;
    private Likelihood _likelihood;
    private readonly Action<int> _sparseForward, _sparseBackward, _lossRows;

    public BatchPass(DeepNetwork network, int capacity)
    {
        _net = network;
        Capacity = Math.Max(1, capacity);
        int last = network.Layers.Length - 1;
        _act = new float[last][];
        _grad = new float[last][];
        for (int l = 0; l < last; l++)
        {
            _act[l] = Pinned.Floats((long)Capacity * network.Layers[l].Out);
            _grad[l] = Pinned.Floats((long)Capacity * network.Layers[l].Out);
        }
        int zLen = network.Variational ? Capacity * network.Latent : 0;
        _z = Pinned.Floats(zLen);
        _dz = Pinned.Floats(zLen);
        _eps = Pinned.Floats(zLen);
        _rowLoss = new double[Capacity];
        _histOffsets = new int[Capacity + 1];
        _inOffsets = new int[Capacity + 1];
        _sparseForward = SparseForwardBody;
        _sparseBackward = SparseBackwardBody;
        _lossRows = LossRowsBody;
    }

    public int Capacity { get; }

    /// <summary>Users in the loaded batch.</summary>
    public int Count { get; private set; }

    /// <summary>Nonzeros of the loaded (dropped-out) input.</summary>
    public int InputNonzeros => _inOffsets[Count];

    /// <summary>The VAE's noise ε, Count x Latent; training draws it, tests may set it.</summary>
    public Span<float> Epsilon => _eps.AsSpan(0, Count * _net.Latent);

    /// <summary>Activations of hidden layer l (Count x Out), for tests.</summary>
    internal ReadOnlySpan<float> Activation(int l) => _act[l].AsSpan(0, Count * _net.Layers[l].Out);

    /// <summary>
    /// Loads users: user b of the batch is users[b] (or firstUser + b when <paramref name="users"/> is empty),
    /// with history rows[offsets[u]..offsets[u+1]). The input is x/‖x‖ with each entry dropped with
    /// probability <paramref name="dropout"/> and the kept ones scaled by 1/(1 − dropout), as
    /// tf.nn.l2_normalize followed by tf.nn.dropout in the reference.
    /// </summary>
    public void Load(ReadOnlySpan<int> offsets, ReadOnlySpan<int> rows, ReadOnlySpan<int> users, int firstUser, int count,
        float dropout, ref Xoshiro256 rng)
    {
        if (count > Capacity) throw new ArgumentException($"Batch of {count} users exceeds the pass capacity {Capacity}.");
        int total = 0;
        for (int b = 0; b < count; b++)
        {
            int u = users.IsEmpty ? firstUser + b : users[b];
            total += offsets[u + 1] - offsets[u];
        }
        if (_histItems.Length < total)
        {
            int size = Math.Max(total, 2 * _histItems.Length);
            _histItems = new int[size];
            _inItems = new int[size];
            _inValues = new float[size];
        }
        int items = _net.Items;
        float keep = 1f - dropout;
        int h = 0, k = 0;
        for (int b = 0; b < count; b++)
        {
            int u = users.IsEmpty ? firstUser + b : users[b];
            var hist = rows[offsets[u]..offsets[u + 1]];
            _histOffsets[b] = h;
            _inOffsets[b] = k;
            float value = hist.Length == 0 ? 0f : 1f / MathF.Sqrt(hist.Length) / keep;
            foreach (int j in hist)
            {
                if ((uint)j >= (uint)items)
                    throw new ArgumentOutOfRangeException(nameof(rows), j, $"History item {j} is outside the model's {items} items.");
                _histItems[h++] = j;
                if (dropout > 0f && rng.NextDouble() < dropout) continue;
                _inItems[k] = j;
                _inValues[k++] = value;
            }
        }
        _histOffsets[count] = h;
        _inOffsets[count] = k;
        Count = count;
    }

    /// <summary>Draws ε ~ N(0, 1) for the VAE's reparameterised sample.</summary>
    public void SampleEpsilon(ref Xoshiro256 rng)
    {
        var e = Epsilon;
        for (int i = 0; i < e.Length; i++) e[i] = (float)rng.NextGaussian();
    }

    /// <summary>Where layer l reads its input (l ≥ 1): the previous activations, or z after the VAE's code layer.</summary>
    private float* InputOf(int l, out int ld)
    {
        if (_net.Variational && l - 1 == _net.CodeLayer)
        {
            ld = _net.Latent;
            return Pinned.Ptr(_z);
        }
        ld = _net.Layers[l - 1].Out;
        return Pinned.Ptr(_act[l - 1]);
    }

    /// <summary>
    /// Runs the batch through the network, leaving the logits in <paramref name="output"/> (Count x Items).
    /// Training samples z = μ + ε·σ (ε from <see cref="Epsilon"/>); scoring uses z = μ. Returns the FLOPs of the products.
    /// </summary>
    public double Forward(DeepCompute cc, bool training, float* output)
    {
        double flops = 0;
        var layers = _net.Layers;
        for (int l = 0; l < layers.Length; l++)
        {
            var layer = layers[l];
            int outW = layer.Out;
            float* y = l == layers.Length - 1 ? output : Pinned.Ptr(_act[l]);
            var bias = layer.B.AsSpan();
            for (int b = 0; b < Count; b++) bias.CopyTo(new Span<float>(y + (nint)b * outW, outW));
            if (l == 0)
            {
                _cc = cc;
                _out = y;
                cc.Parallel(_sparseForward);
                flops += 2.0 * InputNonzeros * outW;
            }
            else
            {
                float* x = InputOf(l, out int ld);
                fixed (float* w = layer.W)
                    cc.Gemm(Count, outW, layer.In, x, ld, 1, w, outW, 1, y, outW);
                flops += 2.0 * Count * layer.In * outW;
            }
            if (layer.Tanh)
            {
                var span = new Span<float>(y, Count * outW);
                TensorPrimitives.Tanh(span, span);
            }
            if (_net.Variational && l == _net.CodeLayer) Sample(training);
        }
        return flops;
    }

    /// <summary>z = μ + ε·exp(½ log σ²) in training, μ when scoring.</summary>
    private void Sample(bool training)
    {
        int lat = _net.Latent;
        var code = _act[_net.CodeLayer];
        for (int b = 0; b < Count; b++)
        {
            var mu = code.AsSpan(b * 2 * lat, lat);
            var z = _z.AsSpan(b * lat, lat);
            if (!training)
            {
                mu.CopyTo(z);
                continue;
            }
            var logvar = code.AsSpan(b * 2 * lat + lat, lat);
            var eps = _eps.AsSpan(b * lat, lat);
            for (int i = 0; i < lat; i++) z[i] = mu[i] + eps[i] * MathF.Exp(0.5f * logvar[i]);
        }
    }

    /// <summary>
    /// Σ over the batch's users of −log p(x_u | logits_u) and of KL(q(z|x_u) ‖ N(0, I)) (0 for the DAE);
    /// overwrites the logits with ∂(mean NLL)/∂logits.
    /// </summary>
    public (double Nll, double Kl) Loss(DeepCompute cc, Likelihood likelihood, float* output)
    {
        _cc = cc;
        _out = output;
        _likelihood = likelihood;
        if (likelihood == Likelihood.Logistic && (_scratch.Length < cc.Threads || _scratch[0].Length < _net.Items))
            _scratch = [.. Enumerable.Range(0, cc.Threads).Select(_ => new float[_net.Items])];
        cc.Parallel(_lossRows);
        double nll = 0;
        for (int b = 0; b < Count; b++) nll += _rowLoss[b];
        double kl = 0;
        if (_net.Variational)
        {
            int lat = _net.Latent;
            var code = _act[_net.CodeLayer];
            for (int b = 0; b < Count; b++)
            {
                for (int i = 0; i < lat; i++)
                {
                    double mu = code[b * 2 * lat + i], lv = code[b * 2 * lat + lat + i];
                    kl += 0.5 * (-lv + Math.Exp(lv) + mu * mu - 1);
                }
            }
        }
        return (nll, kl);
    }

    private void LossRowsBody(int t)
    {
        int n = _net.Items;
        float scale = 1f / Count;
        var scratch = _likelihood == Likelihood.Logistic ? _scratch[t] : [];
        int size = _cc!.Team.Size;
        for (int b = t; b < Count; b += size)
        {
            var row = new Span<float>(_out + (nint)b * n, n);
            var hist = _histItems.AsSpan(_histOffsets[b], _histOffsets[b + 1] - _histOffsets[b]);
            _rowLoss[b] = OutputLoss.Row(_likelihood, row, hist, scale, scratch);
        }
    }

    /// <summary>
    /// Back-propagates from ∂loss/∂logits in <paramref name="output"/> (as left by <see cref="Loss"/>), adding the
    /// β-weighted KL gradient at the code, and accumulates every layer's ∂W and ∂b into <paramref name="g"/>.
    /// Returns the FLOPs of the products.
    /// </summary>
    public double Backward(DeepCompute cc, Gradients g, float* output, float beta)
    {
        double flops = 0;
        var layers = _net.Layers;
        for (int l = layers.Length - 1; l >= 0; l--)
        {
            var layer = layers[l];
            int outW = layer.Out, inW = layer.In;
            float* dy = l == layers.Length - 1 ? output : Pinned.Ptr(_grad[l]);
            fixed (float* dw = g.W[l])
            {
                if (l == 0)
                {
                    _cc = cc;
                    _out = dy;
                    _layer = 0;
                    _dwFirst = dw;
                    cc.Parallel(_sparseBackward);
                    flops += 2.0 * InputNonzeros * outW;
                }
                else
                {
                    float* x = InputOf(l, out int ld);
                    // ∂W = Xᵀ·dY: X read through a transposed view (element (i, p) at x[p*ld + i]).
                    cc.Gemm(inW, outW, Count, x, 1, ld, dy, outW, 1, dw, outW);
                    flops += 2.0 * inW * outW * Count;
                }
            }
            var db = g.B[l].AsSpan();
            for (int b = 0; b < Count; b++) TensorPrimitives.Add(db, new ReadOnlySpan<float>(dy + (nint)b * outW, outW), db);
            if (l == 0) break;

            bool toCode = _net.Variational && l - 1 == _net.CodeLayer;
            float* dx = toCode ? Pinned.Ptr(_dz) : Pinned.Ptr(_grad[l - 1]);
            new Span<float>(dx, Count * inW).Clear();
            // ∂X = dY·Wᵀ: W read through a transposed view (element (p, j) at w[j*Out + p]).
            fixed (float* w = layer.W)
                cc.Gemm(Count, inW, outW, dy, outW, 1, w, 1, outW, dx, inW);
            flops += 2.0 * Count * inW * outW;
            if (toCode) CodeGradient(beta);
            else if (layers[l - 1].Tanh)
            {
                // tanh' = 1 − tanh², from the kept activation.
                var a = _act[l - 1].AsSpan(0, Count * inW);
                var d = new Span<float>(dx, Count * inW);
                for (int i = 0; i < d.Length; i++) d[i] *= 1f - a[i] * a[i];
            }
        }
        return flops;
    }

    private float* _dwFirst;

    /// <summary>
    /// [∂μ | ∂log σ²] from ∂z: z = μ + ε·exp(½ log σ²) gives ∂μ = ∂z, ∂log σ² = ∂z·ε·½σ; the KL term
    /// β/B·½Σ(−log σ² + σ² + μ² − 1) adds β/B·μ and β/B·½(σ² − 1).
    /// </summary>
    private void CodeGradient(float beta)
    {
        int lat = _net.Latent;
        var code = _act[_net.CodeLayer];
        var grad = _grad[_net.CodeLayer];
        float k = beta / Count;
        for (int b = 0; b < Count; b++)
        {
            int o = b * 2 * lat;
            for (int i = 0; i < lat; i++)
            {
                float dz = _dz[b * lat + i], eps = _eps[b * lat + i];
                float mu = code[o + i], lv = code[o + lat + i];
                float sigma = MathF.Exp(0.5f * lv);
                grad[o + i] = dz + k * mu;
                grad[o + lat + i] = dz * eps * 0.5f * sigma + k * 0.5f * (sigma * sigma - 1f);
            }
        }
    }

    private void SparseForwardBody(int t)
    {
        var (u0, u1) = _cc!.Share(t, Count);
        fixed (float* w = _net.Layers[0].W)
            SparseInput.Multiply(_inOffsets, _inItems, _inValues, w, _net.Layers[0].Out, _out, u0, u1);
    }

    private void SparseBackwardBody(int t)
    {
        int width = _net.Layers[_layer].Out;
        // Split columns in multiples of 16 floats (a cache line) so two threads never share a line of ∂W.
        int lines = (width + 15) / 16;
        var (l0, l1) = _cc!.Share(t, lines);
        SparseInput.TransposeMultiply(_inOffsets, _inItems, _inValues, _out, width, _dwFirst, Count,
            Math.Min(width, l0 * 16), Math.Min(width, l1 * 16));
    }
}

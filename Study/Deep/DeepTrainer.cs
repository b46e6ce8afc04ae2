using System.Diagnostics;
using Ease.Engine.Input;
using Ease.Engine.Synthetic;

namespace Ease.Study.Deep;

/// <summary>
/// The reference's training loop: each epoch shuffles the users, cuts them into batches, and per batch
/// runs forward, loss, backward and one Adam update of every parameter.
/// </summary>
internal sealed unsafe class DeepTrainer : IDisposable
{
    private readonly DeepNetwork _net;
    private readonly DeepOptions _options;
    private readonly DeepCompute _cc;
    private readonly BatchPass _pass;
    private readonly Gradients _grads;
    private readonly AdamState[] _adamW, _adamB;
    private readonly float[] _logits;
    private readonly double[] _squares;
    private readonly Action<int> _adamBody;
    private float _stepSize;
    private Xoshiro256 _rng;
    private long _step;

    /// <summary>Wall seconds of the current epoch by phase: forward, loss, backward, Adam (for the benchmark runner's breakdown).</summary>
    internal readonly double[] PhaseSeconds = new double[4];

    public DeepTrainer(DeepNetwork network, DeepOptions options, int maxBatch, Xoshiro256 rng)
    {
        _net = network;
        _options = options;
        _rng = rng;
        _cc = new DeepCompute(options.EffectiveThreads, options.Kernel);
        _pass = new BatchPass(network, maxBatch);
        _grads = new Gradients(network);
        _adamW = [.. network.Layers.Select(l => new AdamState((long)l.In * l.Out))];
        _adamB = [.. network.Layers.Select(l => new AdamState(l.Out))];
        _logits = Pinned.Floats((long)_pass.Capacity * network.Items);
        _squares = new double[_cc.Threads];
        _adamBody = AdamBody;
    }

    public long Step => _step;

    internal BatchPass Pass => _pass;

    internal Gradients Grads => _grads;

    internal DeepCompute Compute => _cc;

    /// <summary>One update on the given users. Returns the batch's mean loss (NLL + β·KL + L2 penalty), β and the product FLOPs.</summary>
    public (double Loss, float Beta, double Flops) TrainBatch(InteractionSet train, ReadOnlySpan<int> users)
    {
        float beta = _net.Variational ? AnnealSchedule.Beta(_step, _options.AnnealCap, _options.TotalAnnealSteps) : 0f;
        _pass.Load(train.UserOffsets, train.UserItems, users, 0, users.Length, _options.InputDropout, ref _rng);
        if (_net.Variational) _pass.SampleEpsilon(ref _rng);
        double flops;
        double nll, kl;
        long t0 = Stopwatch.GetTimestamp();
        fixed (float* logits = _logits)
        {
            flops = _pass.Forward(_cc, training: true, logits);
            long t1 = Stopwatch.GetTimestamp();
            (nll, kl) = _pass.Loss(_cc, _options.Likelihood, logits);
            long t2 = Stopwatch.GetTimestamp();
            flops += _pass.Backward(_cc, _grads, logits, beta);
            long t3 = Stopwatch.GetTimestamp();
            PhaseSeconds[0] += Stopwatch.GetElapsedTime(t0, t1).TotalSeconds;
            PhaseSeconds[1] += Stopwatch.GetElapsedTime(t1, t2).TotalSeconds;
            PhaseSeconds[2] += Stopwatch.GetElapsedTime(t2, t3).TotalSeconds;
            t0 = t3;
        }
        _step++;
        double squares = ApplyAdam();
        PhaseSeconds[3] += Stopwatch.GetElapsedTime(t0).TotalSeconds;
        double loss = (nll + beta * kl) / users.Length + _options.L2 * squares;
        return (loss, beta, flops);
    }

    /// <summary>Adam on every parameter; returns Σ‖W‖² before the update.</summary>
    private double ApplyAdam()
    {
        _stepSize = AdamState.StepSize(_options.LearningRate, _step);
        Array.Clear(_squares);
        _cc.Parallel(_adamBody);
        double s = 0;
        foreach (double v in _squares) s += v;
        return s;
    }

    private void AdamBody(int t)
    {
        float l2x2 = 2f * _options.L2;
        double squares = 0;
        for (int l = 0; l < _net.Layers.Length; l++)
        {
            var layer = _net.Layers[l];
            var (b, e) = _cc.Share(t, layer.W.Length);
            squares += AdamState.Update(layer.W.AsSpan(b, e - b), _grads.W[l].AsSpan(b, e - b),
                _adamW[l].M.AsSpan(b, e - b), _adamW[l].V.AsSpan(b, e - b), l2x2, _stepSize);
            if (t == 0)
                AdamState.Update(layer.B, _grads.B[l], _adamB[l].M, _adamB[l].V, 0f, _stepSize);
        }
        _squares[t] = squares;
    }

    /// <summary>Runs the epochs; <paramref name="afterEpoch"/> may stop early by returning false.</summary>
    public int Run(DeepAutoencoder model, InteractionSet train, IProgress<DeepEpoch>? progress, CancellationToken cancel,
        Func<DeepAutoencoder, DeepEpoch, bool>? afterEpoch)
    {
        var offsets = train.UserOffsets;
        var users = new List<int>(train.UserCount);
        for (int u = 0; u < train.UserCount; u++)
            if (offsets[u + 1] > offsets[u]) users.Add(u);
        int[] order = [.. users];
        int batch = _options.BatchSize;
        int epochs = 0;
        for (int epoch = 1; epoch <= _options.Epochs; epoch++)
        {
            cancel.ThrowIfCancellationRequested();
            var sw = Stopwatch.StartNew();
            Array.Clear(PhaseSeconds);
            _rng.Shuffle(order);
            double lossSum = 0, flops = 0;
            float beta = 0;
            for (int s = 0; s < order.Length; s += batch)
            {
                cancel.ThrowIfCancellationRequested();
                int n = Math.Min(batch, order.Length - s);
                var (loss, b, f) = TrainBatch(train, order.AsSpan(s, n));
                lossSum += loss * n;
                flops += f;
                beta = b;
            }
            double seconds = sw.Elapsed.TotalSeconds;
            epochs = epoch;
            model.RecordEpoch(flops, PhaseSeconds);
            var report = new DeepEpoch(epoch, _options.Epochs, order.Length == 0 ? 0 : lossSum / order.Length, beta, seconds,
                seconds > 0 ? flops / seconds * 1e-9 : 0);
            progress?.Report(report);
            if (afterEpoch is not null && !afterEpoch(model, report)) break;
        }
        return epochs;
    }

    public void Dispose() => _cc.Dispose();
}

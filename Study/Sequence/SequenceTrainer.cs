using System.Diagnostics;
using System.Globalization;
using Ease.Engine.Evaluation;
using Ease.Engine.Scoring;
using Ease.Engine.Synthetic;
using Ease.Study.Deep;

namespace Ease.Study.Sequence;

/// <summary>What training reached: the epoch kept, its validation figures, and the cost.</summary>
public sealed record SequenceTraining(int Epochs, int BestEpoch, double ValidHr, double ValidNdcg, double Seconds, double SecondsPerEpoch, double Gflops, double PeakGflops);

/// <summary>
/// A trained transformer as an <see cref="IBatchScorer"/>: the forward pass over each user's last maxlen items,
/// the next-item logits of the last position.
/// </summary>
internal sealed unsafe class SequenceModel : IBatchScorer, IDisposable
{
    private readonly DeepCompute _cc;
    private readonly SequencePass _pass;
    private readonly SequenceBatch _batch;

    public SequenceModel(int items, SequenceOptions options)
    {
        options.Validate();
        Options = options;
        Network = new SequenceNetwork(items, options);
        Network.Initialize(options.Seed);
        _cc = new DeepCompute(options.EffectiveThreads, options.Kernel);
        Pass = _pass = new SequencePass(Network, _cc, options.BatchSize);
        _batch = new SequenceBatch(options.BatchSize, options.MaxLength);
    }

    public SequenceOptions Options { get; }
    public SequenceNetwork Network { get; }
    internal SequencePass Pass { get; }
    internal DeepCompute Compute => _cc;
    public int ItemCount => Network.Items;

    public void ScoreBatch(ReadOnlySpan<int> historyOffsets, ReadOnlySpan<int> historyRows, Span<float> scores)
    {
        int users = historyOffsets.Length - 1, n = Network.Items;
        fixed (float* s = scores)
        {
            for (int u0 = 0; u0 < users; u0 += Options.BatchSize)
            {
                int count = Math.Min(Options.BatchSize, users - u0);
                _batch.Clear();
                for (int u = u0; u < u0 + count; u++)
                {
                    ReadOnlySpan<int> h = historyRows[historyOffsets[u]..historyOffsets[u + 1]];
                    // A user without history reads item 0 so the batch keeps its shape; the scores are cleared below.
                    _batch.Add(h.IsEmpty ? [0] : h);
                }
                _pass.Score(_batch, s + (long)u0 * n);
                for (int u = u0; u < u0 + count; u++)
                    if (historyOffsets[u] == historyOffsets[u + 1])
                        new Span<float>(s + (long)u * n, n).Clear();
            }
        }
    }

    public void Dispose() => _cc.Dispose();
}

/// <summary>
/// SASRec+ training: AdamW over shuffled batches of packed sequences (each user's last maxlen + 1 items, every
/// position predicting the next), gradient clipping, dropout, seeded; the epoch is chosen on HR/NDCG@10 of held-out
/// last items of a seeded subset of the training sequences, with early stopping and a time budget.
/// </summary>
internal static unsafe class SequenceTrainer
{
    public static (SequenceModel Model, SequenceTraining Report) Train(IReadOnlyList<int[]> sequences, int items, SequenceOptions o,
        Action<string>? log, CancellationToken ct = default)
    {
        var model = new SequenceModel(items, o);
        SequenceNetwork net = model.Network;
        SequencePass pass = model.Pass;
        var rng = new Xoshiro256(unchecked((long)o.Seed) ^ 0x5EC);
        // The validation users: their last item held out and not trained on.
        var order = Enumerable.Range(0, sequences.Count).Where(u => sequences[u].Length >= 3).ToArray();
        rng.Shuffle(order);
        var valid = order.Take(o.ValidationUsers).OrderBy(u => u).ToArray();
        var isValid = new bool[sequences.Count];
        foreach (int u in valid) isValid[u] = true;
        var train = Enumerable.Range(0, sequences.Count).Where(u => sequences[u].Length - (isValid[u] ? 1 : 0) >= 2).ToArray();
        double peak = MeasurePeak(model.Compute, items, o.Dim);
        var batch = new SequenceBatch(o.BatchSize, o.MaxLength);
        var m = Pinned.Floats(net.Count);
        var v = Pinned.Floats(net.Count);
        float[]? best = valid.Length > 0 ? new float[net.Count] : null;
        double bestNdcg = -1, bestHr = 0;
        int bestEpoch = 0, since = 0, epoch = 0;
        long step = 0;
        var total = Stopwatch.StartNew();
        double flops = 0;
        double trainSeconds = 0;
        for (epoch = 1; epoch <= o.Epochs; epoch++)
        {
            ct.ThrowIfCancellationRequested();
            var watch = Stopwatch.StartNew();
            pass.Flops = 0;
            rng.Shuffle(train);
            double lossSum = 0;
            long tokens = 0;
            for (int b0 = 0; b0 < train.Length; b0 += o.BatchSize)
            {
                batch.Clear();
                for (int i = b0; i < Math.Min(train.Length, b0 + o.BatchSize); i++)
                {
                    int[] s = sequences[train[i]];
                    int len = s.Length - (isValid[train[i]] ? 1 : 0);
                    batch.Add(s.AsSpan(0, len - 1), s.AsSpan(1, len - 1));
                }
                ulong seed = rng.NextUInt64();
                pass.Forward(batch, train: true, seed);
                lossSum += pass.Loss(batch, seed);
                tokens += batch.TokenCount;
                pass.Backward(batch);
                Step(net, m, v, ++step, o);
            }
            double seconds = watch.Elapsed.TotalSeconds;
            trainSeconds += seconds;
            flops += pass.Flops;
            string line = string.Create(CultureInfo.InvariantCulture,
                $"{(o.IsLlm ? "llm-decoder" : "sasrec")} epoch {epoch}: loss {lossSum / tokens:0.0000}, {seconds:0.0} s, {tokens / seconds:0} tokens/s, {pass.Flops / seconds / 1e9:0.0} GFLOP/s (GEMM peak {peak:0.0})");
            bool last = epoch == o.Epochs || (o.MaxMinutes > 0 && total.Elapsed.TotalMinutes >= o.MaxMinutes);
            if (valid.Length > 0 && (epoch % o.EvaluateEvery == 0 || last))
            {
                (double hr, double ndcg) = Validate(model, sequences, valid, o.EffectiveThreads);
                line += string.Create(CultureInfo.InvariantCulture, $", valid HR@10 {hr:0.0000} NDCG@10 {ndcg:0.0000}");
                if (ndcg > bestNdcg)
                {
                    (bestNdcg, bestHr, bestEpoch, since) = (ndcg, hr, epoch, 0);
                    Array.Copy(net.Weights, best!, net.Count);
                }
                else if (o.Patience > 0 && ++since >= o.Patience)
                {
                    log?.Invoke(line + " (stop)");
                    break;
                }
            }
            log?.Invoke(line);
            if (last) break;
        }
        int epochs = Math.Min(epoch, o.Epochs);
        if (best is not null && bestEpoch > 0)
            Array.Copy(best, net.Weights, net.Count);
        else
            bestEpoch = epochs;
        return (model, new SequenceTraining(epochs, bestEpoch, bestHr, Math.Max(bestNdcg, 0), total.Elapsed.TotalSeconds,
            trainSeconds / epochs, flops / trainSeconds / 1e9, peak));
    }

    /// <summary>
    /// HR@10 and NDCG@10 of the held-out last items, all items ranked and the history excluded, through the
    /// study's one top-k (<see cref="DenseRanking"/>) and its discount (<see cref="RankingMetrics"/>).
    /// </summary>
    private static (double Hr, double Ndcg) Validate(SequenceModel model, IReadOnlyList<int[]> sequences, int[] users, int threads)
    {
        const int k = 10;
        var offsets = new int[users.Length + 1];
        for (int i = 0; i < users.Length; i++)
            offsets[i + 1] = offsets[i] + sequences[users[i]].Length - 1;
        var rows = new int[offsets[^1]];
        for (int i = 0; i < users.Length; i++)
        {
            int[] s = sequences[users[i]];
            s.AsSpan(0, s.Length - 1).CopyTo(rows.AsSpan(offsets[i]));
        }
        var results = new ScoredItem[users.Length * k];
        var counts = new int[users.Length];
        DenseRanking.Rank(model, offsets, rows, k, results, counts, null, threads, null);
        double hr = 0, ndcg = 0;
        for (int i = 0; i < users.Length; i++)
        {
            int target = sequences[users[i]][^1];
            for (int r = 0; r < counts[i]; r++)
                if (results[i * k + r].Row == target)
                {
                    hr++;
                    ndcg += RankingMetrics.DiscountAt(r);
                    break;
                }
        }
        return (hr / users.Length, ndcg / users.Length);
    }

    /// <summary>
    /// AdamW (Loshchilov and Hutter): the gradient clipped to a global norm, Adam's bias-corrected step, and the
    /// decoupled decay lr·λ·w on the matrices and embeddings. Clears the gradient for the next batch.
    /// </summary>
    internal static void Step(SequenceNetwork net, float[] m, float[] v, long t, SequenceOptions o)
    {
        float[] g = net.Gradient, w = net.Weights;
        double norm2 = 0;
        for (long i = 0; i < net.Count; i++) norm2 += (double)g[i] * g[i];
        float clip = o.ClipNorm > 0 && norm2 > (double)o.ClipNorm * o.ClipNorm ? (float)(o.ClipNorm / Math.Sqrt(norm2)) : 1f;
        float b1 = 0.9f, b2 = 0.999f;
        float c1 = (float)(1 - Math.Pow(b1, t)), c2 = (float)(1 - Math.Pow(b2, t));
        float lr = o.LearningRate;
        foreach ((long offset, long length, bool decay) in net.Segments)
        {
            float keep = decay ? 1 - lr * o.WeightDecay : 1;
            for (long i = offset; i < offset + length; i++)
            {
                float gi = g[i] * clip;
                float mi = m[i] = b1 * m[i] + (1 - b1) * gi;
                float vi = v[i] = b2 * v[i] + (1 - b2) * gi * gi;
                w[i] = w[i] * keep - lr * (mi / c1) / (MathF.Sqrt(vi / c2) + 1e-8f);
                g[i] = 0;
            }
        }
    }

    /// <summary>The packed GEMM's rate on the output layer's shape (1024 rows × items × d), best of five, GFLOP/s.</summary>
    private static double MeasurePeak(DeepCompute cc, int items, int d)
    {
        const int rows = 1024;
        var a = Pinned.Floats((long)rows * d);
        var b = Pinned.Floats((long)items * d);
        var c = Pinned.Floats((long)rows * items);
        a.AsSpan().Fill(0.01f);
        b.AsSpan().Fill(0.01f);
        double best = 0;
        for (int r = 0; r < 5; r++)
        {
            var w = Stopwatch.StartNew();
            cc.Gemm(rows, items, d, Pinned.Ptr(a), d, 1, Pinned.Ptr(b), 1, d, Pinned.Ptr(c), items);
            best = Math.Max(best, 2.0 * rows * items * d / w.Elapsed.TotalSeconds / 1e9);
        }
        return best;
    }
}

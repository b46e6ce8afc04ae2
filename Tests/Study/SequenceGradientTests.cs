using Ease.Study.Sequence;

namespace Ease.Tests.Study;

/// <summary>
/// The transformers' hand-written float32 backward pass against central differences (step 1e-5) of the independent
/// double-precision forward loss in <see cref="SequenceReference"/>, on tiny models: every parameter of sasrec and
/// llm-decoder, tied and untied, full and sampled softmax, with and without dropout (the pass's masks replayed).
/// </summary>
public sealed class SequenceGradientTests
{
    [Theory]
    [InlineData(SequenceArchitecture.SasRec, false, 0, 0f)]
    [InlineData(SequenceArchitecture.SasRec, true, 0, 0f)]
    [InlineData(SequenceArchitecture.SasRec, false, 5, 0f)]
    [InlineData(SequenceArchitecture.SasRec, false, 0, 0.3f)]
    [InlineData(SequenceArchitecture.LlmDecoder, false, 0, 0f)]
    [InlineData(SequenceArchitecture.LlmDecoder, true, 5, 0f)]
    [InlineData(SequenceArchitecture.LlmDecoder, false, 0, 0.3f)]
    public void BackwardMatchesDoublePrecisionReference(SequenceArchitecture arch, bool untied, int negatives, float dropout)
    {
        const int items = 11;
        var o = new SequenceOptions { Architecture = arch, Dim = 8, Blocks = 2, Heads = 2, MaxLength = 6, Dropout = dropout, BatchSize = 3, Untied = untied, Negatives = negatives, Threads = 1, Seed = 3 };
        using var model = new SequenceModel(items, o);
        var net = model.Network;
        var rng = new Random(5);
        for (int i = 0; i < net.Count; i++) net.Weights[i] += (float)(rng.NextDouble() - 0.5) * 1f;
        var batch = new SequenceBatch(3, 6);
        foreach (int len in new[] { 7, 3, 5 })
        {
            int[] s = Enumerable.Range(0, len).Select(_ => rng.Next(items)).ToArray();
            int use = Math.Min(len - 1, 6);
            batch.Add(s.AsSpan(len - 1 - use, use), s.AsSpan(len - use, use));
        }
        bool train = dropout > 0;
        model.Pass.Forward(batch, train, seed: 17);
        double engineLoss = model.Pass.Loss(batch, 9) / batch.TokenCount;
        model.Pass.Backward(batch);
        float[] g = (float[])net.Gradient.Clone();

        int T = batch.TokenCount, d = net.D;
        double[] Mask(float[] m) => m.AsSpan(0, T * d).ToArray().Select(v => (double)v).ToArray();
        SequenceReference.Masks? masks = train
            ? new(Mask(model.Pass.EmbeddingMask),
                Enumerable.Range(0, o.Blocks).Select(b => Mask(model.Pass.AttentionMask(b))).ToArray(),
                Enumerable.Range(0, o.Blocks).Select(b => Mask(model.Pass.FeedForwardMask(b))).ToArray())
            : null;
        if (train) Assert.Contains(0.0, masks!.Embedding);
        int[] sampled = model.Pass.Negatives.ToArray();
        var reference = new SequenceReference(net);
        double[] w = net.Weights.Select(v => (double)v).ToArray();
        double Reference() => reference.Loss(w, batch, masks, sampled, model.Pass.ChunkRows);

        double refLoss = Reference();
        Assert.True(Math.Abs(refLoss - engineLoss) <= 1e-5 * Math.Abs(refLoss), $"loss: engine {engineLoss}, reference {refLoss}");
        double worst = 0;
        int at = -1;
        for (int i = 0; i < net.Count; i++)
        {
            double wi = w[i];
            const double h = 1e-5;
            w[i] = wi + h;
            double up = Reference();
            w[i] = wi - h;
            double down = Reference();
            w[i] = wi;
            double fd = (up - down) / (2 * h);
            double err = Math.Abs(fd - g[i]) / Math.Max(1e-3, Math.Abs(fd) + Math.Abs(g[i]));
            if (err > worst) (worst, at) = (err, i);
        }
        Assert.True(worst < 2e-3, $"largest relative error {worst} at {at} (segment {net.Segments.Count(x => x.Offset <= at) - 1} of {string.Join(',', net.Segments.Select(x => x.Offset))})");
    }
}

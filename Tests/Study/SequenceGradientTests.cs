using Ease.Study.Sequence;

namespace Ease.Tests.Study;

/// <summary>
/// The transformers' hand-written backward pass against central finite differences of the forward loss, on tiny
/// models (dropout 0, one thread, float32 differences with step 2e-3, so agreement is to a few per cent): every parameter of sasrec and llm-decoder, tied and untied, full and sampled softmax.
/// </summary>
public sealed class SequenceGradientTests
{
    [Theory]
    [InlineData(SequenceArchitecture.SasRec, false, 0)]
    [InlineData(SequenceArchitecture.SasRec, true, 0)]
    [InlineData(SequenceArchitecture.SasRec, false, 5)]
    [InlineData(SequenceArchitecture.LlmDecoder, false, 0)]
    [InlineData(SequenceArchitecture.LlmDecoder, true, 5)]
    public void BackwardMatchesFiniteDifferences(SequenceArchitecture arch, bool untied, int negatives)
    {
        const int items = 11;
        var o = new SequenceOptions { Architecture = arch, Dim = 8, Blocks = 2, Heads = 2, MaxLength = 6, Dropout = 0, BatchSize = 3, Untied = untied, Negatives = negatives, Threads = 1, Seed = 3 };
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
        double Loss()
        {
            model.Pass.Forward(batch, train: false, 0);
            double l = model.Pass.Loss(batch, 9);
            Array.Clear(net.Gradient);
            return l / batch.TokenCount;
        }
        model.Pass.Forward(batch, train: false, 0);
        model.Pass.Loss(batch, 9);
        model.Pass.Backward(batch);
        float[] g = (float[])net.Gradient.Clone();
        Array.Clear(net.Gradient);
        double worst = 0;
        int at = -1;
        for (int i = 0; i < net.Count; i++)
        {
            float w = net.Weights[i];
            const float h = 2e-3f;
            net.Weights[i] = w + h;
            double up = Loss();
            net.Weights[i] = w - h;
            double down = Loss();
            net.Weights[i] = w;
            double fd = (up - down) / (2 * h);
            double err = Math.Abs(fd - g[i]) / Math.Max(1e-2, Math.Abs(fd) + Math.Abs(g[i]));
            if (err > worst) { worst = err; at = i; }
        }
        Assert.True(worst < 5e-2, $"largest relative error {worst} at {at} (segment {net.Segments.Count(x => x.Offset <= at) - 1} of {string.Join(',', net.Segments.Select(x => x.Offset))})");
    }
}

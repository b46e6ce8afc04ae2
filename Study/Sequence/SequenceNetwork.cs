using Ease.Engine.Synthetic;
using Ease.Study.Deep;

namespace Ease.Study.Sequence;

/// <summary>Offsets of one block's tensors in <see cref="SequenceNetwork.Weights"/>; -1 where the architecture has none.</summary>
internal readonly record struct BlockLayout(long Gain1, long Bias1, long Qkv, long Wo, long Gain2, long Bias2, long W1, long B1, long W2, long B2);

/// <summary>
/// The transformer's weights in one flat pinned array (and its gradient in another of the same layout), so the
/// optimizer, the clipping norm and the gradient checks see one vector. Matrices are row-major, input × output:
/// a layer is y = x·W. The item embeddings E are items × d; the output scores are h·Eᵀ (tied) or h·Wᵀ.
/// </summary>
internal sealed class SequenceNetwork
{
    private readonly List<(long Offset, long Length, bool Decay)> _segments = [];

    public SequenceNetwork(int items, SequenceOptions options)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(items, 1);
        Options = options;
        Items = items;
        D = options.Dim;
        F = options.EffectiveHidden;
        Llm = options.IsLlm;
        long at = 0;
        long Take(long length, bool decay)
        {
            long start = at;
            _segments.Add((start, length, decay));
            at += length;
            return start;
        }
        Embedding = Take((long)items * D, true);
        Positions = Llm ? -1 : Take((long)options.MaxLength * D, true);
        Block = new BlockLayout[options.Blocks];
        for (int b = 0; b < options.Blocks; b++)
        {
            long g1 = Take(D, false), b1 = Llm ? -1 : Take(D, false);
            long qkv = Take(3L * D * D, true), wo = Take((long)D * D, true);
            long g2 = Take(D, false), b2 = Llm ? -1 : Take(D, false);
            long w1 = Take((long)D * (Llm ? 2 * F : F), true), bias1 = Llm ? -1 : Take(F, false);
            long w2 = Take((long)F * D, true), bias2 = Llm ? -1 : Take(D, false);
            Block[b] = new BlockLayout(g1, b1, qkv, wo, g2, b2, w1, bias1, w2, bias2);
        }
        FinalGain = Take(D, false);
        FinalBias = Llm ? -1 : Take(D, false);
        Output = options.Untied ? Take((long)items * D, true) : Embedding;
        Count = at;
        Weights = Pinned.Floats(Count);
        Gradient = Pinned.Floats(Count);
    }

    public SequenceOptions Options { get; }
    public int Items { get; }
    public int D { get; }
    public int F { get; }
    public bool Llm { get; }
    public long Embedding { get; }
    public long Positions { get; }
    public BlockLayout[] Block { get; }
    public long FinalGain { get; }
    public long FinalBias { get; }
    public long Output { get; }
    public long Count { get; }
    public float[] Weights { get; }
    public float[] Gradient { get; }

    /// <summary>The tensors in layout order, each with whether AdamW decays it.</summary>
    public IReadOnlyList<(long Offset, long Length, bool Decay)> Segments => _segments;

    /// <summary>
    /// Embeddings N(0, 0.02²) as in GPT-2 and the LLM decoders; layer matrices N(0, 1/fan-in), the two that write
    /// into the residual stream (Wo, W2) scaled by 1/√(2·blocks) so the stream's variance does not grow with depth;
    /// norm gains 1, biases 0.
    /// </summary>
    public void Initialize(ulong seed)
    {
        var rng = new Xoshiro256(unchecked((long)seed));
        float[] w = Weights;
        Array.Clear(w);
        void Normal(long offset, long length, double std)
        {
            for (long i = 0; i < length; i++)
                w[(int)(offset + i)] = (float)(std * rng.NextGaussian());
        }
        double residual = 1 / Math.Sqrt(2.0 * Block.Length);
        Normal(Embedding, (long)Items * D, 0.02);
        if (Positions >= 0)
            Normal(Positions, (long)Options.MaxLength * D, 0.02);
        foreach (BlockLayout b in Block)
        {
            w.AsSpan((int)b.Gain1, D).Fill(1);
            w.AsSpan((int)b.Gain2, D).Fill(1);
            Normal(b.Qkv, 3L * D * D, 1 / Math.Sqrt(D));
            Normal(b.Wo, (long)D * D, residual / Math.Sqrt(D));
            Normal(b.W1, (long)D * (Llm ? 2 * F : F), 1 / Math.Sqrt(D));
            Normal(b.W2, (long)F * D, residual / Math.Sqrt(F));
        }
        w.AsSpan((int)FinalGain, D).Fill(1);
        if (Output != Embedding)
            Normal(Output, (long)Items * D, 0.02);
    }
}

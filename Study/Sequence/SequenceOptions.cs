using Ease.Engine.Linalg;

namespace Ease.Study.Sequence;

/// <summary>The two transformer layouts of the next-item study.</summary>
public enum SequenceArchitecture
{
    /// <summary>SASRec (Kang and McAuley 2018): learned positions, LayerNorm, ReLU feed-forward, dropout.</summary>
    SasRec,

    /// <summary>A decoder-only LLM block: pre-RMSNorm, rotary positions in attention, SwiGLU, a final RMSNorm.</summary>
    LlmDecoder,
}

/// <summary>
/// Settings of the transformer variants. Training is SASRec+ (Klenitskiy and Vasilev 2023): every position
/// predicts its next item under a softmax cross-entropy over all items, or over <see cref="Negatives"/>
/// uniformly sampled items when the catalogue is too large for the full product.
/// </summary>
public sealed record SequenceOptions
{
    public SequenceArchitecture Architecture { get; init; } = SequenceArchitecture.SasRec;

    /// <summary>Width of the residual stream (and of the item embeddings).</summary>
    public int Dim { get; init; } = 64;

    public int Blocks { get; init; } = 2;

    /// <summary>Attention heads; must divide <see cref="Dim"/> (and leave an even head width for rotary positions).</summary>
    public int Heads { get; init; } = 1;

    /// <summary>The last items of a sequence the model reads, in training and in scoring.</summary>
    public int MaxLength { get; init; } = 200;

    /// <summary>Dropout on the embeddings and on both residual branches of every block.</summary>
    public float Dropout { get; init; } = 0.2f;

    public float LearningRate { get; init; } = 1e-3f;

    /// <summary>AdamW's decoupled weight decay on the matrices and embeddings (not on norm gains or biases).</summary>
    public float WeightDecay { get; init; } = 0.01f;

    /// <summary>Global gradient norm above which a step's gradient is scaled down; 0 = no clipping.</summary>
    public float ClipNorm { get; init; } = 1f;

    /// <summary>Sequences per update.</summary>
    public int BatchSize { get; init; } = 128;

    /// <summary>0: full softmax over all items; N: softmax over the target and N uniformly sampled items.</summary>
    public int Negatives { get; init; }

    /// <summary>A separate output matrix instead of the item embeddings.</summary>
    public bool Untied { get; init; }

    /// <summary>Width of the feed-forward layer; 0 = d for SASRec, 8/3·d (rounded up to 8) for the LLM block.</summary>
    public int Hidden { get; init; }

    public int Epochs { get; init; } = 200;

    /// <summary>Validation checks without a better NDCG@10 after which training stops; 0 = never.</summary>
    public int Patience { get; init; } = 5;

    /// <summary>Epochs between validation checks.</summary>
    public int EvaluateEvery { get; init; } = 2;

    /// <summary>Training sequences whose last item is held out to choose the epoch; 0 = none (the last epoch is kept).</summary>
    public int ValidationUsers { get; init; } = 1024;

    /// <summary>
    /// Training stops after the first epoch that ends past this many minutes; 0 = no limit. The default keeps a
    /// run, its last validation and its scoring within half an hour on two cores.
    /// </summary>
    public double MaxMinutes { get; init; } = 28;

    public ulong Seed { get; init; } = 1;

    /// <summary>Threads; 0 = all cores.</summary>
    public int Threads { get; init; }

    internal KernelPath Kernel { get; init; }

    internal int EffectiveThreads => Threads == 0 ? Environment.ProcessorCount : Threads;

    internal bool IsLlm => Architecture == SequenceArchitecture.LlmDecoder;

    internal int EffectiveHidden => Hidden > 0 ? Hidden : IsLlm ? (8 * Dim / 3 + 7) / 8 * 8 : Dim;

    /// <summary>Throws <see cref="ArgumentException"/> with one line naming the first setting out of range.</summary>
    public void Validate()
    {
        static void Check(bool ok, string message)
        {
            if (!ok) throw new ArgumentException(message);
        }
        Check(Enum.IsDefined(Architecture), $"architecture {(int)Architecture} is not sasrec or llm-decoder");
        Check(Dim >= 2, $"--seq-dim must be at least 2, got {Dim}");
        Check(Blocks >= 1, $"--seq-blocks must be at least 1, got {Blocks}");
        Check(Heads >= 1 && Dim % Heads == 0, $"--seq-heads must be at least 1 and divide --seq-dim {Dim}, got {Heads}");
        Check(!IsLlm || Dim / Heads % 2 == 0, $"llm-decoder: rotary positions need an even head width, --seq-dim / --seq-heads = {Dim}/{Heads}");
        Check(MaxLength >= 1, $"--seq-maxlen must be at least 1, got {MaxLength}");
        Check(Dropout >= 0f && Dropout < 1f, $"--seq-dropout must be in [0, 1), got {Dropout}");
        Check(LearningRate > 0f && float.IsFinite(LearningRate), $"--seq-lr must be a finite number > 0, got {LearningRate}");
        Check(WeightDecay >= 0f && float.IsFinite(WeightDecay), $"--seq-weight-decay must be a finite number >= 0, got {WeightDecay}");
        Check(ClipNorm >= 0f && float.IsFinite(ClipNorm), $"--seq-clip must be a finite number >= 0, got {ClipNorm}");
        Check(BatchSize >= 1, $"--seq-batch must be at least 1, got {BatchSize}");
        Check(Negatives >= 0, $"--seq-negatives must be >= 0 (0 = full softmax), got {Negatives}");
        Check(Hidden >= 0, $"--seq-hidden must be >= 0 (0 = the architecture's default), got {Hidden}");
        Check(Epochs >= 1, $"--epochs must be at least 1, got {Epochs}");
        Check(Patience >= 0, $"--patience must be >= 0, got {Patience}");
        Check(EvaluateEvery >= 1, $"--eval-every must be at least 1, got {EvaluateEvery}");
        Check(ValidationUsers >= 0, $"--seq-valid-users must be >= 0, got {ValidationUsers}");
        Check(MaxMinutes >= 0 && double.IsFinite(MaxMinutes), $"--seq-max-minutes must be a finite number >= 0, got {MaxMinutes}");
        Check(Threads >= 0, $"--threads must be >= 0, got {Threads}");
        if (Kernel != KernelPath.Auto)
            SpdInverse.Resolve<float>(Kernel);
    }
}

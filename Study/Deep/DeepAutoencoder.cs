using Ease.Engine.Evaluation;
using Ease.Engine.Input;
using Ease.Engine.Synthetic;

namespace Ease.Study.Deep;

/// <summary>
/// Mult-VAE and Mult-DAE (Liang, Krishnan, Hoffman, Jebara, WWW 2018) and the DAE's Gaussian and logistic
/// likelihood ablations, trained on the engine's packed GEMM with a hand-written backward pass for this
/// fixed architecture. Scoring runs the encoder on the user's history (z = μ for the VAE) and returns the
/// decoder's logits, which rank items as the likelihood's mean does.
/// </summary>
public sealed unsafe class DeepAutoencoder : IBatchScorer
{
    private BatchPass? _scoringPass;

    private DeepAutoencoder(DeepNetwork network, DeepOptions options)
    {
        Network = network;
        Options = options;
    }

    internal DeepNetwork Network { get; }

    /// <summary>The options it was trained with.</summary>
    public DeepOptions Options { get; }

    /// <inheritdoc/>
    public int ItemCount => Network.Items;

    /// <summary>Weights and biases of all layers.</summary>
    public long ParameterCount => Network.ParameterCount;

    /// <summary>Epochs trained.</summary>
    public int EpochsRun { get; private set; }

    /// <summary>FLOPs of the forward and backward products of the last epoch (dense GEMMs and the sparse input layer).</summary>
    public double FlopsPerEpoch { get; private set; }

    /// <summary>Seconds of the last epoch spent in the forward pass, the loss, the backward pass and Adam.</summary>
    internal double[] LastEpochPhases { get; } = new double[4];

    internal void RecordEpoch(double flops, ReadOnlySpan<double> phases)
    {
        EpochsRun++;
        FlopsPerEpoch = flops;
        phases.CopyTo(LastEpochPhases);
    }

    /// <summary>Trains on every user of <paramref name="train"/> with at least one item.</summary>
    /// <exception cref="ArgumentException">Invalid options, or a training set without items.</exception>
    public static DeepAutoencoder Train(InteractionSet train, DeepOptions options,
        IProgress<DeepEpoch>? progress = null, CancellationToken cancel = default)
        => Train(train, options, progress, cancel, afterEpoch: null);

    /// <summary>
    /// As <see cref="Train(InteractionSet, DeepOptions, IProgress{DeepEpoch}?, CancellationToken)"/>, calling
    /// <paramref name="afterEpoch"/> with the model as it stands after each epoch (score it, keep a
    /// <see cref="Snapshot"/> of the best); returning false stops training.
    /// </summary>
    public static DeepAutoencoder Train(InteractionSet train, DeepOptions options, IProgress<DeepEpoch>? progress,
        CancellationToken cancel, Func<DeepAutoencoder, DeepEpoch, bool>? afterEpoch)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (train.ItemCount == 0 || train.InteractionCount == 0)
            throw new ArgumentException("The training set has no interactions.", nameof(train));
        var rng = new Xoshiro256(unchecked((long)options.Seed));
        var network = DeepNetwork.Create(train.ItemCount, options, ref rng);
        var model = new DeepAutoencoder(network, options);
        int users = 0;
        var offsets = train.UserOffsets;
        for (int u = 0; u < train.UserCount; u++)
            if (offsets[u + 1] > offsets[u]) users++;
        using var trainer = new DeepTrainer(network, options, Math.Min(options.BatchSize, users), rng);
        trainer.Run(model, train, progress, cancel, afterEpoch);
        return model;
    }

    /// <summary>A copy of the current weights (training goes on changing this instance's).</summary>
    public DeepAutoencoder Snapshot() => new(Network.Clone(), Options) { EpochsRun = EpochsRun, FlopsPerEpoch = FlopsPerEpoch };

    internal static DeepAutoencoder FromNetwork(DeepNetwork network, DeepOptions options) => new(network, options);

    /// <inheritdoc/>
    public void ScoreBatch(ReadOnlySpan<int> historyOffsets, ReadOnlySpan<int> historyRows, Span<float> scores)
    {
        int users = historyOffsets.Length - 1;
        if (users <= 0) return;
        int n = Network.Items;
        if (scores.Length < (long)users * n)
            throw new ArgumentException($"scores holds {scores.Length} values; {users} users x {n} items need {(long)users * n}.", nameof(scores));
        if (historyOffsets[0] < 0 || historyOffsets[users] > historyRows.Length)
            throw new ArgumentException("historyOffsets point outside historyRows.", nameof(historyOffsets));
        for (int u = 0; u < users; u++)
            if (historyOffsets[u + 1] < historyOffsets[u])
                throw new ArgumentException($"historyOffsets decrease at user {u}.", nameof(historyOffsets));
        // Larger chunks than the training batch: scoring has no gradient buffers, and a taller A keeps the GEMM efficient.
        int chunk = Math.Min(users, Math.Max(Options.BatchSize, 1024));
        if (_scoringPass is null || _scoringPass.Capacity < chunk) _scoringPass = new BatchPass(Network, chunk);
        var pass = _scoringPass;
        var rng = new Xoshiro256(0);
        using var cc = new DeepCompute(Options.EffectiveThreads, Options.Kernel);
        fixed (float* s = scores)
        {
            for (int start = 0; start < users; start += chunk)
            {
                int count = Math.Min(chunk, users - start);
                pass.Load(historyOffsets, historyRows, [], start, count, 0f, ref rng);
                pass.Forward(cc, training: false, s + (nint)start * n);
            }
        }
    }
}

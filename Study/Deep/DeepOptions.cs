using Ease.Engine.Linalg;

namespace Ease.Study.Deep;

/// <summary>
/// Hyper-parameters of <see cref="DeepAutoencoder"/>. The defaults are those of the reference notebook
/// of Liang et al. 2018 (dawenl/vae_cf, VAE_ML20M_WWW2018.ipynb); see Engine/Study/Deep/README.md.
/// </summary>
public sealed record DeepOptions
{
    private float? _l2;

    /// <summary>true: Mult-VAE (Gaussian code with a KL term, reparameterised sampling); false: DAE (a plain code).</summary>
    public bool Variational { get; init; }

    /// <summary>Likelihood of the output layer.</summary>
    public Likelihood Likelihood { get; init; } = Likelihood.Multinomial;

    /// <summary>Passes over the training users (the notebook runs 200 and keeps the best validation epoch).</summary>
    public int Epochs { get; init; } = 200;

    /// <summary>Users per gradient update.</summary>
    public int BatchSize { get; init; } = 500;

    /// <summary>Width of the hidden layer on each side of the code; 0 drops it ([n → code → n], the notebook's Mult-DAE).</summary>
    public int Hidden { get; init; } = 600;

    /// <summary>Dimension of the code z.</summary>
    public int Latent { get; init; } = 200;

    /// <summary>Probability that an input entry is dropped during training (kept entries are scaled by 1/(1 − p)).</summary>
    public float InputDropout { get; init; } = 0.5f;

    /// <summary>Largest KL weight β (VAE only).</summary>
    public float AnnealCap { get; init; } = 0.2f;

    /// <summary>Updates over which β grows linearly from 0 to 1 before the cap applies; 0 = β is the cap from the start.</summary>
    public int TotalAnnealSteps { get; init; } = 200_000;

    /// <summary>Adam step size.</summary>
    public float LearningRate { get; init; } = 1e-3f;

    /// <summary>
    /// λ of the weight penalty λ·Σ‖W‖² (biases excluded), added to the per-user mean loss. Defaults as
    /// the notebook: 0 for the VAE, 0.01 / batch size for the DAE.
    /// </summary>
    public float L2
    {
        get => _l2 ?? (Variational ? 0f : 0.01f / Math.Max(1, BatchSize));
        init => _l2 = value;
    }

    /// <summary>Seeds the initial weights, the user order, dropout and the VAE's noise.</summary>
    public ulong Seed { get; init; } = 1;

    /// <summary>Worker threads; 0 = all cores.</summary>
    public int Threads { get; init; }

    /// <summary>GEMM micro-kernel (tests pin each SIMD path); Auto = the widest the machine accelerates.</summary>
    internal KernelPath Kernel { get; init; }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first option out of range.</summary>
    public void Validate()
    {
        if (!Enum.IsDefined(Likelihood))
            throw new ArgumentException($"Likelihood {(int)Likelihood} is not one of Multinomial, Gaussian, Logistic.", nameof(Likelihood));
        if (Epochs < 1)
            throw new ArgumentException($"Epochs must be at least 1 (got {Epochs}).", nameof(Epochs));
        if (BatchSize < 1)
            throw new ArgumentException($"BatchSize must be at least 1 (got {BatchSize}).", nameof(BatchSize));
        if (Hidden < 0)
            throw new ArgumentException($"Hidden must be 0 (no hidden layer) or positive (got {Hidden}).", nameof(Hidden));
        if (Latent < 1)
            throw new ArgumentException($"Latent must be at least 1 (got {Latent}).", nameof(Latent));
        if (!(InputDropout >= 0f && InputDropout < 1f))
            throw new ArgumentException($"InputDropout must be in [0, 1) (got {InputDropout}).", nameof(InputDropout));
        if (!(AnnealCap >= 0f) || float.IsInfinity(AnnealCap))
            throw new ArgumentException($"AnnealCap must be finite and non-negative (got {AnnealCap}).", nameof(AnnealCap));
        if (TotalAnnealSteps < 0)
            throw new ArgumentException($"TotalAnnealSteps must be non-negative (got {TotalAnnealSteps}).", nameof(TotalAnnealSteps));
        if (!(LearningRate > 0f) || float.IsInfinity(LearningRate))
            throw new ArgumentException($"LearningRate must be finite and positive (got {LearningRate}).", nameof(LearningRate));
        if (!(L2 >= 0f) || float.IsInfinity(L2))
            throw new ArgumentException($"L2 must be finite and non-negative (got {L2}).", nameof(L2));
        if (Threads < 0)
            throw new ArgumentException($"Threads must be 0 (all cores) or positive (got {Threads}).", nameof(Threads));
        if (Kernel != KernelPath.Auto)
            SpdInverse.Resolve<float>(Kernel);
    }

    internal int EffectiveThreads => Threads == 0 ? Environment.ProcessorCount : Threads;
}

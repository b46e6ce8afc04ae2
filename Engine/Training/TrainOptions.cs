namespace Ease.Engine.Training;

/// <summary>Arithmetic precision of the Gram matrix and its inversion.</summary>
public enum Precision
{
    Float32,
    Float64,
}

/// <summary>How the dense B is pruned before it is written.</summary>
public enum PruneMode
{
    /// <summary>Keep every off-diagonal weight.</summary>
    None,
    /// <summary>Per row, the K weights of largest magnitude (signs kept).</summary>
    TopK,
    /// <summary>One global magnitude threshold chosen so that the kept share of n² is the density.</summary>
    Density,
}

/// <summary>Parameters of one EASE / EDLAE training run.</summary>
public sealed record TrainOptions
{
    /// <summary>The ridge λ added to the Gram diagonal.</summary>
    public double Lambda { get; init; } = 200;

    /// <summary>EDLAE dropout p in [0, 1): adds p/(1−p)·diag(G) to the ridge (Steck, NeurIPS 2020).</summary>
    public double Dropout { get; init; }

    public Precision Precision { get; init; } = Precision.Float32;

    public PruneMode Prune { get; init; } = PruneMode.None;

    /// <summary>Weights kept per row with <see cref="PruneMode.TopK"/>.</summary>
    public int PruneTopK { get; init; }

    /// <summary>Target density (non-zeros / n²) with <see cref="PruneMode.Density"/>.</summary>
    public double PruneDensity { get; init; }

    /// <summary>Worker threads; 0 = all cores.</summary>
    public int Threads { get; init; }

    public int EffectiveThreads => Threads > 0 ? Threads : Environment.ProcessorCount;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first parameter out of range.</summary>
    public void Validate()
    {
        if (!double.IsFinite(Lambda) || Lambda < 0)
            throw new ArgumentException($"lambda must be a finite number >= 0, got {Lambda}");
        if (!double.IsFinite(Dropout) || Dropout < 0 || Dropout >= 1)
            throw new ArgumentException($"dropout must be in [0, 1), got {Dropout}");
        if (Prune == PruneMode.TopK && PruneTopK < 1)
            throw new ArgumentException($"prune-topk must be >= 1, got {PruneTopK}");
        if (Prune == PruneMode.Density && (!(PruneDensity > 0) || PruneDensity > 1))
            throw new ArgumentException($"prune-density must be in (0, 1], got {PruneDensity}");
        if (Threads < 0)
            throw new ArgumentException($"threads must be >= 0, got {Threads}");
    }
}

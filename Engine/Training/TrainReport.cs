namespace Ease.Engine.Training;

/// <summary>Wall time of one phase of training and, where it does arithmetic, its throughput.</summary>
public sealed record PhaseTiming(string Phase, double Seconds, double Gflops = 0);

/// <summary>What a training run did and how long each part took.</summary>
public sealed record TrainReport
{
    public required int Users { get; init; }
    public required int Items { get; init; }
    public required long Interactions { get; init; }
    public required long NonZeros { get; init; }
    public double Density => Items == 0 ? 0 : NonZeros / ((double)Items * Items);
    /// <summary>Σ kept B_ij² / Σ all off-diagonal B_ij²: how much of the weight mass pruning kept.</summary>
    public required double KeptWeightMass { get; init; }
    public required IReadOnlyList<PhaseTiming> Phases { get; init; }
    public required string KernelPath { get; init; }
    public required int Threads { get; init; }
    public required long MatrixBytes { get; init; }
    public required long FileBytes { get; init; }
    public double PruneThreshold { get; init; }
    /// <summary>"dense" or "sparse".</summary>
    public string Solver { get; init; } = "dense";
    /// <summary>Why this solver: the flag, or what auto weighed (memory, predicted time).</summary>
    public string SolverReason { get; init; } = "";
    /// <summary>Sparse solver: candidates per item.</summary>
    public int Neighbors { get; init; }
    /// <summary>Sparse solver: weights solved before pruning (the share of B it estimated).</summary>
    public long SolvedWeights { get; init; }
}

/// <summary>Progress of a training phase: its name and the fraction done.</summary>
public readonly record struct TrainProgress(string Phase, double Fraction);

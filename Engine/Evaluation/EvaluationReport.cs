namespace Ease.Engine.Evaluation;

/// <summary>A metric's mean over users and the standard error of that mean.</summary>
public readonly record struct MeanWithError(double Mean, double StandardError);

/// <summary>Accuracy at one cut-off k.</summary>
public sealed record CutoffMetrics(int K, MeanWithError Recall, MeanWithError Ndcg, double Coverage);

/// <summary>What <see cref="Evaluator"/> measured.</summary>
public sealed record EvaluationReport
{
    /// <summary>Users with at least one held-out item: the users averaged over.</summary>
    public required int Users { get; init; }
    public required IReadOnlyList<CutoffMetrics> Cutoffs { get; init; }
    public required RecallNormalization RecallNormalization { get; init; }
    /// <summary>Held-out users with no usable history (ranked by popularity instead).</summary>
    public int FallbackUsers { get; init; }
    /// <summary>Held-out interactions whose item the model does not know (count as misses).</summary>
    public long UnknownHeldoutItems { get; init; }
    public double ScoringSeconds { get; init; }

    public CutoffMetrics At(int k) => Cutoffs.First(c => c.K == k);
}

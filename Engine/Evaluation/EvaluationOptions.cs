namespace Ease.Engine.Evaluation;

/// <summary>How Recall@k is normalized; both are used in the literature.</summary>
public enum RecallNormalization
{
    /// <summary>hits / |T_u| (LightGCN, BARS).</summary>
    Heldout,
    /// <summary>hits / min(k, |T_u|) (Liang et al. 2018, the EASE paper).</summary>
    MinK,
}

/// <summary>Cut-offs and conventions of an evaluation run.</summary>
public sealed record EvaluationOptions
{
    /// <summary>Cut-offs k for Recall@k, NDCG@k and coverage@k.</summary>
    public IReadOnlyList<int> Ks { get; init; } = [20];

    public RecallNormalization RecallNormalization { get; init; } = RecallNormalization.Heldout;

    /// <summary>Scoring threads; 0 = all cores.</summary>
    public int Threads { get; init; }

    /// <summary>The latency budget of every user's call (<see cref="Scoring.RecommendOptions.MaxWeights"/>); 0: none.</summary>
    public int MaxWeights { get; init; }

    /// <summary>The strongest part of each row, which a budget scores from (model-file evaluation only), or null.</summary>
    public Ease.Format.ModelFile? LightModel { get; init; }

    public void Validate()
    {
        if (MaxWeights < 0)
            throw new ArgumentException($"MaxWeights must be >= 0 (0: no budget), got {MaxWeights}");
        if (Ks.Count == 0)
            throw new ArgumentException("give at least one cut-off k");
        foreach (int k in Ks)
        {
            if (k < 1)
                throw new ArgumentException($"cut-offs must be >= 1, got {k}");
        }
    }
}

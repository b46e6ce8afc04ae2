using Ease.Engine.Evaluation;
using Ease.Study.Deep;

namespace Ease.Study;

/// <summary>Settings of a study run.</summary>
public sealed record StudyOptions
{
    /// <summary>The variants, in report order.</summary>
    public IReadOnlyList<StudyVariant> Variants { get; init; } = StudyVariant.Defaults(deep: false);

    /// <summary>λ of EASE and of every linear variant (one Gram, one inverse).</summary>
    public double Lambda { get; init; } = 200;

    /// <summary>Cut-offs and recall normalization; the first cut-off is the one charted.</summary>
    public EvaluationOptions Evaluation { get; init; } = new();

    /// <summary>Candidates per column of the non-negative fit; 0 = all items (the exact problem).</summary>
    public int NonNegativeSupport { get; init; } = 256;

    /// <summary>Power passes of the randomized subspace iterations.</summary>
    public int PowerIterations { get; init; } = 4;

    /// <summary>
    /// Block columns beyond the largest rank r asked for; null = max(r, 192). EASE's B has a flat
    /// spectrum (on ml-1m σ_64 is 0.71 of σ_1 and σ_256 still 0.54), so the subspace converges
    /// slowly unless the block is well wider than r; measured on ml-1m at r = 64: 64 extra columns
    /// and 3 passes miss the exact NDCG@20 by 0.0018, 192 and 3 by 0.0004, 448 and 2 by nothing.
    /// </summary>
    public int? Oversampling { get; init; }

    /// <summary>Seed of the random start blocks.</summary>
    public ulong Seed { get; init; } = 1;

    /// <summary>Threads; 0 = all cores.</summary>
    public int Threads { get; init; }

    /// <summary>
    /// Settings of the deep variants (epochs, batch, layer widths, dropout, annealing, step size);
    /// each variant sets its own <see cref="DeepOptions.Variational"/> and <see cref="DeepOptions.Likelihood"/>.
    /// </summary>
    public DeepOptions Deep { get; init; } = new();

    /// <summary>
    /// How a deep variant's epoch is chosen when the run is given validation interactions: evaluated every
    /// <see cref="DeepSelection.EvaluateEvery"/> epochs, the best epoch by <see cref="DeepSelection.Metric"/> at the
    /// first cut-off is kept, and training stops after <see cref="DeepSelection.Patience"/> evaluations without a
    /// better one. Without validation interactions the last epoch is evaluated.
    /// </summary>
    public DeepSelection Selection { get; init; } = new();

    /// <summary>Where the model files of the sparse variants are written while they are evaluated (deleted after).</summary>
    public string? WorkDirectory { get; init; }

    public void Validate()
    {
        if (Variants.Count == 0)
            throw new ArgumentException("name at least one variant");
        if (!double.IsFinite(Lambda) || Lambda <= 0)
            throw new ArgumentException($"lambda must be a finite number > 0 for the study (B = I − λP), got {Lambda}");
        ArgumentOutOfRangeException.ThrowIfNegative(NonNegativeSupport);
        ArgumentOutOfRangeException.ThrowIfNegative(PowerIterations);
        if (Oversampling < 0)
            throw new ArgumentOutOfRangeException(nameof(Oversampling), Oversampling, "must be >= 0");
        ArgumentOutOfRangeException.ThrowIfNegative(Threads);
        Evaluation.Validate();
        if (Variants.Any(v => v.IsDeep))
        {
            Deep.Validate();
            Selection.Validate();
        }
    }
}

/// <summary>What picks a deep variant's epoch on validation interactions.</summary>
public enum SelectionMetric
{
    /// <summary>NDCG at the first cut-off (the reference notebook selects on validation NDCG).</summary>
    Ndcg,

    /// <summary>Recall at the first cut-off (NGCF and LightGCN stop and select on recall@20).</summary>
    Recall,
}

/// <summary>Epoch selection and early stopping of the deep variants on validation interactions.</summary>
public sealed record DeepSelection
{
    /// <summary>Epochs between evaluations on the validation interactions (the last epoch is always evaluated).</summary>
    public int EvaluateEvery { get; init; } = 1;

    /// <summary>Evaluations without a better validation figure after which training stops; 0 = run every epoch.</summary>
    public int Patience { get; init; }

    /// <summary>The figure the best epoch is chosen by, at the first cut-off.</summary>
    public SelectionMetric Metric { get; init; } = SelectionMetric.Ndcg;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first setting out of range.</summary>
    public void Validate()
    {
        if (EvaluateEvery < 1)
            throw new ArgumentException($"EvaluateEvery must be at least 1 (got {EvaluateEvery}).", nameof(EvaluateEvery));
        if (Patience < 0)
            throw new ArgumentException($"Patience must be 0 (no early stop) or positive (got {Patience}).", nameof(Patience));
        if (!Enum.IsDefined(Metric))
            throw new ArgumentException($"Metric {(int)Metric} is not one of Ndcg, Recall.", nameof(Metric));
    }
}

/// <summary>Where a study run stands: the variant (or "shared" for the Gram and the inverse), its phase, the fraction done, and an optional line of detail.</summary>
public readonly record struct StudyProgress(string Variant, string Phase, double Fraction, string? Detail = null);

/// <summary>One variant's result.</summary>
/// <param name="Variant">The variant.</param>
/// <param name="Parameters">Numbers the model stores (non-zero weights of a sparse B; factor entries of a low-rank one; weights and biases of a network).</param>
/// <param name="TrainSeconds">Time spent on this variant alone (the shared Gram and inverse are reported once, in <see cref="StudyReport"/>).</param>
/// <param name="Evaluation">Metrics from the one evaluator.</param>
/// <param name="Note">How it was built and what it cost, in a few words.</param>
public sealed record StudyResult(StudyVariant Variant, long Parameters, double TrainSeconds, EvaluationReport Evaluation, string Note)
{
    /// <summary>The part of <see cref="TrainSeconds"/> this variant adds to what it shares with others (its own factorization, fit or pruning).</summary>
    public double OwnSeconds { get; init; }

    /// <summary>Deep variants: the epoch evaluated (the best on validation, or the last); 0 for the linear variants.</summary>
    public int Epoch { get; init; }
}

/// <summary>A study run's results and shared costs.</summary>
public sealed record StudyReport
{
    public required IReadOnlyList<StudyResult> Results { get; init; }
    public required int Users { get; init; }
    public required int Items { get; init; }
    public required long Interactions { get; init; }
    public required double Lambda { get; init; }
    public double GramSeconds { get; init; }
    public double InverseSeconds { get; init; }
    public double InverseGflops { get; init; }
    public long MatrixBytes { get; init; }
}

using System.Diagnostics;
using Ease.Engine.Evaluation;
using Ease.Engine.Input;
using Ease.Engine.Scoring;
using Ease.Engine.Training;
using Ease.Engine.Training.Sequential;
using Ease.Format;

namespace Ease.Study;

/// <summary>What the next-item study trains: λ of EASE, the recency rule of ease-recency, the sequential family.</summary>
public sealed record NextItemStudyOptions
{
    public IReadOnlyList<StudyVariant> Variants { get; init; } = StudyVariant.NextItemDefaults;

    /// <summary>λ of ease and ease-recency.</summary>
    public double Lambda { get; init; } = 200;

    /// <summary>λ of the sequential variant.</summary>
    public double SequentialLambda { get; init; } = 200;

    /// <summary>The history rule of ease-recency.</summary>
    public HistoryWeighting Recency { get; init; } = new(SequentialOptions.DefaultDecay, 0);

    public SequentialOptions Sequential { get; init; } = new();

    public required EvaluationOptions Evaluation { get; init; }

    public int Threads { get; init; }

    /// <summary>Settings of sasrec and llm-decoder (each variant sets its own architecture).</summary>
    public Sequence.SequenceOptions Transformer { get; init; } = new();

    /// <summary>Receives the transformers' per-epoch progress lines, or null.</summary>
    public Action<string>? Log { get; init; }

    /// <summary>Where the variants' model files are written while they are evaluated; null: a temporary folder.</summary>
    public string? WorkDirectory { get; init; }
}

/// <summary>
/// Leave-one-out next-item evaluation: each variant is trained into an ordinary model file, exactly as
/// <c>ease train</c> writes it, and ranked by the served scorer from each user's ordered history (its items excluded)
/// against the one held-out item, so Recall@k is HR@k. pop ranks by training popularity.
/// </summary>
public static class NextItemStudy
{
    /// <param name="train">Training sequences (read with their order kept).</param>
    /// <param name="history">The evaluated users' ordered histories, against <paramref name="train"/>'s items.</param>
    /// <param name="heldout">The held-out next item of each user, against the same items (unknown appended).</param>
    /// <param name="options">Variants, their parameters, cut-offs, threads.</param>
    /// <param name="progress">Variant, phase and fraction, or null.</param>
    /// <param name="ct">Cancels between variants and phases.</param>
    public static StudyReport Run(InteractionSet train, InteractionSet history, InteractionSet heldout, NextItemStudyOptions options,
        IProgress<StudyProgress>? progress = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(history);
        ArgumentNullException.ThrowIfNull(heldout);
        ArgumentNullException.ThrowIfNull(options);
        if (!train.HasSequences || !history.HasSequences)
            throw new ArgumentException("the next-item study needs the training data and the histories read in order (InputOptions.KeepOrder)");
        if (train.ItemCount == 0 || train.InteractionCount == 0)
            throw new InvalidDataException("the input holds no interactions; nothing to train on");
        options.Sequential.Validate();
        options.Recency.Validate();
        string work = options.WorkDirectory ?? Directory.CreateTempSubdirectory("ease-next-item-").FullName;
        try
        {
            var results = new List<StudyResult>();
            foreach (StudyVariant v in options.Variants)
            {
                ct.ThrowIfCancellationRequested();
                results.Add(Run(v, train, history, heldout, options, work, progress, ct));
            }
            return new StudyReport
            {
                Results = results,
                Users = train.UserCount,
                Items = train.ItemCount,
                Interactions = train.InteractionCount,
                Lambda = options.Lambda,
            };
        }
        finally
        {
            if (options.WorkDirectory is null)
                Directory.Delete(work, recursive: true);
        }
    }

    private static StudyResult Run(StudyVariant v, InteractionSet train, InteractionSet history, InteractionSet heldout, NextItemStudyOptions o,
        string work, IProgress<StudyProgress>? progress, CancellationToken ct)
    {
        string name = v.Name;
        if (v.Kind == VariantKind.Popularity)
        {
            progress?.Report(new StudyProgress(name, "score", 0));
            EvaluationReport pop = Evaluator.Evaluate(new PopularityScorer(train.ItemPopularity), history, heldout, o.Evaluation);
            return new StudyResult(v, train.ItemCount, 0, pop, "training popularity, the same list for everyone");
        }
        if (v.Kind is VariantKind.SasRec or VariantKind.LlmDecoder)
            return Sequence.SequenceStudy.Run(v, train, history, heldout, o, progress, ct);
        var train0 = new TrainOptions { Lambda = o.Lambda, Threads = o.Threads, Solver = SolverKind.Dense };
        (TrainOptions t, string note) = v.Kind switch
        {
            VariantKind.Ease => (train0, $"history as a set, λ = {o.Lambda:0.###}"),
            VariantKind.EaseRecency => (train0 with { History = o.Recency }, $"λ = {o.Lambda:0.###}; {o.Recency}"),
            VariantKind.Sequential => (train0 with { Lambda = o.SequentialLambda, Sequential = o.Sequential }, o.Sequential.Formula(o.SequentialLambda)),
            _ => throw new ArgumentException($"{name} is not a next-item variant"),
        };
        string path = Path.Combine(work, name + ".ease");
        var watch = Stopwatch.StartNew();
        TrainReport trained = EaseTrainer.Train(train, t, path, null,
            progress is null ? null : new SynchronousProgress<TrainProgress>(p => progress.Report(new StudyProgress(name, p.Phase, p.Fraction))), ct);
        double seconds = watch.Elapsed.TotalSeconds;
        progress?.Report(new StudyProgress(name, "score", 0));
        EvaluationReport report;
        using (ModelFile model = ModelFile.Open(path))
            report = Evaluator.Evaluate(model, history, heldout, o.Evaluation);
        File.Delete(path);
        return new StudyResult(v, trained.NonZeros, seconds, report, note) { OwnSeconds = seconds };
    }

    /// <summary>Every user gets the training popularity.</summary>
    private sealed class PopularityScorer(int[] popularity) : IBatchScorer
    {
        public int ItemCount => popularity.Length;

        public void ScoreBatch(ReadOnlySpan<int> historyOffsets, ReadOnlySpan<int> historyRows, Span<float> scores)
        {
            int n = popularity.Length;
            for (int u = 0; u + 1 < historyOffsets.Length; u++)
            {
                Span<float> row = scores.Slice(u * n, n);
                for (int j = 0; j < n; j++)
                    row[j] = popularity[j];
            }
        }
    }
}

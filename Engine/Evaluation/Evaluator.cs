using System.Diagnostics;
using Ease.Engine.Input;
using Ease.Engine.Scoring;
using Ease.Format;

namespace Ease.Engine.Evaluation;

/// <summary>
/// Ranks all items for every user with held-out items, from that user's history (history
/// excluded), and averages Recall@k, NDCG@k over those users; coverage@k is the share of the
/// catalogue that appears in anyone's top k.
/// </summary>
public static class Evaluator
{
    /// <summary>
    /// <paramref name="history"/> must be read against the model's item ids (item index = model row);
    /// <paramref name="heldout"/> too, with unknown items appended after them (they count as misses).
    /// Users are joined by id.
    /// </summary>
    public static EvaluationReport Evaluate(ModelFile model, InteractionSet history, InteractionSet heldout, EvaluationOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        return Evaluate(history, heldout, options, model.ItemCount, (gathered, k, results, counts) => gathered.Count == 0 ? 0
            : new BatchRecommender(model, options.Threads, options.LightModel)
                .Recommend(gathered.HistoryOffsets, gathered.HistoryRows, k, results, counts, new RecommendOptions { MaxWeights = options.MaxWeights }));
    }

    /// <summary>
    /// The same evaluation for a model that scores every item densely (<see cref="IBatchScorer"/>):
    /// users are scored in blocks, their history items set to -infinity, and the top k chosen by
    /// the same threshold selection and heap as the model-file scorer, so the two paths rank alike.
    /// <paramref name="history"/> and <paramref name="heldout"/> are read as for the model-file
    /// overload, against the scorer's items.
    /// </summary>
    /// <param name="scorer">The model.</param>
    /// <param name="history">What each evaluated user is scored from.</param>
    /// <param name="heldout">What each evaluated user should find.</param>
    /// <param name="options">Cut-offs, recall normalization, threads of the selection.</param>
    /// <param name="popularity">Users per item in training: a user with no usable history gets the
    /// most popular items, as from a model file's popularity section; null leaves them to the model.</param>
    /// <param name="progress">Fraction of users scored, or null.</param>
    public static EvaluationReport Evaluate(IBatchScorer scorer, InteractionSet history, InteractionSet heldout, EvaluationOptions options,
        int[]? popularity = null, IProgress<double>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(scorer);
        if (popularity is not null && popularity.Length != scorer.ItemCount)
            throw new ArgumentException($"popularity holds {popularity.Length} items, the scorer {scorer.ItemCount}", nameof(popularity));
        return Evaluate(history, heldout, options, scorer.ItemCount, (gathered, k, results, counts) =>
            DenseRanking.Rank(scorer, gathered.HistoryOffsets, gathered.HistoryRows, k, results, counts, popularity, options.Threads, progress));
    }

    // Ranks the gathered users' top k into results (user u's at u x k) and counts; returns the popularity fallbacks.
    private delegate int Ranker(HeldoutUsers gathered, int k, ScoredItem[] results, int[] counts);

    private static EvaluationReport Evaluate(InteractionSet history, InteractionSet heldout, EvaluationOptions options, int n, Ranker rank)
    {
        ArgumentNullException.ThrowIfNull(history);
        ArgumentNullException.ThrowIfNull(heldout);
        options.Validate();
        int maxK = Math.Min(options.Ks.Max(), n);

        HeldoutUsers gathered = HeldoutUsers.Gather(history, heldout, n);
        int[] evalUsers = gathered.HeldoutIndex;
        int users = gathered.Count;
        var results = new ScoredItem[(long)users * maxK];
        var counts = new int[users];
        var watch = Stopwatch.StartNew();
        int fallbacks = rank(gathered, maxK, results, counts);
        double scoringSeconds = watch.Elapsed.TotalSeconds;

        int cutCount = options.Ks.Count;
        var recall = new double[cutCount][];
        var ndcg = new double[cutCount][];
        var covered = new bool[cutCount][];
        for (int c = 0; c < cutCount; c++)
        {
            recall[c] = new double[users];
            ndcg[c] = new double[users];
            covered[c] = new bool[n];
        }
        var hit = new bool[maxK];
        long unknownHeldout = 0;
        for (int e = 0; e < users; e++)
        {
            ReadOnlySpan<int> truth = heldout.ItemsOf(evalUsers[e]);
            foreach (int item in truth)
            {
                if (item >= n)
                    unknownHeldout++;
            }
            ReadOnlySpan<ScoredItem> ranked = results.AsSpan(e * maxK, counts[e]);
            for (int r = 0; r < ranked.Length; r++)
                hit[r] = truth.BinarySearch(ranked[r].Row) >= 0;
            for (int c = 0; c < cutCount; c++)
            {
                int k = options.Ks[c];
                int limit = Math.Min(k, ranked.Length);
                int hits = 0;
                for (int r = 0; r < limit; r++)
                {
                    if (hit[r])
                        hits++;
                    covered[c][ranked[r].Row] = true;
                }
                recall[c][e] = RankingMetrics.Recall(hits, truth.Length, k, options.RecallNormalization);
                ndcg[c][e] = RankingMetrics.Ndcg(hit.AsSpan(0, ranked.Length), truth.Length, k);
            }
        }

        var cutoffs = new CutoffMetrics[cutCount];
        for (int c = 0; c < cutCount; c++)
            cutoffs[c] = new CutoffMetrics(options.Ks[c], Summarize(recall[c]), Summarize(ndcg[c]), (double)covered[c].Count(x => x) / n);
        return new EvaluationReport
        {
            Users = users,
            Cutoffs = cutoffs,
            RecallNormalization = options.RecallNormalization,
            FallbackUsers = fallbacks,
            UnknownHeldoutItems = unknownHeldout,
            ScoringSeconds = scoringSeconds,
        };
    }

    /// <summary>Mean and standard error (sample standard deviation / √N).</summary>
    public static MeanWithError Summarize(ReadOnlySpan<double> values)
    {
        int count = values.Length;
        if (count == 0)
            return new MeanWithError(0, 0);
        double mean = 0;
        foreach (double v in values)
            mean += v;
        mean /= count;
        if (count == 1)
            return new MeanWithError(mean, 0);
        double ss = 0;
        foreach (double v in values)
            ss += (v - mean) * (v - mean);
        return new MeanWithError(mean, Math.Sqrt(ss / (count - 1) / count));
    }
}

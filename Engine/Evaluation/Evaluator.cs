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
        ArgumentNullException.ThrowIfNull(history);
        ArgumentNullException.ThrowIfNull(heldout);
        options.Validate();
        int n = model.ItemCount;
        int maxK = Math.Min(options.Ks.Max(), n);

        HeldoutUsers gathered = HeldoutUsers.Gather(history, heldout, n);
        int[] evalUsers = gathered.HeldoutIndex;
        int users = gathered.Count;
        var results = new ScoredItem[(long)users * maxK];
        var counts = new int[users];
        var watch = Stopwatch.StartNew();
        int fallbacks = users == 0 ? 0 : new BatchRecommender(model, options.Threads)
            .Recommend(gathered.HistoryOffsets, gathered.HistoryRows, maxK, results, counts);
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

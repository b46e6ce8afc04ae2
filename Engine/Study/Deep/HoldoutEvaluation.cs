using Ease.Engine.Evaluation;
using Ease.Engine.Input;

namespace Ease.Engine.Study.Deep;

/// <summary>
/// Recall@k and NDCG@k of an <see cref="IBatchScorer"/> on a train/test split in the LightGCN/BARS protocol:
/// every user with test items is scored from all their train items, train items are excluded, the top k
/// of the remaining items are ranked; Recall = hits / |test|, binary NDCG with the ideal DCG over
/// min(|test|, k) positions; mean and standard error over users. Used by the deep models' tests and the
/// benchmark runner.
/// </summary>
internal static class HoldoutEvaluation
{
    public readonly record struct Result(MeanWithError Recall, MeanWithError Ndcg, int Users, double Seconds);

    /// <param name="scorer">The model.</param>
    /// <param name="train">Training interactions (the histories).</param>
    /// <param name="test">Held-out interactions, item indices those of <paramref name="train"/>; users matched by id.</param>
    /// <param name="k">Cutoff.</param>
    /// <param name="batch">Users per <see cref="IBatchScorer.ScoreBatch"/> call.</param>
    public static Result Evaluate(IBatchScorer scorer, InteractionSet train, InteractionSet test, int k = 20, int batch = 1024)
    {
        var sw = System.Diagnostics.Stopwatch.StartNew();
        var userIndex = new Dictionary<string, int>(train.UserCount);
        for (int u = 0; u < train.UserCount; u++) userIndex[train.UserIds[u]] = u;
        var pairs = new List<(int Train, int Test)>();
        for (int t = 0; t < test.UserCount; t++)
        {
            if (test.ItemsOf(t).Length == 0) continue;
            if (userIndex.TryGetValue(test.UserIds[t], out int u)) pairs.Add((u, t));
        }
        int n = scorer.ItemCount;
        var recall = new double[pairs.Count];
        var ndcg = new double[pairs.Count];
        var scores = new float[(long)Math.Min(batch, Math.Max(1, pairs.Count)) * n];
        var offsets = new List<int>();
        var rows = new List<int>();
        for (int s = 0; s < pairs.Count; s += batch)
        {
            int count = Math.Min(batch, pairs.Count - s);
            offsets.Clear();
            rows.Clear();
            offsets.Add(0);
            for (int b = 0; b < count; b++)
            {
                foreach (int j in train.ItemsOf(pairs[s + b].Train)) rows.Add(j);
                offsets.Add(rows.Count);
            }
            scorer.ScoreBatch(offsets.ToArray(), rows.ToArray(), scores);
            int first = s;
            Parallel.For(0, count, b =>
            {
                var row = scores.AsSpan(b * n, n);
                foreach (int j in train.ItemsOf(pairs[first + b].Train)) row[j] = float.NegativeInfinity;
                Span<int> top = stackalloc int[k];
                int found = TopK(row, top);
                var truth = test.ItemsOf(pairs[first + b].Test);
                Span<bool> hit = stackalloc bool[k];
                int hits = 0;
                for (int r = 0; r < found; r++)
                {
                    hit[r] = truth.BinarySearch(top[r]) >= 0;
                    if (hit[r]) hits++;
                }
                recall[first + b] = RankingMetrics.Recall(hits, truth.Length, k, RecallNormalization.Heldout);
                ndcg[first + b] = RankingMetrics.Ndcg(hit[..found], truth.Length, k);
            });
        }
        return new Result(Evaluator.Summarize(recall), Evaluator.Summarize(ndcg), pairs.Count, sw.Elapsed.TotalSeconds);
    }

    /// <summary>Indices of the largest finite scores, best first (ties: lower index first); returns how many were found.</summary>
    internal static int TopK(ReadOnlySpan<float> row, Span<int> top)
    {
        int k = top.Length, found = 0;
        for (int j = 0; j < row.Length; j++)
        {
            float v = row[j];
            if (float.IsNegativeInfinity(v) || float.IsNaN(v)) continue;
            if (found == k && v <= row[top[k - 1]]) continue;
            int p = found < k ? found++ : k - 1;
            while (p > 0 && row[top[p - 1]] < v)
            {
                top[p] = top[p - 1];
                p--;
            }
            top[p] = j;
        }
        return found;
    }
}

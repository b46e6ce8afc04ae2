using Ease.Engine.Scoring;

namespace Ease.Tests.Scoring;

/// <summary>
/// The straightforward reference: dense B, a full score vector summed in the engine's documented
/// order (an unweighted history is a set, added in ascending row order; a weighted one in history
/// order), so scores compare exactly; every allowed candidate sorted by (score desc, row asc),
/// first k taken.
/// </summary>
internal static class DenseReferenceScorer
{
    public static ScoredItem[] Recommend(RandomModel m, int[] history, float[]? weights, int k, bool includeSeen, ItemFilter? filter, out bool fallback) =>
        Recommend(m.Dense, m.Popularity, history, weights, k, includeSeen, filter, out fallback);

    /// <summary>The same over any dense B (row r = B[r, *]) and popularity.</summary>
    public static ScoredItem[] Recommend(float[,] dense, int[]? popularity, int[] history, float[]? weights, int k, bool includeSeen, ItemFilter? filter, out bool fallback)
    {
        int n = dense.GetLength(0);
        var scores = new float[n];
        var seen = new bool[n];
        int used = 0;
        if (weights is null)
            history = [.. history.Order()];
        for (int h = 0; h < history.Length; h++)
        {
            int row = history[h];
            if (weights is null && seen[row])
                continue;
            seen[row] = true;
            used++;
            for (int c = 0; c < n; c++)
            {
                if (weights is null)
                    scores[c] += dense[row, c];
                else
                    scores[c] += weights[h] * dense[row, c];
            }
        }
        fallback = used == 0;
        if (fallback)
        {
            if (popularity is null)
                return [];
            for (int c = 0; c < n; c++)
                scores[c] = popularity[c];
        }
        var candidates = new List<ScoredItem>();
        for (int c = 0; c < n; c++)
        {
            if (!fallback && !includeSeen && seen[c])
                continue;
            if (filter is not null && !filter.IsAllowed(c))
                continue;
            candidates.Add(new ScoredItem(c, scores[c]));
        }
        candidates.Sort((a, b) => a.Score != b.Score ? b.Score.CompareTo(a.Score) : a.Row.CompareTo(b.Row));
        return candidates.Take(k).ToArray();
    }

    public static ScoredItem[] Similar(RandomModel m, int row, int k, ItemFilter? filter)
    {
        var candidates = new List<ScoredItem>();
        for (int c = 0; c < m.ItemCount; c++)
        {
            // Stored weights only: the random model never stores an exact 0.
            if (m.Dense[row, c] != 0 && (filter is null || filter.IsAllowed(c)))
                candidates.Add(new ScoredItem(c, m.Dense[row, c]));
        }
        candidates.Sort((a, b) => a.Score != b.Score ? b.Score.CompareTo(a.Score) : a.Row.CompareTo(b.Row));
        return candidates.Take(k).ToArray();
    }
}

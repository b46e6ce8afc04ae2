namespace Ease.Engine.Evaluation;

/// <summary>
/// Per-user ranking metrics with binary relevance: Recall@k and NDCG@k (log2 discount, ideal DCG
/// over min(|T_u|, k) positions), as defined by LightGCN/BARS and Liang et al. 2018.
/// </summary>
public static class RankingMetrics
{
    private static readonly double[] Discount = [.. Enumerable.Range(0, 4096).Select(r => 1.0 / Math.Log2(r + 2))];

    /// <summary>1/log2(rank + 2) for a 0-based rank.</summary>
    public static double DiscountAt(int rank) => rank < Discount.Length ? Discount[rank] : 1.0 / Math.Log2(rank + 2);

    /// <summary>Σ over the first <paramref name="positions"/> ranks of the discount.</summary>
    public static double IdealDcg(int positions)
    {
        double s = 0;
        for (int r = 0; r < positions; r++)
            s += DiscountAt(r);
        return s;
    }

    /// <summary>Recall@k given hits in the top k and the held-out count.</summary>
    public static double Recall(int hits, int heldout, int k, RecallNormalization normalization) =>
        heldout == 0 ? 0 : (double)hits / (normalization == RecallNormalization.MinK ? Math.Min(k, heldout) : heldout);

    /// <summary>NDCG@k from the hit flags of the ranked list (best first).</summary>
    public static double Ndcg(ReadOnlySpan<bool> hitAtRank, int heldout, int k)
    {
        if (heldout == 0)
            return 0;
        double dcg = 0;
        int limit = Math.Min(k, hitAtRank.Length);
        for (int r = 0; r < limit; r++)
        {
            if (hitAtRank[r])
                dcg += DiscountAt(r);
        }
        return dcg / IdealDcg(Math.Min(heldout, k));
    }
}

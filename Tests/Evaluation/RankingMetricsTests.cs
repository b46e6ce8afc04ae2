using Ease.Engine.Evaluation;

namespace Ease.Tests.Evaluation;

public class RankingMetricsTests
{
    [Fact]
    public void NdcgByHand()
    {
        // Hits at ranks 1 and 3 of 3, two held-out items: DCG = 1 + 1/log2(4) = 1.5, IDCG = 1 + 1/log2(3).
        double expected = 1.5 / (1 + 1 / Math.Log2(3));
        Assert.Equal(expected, RankingMetrics.Ndcg([true, false, true], heldout: 2, k: 3), 12);
        // Cut at k = 2: only the first hit counts, the ideal has two positions.
        Assert.Equal(1 / (1 + 1 / Math.Log2(3)), RankingMetrics.Ndcg([true, false, true], heldout: 2, k: 2), 12);
        // More held-out items than k: the ideal DCG stops at k.
        Assert.Equal(1.0, RankingMetrics.Ndcg([true, true], heldout: 10, k: 2), 12);
        Assert.Equal(0.0, RankingMetrics.Ndcg([false, false], heldout: 1, k: 2));
    }

    [Fact]
    public void RecallNormalizations()
    {
        Assert.Equal(3.0 / 50, RankingMetrics.Recall(3, heldout: 50, k: 20, RecallNormalization.Heldout), 12);
        Assert.Equal(3.0 / 20, RankingMetrics.Recall(3, heldout: 50, k: 20, RecallNormalization.MinK), 12);
        Assert.Equal(3.0 / 4, RankingMetrics.Recall(3, heldout: 4, k: 20, RecallNormalization.MinK), 12);
    }

    [Fact]
    public void StandardErrorOfTheMean()
    {
        MeanWithError m = Evaluator.Summarize([1.0, 2.0, 3.0, 4.0]);
        Assert.Equal(2.5, m.Mean, 12);
        // Sample variance 5/3, divided by N = 4, square root.
        Assert.Equal(Math.Sqrt(5.0 / 3 / 4), m.StandardError, 12);
    }
}

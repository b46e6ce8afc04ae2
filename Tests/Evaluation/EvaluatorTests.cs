using Ease.Engine.Evaluation;
using Ease.Engine.Input;
using Ease.Format;
using Ease.Tests.Support;

namespace Ease.Tests.Evaluation;

public class EvaluatorTests
{
    /// <summary>
    /// Four items; row 0 of B favours 1 then 2 then 3. A user with history {0} and held-out {2, 3}
    /// is ranked [1, 2, 3]: hits at ranks 2 and 3.
    /// </summary>
    [Fact]
    public void HandComputedMetrics()
    {
        using var dir = new TempDirectory();
        string path = dir.File("m.ease");
        using (ModelFileWriter w = ModelFileWriter.Create(path, 4))
        {
            w.AppendRow([1, 2, 3], [0.9f, 0.5f, 0.1f]);
            w.AppendRow([], []);
            w.AppendRow([], []);
            w.AppendRow([], []);
            w.SetItemIds(["a", "b", "c", "d"]);
            w.SetPopularity([1, 1, 1, 1]);
            w.Commit();
        }
        string[] ids = ["a", "b", "c", "d"];
        var h = new InteractionSetBuilder(ids);
        h.Add("u", "a");
        var t = new InteractionSetBuilder(ids);
        t.Add("u", "c");
        t.Add("u", "d");
        t.Add("u", "zzz"); // unknown to the model: a miss that still counts in |T_u|
        using ModelFile model = ModelFile.Open(path);
        InteractionSet history = h.Build(), heldout = t.Build();
        EvaluationReport r = Evaluator.Evaluate(model, history, heldout, new EvaluationOptions { Ks = [1, 3] });
        Assert.Equal(1, r.Users);
        Assert.Equal(1, r.UnknownHeldoutItems);
        Assert.Equal(0, r.At(1).Recall.Mean);
        Assert.Equal(2.0 / 3, r.At(3).Recall.Mean, 12);
        double dcg = 1 / Math.Log2(3) + 1 / Math.Log2(4);
        double idcg = 1 + 1 / Math.Log2(3) + 1 / Math.Log2(4);
        Assert.Equal(dcg / idcg, r.At(3).Ndcg.Mean, 12);
        Assert.Equal(3.0 / 4, r.At(3).Coverage, 12);
        EvaluationReport minK = Evaluator.Evaluate(model, history, heldout, new EvaluationOptions { Ks = [3], RecallNormalization = RecallNormalization.MinK });
        Assert.Equal(2.0 / 3, minK.At(3).Recall.Mean, 12);
    }
}

using Ease.Engine.Evaluation;
using Ease.Engine.Input;

namespace Ease.Study.Deep;

/// <summary>
/// Recall@k and NDCG@k of an <see cref="IBatchScorer"/> on a train/test split in the LightGCN/BARS protocol
/// (recall = hits / |test|), through the one evaluator (<see cref="Evaluator"/>): the same blocks, top-k
/// selection and metrics as `ease evaluate` and `ease study`. Used by the deep models' tests and the
/// benchmark runner.
/// </summary>
internal static class HoldoutEvaluation
{
    public readonly record struct Result(MeanWithError Recall, MeanWithError Ndcg, int Users, double Seconds);

    /// <param name="scorer">The model.</param>
    /// <param name="train">Training interactions (the histories).</param>
    /// <param name="test">Held-out interactions, item indices those of <paramref name="train"/>; users matched by id.</param>
    /// <param name="k">Cutoff.</param>
    public static Result Evaluate(IBatchScorer scorer, InteractionSet train, InteractionSet test, int k = 20)
    {
        var sw = System.Diagnostics.Stopwatch.StartNew();
        EvaluationReport r = Evaluator.Evaluate(scorer, train, test, new EvaluationOptions { Ks = [k], RecallNormalization = RecallNormalization.Heldout });
        return new Result(r.Cutoffs[0].Recall, r.Cutoffs[0].Ndcg, r.Users, sw.Elapsed.TotalSeconds);
    }
}

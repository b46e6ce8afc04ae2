using Ease.Engine.Evaluation;
using Ease.Engine.Input;
using Ease.Engine.Synthetic;
using Ease.Study;
using Ease.Study.Deep;

namespace Ease.Tests.Study;

/// <summary>
/// `ease study`'s epoch choice for the deep variants on validation interactions, against the validation and
/// test curves computed outside the runner (the same seeded training, evaluated after every epoch): the epoch
/// kept is the curve's best, its test figure is the curve's test figure at that epoch, and early stopping ends
/// training where the curve says it should.
/// </summary>
public sealed class DeepSelectionTests
{
    private static readonly Lazy<(InteractionSet Train, InteractionSet Valid, InteractionSet Test)> Data = new(() =>
    {
        var all = SyntheticData.Generate(300, 120, seed: 21, new SyntheticDataOptions { Clusters = 5, ClusterAffinity = 0.85 });
        var (rest, test) = SyntheticData.Split(all, 0.2, seed: 2);
        var (train, valid) = SyntheticData.Split(rest, 0.15, seed: 3);
        return (train, valid, test);
    });

    private static StudyOptions Options(DeepSelection selection) => new()
    {
        Variants = StudyVariant.Parse("mult-vae"),
        Evaluation = new EvaluationOptions { Ks = [10], RecallNormalization = RecallNormalization.Heldout },
        Threads = 1,
        // A step large enough for the small network to peak on validation and then overfit within the run.
        Deep = new DeepOptions { Epochs = 14, BatchSize = 60, Hidden = 48, Latent = 12, TotalAnnealSteps = 50, LearningRate = 1e-2f, Seed = 4 },
        Selection = selection,
    };

    /// <summary>Per epoch: (validation NDCG@10, validation Recall@10, test NDCG@10), from a training run outside the runner.</summary>
    private static List<(double ValidNdcg, double ValidRecall, double TestNdcg)> Curve()
    {
        var (train, valid, test) = Data.Value;
        StudyOptions options = Options(new DeepSelection());
        DeepOptions o = StudyRunner.DeepOptionsFor(options.Variants[0], options);
        var evaluation = options.Evaluation with { Threads = 1 };
        var curve = new List<(double, double, double)>();
        DeepAutoencoder.Train(train, o, null, default, (m, e) =>
        {
            CutoffMetrics v = Evaluator.Evaluate(m, train, valid, evaluation).Cutoffs[0];
            CutoffMetrics t = Evaluator.Evaluate(m, train, test, evaluation).Cutoffs[0];
            curve.Add((v.Ndcg.Mean, v.Recall.Mean, t.Ndcg.Mean));
            return true;
        });
        return curve;
    }

    private static readonly Lazy<List<(double ValidNdcg, double ValidRecall, double TestNdcg)>> Reference = new(Curve);

    /// <summary>1-based epoch of the first strict maximum among the checked epochs.</summary>
    private static int Best(IReadOnlyList<double> values, IEnumerable<int> checkedEpochs)
    {
        int best = 0;
        double value = double.NegativeInfinity;
        foreach (int e in checkedEpochs)
        {
            if (values[e - 1] > value)
            {
                value = values[e - 1];
                best = e;
            }
        }
        return best;
    }

    private static StudyResult Run(DeepSelection selection)
    {
        var (train, valid, test) = Data.Value;
        return StudyRunner.Run(train, train, test, valid, Options(selection)).Results[0];
    }

    [Fact]
    public void KeepsTheBestValidationEpochAndReportsItsTestFigure()
    {
        var curve = Reference.Value;
        int epochs = curve.Count;
        int best = Best([.. curve.Select(c => c.ValidNdcg)], Enumerable.Range(1, epochs));
        // The data is chosen so that the choice matters: the best validation epoch is not the last one.
        Assert.True(best < epochs, $"validation NDCG peaks at the last epoch {epochs}; the test would not tell selection from no selection");

        StudyResult r = Run(new DeepSelection());
        Assert.Equal(best, r.Epoch);
        Assert.Equal(curve[best - 1].TestNdcg, r.Evaluation.Cutoffs[0].Ndcg.Mean, 12);
        Assert.Contains($"epoch {best} of {epochs} by validation NDCG@10", r.Note);

        int bestRecall = Best([.. curve.Select(c => c.ValidRecall)], Enumerable.Range(1, epochs));
        StudyResult byRecall = Run(new DeepSelection { Metric = SelectionMetric.Recall });
        Assert.Equal(bestRecall, byRecall.Epoch);
        Assert.Equal(curve[bestRecall - 1].TestNdcg, byRecall.Evaluation.Cutoffs[0].Ndcg.Mean, 12);
    }

    [Fact]
    public void ChecksEveryNthEpochAndTheLast()
    {
        var curve = Reference.Value;
        int epochs = curve.Count;
        int[] checkedEpochs = [.. Enumerable.Range(1, epochs).Where(e => e % 4 == 0 || e == epochs)];
        int best = Best([.. curve.Select(c => c.ValidNdcg)], checkedEpochs);
        StudyResult r = Run(new DeepSelection { EvaluateEvery = 4 });
        Assert.Equal(best, r.Epoch);
        Assert.Equal(curve[best - 1].TestNdcg, r.Evaluation.Cutoffs[0].Ndcg.Mean, 12);
    }

    [Fact]
    public void StopsAfterPatienceChecksWithoutABetterFigure()
    {
        var curve = Reference.Value;
        const int patience = 2;
        // Where training must stop: the first epoch that is the patience-th check in a row without a new best.
        int stop = curve.Count, best = 0, since = 0;
        double value = double.NegativeInfinity;
        for (int e = 1; e <= curve.Count; e++)
        {
            if (curve[e - 1].ValidNdcg > value)
            {
                value = curve[e - 1].ValidNdcg;
                best = e;
                since = 0;
            }
            else if (++since == patience)
            {
                stop = e;
                break;
            }
        }
        Assert.True(stop < curve.Count, "the validation curve never stalls for two epochs here; the test would not exercise the stop");
        StudyResult r = Run(new DeepSelection { Patience = patience });
        Assert.Equal(best, r.Epoch);
        Assert.Contains($"epoch {best} of {stop} by validation", r.Note);
        Assert.Equal(curve[best - 1].TestNdcg, r.Evaluation.Cutoffs[0].Ndcg.Mean, 12);
    }

    [Fact]
    public void WithoutValidationTheLastEpochIsEvaluated()
    {
        var (train, _, test) = Data.Value;
        StudyResult r = StudyRunner.Run(train, train, test, Options(new DeepSelection { Patience = 1 })).Results[0];
        Assert.Equal(Reference.Value.Count, r.Epoch);
        Assert.Equal(Reference.Value[^1].TestNdcg, r.Evaluation.Cutoffs[0].Ndcg.Mean, 12);
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(1, -1)]
    public void BadSelectionNamesTheSetting(int every, int patience)
    {
        var e = Assert.Throws<ArgumentException>(() => new DeepSelection { EvaluateEvery = every, Patience = patience }.Validate());
        Assert.Equal(every < 1 ? "EvaluateEvery" : "Patience", e.ParamName);
    }
}

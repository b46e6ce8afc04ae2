using Ease.Engine.Evaluation;
using Ease.Engine.Input;
using Ease.Engine.Synthetic;
using Ease.Engine.Training.Filters;
using Ease.Study;
using Ease.Tests.Support;

namespace Ease.Tests.Study;

/// <summary>
/// The study's graph-filter variants: their names, and their metrics against the same evaluator
/// run on the double-precision reference operator of each paper's formula (plus γ·B from a
/// reference EASE solve for a blend).
/// </summary>
public sealed class FilterVariantTests
{
    private const double Lambda = 20;

    [Fact]
    public void FiltersGroupPullsEachFilterApart()
    {
        IReadOnlyList<StudyVariant> v = StudyVariant.Parse("filters");
        Assert.Equal(["gf-cf-linear", "gf-cf", "turbo-cf", "bspm-linear", "bspm", "bspm+ease"], v.Select(x => x.Name));
        Assert.All(v, x => Assert.Equal(VariantKind.GraphFilter, x.Kind));
        Assert.Equal(0, v[0].Filter!.EffectiveAlpha);
        Assert.Equal(0.3, v[1].Filter!.EffectiveAlpha);
        Assert.Equal(StudyVariant.DefaultEaseWeight, v[5].Filter!.EaseWeight);
        Assert.True(v[5].NeedsInverse);
        Assert.False(v[4].NeedsInverse);
    }

    [Fact]
    public void BlendWeightComesFromTheName()
    {
        StudyVariant v = Assert.Single(StudyVariant.Parse("gf-cf-linear+ease@0.5"));
        Assert.Equal(ModelFamily.GfCf, v.Filter!.Family);
        Assert.Equal(0.5, v.Filter.EaseWeight);
        Assert.Equal(0, v.Filter.EffectiveAlpha);
        Assert.Equal("gf-cf-linear+ease@0.5", v.Name);
    }

    [Theory]
    [InlineData("turbo-cf-linear", "no low-pass")]
    [InlineData("bspm+ease@0", "γ > 0")]
    [InlineData("bspm+ease@x", "γ > 0")]
    [InlineData("bspm+easy", "unknown variant")]
    public void BadFilterNamesSayWhy(string name, string expected)
    {
        var e = Assert.Throws<FormatException>(() => StudyVariant.Parse(name));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MetricsAreThoseOfTheReferenceOperator()
    {
        (InteractionSet train, InteractionSet test) = SyntheticData.Split(SyntheticData.Generate(300, 40, seed: 5), 0.2, seed: 2);
        StudyReport report = StudyRunner.Run(train, train, test, new StudyOptions
        {
            Lambda = Lambda,
            Threads = 2,
            Variants = StudyVariant.Parse("gf-cf-linear,bspm-linear+ease@0.5"),
            Evaluation = new EvaluationOptions { Ks = [10] },
        });

        double[,] p = ReferenceGraphFilter.Graph(train, 0.5);
        double[,] step = ReferenceGraphFilter.Add(ReferenceGraphFilter.Identity(p.GetLength(0)), p, 1, -1.2);
        double[,] bspm = ReferenceGraphFilter.Add(p, ReferenceGraphFilter.Multiply(p, step), 0.5, 0.5);
        double[,] blend = ReferenceGraphFilter.Add(bspm, ReferenceEase.B(train, Lambda), 1, 0.5);
        var options = new EvaluationOptions { Ks = [10], Threads = 2 };
        foreach ((StudyResult result, double[,] m) in report.Results.Zip([p, blend]))
        {
            EvaluationReport expected = Evaluator.Evaluate(new MatrixScorer(m), train, test, options);
            CutoffMetrics a = result.Evaluation.At(10), e = expected.At(10);
            Assert.Equal(expected.Users, result.Evaluation.Users);
            Assert.True(Math.Abs(a.Ndcg.Mean - e.Ndcg.Mean) < 1e-3, $"{result.Variant.Name}: NDCG {a.Ndcg.Mean} against {e.Ndcg.Mean}");
            Assert.True(Math.Abs(a.Recall.Mean - e.Recall.Mean) < 1e-3, $"{result.Variant.Name}: Recall {a.Recall.Mean} against {e.Recall.Mean}");
        }
    }

    /// <summary>Scores a user as the sum of the reference matrix's rows over their history, zero diagonal.</summary>
    private sealed class MatrixScorer(double[,] m) : IBatchScorer
    {
        public int ItemCount => m.GetLength(0);

        public void ScoreBatch(ReadOnlySpan<int> historyOffsets, ReadOnlySpan<int> historyRows, Span<float> scores)
        {
            int n = ItemCount;
            for (int u = 0; u + 1 < historyOffsets.Length; u++)
            {
                Span<float> s = scores.Slice(u * n, n);
                s.Clear();
                for (int h = historyOffsets[u]; h < historyOffsets[u + 1]; h++)
                {
                    int i = historyRows[h];
                    for (int j = 0; j < n; j++)
                        s[j] += j == i ? 0 : (float)m[i, j];
                }
            }
        }
    }
}

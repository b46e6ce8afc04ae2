using System.Globalization;
using Ease.Engine.Training.Filters;

namespace Ease.Cli.Commands;

/// <summary>
/// The settings `ease tune --family` tries for one graph-filter family: each parameter's list from
/// its flag, else the family's own default grid around its published yelp2018 setting.
/// </summary>
internal sealed record FilterGrid(double[]? Alphas, int[]? Ranks, double[]? NormExponents, double[]? Powers, int[]? Orders, double[]? Times, double[]? EaseWeights)
{
    /// <summary>Every setting of <paramref name="family"/> (with its blend weight when <paramref name="blend"/>), cheapest-to-share first: one rank at a time.</summary>
    public IEnumerable<FilterOptions> Settings(ModelFamily family, bool blend)
    {
        double[] weights = blend ? EaseWeights ?? [0.25, 0.5, 1, 2] : [0];
        switch (family)
        {
            case ModelFamily.GfCf:
                foreach (int r in Ranks ?? [256])
                    foreach (double a in Alphas ?? [0.1, 0.3, 0.5, 1])
                        foreach (double w in weights)
                            yield return new FilterOptions { Family = family, Rank = r, Alpha = a, EaseWeight = w };
                break;
            case ModelFamily.Bspm:
                foreach (int r in Ranks ?? [384])
                    foreach (double a in Alphas ?? [0.2, 0.3, 0.5])
                        foreach (double t in Times ?? [1.0, 1.2, 1.5])
                            foreach (double w in weights)
                                yield return new FilterOptions { Family = family, Rank = r, Alpha = a, Time = t, EaseWeight = w };
                break;
            case ModelFamily.TurboCf:
                foreach (double a in NormExponents ?? [0.5, 0.6, 0.7])
                    foreach (int order in Orders ?? [1, 2])
                        foreach (double s in Powers ?? [1.0])
                            foreach (double w in weights)
                            {
                                if (s != 1 && order > 1)
                                    continue; // products of P̄ need s = 1
                                yield return new FilterOptions { Family = family, NormExponent = a, Order = order, Power = s, EaseWeight = w };
                            }
                break;
        }
    }

    /// <summary>"alpha=0.3 rank=256" — the parameters that vary in a grid, for the table.</summary>
    public static string Label(FilterOptions f)
    {
        var c = CultureInfo.InvariantCulture;
        string blend = f.EaseWeight != 0 ? string.Create(c, $" γ={f.EaseWeight:0.###}") : "";
        return f.Family switch
        {
            ModelFamily.GfCf => string.Create(c, $"α={f.EffectiveAlpha:0.###} r={f.EffectiveRank}{blend}"),
            ModelFamily.Bspm => string.Create(c, $"β={f.EffectiveAlpha:0.###} T={f.Time:0.###} r={f.EffectiveRank}{blend}"),
            ModelFamily.TurboCf => string.Create(c, $"a={f.EffectiveNormExponent:0.###} s={f.Power:0.###} order={f.EffectiveOrder}{blend}"),
            _ => "",
        };
    }
}

using System.CommandLine;
using Ease.Engine.Scoring;
using Ease.Engine.Training.Filters;
using Ease.Engine.Training.Sequential;

namespace Ease.Cli.Options;

/// <summary>
/// `--family` and the graph filters' parameters (train; tune and study take lists of their own).
/// Unset parameters take each family's published yelp2018 setting (see <see cref="FilterOptions"/>).
/// </summary>
internal sealed class FamilyOptions
{
    public Option<string> Family { get; } = new("--family")
    {
        Description = "Model family: ease (EASE / EDLAE), gf-cf, turbo-cf, bspm; NAME+ease blends the filter with EASE (M + γ·B, γ = --ease-weight, B from --lambda and --dropout); sequential: order-aware, one ridge solve over item → next-item transitions and the set-level Gram (reads the input in order).",
        DefaultValueFactory = _ => "ease",
        HelpName = "ease|gf-cf|turbo-cf|bspm[+ease]|sequential",
    };

    /// <summary>The history rule's and the sequential family's flags.</summary>
    public SequentialFlags Sequence { get; } = new();

    static bool IsSequential(string name) => string.Equals(name.Trim(), "sequential", StringComparison.OrdinalIgnoreCase);


    /// <summary>The sequential family's parameters when <c>--family sequential</c>, else null (its flags are then a usage error).</summary>
    public SequentialOptions? BindSequential(ParseResult parse)
    {
        if (!IsSequential(parse.GetValue(Family)!))
        {
            foreach (Option o in Sequence.SequentialOnly)
            {
                if (parse.GetResult(o) is { Implicit: false })
                    throw new UsageException($"{o.Name} is a parameter of --family sequential");
            }
            return null;
        }
        return Sequence.Bind(parse);
    }

    /// <summary>The history rule of a non-sequential model: <c>--history-decay</c> (and window), or none.</summary>
    public HistoryWeighting BindHistory(ParseResult parse)
    {
        if (IsSequential(parse.GetValue(Family)!))
            return HistoryWeighting.None; // the family's own decay and window
        double? decay = parse.GetValue(Sequence.HistoryDecay);
        int? window = parse.GetValue(Sequence.HistoryWindow);
        if (decay is null)
            return window is null ? HistoryWeighting.None : throw new UsageException("--history-window needs --history-decay (or --family sequential)");
        var rule = new HistoryWeighting(decay.Value, window ?? 0);
        try { rule.Validate(); }
        catch (ArgumentException e) { throw new UsageException(e.Message); }
        return rule;
    }

    public Option<double?> Alpha { get; } = new("--alpha") { Description = "Weight of the ideal low-pass term D^-1/2 V Vᵀ D^1/2: GF-CF's α (default 0.3), BSPM's β (default 0.3).", HelpName = "A" };

    public Option<int?> Rank { get; } = new("--rank") { Description = "Singular vectors of R̃ in the low-pass term (gf-cf 256, bspm 384).", HelpName = "R" };

    public Option<double?> NormExponent { get; } = new("--norm-exponent") { Description = "Turbo-CF: a in R̃ = D_U^-a R D_I^-(1-a) (default 0.6; GF-CF and BSPM use 0.5).", HelpName = "a" };

    public Option<double?> Power { get; } = new("--power") { Description = "Turbo-CF: element-wise power s of P̄ = P̃^∘s (default 1; orders 2 and 3 need 1).", HelpName = "s" };

    public Option<int?> Order { get; } = new("--filter-order") { Description = "Turbo-CF: 1 = P̄, 2 = 2P̄ − P̄² (default), 3 = P̄ + 0.01(−P̄³ + 10P̄² − 29P̄).", HelpName = "1|2|3" };

    public Option<double?> Time { get; } = new("--time") { Description = "BSPM: sharpening time T_s of its Euler step (default 1.2).", HelpName = "T" };

    public Option<double?> EaseWeight { get; } = new("--ease-weight") { Description = "γ of a NAME+ease blend (default 1).", HelpName = "γ" };

    public Option<int?> PowerIterations { get; } = new("--power-iterations") { Description = "Power passes of the randomized SVD behind the low-pass term (default 8).", HelpName = "N" };

    public void AddTo(Command command)
    {
        foreach (Option o in new Option[] { Family, Alpha, Rank, NormExponent, Power, Order, Time, EaseWeight, PowerIterations })
            command.Options.Add(o);
        Sequence.AddTo(command);
    }

    /// <summary>The filter the flags describe, or null for EASE; throws <see cref="UsageException"/> naming the bad flag.</summary>
    public FilterOptions? Bind(ParseResult parse)
    {
        string name = parse.GetValue(Family)!;
        FilterOptions? f = IsSequential(name) ? null : Parse(name, parse.GetValue(EaseWeight));
        if (f is null)
        {
            foreach (Option o in new Option[] { Alpha, Rank, NormExponent, Power, Order, Time, EaseWeight, PowerIterations })
            {
                if (parse.GetResult(o) is { Implicit: false })
                    throw new UsageException($"{o.Name} is a graph-filter parameter; it needs --family gf-cf, turbo-cf or bspm");
            }
            return null;
        }
        f = f with
        {
            Alpha = parse.GetValue(Alpha) ?? double.NaN,
            Rank = parse.GetValue(Rank) ?? 0,
            NormExponent = parse.GetValue(NormExponent) ?? double.NaN,
            Power = parse.GetValue(Power) ?? 1,
            Order = parse.GetValue(Order) ?? 0,
            Time = parse.GetValue(Time) ?? f.Time,
            PowerIterations = parse.GetValue(PowerIterations) ?? f.PowerIterations,
        };
        if (parse.GetValue(Rank) is < 1)
            throw new UsageException($"--rank must be >= 1, got {parse.GetValue(Rank)}");
        try { f.Validate(); }
        catch (ArgumentException e) { throw new UsageException(e.Message); }
        return f;
    }

    /// <summary>"gf-cf", "bspm+ease" → the family (blended when +ease); null for "ease"; a usage error when unknown.</summary>
    public static FilterOptions? Parse(string name, double? easeWeight)
    {
        string text = name.Trim();
        bool blend = text.EndsWith("+ease", StringComparison.OrdinalIgnoreCase);
        ModelFamily? family = FilterOptions.Parse(blend ? text[..^5] : text);
        if (family is null)
            throw new UsageException($"--family: unknown family '{name}'; expected ease, gf-cf, turbo-cf, bspm (optionally NAME+ease) or sequential");
        if (family == ModelFamily.Sequential)
            throw new UsageException(blend ? "--family sequential+ease: the sequential family mixes in the set-level Gram itself (--set-weight)" : "the sequential family is trained by `ease train --family sequential` (and `ease study --task next-item`); here give a graph filter");
        if (family == ModelFamily.Ease)
            return blend ? throw new UsageException("--family ease+ease is EASE; give ease") : null;
        if (easeWeight is not null && !blend)
            throw new UsageException($"--ease-weight blends with EASE; use --family {text}+ease");
        return new FilterOptions { Family = family.Value, EaseWeight = blend ? easeWeight ?? 1 : 0 };
    }
}

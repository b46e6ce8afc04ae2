using System.Globalization;
using Ease.Engine.Training.Filters;

namespace Ease.Study;

/// <summary>What a study variant takes away from (or changes in) EASE.</summary>
public enum VariantKind
{
    /// <summary>EASE itself: B = I − P·diag(1/diag P).</summary>
    Ease,

    /// <summary>The unconstrained ridge solution B = I − λP (seen items still excluded when scoring).</summary>
    NoZeroDiagonal,

    /// <summary>EASE with its negative weights set to zero after training.</summary>
    NoNegativesClipped,

    /// <summary>EASE's loss fitted under B ≥ 0 (coordinate descent, SLIM-style).</summary>
    NoNegativesFit,

    /// <summary>The best rank-r approximation of EASE's B (truncated SVD).</summary>
    LowRankSvd,

    /// <summary>A rank-r linear autoencoder for the ridge loss: V diag(σ²/(σ²+λ)) Vᵀ from G's top eigenvectors.</summary>
    LowRankAutoencoder,

    /// <summary>EASE pruned to its K largest weights per row (the model-file path).</summary>
    Pruned,

    /// <summary>Mult-VAE (Liang et al. 2018).</summary>
    MultVae,

    /// <summary>Mult-DAE (Liang et al. 2018).</summary>
    MultDae,

    /// <summary>The same denoising network with a Gaussian likelihood.</summary>
    GaussianDae,

    /// <summary>The same denoising network with a logistic likelihood.</summary>
    LogisticDae,

    /// <summary>Next-item task: the most popular items, the same for everyone.</summary>
    Popularity,

    /// <summary>Next-item task: EASE with histories weighted by recency (the history rule, no retraining).</summary>
    EaseRecency,

    /// <summary>Next-item task: the sequential family (<see cref="Ease.Engine.Training.Sequential.SequentialOptions"/>).</summary>
    Sequential,

    /// <summary>Next-item task: SASRec trained with a full (or sampled) softmax, <see cref="Sequence.SequenceOptions"/>.</summary>
    SasRec,

    /// <summary>Next-item task: a decoder-only LLM block (RMSNorm, SwiGLU, rotary positions) on item tokens.</summary>
    LlmDecoder,

    /// <summary>A graph filter (GF-CF, Turbo-CF, BSPM) or its blend with EASE, <see cref="StudyVariant.Filter"/>.</summary>
    GraphFilter,
}

/// <summary>One model the study trains and evaluates; <see cref="Size"/> is r or K where the kind has one, <see cref="Filter"/> the graph filter's parameters.</summary>
public sealed record StudyVariant(VariantKind Kind, int Size = 0, FilterOptions? Filter = null)
{
    /// <summary>γ of the study's <c>NAME+ease</c> blends unless the name gives one (<c>bspm+ease@0.5</c>): the best on yelp2018.</summary>
    public const double DefaultEaseWeight = 0.25;

    /// <summary>The default ranks of the low-rank variants.</summary>
    public static IReadOnlyList<int> DefaultRanks { get; } = [64, 256, 1024];

    /// <summary>Its name in the report and on the command line.</summary>
    public string Name => Kind switch
    {
        VariantKind.Ease => "ease",
        VariantKind.NoZeroDiagonal => "no-zero-diagonal",
        VariantKind.NoNegativesClipped => "no-negatives-clipped",
        VariantKind.NoNegativesFit => "no-negatives-fit",
        VariantKind.LowRankSvd => string.Create(CultureInfo.InvariantCulture, $"low-rank-{Size}-svd"),
        VariantKind.LowRankAutoencoder => string.Create(CultureInfo.InvariantCulture, $"low-rank-{Size}-lae"),
        VariantKind.Pruned => string.Create(CultureInfo.InvariantCulture, $"pruned-{Size}"),
        VariantKind.MultVae => "mult-vae",
        VariantKind.MultDae => "mult-dae",
        VariantKind.GaussianDae => "gaussian-dae",
        VariantKind.LogisticDae => "logistic-dae",
        VariantKind.Popularity => "pop",
        VariantKind.EaseRecency => "ease-recency",
        VariantKind.Sequential => "sequential",
        VariantKind.SasRec => "sasrec",
        VariantKind.LlmDecoder => "llm-decoder",
        VariantKind.GraphFilter => FilterName(Filter!),
        _ => Kind.ToString(),
    };

    /// <summary>Which claim the variant tests.</summary>
    public string Claim => Kind switch
    {
        VariantKind.Ease => "reference",
        VariantKind.NoZeroDiagonal => "zero diagonal",
        VariantKind.NoNegativesClipped or VariantKind.NoNegativesFit => "negative weights",
        VariantKind.LowRankSvd or VariantKind.LowRankAutoencoder => "full rank",
        VariantKind.Pruned => "sparsity",
        VariantKind.Popularity => "baseline",
        VariantKind.EaseRecency => "recency",
        VariantKind.Sequential => "order",
        VariantKind.SasRec or VariantKind.LlmDecoder => "attention",
        VariantKind.GraphFilter => Filter!.EaseWeight != 0 ? "filter + EASE" : Filter.HasLowPass ? "linear + low-pass filter" : "linear filter",
        _ => "likelihood vs depth",
    };

    /// <summary>Whether it is one of the deep networks (trained from the interactions, no Gram matrix).</summary>
    public bool IsDeep => Kind is VariantKind.MultVae or VariantKind.MultDae or VariantKind.GaussianDae or VariantKind.LogisticDae;

    /// <summary>Whether it needs the EASE inverse P.</summary>
    public bool NeedsInverse => !IsDeep && Kind != VariantKind.LowRankAutoencoder && (Kind != VariantKind.GraphFilter || Filter!.EaseWeight != 0);

    /// <summary>Whether it needs the Gram matrix after P has replaced it.</summary>
    public bool NeedsGram => Kind is VariantKind.NoNegativesFit or VariantKind.LowRankAutoencoder;

    /// <summary>
    /// The default set: every linear variant, the pruned models at the low-rank models' parameter
    /// counts (K = 2r weights per row against 2nr + r), and the deep networks when <paramref name="deep"/>.
    /// </summary>
    public static IReadOnlyList<StudyVariant> Defaults(bool deep) => Parse(deep ? "linear,deep" : "linear");

    /// <summary>
    /// Parses a comma-separated list: ease, no-zero-diagonal, no-negatives (both kinds),
    /// no-negatives-clipped, no-negatives-fit, low-rank-R (both kinds), low-rank-R-svd,
    /// low-rank-R-lae, pruned-K, mult-vae, mult-dae, gaussian-dae, logistic-dae, and the groups
    /// linear, deep, all. Order is kept; repeats count once.
    /// </summary>
    /// <exception cref="FormatException">An unknown name or a bad number, with the accepted names.</exception>
    public static IReadOnlyList<StudyVariant> Parse(string list)
    {
        ArgumentNullException.ThrowIfNull(list);
        var result = new List<StudyVariant>();
        foreach (string raw in list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            foreach (StudyVariant v in Expand(raw.ToLowerInvariant()))
            {
                if (!result.Contains(v))
                    result.Add(v);
            }
        }
        if (result.Count == 0)
            throw new FormatException("no variants named");
        return result;
    }

    private static IEnumerable<StudyVariant> Expand(string name)
    {
        switch (name)
        {
            case "ease":
                return [new(VariantKind.Ease)];
            case "no-zero-diagonal":
                return [new(VariantKind.NoZeroDiagonal)];
            case "no-negatives":
                return [new(VariantKind.NoNegativesClipped), new(VariantKind.NoNegativesFit)];
            case "no-negatives-clipped":
                return [new(VariantKind.NoNegativesClipped)];
            case "no-negatives-fit":
                return [new(VariantKind.NoNegativesFit)];
            case "mult-vae":
                return [new(VariantKind.MultVae)];
            case "mult-dae":
                return [new(VariantKind.MultDae)];
            case "gaussian-dae":
                return [new(VariantKind.GaussianDae)];
            case "logistic-dae":
                return [new(VariantKind.LogisticDae)];
            case "deep":
                return [new(VariantKind.MultVae), new(VariantKind.MultDae), new(VariantKind.GaussianDae), new(VariantKind.LogisticDae)];
            case "linear":
                return Linear();
            case "all":
                return [.. Linear(), .. Expand("deep")];
            case "filters":
                return Filters();
        }
        if (FilterVariant(name) is { } filter)
            return [filter];
        if (name.StartsWith("low-rank-", StringComparison.Ordinal))
        {
            string rest = name["low-rank-".Length..];
            VariantKind[] kinds = [VariantKind.LowRankSvd, VariantKind.LowRankAutoencoder];
            if (rest.EndsWith("-svd", StringComparison.Ordinal))
                (rest, kinds) = (rest[..^4], [VariantKind.LowRankSvd]);
            else if (rest.EndsWith("-lae", StringComparison.Ordinal))
                (rest, kinds) = (rest[..^4], [VariantKind.LowRankAutoencoder]);
            int r = Number(name, rest);
            return kinds.Select(k => new StudyVariant(k, r));
        }
        if (name.StartsWith("pruned-", StringComparison.Ordinal))
            return [new(VariantKind.Pruned, Number(name, name["pruned-".Length..]))];
        if (name is "pop" or "ease-recency" or "sequential" or "sasrec" or "llm-decoder")
            throw new FormatException($"\"{name}\" is a variant of --task next-item");
        throw new FormatException($"unknown variant \"{name}\"; known: ease, no-zero-diagonal, no-negatives[-clipped|-fit], low-rank-R[-svd|-lae], pruned-K, mult-vae, mult-dae, gaussian-dae, logistic-dae, gf-cf[-linear], turbo-cf, bspm[-linear], NAME+ease[@γ], linear, deep, filters, all");
    }

    /// <summary>The variants of the next-item task (<c>--task next-item</c>), in the order given.</summary>
    public static IReadOnlyList<StudyVariant> NextItemDefaults { get; } =
        [new(VariantKind.Popularity), new(VariantKind.Ease), new(VariantKind.EaseRecency), new(VariantKind.Sequential)];

    /// <summary>Parses a next-item variant list: pop, ease, ease-recency, sequential, or all.</summary>
    /// <exception cref="FormatException">An unknown name, with the accepted names.</exception>
    public static IReadOnlyList<StudyVariant> ParseNextItem(string list)
    {
        ArgumentNullException.ThrowIfNull(list);
        var result = new List<StudyVariant>();
        foreach (string raw in list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            IEnumerable<StudyVariant> named = raw.ToLowerInvariant() switch
            {
                "all" => NextItemDefaults,
                "pop" => [new(VariantKind.Popularity)],
                "ease" => [new(VariantKind.Ease)],
                "ease-recency" => [new(VariantKind.EaseRecency)],
                "sequential" => [new(VariantKind.Sequential)],
                "sasrec" => [new(VariantKind.SasRec)],
                "llm-decoder" => [new(VariantKind.LlmDecoder)],
                _ => throw new FormatException($"unknown next-item variant \"{raw}\"; known: pop, ease, ease-recency, sequential, sasrec, llm-decoder, all"),
            };
            foreach (StudyVariant v in named)
            {
                if (!result.Contains(v))
                    result.Add(v);
            }
        }
        if (result.Count == 0)
            throw new FormatException("no variants named");
        return result;
    }

    private static IEnumerable<StudyVariant> Linear()
    {
        yield return new(VariantKind.Ease);
        yield return new(VariantKind.NoZeroDiagonal);
        yield return new(VariantKind.NoNegativesClipped);
        yield return new(VariantKind.NoNegativesFit);
        foreach (int r in DefaultRanks)
        {
            yield return new(VariantKind.LowRankSvd, r);
            yield return new(VariantKind.LowRankAutoencoder, r);
        }
        foreach (int r in DefaultRanks)
            yield return new(VariantKind.Pruned, 2 * r);
    }

    /// <summary>
    /// The graph filters at their defaults, each pulled apart: the linear filter alone (α or β 0),
    /// with its low-pass term, and BSPM blended with EASE.
    /// </summary>
    private static IEnumerable<StudyVariant> Filters()
    {
        foreach (string name in (string[])["gf-cf-linear", "gf-cf", "turbo-cf", "bspm-linear", "bspm", "bspm+ease"])
            yield return FilterVariant(name)!;
    }

    /// <summary>gf-cf, gf-cf-linear, turbo-cf, bspm, bspm-linear, and NAME+ease or NAME+ease@γ; null for any other name.</summary>
    private static StudyVariant? FilterVariant(string name)
    {
        double weight = 0;
        int plus = name.IndexOf("+ease", StringComparison.Ordinal);
        string family = name;
        if (plus > 0)
        {
            string rest = name[(plus + "+ease".Length)..];
            family = name[..plus];
            weight = rest.Length == 0 ? DefaultEaseWeight
                : rest[0] == '@' && double.TryParse(rest[1..], NumberStyles.Float, CultureInfo.InvariantCulture, out double w) && w > 0 && double.IsFinite(w) ? w
                : throw new FormatException($"variant \"{name}\": expected NAME+ease or NAME+ease@γ with γ > 0");
        }
        bool linear = family.EndsWith("-linear", StringComparison.Ordinal);
        if (linear)
            family = family[..^"-linear".Length];
        if (FilterOptions.Parse(family) is not { } kind || kind == ModelFamily.Ease || kind == ModelFamily.Sequential)
            return null;
        if (linear && kind == ModelFamily.TurboCf)
            throw new FormatException($"variant \"{name}\": turbo-cf has no low-pass term to take away");
        var f = new FilterOptions { Family = kind, EaseWeight = weight };
        return new StudyVariant(VariantKind.GraphFilter, 0, linear ? f with { Alpha = 0 } : f);
    }

    private static string FilterName(FilterOptions f)
    {
        string name = FilterOptions.Name(f.Family) + (f.HasLowPass || f.Family == ModelFamily.TurboCf ? "" : "-linear");
        if (f.EaseWeight == 0)
            return name;
        return f.EaseWeight == DefaultEaseWeight ? name + "+ease" : string.Create(CultureInfo.InvariantCulture, $"{name}+ease@{f.EaseWeight}");
    }

    private static int Number(string name, string text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int v) && v >= 1
            ? v
            : throw new FormatException($"variant \"{name}\": \"{text}\" is not a positive whole number");
}

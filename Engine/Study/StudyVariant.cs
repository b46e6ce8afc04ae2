using System.Globalization;

namespace Ease.Engine.Study;

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

    /// <summary>Next-item task: the sequential family (<see cref="Training.Sequential.SequentialOptions"/>).</summary>
    Sequential,
}

/// <summary>One model the study trains and evaluates; <see cref="Size"/> is r or K where the kind has one.</summary>
public sealed record StudyVariant(VariantKind Kind, int Size = 0)
{
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
        _ => "likelihood vs depth",
    };

    /// <summary>Whether it is one of the deep networks (trained from the interactions, no Gram matrix).</summary>
    public bool IsDeep => Kind is VariantKind.MultVae or VariantKind.MultDae or VariantKind.GaussianDae or VariantKind.LogisticDae;

    /// <summary>Whether it needs the EASE inverse P.</summary>
    public bool NeedsInverse => !IsDeep && Kind != VariantKind.LowRankAutoencoder;

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
        }
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
        if (name is "pop" or "ease-recency" or "sequential")
            throw new FormatException($"\"{name}\" is a variant of --task next-item");
        throw new FormatException($"unknown variant \"{name}\"; known: ease, no-zero-diagonal, no-negatives[-clipped|-fit], low-rank-R[-svd|-lae], pruned-K, mult-vae, mult-dae, gaussian-dae, logistic-dae, linear, deep, all");
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
                _ => throw new FormatException($"unknown next-item variant \"{raw}\"; known: pop, ease, ease-recency, sequential, all"),
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

    private static int Number(string name, string text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int v) && v >= 1
            ? v
            : throw new FormatException($"variant \"{name}\": \"{text}\" is not a positive whole number");
}

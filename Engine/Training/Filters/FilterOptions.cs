using System.Globalization;

namespace Ease.Engine.Training.Filters;

/// <summary>The closed-form families the trainer builds; every one ends in the same item × item file.</summary>
public enum ModelFamily
{
    /// <summary>EASE / EDLAE: B = I − P·diag(1/diag P), P = (XᵀX + Λ)⁻¹.</summary>
    Ease,

    /// <summary>GF-CF (Shen et al., CIKM 2021): P̃ + α·D^-1/2 V Vᵀ D^1/2, P̃ = R̃ᵀR̃, V the top singular vectors of R̃.</summary>
    GfCf,

    /// <summary>Turbo-CF (Park et al., SIGIR 2024): a polynomial in P̄ = (R̃ᵀR̃)^∘s, R̃ = D_U^-a R D_I^-(1-a); no decomposition.</summary>
    TurboCf,

    /// <summary>BSPM (Choi et al., SIGIR 2023): blur (P̃ and the ideal low-pass) then one sharpening Euler step, both points averaged.</summary>
    Bspm,

    /// <summary>Order-aware (SLIST-like): one ridge solve mixing XᵀX with item → later-item transitions; see <see cref="Sequential.SequentialOptions"/>.</summary>
    Sequential,
}

/// <summary>
/// Parameters of a graph-filter family. Defaults are each paper's published setting for yelp2018:
/// GF-CF α 0.3 with 256 singular vectors; Turbo-CF a 0.6, s 1, filter 2 (2P̄ − P̄²); BSPM
/// β 0.3 with 384 singular vectors, T_b 1, T_s 1.2, one Euler step each, final sharpening and the
/// time-point combination (the repository's yelp2018 command).
/// </summary>
public sealed record FilterOptions
{
    public ModelFamily Family { get; init; } = ModelFamily.GfCf;

    /// <summary>Weight of the ideal low-pass term D^-1/2 V Vᵀ D^1/2: GF-CF's α, BSPM's β (idl_beta).</summary>
    public double Alpha { get; init; } = double.NaN;

    /// <summary>Singular vectors of R̃ in the ideal low-pass term.</summary>
    public int Rank { get; init; }

    /// <summary>a in R̃ = D_U^-a R D_I^-(1-a) (Turbo-CF's α; 0.5 is the symmetric normalisation of GF-CF and BSPM).</summary>
    public double NormExponent { get; init; } = double.NaN;

    /// <summary>s: P̄ = P̃^∘s, an element-wise power (Turbo-CF).</summary>
    public double Power { get; init; } = 1;

    /// <summary>Turbo-CF's filter: 1 = P̄, 2 = 2P̄ − P̄², 3 = P̄ + 0.01(−P̄³ + 10P̄² − 29P̄).</summary>
    public int Order { get; init; }

    /// <summary>BSPM's sharpening time T_s (one Euler step of dr/dt = −r·P̃).</summary>
    public double Time { get; init; } = 1.2;

    /// <summary>γ of a blend with EASE: M + γ·B, B trained with the run's λ and dropout; 0 = the filter alone.</summary>
    public double EaseWeight { get; init; }

    /// <summary>Power passes of the randomized subspace iteration for V.</summary>
    public int PowerIterations { get; init; } = 8;

    /// <summary>Seed of the subspace iteration's start block.</summary>
    public ulong Seed { get; init; } = 1;

    /// <summary>The family's α (or β) when none was given.</summary>
    public double EffectiveAlpha => !double.IsNaN(Alpha) ? Alpha : Family == ModelFamily.Bspm || Family == ModelFamily.GfCf ? 0.3 : 0;

    /// <summary>The family's rank when none was given (0 for Turbo-CF, which has no low-pass term).</summary>
    public int EffectiveRank => Rank > 0 ? Rank : Family switch { ModelFamily.GfCf => 256, ModelFamily.Bspm => 384, _ => 0 };

    public double EffectiveNormExponent => !double.IsNaN(NormExponent) ? NormExponent : Family == ModelFamily.TurboCf ? 0.6 : 0.5;

    public int EffectiveOrder => Order > 0 ? Order : Family == ModelFamily.TurboCf ? 2 : 1;

    /// <summary>Whether the operator has the ideal low-pass term D^-1/2 V (…) and so needs the SVD.</summary>
    public bool HasLowPass => Family is ModelFamily.GfCf or ModelFamily.Bspm && EffectiveRank > 0 && EffectiveAlpha != 0;

    /// <summary>The family's name on the command line and in model metadata.</summary>
    public static string Name(ModelFamily f) => f switch
    {
        ModelFamily.Ease => "ease",
        ModelFamily.GfCf => "gf-cf",
        ModelFamily.TurboCf => "turbo-cf",
        ModelFamily.Bspm => "bspm",
        ModelFamily.Sequential => "sequential",
        _ => throw new ArgumentOutOfRangeException(nameof(f)),
    };

    /// <summary>Parses a family name ("gf-cf"); null when unknown.</summary>
    public static ModelFamily? Parse(string name) => name.Trim().ToLowerInvariant() switch
    {
        "ease" => ModelFamily.Ease,
        "gf-cf" or "gfcf" => ModelFamily.GfCf,
        "turbo-cf" or "turbocf" => ModelFamily.TurboCf,
        "bspm" => ModelFamily.Bspm,
        "sequential" => ModelFamily.Sequential,
        _ => null,
    };

    /// <summary>The name with the blend, e.g. "gf-cf+ease".</summary>
    public string DisplayName => Name(Family) + (EaseWeight != 0 ? "+ease" : "");

    /// <summary>
    /// The operator as c₁P̄ + c₂P̄² + … (Coefficients) plus D^-1/2 V·(e₀·W + e₁·W·P̄) with
    /// W = Vᵀ D^1/2 (LowPass). BSPM expands ½[P̃ + (P̃ + βL)(I − T·P̃)], L = D^-1/2 V Vᵀ D^1/2.
    /// </summary>
    public (double[] Coefficients, double[] LowPass) Operator()
    {
        double a = EffectiveAlpha, t = Time;
        return Family switch
        {
            ModelFamily.GfCf => ([1.0], [a]),
            ModelFamily.TurboCf => EffectiveOrder switch
            {
                1 => ([1.0], []),
                2 => ([2.0, -1.0], []),
                _ => ([0.71, 0.1, -0.01], []),
            },
            ModelFamily.Bspm => ([1.0, -t / 2], [a / 2, -t * a / 2]),
            _ => throw new InvalidOperationException("EASE is not a graph filter"),
        };
    }

    /// <summary>
    /// Why the sparse solver cannot build this operator, or null when it can. Its rows hold P̄ and
    /// P̄² exactly on the candidates (one pass through R̃ and back per row); P̄³ would need a
    /// users-long vector per candidate, about nnz work for every entry.
    /// </summary>
    public string? SparseRefusal => EffectiveOrder > 2
        ? $"turbo-cf of order {EffectiveOrder} has no sparse path (the sparse solver builds gf-cf, bspm and turbo-cf of order 1 or 2, alone or +ease); use --solver dense"
        : null;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first parameter out of range.</summary>
    public void Validate()
    {
        if (Family is ModelFamily.Ease or ModelFamily.Sequential)
            throw new ArgumentException($"{Name(Family)} is not a graph filter");
        double alpha = EffectiveAlpha, a = EffectiveNormExponent;
        if (!double.IsFinite(alpha))
            throw new ArgumentException($"alpha must be a finite number, got {alpha}");
        if (!double.IsFinite(a) || a < 0 || a > 1)
            throw new ArgumentException($"norm-exponent must be in [0, 1], got {a}");
        if (!double.IsFinite(Power) || Power <= 0)
            throw new ArgumentException($"power must be > 0, got {Power}");
        if (Order is < 0 or > 3)
            throw new ArgumentException($"filter order must be 1, 2 or 3, got {Order}");
        if (Power != 1 && EffectiveOrder > 1)
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"a filter of order {EffectiveOrder} needs power 1 (P̄ must stay R̃ᵀR̃ for its products); got power {Power}"));
        if (!double.IsFinite(Time) || Time < 0)
            throw new ArgumentException($"time must be >= 0, got {Time}");
        if (Rank < 0)
            throw new ArgumentException($"rank must be >= 1, got {Rank}");
        if (!double.IsFinite(EaseWeight))
            throw new ArgumentException($"ease-weight must be a finite number, got {EaseWeight}");
        if (PowerIterations < 0)
            throw new ArgumentException($"power iterations must be >= 0, got {PowerIterations}");
        if (Family != ModelFamily.TurboCf && (Power != 1 || !double.IsNaN(NormExponent) && NormExponent != 0.5))
            throw new ArgumentException($"{Name(Family)} uses the symmetric normalisation; --power and --norm-exponent are Turbo-CF's");
    }
}

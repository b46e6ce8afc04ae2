using System.Globalization;
using System.Text.Json.Nodes;
using Ease.Engine.Scoring;

namespace Ease.Engine.Training.Sequential;

/// <summary>
/// Parameters of the sequential family: one ridge solve, in the spirit of SLIST (Choi et al., WWW 2021), that mixes
/// the set-level Gram matrix of EASE with item → later-item transitions under position weights.
/// </summary>
/// <remarks>
/// Each step t of a user's sequence s (t = 1 … L−1) is one training row: its input is the last <see cref="Window"/>
/// items before t weighted <see cref="Decay"/>^age (age 0 for s[t−1]), and its target the next <see cref="Targets"/>
/// items s[t], s[t+1], … weighted <see cref="TargetDecay"/>^h. With X the users' item sets, S the inputs and Y the
/// targets, B minimises α‖X − XB‖² + (1−α)‖Y − SB‖² + λ‖B‖² (α = <see cref="SetWeight"/>), with diag(B) = 0 when
/// <see cref="ZeroDiagonal"/>: P = (αXᵀX + (1−α)SᵀS + λI)⁻¹, B = P·C − P·diag(μ), C = αXᵀX + (1−α)SᵀY,
/// μ_j = (P·C)_jj / P_jj. Scoring weights a history as the inputs were weighted: the model's history rule.
/// Defaults: measured on ml-1m-sas's validation users (README, "Does order need a transformer?").
/// </remarks>
public sealed record SequentialOptions
{
    /// <summary>γ: the weight of an input item of age a is γ^a (0 &lt; γ ≤ 1); also the history rule's decay.</summary>
    public double Decay { get; init; } = DefaultDecay;

    /// <summary>Input items per step, the most recent ones (≥ 1); also the history rule's window.</summary>
    public int Window { get; init; } = DefaultWindow;

    /// <summary>α in [0, 1]: the share of the set-level objective (EASE's) against the transitions.</summary>
    public double SetWeight { get; init; } = DefaultSetWeight;

    /// <summary>Next items each step predicts (≥ 1).</summary>
    public int Targets { get; init; } = DefaultTargets;

    /// <summary>δ: the weight of the h-th next item is δ^h (0 &lt; δ ≤ 1).</summary>
    public double TargetDecay { get; init; } = DefaultTargetDecay;

    /// <summary>Whether diag(B) = 0 is a constraint of the solve (else the diagonal is dropped after it).</summary>
    public bool ZeroDiagonal { get; init; } = true;

    public const double DefaultDecay = 0.8;
    public const int DefaultWindow = 50;
    public const double DefaultSetWeight = 0.2;
    public const int DefaultTargets = 3;
    public const double DefaultTargetDecay = 0.5;

    /// <summary>The history rule the model is scored with: the inputs' decay and window.</summary>
    public HistoryWeighting History => new(Decay, Window);

    /// <summary>Throws <see cref="ArgumentException"/> naming the first parameter out of range.</summary>
    public void Validate()
    {
        var c = CultureInfo.InvariantCulture;
        if (!double.IsFinite(Decay) || Decay <= 0 || Decay > 1)
            throw new ArgumentException(string.Create(c, $"history decay must be in (0, 1], got {Decay}"));
        if (Window < 1 || Window > 10_000)
            throw new ArgumentException($"history window must be in [1, 10000] for the sequential family, got {Window}");
        if (!double.IsFinite(SetWeight) || SetWeight < 0 || SetWeight > 1)
            throw new ArgumentException(string.Create(c, $"set weight must be in [0, 1], got {SetWeight}"));
        if (Targets < 1 || Targets > 1000)
            throw new ArgumentException($"targets must be in [1, 1000], got {Targets}");
        if (!double.IsFinite(TargetDecay) || TargetDecay <= 0 || TargetDecay > 1)
            throw new ArgumentException(string.Create(c, $"target decay must be in (0, 1], got {TargetDecay}"));
    }

    /// <summary>The objective in one line.</summary>
    public string Formula(double lambda) => string.Create(CultureInfo.InvariantCulture,
        $"min {SetWeight:0.###}‖X − XB‖² + {1 - SetWeight:0.###}‖Y − SB‖² + {lambda:0.###}‖B‖²{(ZeroDiagonal ? ", diag B = 0" : "")}; S: last {Window} items weighted {Decay:0.###}^age, Y: next {Targets} item{(Targets > 1 ? "s" : "")}{(Targets > 1 ? string.Create(CultureInfo.InvariantCulture, $" weighted {TargetDecay:0.###}^h") : "")}");

    /// <summary>The family and its parameters, for the model's metadata.</summary>
    public JsonObject Describe(TrainOptions o) => new()
    {
        ["name"] = "sequential",
        ["set_weight"] = SetWeight,
        ["decay"] = Decay,
        ["window"] = Window,
        ["targets"] = Targets,
        ["target_decay"] = TargetDecay,
        ["zero_diagonal"] = ZeroDiagonal,
        ["lambda"] = o.Lambda,
        ["dropout"] = o.Dropout,
        ["operator"] = Formula(o.Lambda),
    };
}

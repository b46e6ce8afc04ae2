using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Ease.Engine.Input;
using Ease.Engine.Linalg;

namespace Ease.Engine.Training.Filters;

/// <summary>
/// Trains a graph-filter family (GF-CF, Turbo-CF, BSPM), alone or blended with EASE, into the
/// ordinary model file: the operator is built densely in f32 (<see cref="GraphFilterOperator"/>),
/// pruned by the run's rules and written in its encoding, with the family in the metadata.
/// </summary>
public static class GraphFilterTrainer
{
    public static TrainReport Train(InteractionSet data, TrainOptions o, string outputPath, JsonObject? metadata = null,
        IProgress<TrainProgress>? progress = null, CancellationToken ct = default)
    {
        FilterOptions f = Checked(data, o);
        CheckMemory(data, o);
        int threads = o.EffectiveThreads;
        var phases = new List<PhaseTiming>();
        string kernel = "";
        EaseSolver? ease = null;
        try
        {
            if (f.EaseWeight != 0)
            {
                ease = EaseSolver.Create(data, Precision.Float32, threads, keepGram: false, progress, ct);
                SpdInverseReport inv = ease.Solve(o.Lambda, o.Dropout, progress, ct);
                phases.Add(new PhaseTiming("ease gram", ease.GramSeconds));
                phases.Add(new PhaseTiming("ease factor", inv.FactorSeconds, inv.FactorGflops));
                phases.Add(new PhaseTiming("ease invert", inv.InvertSeconds, inv.InvertGflops));
                kernel = inv.KernelPath;
            }
            using DenseMatrix<float> m = GraphFilterOperator.Build(data, f, threads, progress, ct, out GraphFilterOperator.Timings t);
            if (t.SvdSeconds > 0)
                phases.Add(new PhaseTiming("svd", t.SvdSeconds));
            phases.Add(new PhaseTiming("gram", t.GramSeconds));
            if (f.EffectiveOrder > 1 || f.Family == ModelFamily.Bspm)
                phases.Add(new PhaseTiming("filter", t.FilterSeconds));
            if (t.LowPassSeconds > 0)
                phases.Add(new PhaseTiming("low-pass", t.LowPassSeconds, t.LowPassGflops));
            var rows = new FilterRows(m, ease is null ? null : new EaseRows<float>(((EaseSolver<float>)ease).Matrix), f.EaseWeight);
            ModelWriteReport w = EaseTrainer.WriteModel(rows, data, o, WithSolver(metadata), outputPath, threads, progress, ct);
            if (o.Prune == PruneMode.Density)
                phases.Add(new PhaseTiming("threshold", w.ThresholdSeconds));
            phases.Add(new PhaseTiming("prune+write", w.WriteSeconds));
            return new TrainReport
            {
                Users = data.UserCount,
                Items = data.ItemCount,
                Interactions = data.InteractionCount,
                NonZeros = w.NonZeros,
                KeptWeightMass = w.KeptWeightMass,
                Phases = phases,
                KernelPath = kernel.Length > 0 ? kernel : SpdInverse.Resolve<float>(KernelPath.Auto).ToString(),
                Threads = threads,
                MatrixBytes = m.BytesAllocated + (ease?.MatrixBytes ?? 0),
                FileBytes = w.FileBytes,
                PruneThreshold = w.Threshold,
                Solver = "dense",
            };
        }
        finally
        {
            ease?.Dispose();
        }
    }

    /// <summary>The run's filter, after the checks both solvers make (options valid, data not empty).</summary>
    internal static FilterOptions Checked(InteractionSet data, TrainOptions o)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(o);
        FilterOptions f = o.Filter ?? throw new ArgumentException("the options name no graph-filter family");
        o.Validate();
        if (data.ItemCount == 0 || data.InteractionCount == 0)
            throw new InvalidDataException("the input holds no interactions; nothing to train on");
        return f;
    }

    /// <summary>Bytes the run needs beyond the input: M, and EASE's P for a blend.</summary>
    public static long DenseBytes(int items, FilterOptions f) =>
        MemoryBudget.DenseBytes(items, Precision.Float32) * (f.EaseWeight != 0 ? 2 : 1);

    private static void CheckMemory(InteractionSet data, TrainOptions o)
    {
        long limit = MemoryBudget.Limit(o);
        long need = DenseBytes(data.ItemCount, o.Filter!) + MemoryBudget.InputBytes(data);
        if (need > limit)
            throw new InsufficientMemoryException(
                $"{o.Filter!.DisplayName} needs about {MemoryBudget.Format(need)} for {data.ItemCount:N0} items (its dense operator{(o.Filter.EaseWeight != 0 ? " and EASE's inverse" : "")}), over the memory limit of {MemoryBudget.Format(limit)}");
    }

    private static JsonObject WithSolver(JsonObject? metadata)
    {
        JsonObject meta = metadata?.DeepClone().AsObject() ?? [];
        meta["solver"] = new JsonObject { ["kind"] = "dense", ["method"] = "graph filter through R̃" };
        return meta;
    }

    /// <summary>The family and every parameter that shaped its operator, for the model's metadata.</summary>
    public static JsonObject Describe(FilterOptions f, TrainOptions o)
    {
        var family = new JsonObject { ["name"] = FilterOptions.Name(f.Family) };
        switch (f.Family)
        {
            case ModelFamily.GfCf:
                family["alpha"] = f.EffectiveAlpha;
                family["rank"] = f.EffectiveRank;
                break;
            case ModelFamily.TurboCf:
                family["norm_exponent"] = f.EffectiveNormExponent;
                family["power"] = f.Power;
                family["order"] = f.EffectiveOrder;
                break;
            case ModelFamily.Bspm:
                family["beta"] = f.EffectiveAlpha;
                family["rank"] = f.EffectiveRank;
                family["blur_time"] = 1;
                family["sharpen_time"] = f.Time;
                family["steps"] = "euler, 1 blur + 1 sharpen, time points averaged";
                break;
        }
        if (f.HasLowPass)
        {
            family["power_iterations"] = f.PowerIterations;
            family["seed"] = f.Seed;
        }
        if (f.EaseWeight != 0)
        {
            family["ease_weight"] = f.EaseWeight;
            family["ease_lambda"] = o.Lambda;
            family["ease_dropout"] = o.Dropout;
        }
        family["operator"] = Formula(f);
        return family;
    }

    /// <summary>The operator in one line, e.g. "P̃ + 0.3·D^-1/2 V Vᵀ D^1/2 (r = 256)".</summary>
    public static string Formula(FilterOptions f)
    {
        var c = CultureInfo.InvariantCulture;
        string blend = f.EaseWeight != 0 ? string.Create(c, $" + {f.EaseWeight:0.###}·B_EASE") : "";
        return f.Family switch
        {
            ModelFamily.GfCf => string.Create(c, $"P̃ + {f.EffectiveAlpha:0.###}·D^-1/2 V Vᵀ D^1/2 (r = {f.EffectiveRank}){blend}"),
            ModelFamily.TurboCf => (f.EffectiveOrder switch { 1 => "P̄", 2 => "2P̄ − P̄²", _ => "P̄ + 0.01(−P̄³ + 10P̄² − 29P̄)" })
                + string.Create(c, $", P̄ = (R̃ᵀR̃)^∘{f.Power:0.###}, R̃ = D_U^-{f.EffectiveNormExponent:0.###} R D_I^-{1 - f.EffectiveNormExponent:0.###}{blend}"),
            ModelFamily.Bspm => string.Create(c, $"½[P̃ + (P̃ + {f.EffectiveAlpha:0.###}·L)(I − {f.Time:0.###}·P̃)], L = D^-1/2 V Vᵀ D^1/2 (r = {f.EffectiveRank}){blend}"),
            _ => "",
        };
    }
}

using System.CommandLine;
using Ease.Engine.Scoring;
using Ease.Format;

namespace Ease.Cli.Options;

/// <summary>
/// <c>--max-weights W</c> and <c>--light-model MODEL</c> of <c>ease recommend</c>, <c>evaluate</c>,
/// <c>bench</c> and <c>serve</c>: a latency budget per user (<see cref="RecommendOptions.MaxWeights"/>).
/// </summary>
internal sealed class BudgetOptions
{
    public Option<int> MaxWeights { get; } = new("--max-weights")
    {
        Description = "Latency budget: the most stored weights one user's scores add; 0 = no budget. A history whose rows hold more "
            + "is scored from --light-model's rows (the strongest part of each row), and then, if still over, from its last items that fit.",
        DefaultValueFactory = _ => 0,
        HelpName = "W",
    };

    public Option<string?> LightModel { get; } = new("--light-model")
    {
        Description = "With --max-weights: a further prune of --model (e.g. ease prune --prune-topk 100), same items, any encoding.",
        HelpName = "MODEL",
    };

    public void AddTo(Command command)
    {
        command.Add(MaxWeights);
        command.Add(LightModel);
    }

    /// <summary>The budget (0: none) and the light model's path, or null.</summary>
    /// <exception cref="UsageException">a negative budget, or a light model without a budget.</exception>
    public (int MaxWeights, string? LightPath) Bind(ParseResult parse)
    {
        int maxWeights = parse.GetValue(MaxWeights);
        string? light = parse.GetValue(LightModel);
        if (maxWeights < 0)
            throw new UsageException($"--max-weights must be >= 0 (0: no budget), got {maxWeights}");
        if (light is not null && maxWeights == 0)
            throw new UsageException("--light-model is read only under a budget: give --max-weights too");
        return (maxWeights, light);
    }

    /// <summary>Opens the light model and checks it stands in for <paramref name="model"/>; null for no path.</summary>
    /// <exception cref="InvalidDataException">it describes other items than the model.</exception>
    public static ModelFile? OpenLight(string? path, ModelFile model)
    {
        if (path is null)
            return null;
        ModelFile light = ModelFile.Open(path);
        if (LightModelCheck.Mismatch(model, light) is { } why)
        {
            light.Dispose();
            throw new InvalidDataException($"{path}: {why}; a light model is a further prune of --model");
        }
        return light;
    }
}

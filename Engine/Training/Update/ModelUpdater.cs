using System.Text.Json.Nodes;
using Ease.Engine.Input;
using Ease.Format;

namespace Ease.Engine.Training.Update;

/// <summary>What `ease update` is asked to do.</summary>
public sealed record UpdateRequest
{
    public required string ModelPath { get; init; }
    public required string StateDirectory { get; init; }
    /// <summary>Where the new state goes; null = replace the state in <see cref="StateDirectory"/>.</summary>
    public string? OutputStateDirectory { get; init; }
    public required string OutputPath { get; init; }
    public string? AddPath { get; init; }
    public string? RemovePath { get; init; }
    public IReadOnlyList<string> RemoveUsers { get; init; } = [];
    public InputOptions Input { get; init; } = new();
    public int Threads { get; init; }
    /// <summary>auto: incremental unless a retrain is estimated faster; incremental: never retrain; retrain: always.</summary>
    public UpdateMethod Method { get; init; } = UpdateMethod.Auto;
}

public enum UpdateMethod
{
    Auto,
    Incremental,
    Retrain,
}

/// <summary>
/// `ease update`: checks that the state belongs to the model (its identity and its settings), reads
/// the additions and removals against the state's catalogue, and hands the new interactions to the
/// solver's exact update, which writes the new model and state atomically.
/// </summary>
public static class ModelUpdater
{
    public static UpdateReport Update(UpdateRequest r, IProgress<TrainProgress>? progress = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(r);
        if (r.AddPath is null && r.RemovePath is null && r.RemoveUsers.Count == 0)
            throw new ArgumentException("nothing to update: give --add, --remove or --remove-user");
        string identity = ModelIdentity.Of(r.ModelPath);
        JsonObject modelMeta;
        using (ModelFile model = ModelFile.Open(r.ModelPath))
        {
            try { modelMeta = JsonNode.Parse(model.MetadataJson)?.AsObject() ?? []; }
            catch (System.Text.Json.JsonException) { modelMeta = []; }
        }
        using LoadedState state = LoadedState.Open(r.StateDirectory);
        if (state.ModelIdentity != identity)
        {
            throw new InvalidDataException(
                $"{state.Path}: this state belongs to another model (model '{(string?)state.Manifest["model"]?["file"]}', identity {state.ModelIdentity[..12]}), " +
                $"not to {r.ModelPath} (identity {identity[..12]}); update the model the state was written with, or retrain with --state");
        }
        JsonObject modelSettings = StateOptions.FromModelMetadata(modelMeta, r.ModelPath);
        JsonObject stateSettings = state.Manifest["options"]!.AsObject();
        if (!JsonNode.DeepEquals(modelSettings, stateSettings))
        {
            throw new InvalidDataException(
                $"{state.Path}: the state's settings {stateSettings.ToJsonString()} differ from the model's {modelSettings.ToJsonString()}");
        }
        // The model's history rule (--history-decay) is not part of B: it stays with the updated model.
        TrainOptions o = state.Options with { Threads = r.Threads, History = Scoring.HistoryWeighting.FromMetadata(modelMeta.ToJsonString()) };
        InteractionSet before = state.Data;

        InteractionSet? add = null, remove = null;
        if (r.AddPath is not null)
            add = InteractionReader.Read(r.AddPath, r.Input, before.ItemIds, UnknownItemPolicy.Add, null, ct);
        if (r.RemovePath is not null)
            remove = InteractionReader.Read(r.RemovePath, r.Input, add?.ItemIds ?? before.ItemIds, UnknownItemPolicy.Add, null, ct);
        DataDelta delta = DataDelta.Apply(before, add, r.AddPath ?? "", remove, r.RemovePath ?? "", r.RemoveUsers);
        if (delta.Data.InteractionCount == 0)
            throw new InvalidDataException("the update removes every interaction; nothing is left to train on");

        var meta = new JsonObject();
        foreach (string key in new[] { "tool", "source" })
        {
            if (modelMeta[key] is { } v)
                meta[key] = v.DeepClone();
        }
        meta["update"] = new JsonObject
        {
            ["base_identity"] = identity,
            ["generation"] = state.Generation + 1,
            ["added"] = delta.AddedPairs,
            ["removed"] = delta.RemovedPairs,
            ["removed_users"] = delta.RemovedUsers,
            ["new_items"] = delta.NewItems,
        };

        using var output = new StateOutput(r.OutputStateDirectory ?? r.StateDirectory);
        if (r.Method == UpdateMethod.Retrain)
            return Retrain(delta, o, r.OutputPath, meta, output, "asked for (--method retrain)", state.FileLength, progress, ct);
        if (state.Solver == "sparse")
            return SparseUpdater.Update(state, delta, o, r.OutputPath, output, meta, r.Method == UpdateMethod.Auto, progress, ct);
        return DenseUpdater.Update(state, delta, o, r.OutputPath, output, meta, r.Method, progress, ct);
    }

    internal static UpdateReport Retrain(DataDelta delta, TrainOptions o, string outputPath, JsonObject meta, StateOutput output, string reason,
        long stateBytes, IProgress<TrainProgress>? progress, CancellationToken ct)
    {
        output.Generation = 0;
        if (o.Solver == SolverKind.Dense)
            meta["solver"] = new JsonObject { ["kind"] = "dense", ["method"] = "blocked Cholesky inverse" };
        TrainReport report = EaseTrainer.Train(delta.Data, o, outputPath, meta, progress, ct, output);
        return UpdateReport.Retrained(report, reason, delta, stateBytes);
    }
}

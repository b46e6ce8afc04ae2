using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Ease.Cli.Options;
using Ease.Engine.Input;
using Ease.Engine.Training;
using Ease.Engine.Training.Update;

namespace Ease.Cli.Commands;

/// <summary>`ease update`: folds added and removed interactions into a model exactly, from the state `ease train --state` kept.</summary>
public static class UpdateCommand
{
    public static Command Create(CliContext context)
    {
        var model = new Option<string>("--model", "-m") { Description = "The model to update (the one the state was written with).", Required = true, HelpName = "MODEL" };
        var state = new Option<string>("--state") { Description = "The state directory `ease train --state` (or the last update) wrote; replaced by the new state.", Required = true, HelpName = "DIR" };
        var stateOut = new Option<string?>("--state-out") { Description = "Write the new state here instead of replacing --state.", HelpName = "DIR" };
        var add = new Option<string?>("--add") { Description = "New interactions, in any format `ease train` reads (the input options below apply to --add and --remove).", HelpName = "FILE" };
        var remove = new Option<string?>("--remove") { Description = "Interactions to remove; each must be in the model's interactions.", HelpName = "FILE" };
        var removeUser = new Option<string[]>("--remove-user") { Description = "Remove every interaction of this user (repeatable).", HelpName = "ID", AllowMultipleArgumentsPerToken = false };
        var output = new Option<string>("--output", "-o") { Description = "The updated model (may be --model itself; written atomically).", Required = true, HelpName = "MODEL" };
        var method = new Option<string>("--method") { Description = "auto: update in place unless a full retrain is estimated faster (then retrain, and say so); incremental: never retrain; retrain: always.", DefaultValueFactory = _ => "auto", HelpName = "auto|incremental|retrain" };
        method.AcceptOnlyFromAmong("auto", "incremental", "retrain");
        var threads = new Option<int>("--threads") { Description = "Worker threads; 0 = all cores.", DefaultValueFactory = _ => 0, HelpName = "N" };
        var json = new Option<bool>("--json") { Description = "Print the summary as one JSON object on stdout." };
        var quiet = new Option<bool>("--quiet", "-q") { Description = "No progress output." };
        var binder = new InputOptionsBinder();
        var command = new Command("update", "Fold new and removed interactions into a model exactly (equal to a retrain on the new interactions), from the state `ease train --state` kept.")
        {
            model, state, stateOut, add, remove, removeUser, output, method, threads, json, quiet,
        };
        binder.AddTo(command);
        command.SetAction((parse, ct) =>
        {
            var total = Stopwatch.StartNew();
            int t = parse.GetValue(threads);
            if (t < 0)
                throw new UsageException($"--threads must be >= 0, got {t}");
            var request = new UpdateRequest
            {
                ModelPath = parse.GetValue(model)!,
                StateDirectory = parse.GetValue(state)!,
                OutputStateDirectory = parse.GetValue(stateOut),
                OutputPath = CliOutput.ModelPath(parse.GetValue(output)!),
                AddPath = parse.GetValue(add),
                RemovePath = parse.GetValue(remove),
                RemoveUsers = parse.GetValue(removeUser) ?? [],
                Input = TrainCommand.Bind(binder, parse),
                Threads = t,
                Method = parse.GetValue(method) switch { "incremental" => UpdateMethod.Incremental, "retrain" => UpdateMethod.Retrain, _ => UpdateMethod.Auto },
            };
            if (request.AddPath is null && request.RemovePath is null && request.RemoveUsers.Count == 0)
                throw new UsageException("nothing to update: give --add, --remove or --remove-user");
            if (Ease.Format.AtomicOutput.IsWriteThroughTarget(request.OutputPath))
                throw new UsageException("--output must be a regular file: the state names the model it belongs to");
            var progress = new PhaseProgress(context, parse.GetValue(quiet) || parse.GetValue(json));
            UpdateReport report = progress.Run(p => ModelUpdater.Update(request,
                new SynchronousProgress<TrainProgress>(x => p.Report(x.Phase, x.Fraction)), ct));
            progress.Finish();
            double seconds = total.Elapsed.TotalSeconds;
            long peak = Process.GetCurrentProcess().PeakWorkingSet64;
            long stateBytes = new FileInfo(Engine.Training.Update.UpdateStatePath.Of(request.OutputStateDirectory ?? request.StateDirectory)).Length;
            if (parse.GetValue(json))
                context.Out.WriteLine(Json(report, seconds, peak, stateBytes, request.OutputPath).ToJsonString());
            else
                Summary(context.Out, report, seconds, peak, stateBytes, request.OutputPath);
            return Task.FromResult(ExitCodes.Ok);
        });
        return command;
    }

    /// <summary>The state output of `ease train --state DIR`, or null without it.</summary>
    internal static StateOutput? OpenState(string? directory, TrainOptions o, string outputPath)
    {
        if (directory is null)
            return null;
        if (o.ShardCount > 1)
            throw new UsageException("--state needs the whole model in one process (no --shard)");
        if (Ease.Format.AtomicOutput.IsWriteThroughTarget(outputPath))
            throw new UsageException("--state needs --output to be a regular file: the state names the model it belongs to");
        return new StateOutput(directory);
    }

    private static JsonObject Json(UpdateReport r, double seconds, long peak, long stateBytes, string output)
    {
        var phases = new JsonObject();
        foreach (PhaseTiming p in r.Phases)
            phases[p.Phase] = new JsonObject { ["seconds"] = Math.Round(p.Seconds, 3) };
        return new JsonObject
        {
            ["output"] = output,
            ["solver"] = r.Solver,
            ["method"] = r.Method,
            ["detail"] = r.Detail,
            ["changed_users"] = r.ChangedUsers,
            ["added"] = r.AddedPairs,
            ["removed"] = r.RemovedPairs,
            ["removed_users"] = r.RemovedUsers,
            ["new_items"] = r.NewItems,
            ["users"] = r.Users,
            ["items"] = r.Items,
            ["interactions"] = r.Interactions,
            ["rank"] = r.Rank,
            ["recounted_lists"] = r.Recounted,
            ["resolved_targets"] = r.Resolved,
            ["nonzeros"] = r.NonZeros,
            ["file_bytes"] = r.FileBytes,
            ["state_bytes"] = stateBytes,
            ["phases"] = phases,
            ["total_seconds"] = Math.Round(seconds, 3),
            ["peak_memory_bytes"] = peak,
        };
    }

    private static void Summary(TextWriter o, UpdateReport r, double seconds, long peak, long stateBytes, string output)
    {
        var c = CultureInfo.InvariantCulture;
        o.WriteLine(string.Create(c, $"updated {r.Solver} model ({r.Method}) -> {output}"));
        o.WriteLine(string.Create(c, $"change      {r.ChangedUsers:N0} users changed: +{r.AddedPairs:N0} / -{r.RemovedPairs:N0} interactions, {r.RemovedUsers:N0} users removed, {r.NewItems:N0} new items"));
        o.WriteLine(string.Create(c, $"how         {r.Detail}"));
        o.WriteLine(string.Create(c, $"data        {r.Users:N0} users, {r.Items:N0} items, {r.Interactions:N0} interactions; model {r.NonZeros:N0} weights, file {Units.Bytes(r.FileBytes)}, state {Units.Bytes(stateBytes)}"));
        foreach (PhaseTiming p in r.Phases)
            o.WriteLine(string.Create(c, $"{p.Phase,-12}{Units.Seconds(p.Seconds),10}"));
        o.WriteLine(string.Create(c, $"{"total",-12}{Units.Seconds(seconds),10}   peak memory {Units.Bytes(peak)}"));
    }
}

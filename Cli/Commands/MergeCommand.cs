using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Ease.Engine.Training.Sparse;

namespace Ease.Cli.Commands;

/// <summary>`ease merge`: the part files of a sharded sparse training into one model.</summary>
public static class MergeCommand
{
    public static Command Create(CliContext context)
    {
        var parts = new Argument<string[]>("parts") { Description = "Part files written by `ease train --solver sparse --shard I/N` (any order; every shard once).", Arity = ArgumentArity.OneOrMore };
        var output = new Option<string>("--output", "-o") { Description = "Model file to write.", Required = true, HelpName = "MODEL" };
        var threads = new Option<int>("--threads") { Description = "Worker threads; 0 = all cores.", DefaultValueFactory = _ => 0, HelpName = "N" };
        var json = new Option<bool>("--json") { Description = "Print the summary as one JSON object on stdout." };
        var quiet = new Option<bool>("--quiet", "-q") { Description = "No progress output." };
        var command = new Command("merge", "Assemble the part files of `ease train --solver sparse --shard I/N` into one model: checks that they come from one training, then prunes as it was asked.")
        {
            parts, output, threads, json, quiet,
        };
        command.SetAction((parse, ct) =>
        {
            string[] paths = parse.GetValue(parts)!;
            string outPath = parse.GetValue(output)!;
            if (paths.Any(p => Path.GetFullPath(p) == Path.GetFullPath(outPath)))
                throw new UsageException("--output must differ from every part (the parts are mapped while the model is written)");
            var progress = new PhaseProgress(context, parse.GetValue(quiet) || parse.GetValue(json));
            MergeReport r = progress.Run(p => ModelMerger.Merge(paths, outPath, parse.GetValue(threads),
                new Engine.Training.SynchronousProgress<Engine.Training.TrainProgress>(t => p.Report(t.Phase, t.Fraction)), ct));
            progress.Finish();
            if (parse.GetValue(json))
            {
                context.Out.WriteLine(new JsonObject
                {
                    ["output"] = outPath,
                    ["parts"] = r.Parts,
                    ["items"] = r.Items,
                    ["solved_weights"] = r.SolvedWeights,
                    ["nonzeros"] = r.NonZeros,
                    ["kept_weight_mass"] = r.KeptWeightMass,
                    ["verify_seconds"] = Math.Round(r.VerifySeconds, 3),
                    ["write_seconds"] = Math.Round(r.WriteSeconds, 3),
                    ["file_bytes"] = r.FileBytes,
                }.ToJsonString());
            }
            else
            {
                context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"merged {r.Parts} parts -> {outPath}: {r.Items:N0} items, {r.NonZeros:N0} weights of {r.SolvedWeights:N0} solved ({r.KeptWeightMass * 100:0.##}% of the squared weight mass), {Units.Bytes(r.FileBytes)}; verify {Units.Seconds(r.VerifySeconds)}, prune+write {Units.Seconds(r.WriteSeconds)}"));
            }
            return Task.FromResult(ExitCodes.Ok);
        });
        return command;
    }
}

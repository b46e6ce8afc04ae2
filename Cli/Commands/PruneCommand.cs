using System.CommandLine;
using System.Globalization;
using Ease.Engine.Training;
using Ease.Format;

namespace Ease.Cli.Commands;

/// <summary>`ease prune`: a smaller model from a larger one, without retraining.</summary>
public static class PruneCommand
{
    public static Command Create(CliContext context)
    {
        var model = new Option<string>("--model", "-m") { Description = "Model to prune.", Required = true, HelpName = "MODEL" };
        var topk = new Option<int>("--prune-topk") { Description = "Weights kept per row (the K largest |B_ij| of the stored ones).", Required = true, HelpName = "K" };
        var output = new Option<string>("--output", "-o") { Description = "Model file to write.", Required = true, HelpName = "MODEL" };
        var command = new Command("prune", "Keep the K largest weights of each row of an existing model (the same model `train --prune-topk K` gives, when K is at most the source's).") { model, topk, output };
        command.SetAction(parse =>
        {
            int k = parse.GetValue(topk);
            if (k < 1)
                throw new UsageException($"--prune-topk must be >= 1, got {k}");
            string outPath = CliOutput.ModelPath(parse.GetValue(output)!);
            using ModelFile source = ModelFile.Open(parse.GetValue(model)!);
            if (Path.GetFullPath(outPath) == Path.GetFullPath(source.FilePath))
                throw new UsageException("--output must differ from --model (the source is mapped while the new model is written)");
            ModelWriteReport r = ModelPruner.PruneTopK(source, k, outPath);
            context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"wrote {outPath}: {r.NonZeros:N0} weights ({Units.Bytes(r.FileBytes)}), {r.KeptWeightMass * 100:0.##}% of the source's squared weight mass, in {Units.Seconds(r.WriteSeconds)}"));
            return ExitCodes.Ok;
        });
        return command;
    }
}

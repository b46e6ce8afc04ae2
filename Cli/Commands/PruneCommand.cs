using Ease.Cli.Options;
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
        var values = new ValuesOption();
        var command = new Command("prune", "Keep the K largest weights of each row of an existing model (the same model `train --prune-topk K` gives, when K is at most the source's).") { model, topk, output, values.Option };
        command.SetAction(parse =>
        {
            int k = parse.GetValue(topk);
            if (k < 1)
                throw new UsageException($"--prune-topk must be >= 1, got {k}");
            Rewrite(context, parse.GetValue(model)!, parse.GetValue(output)!, k, values.Bind(parse));
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>The shared body of `prune` and `convert`: the source re-encoded, pruned to K when given.</summary>
    internal static void Rewrite(CliContext context, string modelPath, string output, int? k, WeightType values)
    {
        string outPath = CliOutput.ModelPath(output);
        using ModelFile source = ModelFile.Open(modelPath);
        if (Path.GetFullPath(outPath) == Path.GetFullPath(source.FilePath))
            throw new UsageException("--output must differ from --model (the source is mapped while the new model is written)");
        ModelEncoding encoding = ModelEncoding.For(values, source.ItemCount);
        ModelWriteReport r = ModelPruner.Rewrite(source, k, encoding, outPath);
        context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"wrote {outPath}: {r.NonZeros:N0} weights, {encoding} ({Units.Bytes(r.FileBytes)}), {r.KeptWeightMass * 100:0.##}% of the source's squared weight mass, in {Units.Seconds(r.WriteSeconds)}"));
    }
}

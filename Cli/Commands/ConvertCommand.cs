using System.CommandLine;
using Ease.Cli.Options;

namespace Ease.Cli.Commands;

/// <summary>`ease convert`: the same model in another weight encoding (every stored weight kept).</summary>
public static class ConvertCommand
{
    public static Command Create(CliContext context)
    {
        var model = new Option<string>("--model", "-m") { Description = "Model to convert.", Required = true, HelpName = "MODEL" };
        var output = new Option<string>("--output", "-o") { Description = "Model file to write.", Required = true, HelpName = "MODEL" };
        var values = new ValuesOption("f16");
        var command = new Command("convert", "Write an existing model with another weight encoding: f32, f16, bf16 or i8 (16-bit columns when the items fit). Every stored weight is kept.")
        {
            model, output, values.Option,
        };
        command.SetAction(parse =>
        {
            PruneCommand.Rewrite(context, parse.GetValue(model)!, parse.GetValue(output)!, null, values.Bind(parse));
            return ExitCodes.Ok;
        });
        return command;
    }
}

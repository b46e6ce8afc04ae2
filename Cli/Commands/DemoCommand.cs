using System.CommandLine;

namespace Ease.Cli.Commands;

/// <summary>
/// `ease demo`: the quick start on built-in data. Generates a synthetic data set, trains, inspects,
/// evaluates, recommends and benchmarks, printing each `ease` command line before running it, so
/// a newcomer sees the real commands end to end with no download.
/// </summary>
public static class DemoCommand
{
    public static Command Create(CliContext context, Func<string[], int> run)
    {
        var dir = new Option<string>("--dir") { Description = "Working directory for the generated data and model.", DefaultValueFactory = _ => "ease-demo", HelpName = "DIR" };
        var users = new Option<int>("--users") { Description = "Synthetic users.", DefaultValueFactory = _ => 20_000, HelpName = "N" };
        var items = new Option<int>("--items") { Description = "Synthetic items.", DefaultValueFactory = _ => 5_000, HelpName = "N" };
        var command = new Command("demo", "Run the whole pipeline on generated data: generate, train, info, evaluate, recommend, similar, bench.") { dir, users, items };
        command.SetAction(parse =>
        {
            string d = parse.GetValue(dir)!;
            string train = Path.Combine(d, "train.txt"), test = Path.Combine(d, "test.txt"), model = Path.Combine(d, "model.ease");
            string n = parse.GetValue(users).ToString(System.Globalization.CultureInfo.InvariantCulture);
            string m = parse.GetValue(items).ToString(System.Globalization.CultureInfo.InvariantCulture);
            string[][] steps =
            [
                ["generate", "--out", d, "--users", n, "--items", m, "--seed", "1"],
                ["train", "-i", train, "--format", "adjacency", "-o", model, "--lambda", "200", "--prune-topk", "200", "-q"],
                ["info", model],
                ["evaluate", "-m", model, "--history", train, "--heldout", test, "--format", "adjacency", "-k", "20,50"],
                ["similar", "-m", model, "--item", "0", "-k", "5"],
                ["recommend", "-m", model, "-i", train, "--format", "adjacency", "-k", "3", "-o", Path.Combine(d, "recommendations.csv")],
                ["bench", "-m", model, "-i", train, "--format", "adjacency", "--repeat", "3"],
            ];
            foreach (string[] step in steps)
            {
                context.Out.WriteLine();
                context.Out.WriteLine("$ ease " + string.Join(' ', step));
                context.Out.Flush();
                int code = run(step);
                if (code != ExitCodes.Ok)
                    return code;
            }
            context.Out.WriteLine();
            context.Out.WriteLine($"recommendations for every user: {Path.Combine(d, "recommendations.csv")}");
            return ExitCodes.Ok;
        });
        return command;
    }
}

using System.CommandLine;
using System.Globalization;
using Ease.Engine.Input;
using Ease.Engine.Synthetic;

namespace Ease.Cli.Commands;

/// <summary>`ease generate`: seeded synthetic implicit-feedback data (power-law popularity, clustered tastes).</summary>
public static class GenerateCommand
{
    public static Command Create(CliContext context)
    {
        var users = new Option<int>("--users") { Description = "Number of users.", DefaultValueFactory = _ => 20_000, HelpName = "N" };
        var items = new Option<int>("--items") { Description = "Number of items.", DefaultValueFactory = _ => 5_000, HelpName = "N" };
        var seed = new Option<int>("--seed") { Description = "Random seed; the same seed gives the same files.", DefaultValueFactory = _ => 1, HelpName = "S" };
        var testFraction = new Option<double>("--test-fraction") { Description = "Share of each user's items written to test.txt instead of train.txt.", DefaultValueFactory = _ => 0.2, HelpName = "F" };
        var outDir = new Option<string>("--out") { Description = "Directory to write train.txt and test.txt (adjacency lines 'user item item ...').", Required = true, HelpName = "DIR" };
        var command = new Command("generate", "Write a seeded synthetic interaction data set (power-law item popularity, clustered tastes) as an adjacency train/test split.")
        {
            users, items, seed, testFraction, outDir,
        };
        command.SetAction(parse =>
        {
            int u = parse.GetValue(users), i = parse.GetValue(items);
            double f = parse.GetValue(testFraction);
            if (u < 1 || i < 2)
                throw new UsageException($"--users must be >= 1 and --items >= 2 (got {u} and {i})");
            if (!(f >= 0 && f < 1))
                throw new UsageException($"--test-fraction must be in [0, 1), got {f}");
            string dir = parse.GetValue(outDir)!;
            (string train, string test) = Write(dir, u, i, parse.GetValue(seed), f);
            context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"wrote {train} and {test}"));
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>Generates and writes the split; returns the two paths.</summary>
    public static (string Train, string Test) Write(string dir, int users, int items, int seed, double testFraction)
    {
        CliOutput.Folder(dir);
        InteractionSet set = SyntheticData.Generate(users, items, seed);
        string train = Path.Combine(dir, "train.txt");
        string test = Path.Combine(dir, "test.txt");
        SyntheticData.WriteAdjacency(train, test, set, testFraction, seed);
        return (train, test);
    }
}

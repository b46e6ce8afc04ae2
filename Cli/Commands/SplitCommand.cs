using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Ease.Cli.Options;
using Ease.Engine.Evaluation;
using Ease.Engine.Input;

namespace Ease.Cli.Commands;

/// <summary>`ease split`: strong-generalization or per-user evaluation splits, seeded.</summary>
public static class SplitCommand
{
    public static Command Create(CliContext context)
    {
        var input = new Option<string>("--input", "-i") { Description = "Ratings or interactions (same input options as train; use --min-weight to binarize ratings).", Required = true, HelpName = "RATINGS" };
        var protocol = new Option<string>("--protocol") { Description = "'strong': hold out whole users (Liang et al. 2018); 'per-user': hide a share of every user's items.", DefaultValueFactory = _ => "strong", HelpName = "strong|per-user" };
        protocol.AcceptOnlyFromAmong("strong", "per-user");
        var heldoutUsers = new Option<int>("--heldout-users") { Description = "strong: validation users and, as many again, test users.", DefaultValueFactory = _ => 300, HelpName = "N" };
        var minItems = new Option<int>("--min-user-items") { Description = "strong: keep users with at least this many items.", DefaultValueFactory = _ => 5, HelpName = "N" };
        var testFraction = new Option<double>("--test-fraction") { Description = "per-user: share of each user's items to hide.", DefaultValueFactory = _ => 0.2, HelpName = "F" };
        var seed = new Option<int>("--seed") { Description = "Random seed; the same input and seed give the same files.", DefaultValueFactory = _ => 98765, HelpName = "S" };
        var outDir = new Option<string>("--out") { Description = "Directory for the CSV files (header user,item).", Required = true, HelpName = "DIR" };
        var json = new Option<bool>("--json") { Description = "Print the summary as JSON." };
        var binder = new InputOptionsBinder();
        var command = new Command("split", "Write a seeded evaluation split: strong generalization (train.csv, validation_tr/te.csv, test_tr/te.csv) or per-user (train.csv, test.csv).")
        {
            input, protocol, heldoutUsers, minItems, testFraction, seed, outDir, json,
        };
        binder.AddTo(command);
        command.SetAction(parse =>
        {
            InputOptions options = TrainCommand.Bind(binder, parse);
            InteractionSet data = InteractionReader.Read(parse.GetValue(input)!, options);
            HistoryInput.RequireUsers(data, parse.GetValue(input)!, options);
            CliOutput.Folder(parse.GetValue(outDir)!);
            SplitSummary s;
            try
            {
                s = parse.GetValue(protocol) == "per-user"
                    ? Splitter.PerUser(data, parse.GetValue(testFraction), parse.GetValue(seed), parse.GetValue(outDir)!)
                    : Splitter.Strong(data, parse.GetValue(heldoutUsers), parse.GetValue(seed), parse.GetValue(outDir)!, parse.GetValue(minItems));
            }
            catch (ArgumentException e)
            {
                throw new UsageException(e.Message);
            }
            if (parse.GetValue(json))
            {
                context.Out.WriteLine(new JsonObject
                {
                    ["users"] = s.Users,
                    ["train_users"] = s.TrainUsers,
                    ["heldout_users"] = s.HeldoutUsersPerSet,
                    ["train_items"] = s.TrainItems,
                    ["train_interactions"] = s.TrainInteractions,
                    ["hidden_interactions"] = s.HiddenInteractions,
                    ["files"] = new JsonArray([.. s.Files.Select(f => (JsonNode)JsonValue.Create(f))]),
                }.ToJsonString());
            }
            else
            {
                context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{s.Users:N0} users ({s.TrainUsers:N0} train, {s.HeldoutUsersPerSet:N0} validation, {s.HeldoutUsersPerSet:N0} test), {s.TrainItems:N0} train items, {s.TrainInteractions:N0} train interactions, {s.HiddenInteractions:N0} hidden"));
                foreach (string f in s.Files)
                    context.Out.WriteLine("wrote " + f);
            }
            return ExitCodes.Ok;
        });
        return command;
    }
}

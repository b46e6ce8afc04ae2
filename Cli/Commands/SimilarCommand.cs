using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Ease.Engine.Input;
using Ease.Engine.Scoring;
using Ease.Format;

namespace Ease.Cli.Commands;

/// <summary>`ease similar`: the items with the largest weights in one item's row of B.</summary>
public static class SimilarCommand
{
    public static Command Create(CliContext context)
    {
        var model = new Option<string>("--model", "-m") { Description = "Model file.", Required = true, HelpName = "MODEL" };
        var item = new Option<string>("--item") { Description = "External id of the item.", Required = true, HelpName = "ID" };
        var k = new Option<int>("-k") { Description = "Number of similar items.", DefaultValueFactory = _ => 20, HelpName = "K" };
        var json = new Option<bool>("--json") { Description = "Print a JSON array of {rank, item, score}." };
        var command = new Command("similar", "List the items that one item recommends most strongly (its largest weights in B), as CSV 'rank,item,score'.") { model, item, k, json };
        command.SetAction(parse =>
        {
            int topK = parse.GetValue(k);
            if (topK < 1)
                throw new UsageException($"-k must be >= 1, got {topK}");
            using ModelFile m = ModelFile.Open(parse.GetValue(model)!);
            string id = parse.GetValue(item)!;
            if (!m.TryFindItem(id.AsSpan(), out int row))
                throw new InvalidDataException($"{m.FilePath}: item \"{id}\" is not in the model ({m.ItemCount:N0} items)");
            var results = new ScoredItem[Math.Min(topK, m.ItemCount)];
            int count = new Recommender(m).Similar(row, results);
            if (parse.GetValue(json))
            {
                var array = new JsonArray();
                for (int r = 0; r < count; r++)
                    array.Add(new JsonObject { ["rank"] = r + 1, ["item"] = m.ItemId(results[r].Row), ["score"] = results[r].Score });
                context.Out.WriteLine(array.ToJsonString());
            }
            else
            {
                context.Out.WriteLine("rank,item,score");
                for (int r = 0; r < count; r++)
                    context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{r + 1},{CsvField.Quote(m.ItemId(results[r].Row))},{results[r].Score:R}"));
            }
            return ExitCodes.Ok;
        });
        return command;
    }
}

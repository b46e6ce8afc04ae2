using System.CommandLine;
using System.Globalization;
using System.Text;
using Ease.Cli.Options;
using Ease.Engine.Input;
using Ease.Engine.Scoring;
using Ease.Format;

namespace Ease.Cli.Commands;

/// <summary>`ease recommend`: top-k lists for every user of a history file, as CSV.</summary>
public static class RecommendCommand
{
    public static Command Create(CliContext context)
    {
        var model = new Option<string>("--model", "-m") { Description = "Model file.", Required = true, HelpName = "MODEL" };
        var input = new Option<string>("--input", "-i") { Description = "User histories (same input options as train).", Required = true, HelpName = "HISTORY" };
        var k = new Option<int>("-k") { Description = "Recommendations per user.", DefaultValueFactory = _ => 20, HelpName = "K" };
        var exclude = new Option<string?>("--exclude-items") { Description = "File of item ids (one per line) never to recommend, e.g. out of stock.", HelpName = "FILE" };
        var allow = new Option<string?>("--allow-items") { Description = "File of item ids (one per line): recommend only these.", HelpName = "FILE" };
        var includeSeen = new Option<bool>("--include-seen") { Description = "Also recommend items already in the user's history." };
        var output = new Option<string?>("--output", "-o") { Description = "CSV file to write; - or none: stdout. A regular file is replaced atomically, a device or FIFO written into.", HelpName = "FILE" };
        var threads = new Option<int>("--threads") { Description = "Scoring threads; 0 = all cores.", DefaultValueFactory = _ => 0, HelpName = "N" };
        var shard = new ShardOption();
        var budget = new BudgetOptions();
        var binder = new InputOptionsBinder();
        var command = new Command("recommend", "Write the top-k items for every user of a history file as CSV 'user,rank,item,score' (history items excluded; users with no known items get the most popular items).")
        {
            model, input, k, exclude, allow, includeSeen, output, threads, shard.Option,
        };
        binder.AddTo(command);
        budget.AddTo(command);
        command.SetAction(parse =>
        {
            int topK = parse.GetValue(k);
            (int maxWeights, string? lightPath) = budget.Bind(parse);
            if (topK < 1)
                throw new UsageException($"-k must be >= 1, got {topK}");
            if (parse.GetValue(exclude) is not null && parse.GetValue(allow) is not null)
                throw new UsageException("--exclude-items and --allow-items are alternatives; give one.");
            InputOptions inputOptions = TrainCommand.Bind(binder, parse) with { Shard = shard.Bind(parse) };
            using ModelFile m = ModelFile.Open(parse.GetValue(model)!);
            using ModelFile? light = BudgetOptions.OpenLight(lightPath, m);
            HistoryInput history = HistoryInput.Read(m, parse.GetValue(input)!, inputOptions);
            ItemFilter? filter = BuildFilter(m, parse.GetValue(exclude), parse.GetValue(allow), context);
            var options = new RecommendOptions { IncludeSeen = parse.GetValue(includeSeen), Filter = filter, MaxWeights = maxWeights };

            int users = history.Users;
            topK = Math.Min(topK, m.ItemCount);
            var results = new ScoredItem[(long)users * topK];
            var counts = new int[users];
            int fallbacks = users == 0 ? 0 : new BatchRecommender(m, parse.GetValue(threads), light).Recommend(history.Offsets, history.Rows, topK, results, counts, options);

            string? outPath = parse.GetValue(output);
            WriteCsv(outPath, context, m, history.Set, results, counts, topK);
            if (history.Set.UnknownItemInteractions > 0 || fallbacks > 0)
                context.Err.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ease: {history.Set.UnknownItemInteractions:N0} history entries name items the model does not know (skipped); {fallbacks:N0} users got the most popular items (no known history)"));
            return ExitCodes.Ok;
        });
        return command;
    }

    internal static ItemFilter? BuildFilter(ModelFile model, string? excludePath, string? allowPath, CliContext context)
    {
        string? path = excludePath ?? allowPath;
        if (path is null)
            return null;
        string[] ids = [.. File.ReadLines(path).Select(l => l.Trim()).Where(l => l.Length > 0)];
        int unknown = ids.Count(id => !model.TryFindItem(id.AsSpan(), out _));
        if (unknown > 0)
            context.Err.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ease: {path}: {unknown:N0} of {ids.Length:N0} item ids are not in the model (ignored)"));
        return excludePath is not null ? ItemFilter.DenyIds(model, ids) : ItemFilter.AllowIds(model, ids);
    }

    private static void WriteCsv(string? path, CliContext context, ModelFile model, InteractionSet users, ScoredItem[] results, int[] counts, int k) =>
        CliOutput.WriteText(context, path, writer =>
        {
            var itemIds = new string?[model.ItemCount];
            writer.WriteLine("user,rank,item,score");
            var line = new StringBuilder();
            for (int u = 0; u < users.UserCount; u++)
            {
                string user = CsvField.Quote(users.UserIds[u]);
                for (int r = 0; r < counts[u]; r++)
                {
                    ScoredItem s = results[(long)u * k + r];
                    string item = itemIds[s.Row] ??= CsvField.Quote(model.ItemId(s.Row));
                    line.Clear().Append(user).Append(',').Append(r + 1).Append(',').Append(item).Append(',')
                        .Append(s.Score.ToString("R", CultureInfo.InvariantCulture));
                    writer.WriteLine(line);
                }
            }
        });
}

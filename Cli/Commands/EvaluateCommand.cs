using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Ease.Cli.Options;
using Ease.Engine.Evaluation;
using Ease.Engine.Input;
using Ease.Format;

namespace Ease.Cli.Commands;

/// <summary>`ease evaluate`: Recall@k, NDCG@k and coverage of a model on a held-out split.</summary>
public static class EvaluateCommand
{
    public static Command Create(CliContext context)
    {
        var model = new Option<string>("--model", "-m") { Description = "Model file.", Required = true, HelpName = "MODEL" };
        var history = new Option<string>("--history") { Description = "What each evaluated user is scored from (e.g. train.txt or test_tr.csv).", Required = true, HelpName = "FILE" };
        var heldout = new Option<string>("--heldout") { Description = "The held-out interactions to find (e.g. test.txt or test_te.csv).", Required = true, HelpName = "FILE" };
        var ks = new Option<string>("-k") { Description = "Cut-offs, comma separated.", DefaultValueFactory = _ => "20", HelpName = "K[,K...]" };
        var normalization = new Option<string?>("--recall-normalization")
        {
            Description = "Recall denominator: 'heldout' = |T_u| (LightGCN, BARS; default for --format adjacency) or 'min-k' = min(k, |T_u|) (Liang et al. 2018, the EASE paper; default otherwise).",
            HelpName = "heldout|min-k",
        };
        normalization.AcceptOnlyFromAmong("heldout", "min-k");
        var threads = new Option<int>("--threads") { Description = "Scoring threads; 0 = all cores.", DefaultValueFactory = _ => 0, HelpName = "N" };
        var json = new Option<bool>("--json") { Description = "Print one JSON object (keys such as \"Recall@20\", \"NDCG@20\", \"users\"; \"shard\" with --shard)." };
        var shard = new ShardOption();
        var budget = new BudgetOptions();
        var binder = new InputOptionsBinder();
        var command = new Command("evaluate", "Rank all items for every held-out user from their history (history excluded) and report Recall@k, NDCG@k and coverage with standard errors.")
        {
            model, history, heldout, ks, normalization, threads, json, shard.Option,
        };
        binder.AddTo(command);
        budget.AddTo(command);
        command.SetAction(parse =>
        {
            int[] cutoffs = ParseKs(parse.GetValue(ks)!);
            (int maxWeights, string? lightPath) = budget.Bind(parse);
            UserShard? userShard = shard.Bind(parse);
            InputOptions input = TrainCommand.Bind(binder, parse) with { Shard = userShard };
            RecallNormalization norm = Normalization(parse.GetValue(normalization), input);
            using ModelFile m = ModelFile.Open(parse.GetValue(model)!);
            using ModelFile? light = BudgetOptions.OpenLight(lightPath, m);
            (InteractionSet h, InteractionSet t) = ReadSplit(m, parse.GetValue(history)!, parse.GetValue(heldout)!, input);
            EvaluationReport report = Evaluator.Evaluate(m, h, t, new EvaluationOptions
            {
                Ks = cutoffs,
                RecallNormalization = norm,
                Threads = parse.GetValue(threads),
                MaxWeights = maxWeights,
                LightModel = light,
            });
            if (parse.GetValue(json))
            {
                JsonObject o = ToJson(report);
                if (userShard is { } sh)
                    o["shard"] = sh.ToString();
                if (maxWeights > 0)
                    o["max_weights"] = maxWeights;
                context.Out.WriteLine(o.ToJsonString());
            }
            else
                WriteText(context.Out, report, userShard);
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>The --recall-normalization value, or the default for the input's layout.</summary>
    public static RecallNormalization Normalization(string? flag, InputOptions input) => flag switch
    {
        "heldout" => RecallNormalization.Heldout,
        "min-k" => RecallNormalization.MinK,
        _ => input.Format == InputFormat.Adjacency ? RecallNormalization.Heldout : RecallNormalization.MinK,
    };

    /// <summary>Reads history and held-out files against the model's items (unknown held-out items kept as misses).</summary>
    public static (InteractionSet History, InteractionSet Heldout) ReadSplit(ModelFile model, string historyPath, string heldoutPath, InputOptions input)
    {
        string[] ids = HistoryInput.ModelItemIds(model);
        InteractionSet h = InteractionReader.Read(historyPath, HistoryInput.ForModel(model, input), ids, UnknownItemPolicy.Drop);
        InteractionSet t = InteractionReader.Read(heldoutPath, input, ids, UnknownItemPolicy.Add);
        HistoryInput.RequireUsers(h, historyPath, input);
        HistoryInput.RequireUsers(t, heldoutPath, input);
        return (h, t);
    }

    public static int[] ParseKs(string text)
    {
        var list = new List<int>();
        foreach (string part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out int k) || k < 1)
                throw new UsageException($"-k takes positive whole numbers separated by commas, got \"{text}\"");
            list.Add(k);
        }
        if (list.Count == 0)
            throw new UsageException("-k needs at least one cut-off");
        return [.. list.Distinct()];
    }

    public static JsonObject ToJson(EvaluationReport r)
    {
        var o = new JsonObject { ["users"] = r.Users };
        foreach (CutoffMetrics c in r.Cutoffs)
        {
            o[$"Recall@{c.K}"] = Math.Round(c.Recall.Mean, 6);
            o[$"NDCG@{c.K}"] = Math.Round(c.Ndcg.Mean, 6);
            o[$"Recall@{c.K}_se"] = Math.Round(c.Recall.StandardError, 6);
            o[$"NDCG@{c.K}_se"] = Math.Round(c.Ndcg.StandardError, 6);
            o[$"Coverage@{c.K}"] = Math.Round(c.Coverage, 6);
        }
        o["recall_normalization"] = r.RecallNormalization == RecallNormalization.MinK ? "min-k" : "heldout";
        o["fallback_users"] = r.FallbackUsers;
        o["unknown_heldout_items"] = r.UnknownHeldoutItems;
        o["scoring_seconds"] = Math.Round(r.ScoringSeconds, 3);
        return o;
    }

    private static void WriteText(TextWriter o, EvaluationReport r, UserShard? shard)
    {
        var c = CultureInfo.InvariantCulture;
        string of = shard is { } s ? $" of shard {s}" : "";
        o.WriteLine(string.Create(c, $"{r.Users:N0} users{of}, recall normalized by {(r.RecallNormalization == RecallNormalization.MinK ? "min(k, |heldout|)" : "|heldout|")}, mean ± standard error"));
        o.WriteLine(string.Create(c, $"{"k",5}  {"Recall@k",-20}{"NDCG@k",-20}{"coverage",8}"));
        foreach (CutoffMetrics m in r.Cutoffs)
            o.WriteLine(string.Create(c, $"{m.K,5}  {m.Recall.Mean,8:0.00000} ± {m.Recall.StandardError,-7:0.00000}{m.Ndcg.Mean,8:0.00000} ± {m.Ndcg.StandardError,-7:0.00000}{m.Coverage * 100,7:0.0}%"));
        if (r.FallbackUsers > 0 || r.UnknownHeldoutItems > 0)
            o.WriteLine(string.Create(c, $"{r.FallbackUsers:N0} users had no usable history (popularity fallback); {r.UnknownHeldoutItems:N0} held-out items are unknown to the model (misses)"));
    }
}

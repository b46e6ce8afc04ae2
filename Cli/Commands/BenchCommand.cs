using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Ease.Cli.Options;
using Ease.Engine.Evaluation;
using Ease.Engine.Input;
using Ease.Engine.Scoring;
using Ease.Format;

namespace Ease.Cli.Commands;

/// <summary>
/// `ease bench`: scores every user of a history file with N threads, each owning a scorer, and
/// reports throughput, per-user latency percentiles and bytes allocated per call.
/// </summary>
public static class BenchCommand
{
    public static Command Create(CliContext context)
    {
        var model = new Option<string>("--model", "-m") { Description = "Model file.", Required = true, HelpName = "MODEL" };
        var input = new Option<string>("--input", "-i") { Description = "User histories (same input options as train).", Required = true, HelpName = "HISTORY" };
        var k = new Option<int>("-k") { Description = "Recommendations per user.", DefaultValueFactory = _ => 20, HelpName = "K" };
        var threads = new Option<int>("--threads") { Description = "Scoring threads; 0 = all cores.", DefaultValueFactory = _ => 0, HelpName = "N" };
        var repeat = new Option<int>("--repeat") { Description = "Timed passes over all users (after one warm-up pass); users/s is their median.", DefaultValueFactory = _ => 3, HelpName = "R" };
        var json = new Option<bool>("--json") { Description = "Print one JSON object with keys users_per_s, p50_us, p90_us, p99_us, max_us, alloc_bytes_per_call, bytes_per_user, gbytes_per_s, stream_gbytes_per_s, roofline_fraction, batch_users, per_user_users_per_s, values, bytes_per_weight." };
        var batchUsers = new Option<int>("--batch-users") { Description = "Throughput of batch scoring with blocks of U users that read each row once per block (1 to 256); 0 = every user alone, each thread with its own scorer. Latency is always per user.", DefaultValueFactory = _ => 0, HelpName = "U" };
        var shard = new ShardOption();
        var budget = new BudgetOptions();
        var binder = new InputOptionsBinder();
        var command = new Command("bench", "Score every user of a history file and report users/s, latency p50/p90/p99/max per user and bytes allocated per call.")
        {
            model, input, k, threads, repeat, json, shard.Option, batchUsers,
        };
        binder.AddTo(command);
        budget.AddTo(command);
        command.SetAction(parse =>
        {
            (int maxWeights, string? lightPath) = budget.Bind(parse);
            int topK = parse.GetValue(k), passes = parse.GetValue(repeat), threadCount = parse.GetValue(threads);
            int block = parse.GetValue(batchUsers);
            if (topK < 1 || passes < 1 || threadCount < 0)
                throw new UsageException("-k and --repeat must be >= 1, --threads >= 0");
            if (block < 0 || block > 256)
                throw new UsageException($"--batch-users must be 0 to 256, got {block}");
            if (block > 0 && maxWeights > 0)
                throw new UsageException("--batch-users and --max-weights are alternatives: under a budget every user is scored alone");
            threadCount = threadCount == 0 ? Environment.ProcessorCount : threadCount;
            UserShard? userShard = shard.Bind(parse);
            InputOptions inputOptions = TrainCommand.Bind(binder, parse) with { Shard = userShard };
            using ModelFile m = ModelFile.Open(parse.GetValue(model)!);
            using ModelFile? light = BudgetOptions.OpenLight(lightPath, m);
            HistoryInput history = HistoryInput.Read(m, parse.GetValue(input)!, inputOptions);
            if (history.Users == 0)
                throw new InvalidDataException($"{parse.GetValue(input)}: no users to score");
            ScoringThroughput.Result r = ScoringThroughput.Measure(m, history.Offsets, history.Rows, Math.Min(topK, m.ItemCount), threadCount, passes, maxWeights, light);
            double usersPerSecond = block == 0 ? r.UsersPerSecond
                : ScoringThroughput.MeasureBatch(m, history.Offsets, history.Rows, Math.Min(topK, m.ItemCount), threadCount, passes, block);
            // The roofline: the bytes of model rows a user's scores read, the rate they were read
            // at, and the machine's streaming bandwidth measured just now with as many threads.
            (double bytesPerUser, int budgetedUsers) = BytesPerUser(m, light, history.Offsets, history.Rows, maxWeights);
            double gbytesPerSecond = bytesPerUser * usersPerSecond / 1e9;
            double stream = StreamBandwidth.Measure(threadCount);
            if (parse.GetValue(json))
            {
                var o = new JsonObject
                {
                    ["users"] = history.Users,
                    ["threads"] = threadCount,
                    ["k"] = topK,
                    ["model_nonzeros"] = m.NonZeroCount,
                    ["mean_history"] = Math.Round((double)history.Rows.Length / history.Users, 2),
                    ["users_per_s"] = Math.Round(usersPerSecond, 1),
                    ["batch_users"] = block,
                    ["per_user_users_per_s"] = Math.Round(r.UsersPerSecond, 1),
                    ["values"] = ModelEncoding.Name(m.WeightType),
                    ["bytes_per_weight"] = m.Encoding.BytesPerWeight,
                    ["p50_us"] = Math.Round(r.P50, 2),
                    ["p90_us"] = Math.Round(r.P90, 2),
                    ["p99_us"] = Math.Round(r.P99, 2),
                    ["max_us"] = Math.Round(r.Max, 2),
                    ["alloc_bytes_per_call"] = Math.Round(r.AllocatedPerCall, 3),
                    ["bytes_per_user"] = Math.Round(bytesPerUser, 1),
                    ["gbytes_per_s"] = Math.Round(gbytesPerSecond, 3),
                    ["stream_gbytes_per_s"] = Math.Round(stream, 3),
                    ["roofline_fraction"] = Math.Round(gbytesPerSecond / stream, 4),
                };
                if (userShard is { } s)
                    o["shard"] = s.ToString();
                if (maxWeights > 0)
                {
                    o["max_weights"] = maxWeights;
                    o["budgeted_users"] = budgetedUsers;
                }
                context.Out.WriteLine(o.ToJsonString());
            }
            else
            {
                var c = CultureInfo.InvariantCulture;
                string of = userShard is { } s ? $" of shard {s}" : "";
                context.Out.WriteLine(string.Create(c, $"{history.Users:N0} users{of} (mean history {(double)history.Rows.Length / history.Users:0.0} items), k={topK}, {threadCount} threads, model {m.NonZeroCount:N0} weights"));
                context.Out.WriteLine(string.Create(c, $"model       {m.Encoding}"));
                if (maxWeights > 0)
                    context.Out.WriteLine(string.Create(c, $"budget      {maxWeights:N0} weights per user: {budgetedUsers:N0} users over it, scored from {(light is null ? "their last items that fit" : "the light model")}"));
                if (block == 0)
                    context.Out.WriteLine(string.Create(c, $"throughput  {usersPerSecond:N0} users/s, one user at a time (median of {passes} passes)"));
                else
                    context.Out.WriteLine(string.Create(c, $"throughput  {usersPerSecond:N0} users/s in blocks of {block} users; {r.UsersPerSecond:N0} users/s one at a time (medians of {passes} passes)"));
                context.Out.WriteLine(string.Create(c, $"latency     p50 {r.P50:0.0} µs   p90 {r.P90:0.0} µs   p99 {r.P99:0.0} µs   max {r.Max:0.0} µs"));
                context.Out.WriteLine(string.Create(c, $"allocated   {r.AllocatedPerCall:0.###} bytes per call"));
                context.Out.WriteLine(string.Create(c, $"memory      {bytesPerUser / 1024:0.0} KiB of rows per user, read at {gbytesPerSecond:0.00} GB/s: {gbytesPerSecond / stream * 100:0.#}% of the {stream:0.0} GB/s this machine streams on {threadCount} threads"));
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>
    /// Mean bytes of stored weights (column + value, in the encoding read) in the rows one user's
    /// call reads, and how many users a budget of <paramref name="maxWeights"/> (0: none) cuts.
    /// </summary>
    internal static (double BytesPerUser, int BudgetedUsers) BytesPerUser(ModelFile model, ModelFile? light, int[] offsets, int[] rows, int maxWeights)
    {
        int users = offsets.Length - 1, budgeted = 0;
        double bytes = 0;
        // An ordered model reads only the rows its history window weighs.
        int window = HistoryWeighting.Of(model) is { IsOrdered: true, Window: > 0 } rule ? rule.Window : int.MaxValue;
        for (int u = 0; u < users; u++)
        {
            int length = offsets[u + 1] - offsets[u], used = Math.Min(length, window);
            long weights = Recommender.WeightsRead(model, light, rows.AsSpan(offsets[u] + length - used, used), maxWeights, out ModelFile source, out bool cut);
            bytes += weights * (double)source.Encoding.BytesPerWeight;
            if (cut)
                budgeted++;
        }
        return (users == 0 ? 0 : bytes / users, budgeted);
    }

}

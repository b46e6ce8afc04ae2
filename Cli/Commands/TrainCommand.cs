using Ease.Format;
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Ease.Cli.Options;
using Ease.Engine.Input;
using Ease.Engine.Training;
using Ease.Engine.Training.Filters;

namespace Ease.Cli.Commands;

/// <summary>`ease train`: interaction log in, pruned model file out.</summary>
public static class TrainCommand
{
    public static Command Create(CliContext context)
    {
        var input = new Option<string>("--input", "-i") { Description = "Interaction log: delimited text (CSV, TSV, '::', ...) or adjacency lines; .gz is read transparently.", Required = true, HelpName = "FILE" };
        var output = new Option<string>("--output", "-o") { Description = "Model file to write (a regular file atomically: a temporary file beside it is renamed at the end; a device or FIFO is written into).", Required = true, HelpName = "MODEL" };
        var lambda = new Option<double>("--lambda") { Description = "Ridge λ added to the Gram diagonal. Larger values regularize more; typical 50 to 1000.", DefaultValueFactory = _ => 200, HelpName = "L" };
        var dropout = new Option<double>("--dropout") { Description = "EDLAE dropout p in [0, 1): adds p/(1-p)·diag(G) to the ridge. 0 = plain EASE.", DefaultValueFactory = _ => 0, HelpName = "p" };
        var precision = new Option<string>("--precision") { Description = "Arithmetic of the Gram matrix and its inversion.", DefaultValueFactory = _ => "f32", HelpName = "f32|f64" };
        precision.AcceptOnlyFromAmong("f32", "f64");
        var topk = new Option<int?>("--prune-topk") { Description = "Keep the K largest |B_ij| of each row (signs kept).", HelpName = "K" };
        var density = new Option<double?>("--prune-density") { Description = "Keep weights above one global magnitude threshold giving density D (non-zeros / items²), e.g. 0.01.", HelpName = "D" };
        var threads = new Option<int>("--threads") { Description = "Worker threads; 0 = all cores.", DefaultValueFactory = _ => 0, HelpName = "N" };
        var solver = new Option<string>("--solver") { Description = "dense: exact n x n inversion; sparse: per-item ridge solves (a graph filter: its rows) on each item's strongest co-occurrences (any n); auto: dense when it fits --memory-limit.", DefaultValueFactory = _ => "auto", HelpName = "dense|sparse|auto" };
        solver.AcceptOnlyFromAmong("dense", "sparse", "auto");
        var memoryLimit = new Option<string?>("--memory-limit") { Description = "Memory budget for choosing and checking the solver, e.g. 12G or 500M (default: what the machine has available).", HelpName = "BYTES" };
        var neighbors = new Option<int?>("--neighbors") { Description = "Sparse solver: candidates per item, its strongest co-occurrences (default: two thirds of the weights a row keeps, at least 128).", HelpName = "M" };
        var gramNeighbors = new Option<int?>("--gram-neighbors") { Description = "Sparse solver: co-occurrences kept per item for the local systems (default: 4 x --neighbors).", HelpName = "G" };
        var ranking = new Option<string>("--neighbor-ranking") { Description = "Sparse solver: rank candidates by cosine (count / sqrt(popularity)) or by raw co-occurrence count.", DefaultValueFactory = _ => "cosine", HelpName = "cosine|count" };
        ranking.AcceptOnlyFromAmong("count", "cosine");
        var shard = new Option<string?>("--shard") { Description = "Sparse solver: solve shard I of N (0-based) and write a part file for `ease merge`.", HelpName = "I/N" };
        var state = new Option<string?>("--state") { Description = "Also keep what `ease update` needs to refresh this model exactly, in directory DIR (see `ease update`).", HelpName = "DIR" };
        var json = new Option<bool>("--json") { Description = "Print the summary as one JSON object on stdout." };
        var quiet = new Option<bool>("--quiet", "-q") { Description = "No progress output." };
        var values = new ValuesOption();
        var family = new FamilyOptions();
        var binder = new InputOptionsBinder();

        var command = new Command("train", "Train an EASE (or EDLAE) model, a graph filter (GF-CF, Turbo-CF, BSPM) or the order-aware sequential model from an interaction log and write a pruned model file.")
        {
            input, output, lambda, dropout, precision, topk, density, threads, solver, memoryLimit, neighbors, gramNeighbors, ranking, shard, json, quiet, values.Option, state,
        };
        binder.AddTo(command);
        family.AddTo(command);
        command.Validators.Add(r =>
        {
            if (r.GetValue(topk) is not null && r.GetValue(density) is not null)
                r.AddError("--prune-topk and --prune-density are alternatives; give one.");
        });

        command.SetAction((parse, ct) =>
        {
            var total = Stopwatch.StartNew();
            TrainOptions options = BuildOptions(parse.GetValue(lambda), parse.GetValue(dropout), parse.GetValue(precision)!, parse.GetValue(topk), parse.GetValue(density), parse.GetValue(threads));
            options = WithSolver(options, parse.GetValue(solver)!, parse.GetValue(memoryLimit), parse.GetValue(neighbors), parse.GetValue(gramNeighbors), parse.GetValue(ranking)!, parse.GetValue(shard));
            options = options with { Values = values.Bind(parse), Filter = family.Bind(parse), Sequential = family.BindSequential(parse), History = family.BindHistory(parse) };
            if (options.Filter is not null && parse.GetValue(state) is not null)
                throw new UsageException($"--state: `ease update` refreshes EASE models; a --family {options.Filter.DisplayName} model is retrained instead");
            if (options.Sequential is not null && parse.GetValue(state) is not null)
                throw new UsageException("--state: `ease update` refreshes EASE models; a --family sequential model is retrained instead");
            if (options.Sequential is not null)
                options = WithSequentialSolver(options, parse.GetResult(solver) is { Implicit: false });
            try { options.Validate(); }
            catch (ArgumentException e) { throw new UsageException(e.Message); }
            InputOptions inputOptions = Bind(binder, parse);
            if (options.Sequential is not null)
                inputOptions = inputOptions with { KeepOrder = true };
            string inputPath = parse.GetValue(input)!;
            string outputPath = CliOutput.ModelPath(parse.GetValue(output)!);
            var progress = new PhaseProgress(context, parse.GetValue(quiet) || parse.GetValue(json));

            (InteractionSet data, double loadSeconds, TrainReport report) = progress.Run(p =>
            {
                var load = Stopwatch.StartNew();
                InteractionSet set = InteractionReader.Read(inputPath, inputOptions,
                    new Engine.Training.SynchronousProgress<ReadProgress>(r => p.Report("load", r.Fraction)), ct);
                double loadTime = load.Elapsed.TotalSeconds;
                HistoryInput.RequireInteractions(set, inputPath);
                var meta = new JsonObject
                {
                    ["tool"] = $"ease {ToolVersion}",
                    ["source"] = new JsonObject { ["path"] = Path.GetFileName(inputPath), ["format"] = inputOptions.Format.ToString().ToLowerInvariant(), ["min_weight"] = inputOptions.MinWeight },
                };
                using Engine.Training.Update.StateOutput? stateOutput = UpdateCommand.OpenState(parse.GetValue(state), options, outputPath);
                TrainReport r = EaseTrainer.Train(set, options, outputPath, meta,
                    new Engine.Training.SynchronousProgress<TrainProgress>(t => p.Report(t.Phase, t.Fraction)), ct, stateOutput);
                return (set, loadTime, r);
            });
            progress.Finish();
            double totalSeconds = total.Elapsed.TotalSeconds;
            long peak = Process.GetCurrentProcess().PeakWorkingSet64;

            if (parse.GetValue(json))
                context.Out.WriteLine(BuildJson(data, options, report, loadSeconds, totalSeconds, peak, outputPath).ToJsonString(JsonOutput.Compact));
            else
                WriteSummary(context.Out, data, options, report, loadSeconds, totalSeconds, peak, outputPath);
            return Task.FromResult(ExitCodes.Ok);
        });
        return command;
    }

    public static string ToolVersion => typeof(TrainCommand).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";

    internal static InputOptions Bind(InputOptionsBinder binder, ParseResult parse)
    {
        try { return binder.Bind(parse); }
        catch (ArgumentException e) { throw new UsageException(e.Message); }
    }

    private static TrainOptions BuildOptions(double lambda, double dropout, string precision, int? topk, double? density, int threads)
    {
        var o = new TrainOptions
        {
            Lambda = lambda,
            Dropout = dropout,
            Precision = precision == "f64" ? Precision.Float64 : Precision.Float32,
            Prune = topk is not null ? PruneMode.TopK : density is not null ? PruneMode.Density : PruneMode.None,
            PruneTopK = topk ?? 0,
            PruneDensity = density ?? 0,
            Threads = threads,
        };
        try { o.Validate(); }
        catch (ArgumentException e) { throw new UsageException(e.Message); }
        return o;
    }

    /// <summary>Adds the solver flags (shared with tune) to validated options.</summary>
    internal static TrainOptions WithSolver(TrainOptions o, string solver, string? memoryLimit, int? neighbors, int? gramNeighbors, string ranking, string? shard)
    {
        long limit = 0;
        if (memoryLimit is not null && (!Units.TryParseBytes(memoryLimit, out limit) || limit <= 0))
            throw new UsageException($"--memory-limit: expected a size such as 12G or 500M, got '{memoryLimit}'");
        if (neighbors is < 1)
            throw new UsageException($"--neighbors must be >= 1, got {neighbors}");
        if (gramNeighbors is < 1)
            throw new UsageException($"--gram-neighbors must be >= 1, got {gramNeighbors}");
        (int index, int count) = shard is null ? (0, 1) : ParseShard(shard);
        var kind = solver switch { "dense" => SolverKind.Dense, "sparse" => SolverKind.Sparse, _ => SolverKind.Auto };
        if (count > 1 && kind == SolverKind.Dense)
            throw new UsageException("--shard needs --solver sparse (the dense solver cannot be split by item)");
        var result = o with
        {
            Solver = count > 1 ? SolverKind.Sparse : kind,
            MemoryLimitBytes = limit,
            Neighbors = neighbors ?? 0,
            GramNeighbors = gramNeighbors ?? 0,
            Ranking = ranking == "count" ? Engine.Training.Sparse.NeighborRanking.Count : Engine.Training.Sparse.NeighborRanking.Cosine,
            ShardIndex = index,
            ShardCount = count,
        };
        try { result.Validate(); }
        catch (ArgumentException e) { throw new UsageException(e.Message); }
        return result;
    }

    /// <summary>The sequential family is solved densely: auto means dense for it; an explicit --solver sparse or --shard is a usage error.</summary>
    internal static TrainOptions WithSequentialSolver(TrainOptions o, bool solverGiven)
    {
        if (o.Solver == SolverKind.Auto || !solverGiven)
            o = o with { Solver = SolverKind.Dense };
        try { o.Validate(); }
        catch (ArgumentException e) { throw new UsageException(e.Message); }
        return o;
    }

    /// <summary>"I/N" with 0 &lt;= I &lt; N.</summary>
    internal static (int Index, int Count) ParseShard(string text)
    {
        string[] parts = text.Split('/');
        if (parts.Length != 2
            || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int i)
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int n)
            || n < 1 || i >= n)
            throw new UsageException($"--shard: expected I/N with 0 <= I < N (e.g. 0/4), got '{text}'");
        return (i, n);
    }

    private static JsonObject BuildJson(InteractionSet data, TrainOptions o, TrainReport r, double load, double total, long peak, string output)
    {
        var phases = new JsonObject { ["load"] = new JsonObject { ["seconds"] = Round(load) } };
        foreach (PhaseTiming p in r.Phases)
        {
            var phase = new JsonObject { ["seconds"] = Round(p.Seconds) };
            if (p.Gflops > 0)
                phase["gflops"] = Round(p.Gflops);
            phases[p.Phase] = phase;
        }
        var json = new JsonObject
        {
            ["output"] = output,
            ["users"] = r.Users,
            ["items"] = r.Items,
            ["interactions"] = r.Interactions,
            ["skipped_rows"] = data.SkippedRows,
            ["duplicate_pairs"] = data.DuplicatePairs,
            ["nonzeros"] = r.NonZeros,
            ["density"] = r.Density,
            ["kept_weight_mass"] = r.KeptWeightMass,
            ["family"] = o.Sequential is not null ? "sequential" : o.Filter?.DisplayName ?? "ease",
            ["lambda"] = o.Lambda,
            ["dropout"] = o.Dropout,
            ["precision"] = o.Precision == Precision.Float64 ? "f64" : "f32",
            ["values"] = ModelEncoding.Name(o.Values),
            ["threads"] = r.Threads,
            ["solver"] = r.Solver,
            ["solver_reason"] = r.SolverReason,
            ["kernel"] = r.KernelPath,
            ["phases"] = phases,
            ["total_seconds"] = Round(total),
            ["peak_memory_bytes"] = peak,
            ["matrix_bytes"] = r.MatrixBytes,
            ["file_bytes"] = r.FileBytes,
        };
        if (o.Filter is not null)
            json["family_parameters"] = GraphFilterTrainer.Describe(o.Filter, o);
        if (o.Sequential is not null)
            json["family_parameters"] = o.Sequential.Describe(o);
        if (o.EffectiveHistory.IsOrdered)
            json["history"] = o.EffectiveHistory.ToJson();
        if (r.Solver == "sparse")
        {
            json["neighbors"] = r.Neighbors;
            json["solved_weights"] = r.SolvedWeights;
            if (o.ShardCount > 1)
                json["shard"] = $"{o.ShardIndex}/{o.ShardCount}";
        }
        return json;
    }

    private static double Round(double x) => Math.Round(x, 3);

    private static void WriteSummary(TextWriter o, InteractionSet data, TrainOptions opt, TrainReport r, double load, double total, long peak, string output)
    {
        var c = CultureInfo.InvariantCulture;
        string solver = r.Solver == "sparse"
            ? $"sparse solver, {r.Neighbors} neighbours{(opt.ShardCount > 1 ? $", shard {opt.ShardIndex}/{opt.ShardCount} (part file for `ease merge`)" : "")}"
            : "dense solver";
        if (opt.Sequential is { } sq)
            o.WriteLine(string.Create(c, $"trained sequential: {sq.Formula(opt.Lambda)}, {(opt.Precision == Precision.Float64 ? "f64" : "f32")} -> {output}"));
        else if (opt.Filter is { } f)
            o.WriteLine(string.Create(c, $"trained {f.DisplayName}: {GraphFilterTrainer.Formula(f)}{(f.EaseWeight != 0 ? $", EASE λ={opt.Lambda} dropout={opt.Dropout}" : "")}, f32, {(r.Solver == "sparse" ? $"sparse solver, {r.Neighbors} candidates per item" : "dense solver")} -> {output}"));
        else
            o.WriteLine(string.Create(c, $"trained {(opt.Dropout > 0 ? "EDLAE" : "EASE")} λ={opt.Lambda} dropout={opt.Dropout} {(opt.Precision == Precision.Float64 ? "f64" : "f32")}, {solver} -> {output}"));
        if (opt.EffectiveHistory.IsOrdered)
            o.WriteLine($"history     ordered, oldest first: {opt.EffectiveHistory}");
        if (r.SolverReason.Length > 0 && opt.Solver == SolverKind.Auto)
            o.WriteLine($"solver      {r.Solver}: {r.SolverReason}");
        o.WriteLine(string.Create(c, $"data        {r.Users:N0} users, {r.Items:N0} items, {r.Interactions:N0} interactions ({data.DuplicatePairs:N0} duplicates, {data.SkippedRows:N0} bad rows skipped)"));
        o.WriteLine(string.Create(c, $"model       {r.NonZeros:N0} weights, density {r.Density * 100:0.###}%, kept {r.KeptWeightMass * 100:0.##}% of the squared weight mass{(r.Solver == "sparse" ? $" ({r.SolvedWeights:N0} solved)" : "")}, file {Units.Bytes(r.FileBytes)}"));
        o.WriteLine(string.Create(c, $"{"load",-12}{Units.Seconds(load),10}"));
        foreach (PhaseTiming p in r.Phases)
            o.WriteLine(string.Create(c, $"{p.Phase,-12}{Units.Seconds(p.Seconds),10}{(p.Gflops > 0 ? $"  {p.Gflops:0.0} GFLOP/s" : "")}"));
        o.WriteLine(string.Create(c, $"{"total",-12}{Units.Seconds(total),10}   {r.Threads} threads, {r.KernelPath} kernel, peak memory {Units.Bytes(peak)} (matrix {Units.Bytes(r.MatrixBytes)})"));
    }
}

using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Ease.Cli.Options;
using Ease.Engine.Evaluation;
using Ease.Engine.Input;
using Ease.Engine.Linalg;
using Ease.Engine.Training;
using Ease.Engine.Training.Filters;
using Ease.Format;

namespace Ease.Cli.Commands;

/// <summary>
/// `ease tune`: a grid over λ, EDLAE dropout and pruning. The Gram matrix is built once; each
/// (λ, dropout) costs one inversion; each pruning level of it costs one model write and one
/// evaluation. Reports a table and the best setting, optionally writes the best model and a
/// chart of the pruning trade-off.
/// </summary>
public static class TuneCommand
{
    private sealed record Row(double Lambda, double Dropout, int TopK, long NonZeros, long FileBytes, double KeptMass, EvaluationReport Eval, double UsersPerSecond, double SolveSeconds)
    {
        /// <summary>The graph filter (with its blend weight), or null for EASE.</summary>
        public FilterOptions? Filter { get; init; }

        public string Family => Filter?.DisplayName ?? "ease";

        /// <summary>What identifies the model apart from its pruning.</summary>
        public string Setting => Filter is null || Filter.EaseWeight != 0
            ? $"{(Filter is null ? "" : FilterGrid.Label(Filter) + " ")}λ={Lambda.ToString(CultureInfo.InvariantCulture)} p={Dropout.ToString(CultureInfo.InvariantCulture)}"
            : FilterGrid.Label(Filter);
    }

    public static Command Create(CliContext context)
    {
        var input = new Option<string>("--input", "-i") { Description = "Training interactions.", Required = true, HelpName = "FILE" };
        var history = new Option<string>("--history") { Description = "What evaluated users are scored from (e.g. train.txt, validation_tr.csv).", Required = true, HelpName = "FILE" };
        var heldout = new Option<string>("--heldout") { Description = "Held-out interactions to find (e.g. test.txt, validation_te.csv).", Required = true, HelpName = "FILE" };
        var lambdas = new Option<string>("--lambda") { Description = "λ values, comma separated.", DefaultValueFactory = _ => "50,100,200,500,1000", HelpName = "L[,L...]" };
        var dropouts = new Option<string>("--dropout") { Description = "EDLAE dropout values, comma separated (0 = EASE).", DefaultValueFactory = _ => "0", HelpName = "p[,p...]" };
        var prunes = new Option<string>("--prune-topk") { Description = "Weights kept per row, comma separated; 0 = dense.", DefaultValueFactory = _ => "0", HelpName = "K[,K...]" };
        var ks = new Option<string>("-k") { Description = "Cut-offs, comma separated; the first is the one tuned for.", DefaultValueFactory = _ => "20", HelpName = "K[,K...]" };
        var metric = new Option<string>("--metric") { Description = "What 'best' maximizes: ndcg or recall, at the first cut-off.", DefaultValueFactory = _ => "ndcg", HelpName = "ndcg|recall" };
        metric.AcceptOnlyFromAmong("ndcg", "recall");
        var normalization = new Option<string?>("--recall-normalization") { Description = "As in evaluate: heldout or min-k.", HelpName = "heldout|min-k" };
        normalization.AcceptOnlyFromAmong("heldout", "min-k");
        var precision = new Option<string>("--precision") { Description = "f32 or f64.", DefaultValueFactory = _ => "f32", HelpName = "f32|f64" };
        precision.AcceptOnlyFromAmong("f32", "f64");
        var threads = new Option<int>("--threads") { Description = "Threads; 0 = all cores.", DefaultValueFactory = _ => 0, HelpName = "N" };
        var output = new Option<string?>("--output", "-o") { Description = "Write the best model here.", HelpName = "MODEL" };
        var chart = new Option<string?>("--chart") { Description = "Write an SVG chart of the pruning trade-off (accuracy, users/s, file size per weights/row) at the best λ and dropout; implies --speed.", HelpName = "FILE.svg" };
        var speed = new Option<bool>("--speed") { Description = "Also measure scoring users/s of every model (all held-out users' histories, all threads)." };
        var solverKind = new Option<string>("--solver") { Description = "As in train: dense, sparse, or auto (dense when it fits --memory-limit). The sparse solver trains each grid point anew.", DefaultValueFactory = _ => "auto", HelpName = "dense|sparse|auto" };
        solverKind.AcceptOnlyFromAmong("dense", "sparse", "auto");
        var memoryLimit = new Option<string?>("--memory-limit") { Description = "Memory budget, e.g. 12G (default: what the machine has available).", HelpName = "BYTES" };
        var neighbors = new Option<int?>("--neighbors") { Description = "Sparse solver: candidates per item (default: two thirds of the weights a row keeps, at least 128).", HelpName = "M" };
        var gramNeighbors = new Option<int?>("--gram-neighbors") { Description = "Sparse solver: co-occurrences kept per item (default: 4 x --neighbors).", HelpName = "G" };
        var json = new Option<bool>("--json") { Description = "Print the results and the best setting as JSON." };
        var quiet = new Option<bool>("--quiet", "-q") { Description = "No progress output." };
        var families = new Option<string>("--family") { Description = "Families searched, comma separated: ease, gf-cf, turbo-cf, bspm, and NAME+ease blends (M + γ·B over the --lambda and --dropout grids). Each filter family has a default grid of its own unless the flags below narrow it.", DefaultValueFactory = _ => "ease", HelpName = "F[,F...]" };
        var alphas = new Option<string?>("--alpha") { Description = "gf-cf α / bspm β values (defaults: gf-cf 0.1,0.3,0.5,1; bspm 0.2,0.3,0.5).", HelpName = "A[,A...]" };
        var ranks = new Option<string?>("--rank") { Description = "Singular vectors in the low-pass term (defaults: gf-cf 256, bspm 384); one SVD per rank.", HelpName = "R[,R...]" };
        var normExponents = new Option<string?>("--norm-exponent") { Description = "turbo-cf normalisation exponents a (default 0.5,0.6,0.7).", HelpName = "a[,a...]" };
        var powers = new Option<string?>("--power") { Description = "turbo-cf element-wise powers s (default 1).", HelpName = "s[,s...]" };
        var orders = new Option<string?>("--filter-order") { Description = "turbo-cf filters (default 1,2).", HelpName = "1|2|3[,...]" };
        var times = new Option<string?>("--time") { Description = "bspm sharpening times (default 1,1.2,1.5).", HelpName = "T[,T...]" };
        var easeWeights = new Option<string?>("--ease-weight") { Description = "γ of the NAME+ease blends (default 0.25,0.5,1,2).", HelpName = "γ[,γ...]" };
        var binder = new InputOptionsBinder();
        var command = new Command("tune", "Grid search over model families (EASE and graph filters), their parameters and pruning, sharing the Gram matrix, R̃ and one SVD per rank; prints a table and the best setting.")
        {
            input, history, heldout, lambdas, dropouts, prunes, ks, metric, normalization, precision, threads, output, chart, speed,
            solverKind, memoryLimit, neighbors, gramNeighbors, json, quiet, families, alphas, ranks, normExponents, powers, orders, times, easeWeights,
        };
        binder.AddTo(command);
        command.SetAction(parse =>
        {
            double[] lambdaGrid = ParseList(parse.GetValue(lambdas)!, "--lambda", x => x >= 0);
            double[] dropoutGrid = ParseList(parse.GetValue(dropouts)!, "--dropout", x => x >= 0 && x < 1);
            int[] pruneGrid = [.. ParseList(parse.GetValue(prunes)!, "--prune-topk", x => x >= 0 && x == Math.Floor(x)).Select(x => (int)x)];
            int[] cutoffs = EvaluateCommand.ParseKs(parse.GetValue(ks)!);
            (bool withEase, List<(ModelFamily Family, bool Blend)> filters) = ParseFamilies(parse.GetValue(families)!);
            var grid = new FilterGrid(
                OptionalList(parse.GetValue(alphas), "--alpha", double.IsFinite),
                OptionalList(parse.GetValue(ranks), "--rank", x => x >= 1 && x == Math.Floor(x))?.Select(x => (int)x).ToArray(),
                OptionalList(parse.GetValue(normExponents), "--norm-exponent", x => x >= 0 && x <= 1),
                OptionalList(parse.GetValue(powers), "--power", x => x > 0),
                OptionalList(parse.GetValue(orders), "--filter-order", x => x is 1 or 2 or 3)?.Select(x => (int)x).ToArray(),
                OptionalList(parse.GetValue(times), "--time", x => x >= 0),
                OptionalList(parse.GetValue(easeWeights), "--ease-weight", double.IsFinite));
            InputOptions inputOptions = TrainCommand.Bind(binder, parse);
            RecallNormalization norm = EvaluateCommand.Normalization(parse.GetValue(normalization), inputOptions);
            bool byNdcg = parse.GetValue(metric) == "ndcg";
            string? chartPath = parse.GetValue(chart);
            bool measureSpeed = parse.GetValue(speed) || chartPath is not null;
            int threadCount = parse.GetValue(threads);
            var progress = new PhaseProgress(context, parse.GetValue(quiet) || parse.GetValue(json));
            string? outputPath = parse.GetValue(output) is { } o ? CliOutput.ModelPath(o) : null;
            // Models are written beside the output, so the best one is renamed into place.
            string workDir = Path.Combine(outputPath is null ? Path.GetTempPath() : AtomicOutput.StagingDirectory(outputPath), $".ease-tune-{Guid.NewGuid():N}");
            Directory.CreateDirectory(workDir);
            try
            {
                var rows = progress.Run(p =>
                {
                    var results = new List<Row>();
                    InteractionSet train = InteractionReader.Read(parse.GetValue(input)!, inputOptions, new SynchronousProgress<ReadProgress>(r => p.Report("load", r.Fraction)));
                    HistoryInput.RequireInteractions(train, parse.GetValue(input)!);
                    InteractionSet h = InteractionReader.Read(parse.GetValue(history)!, inputOptions, train.ItemIds, UnknownItemPolicy.Drop);
                    InteractionSet t = InteractionReader.Read(parse.GetValue(heldout)!, inputOptions, train.ItemIds, UnknownItemPolicy.Add);
                    var evalOptions = new EvaluationOptions { Ks = cutoffs, RecallNormalization = norm, Threads = threadCount };
                    var baseOptions = TrainCommand.WithSolver(new TrainOptions
                    {
                        Lambda = lambdaGrid[0],
                        Precision = parse.GetValue(precision) == "f64" ? Precision.Float64 : Precision.Float32,
                        Threads = threadCount,
                        Prune = pruneGrid.Max() > 0 ? PruneMode.TopK : PruneMode.None,
                        PruneTopK = pruneGrid.Max(),
                    }, parse.GetValue(solverKind)!, parse.GetValue(memoryLimit), parse.GetValue(neighbors), parse.GetValue(gramNeighbors), "cosine", null);
                    bool sparse = withEase && MemoryBudget.Choose(train, baseOptions) == SolverKind.Sparse;
                    // One neighbourhood size for the whole grid, sized for its largest pruning.
                    baseOptions = baseOptions with { Neighbors = baseOptions.EffectiveNeighbors(train.ItemCount), GramNeighbors = baseOptions.EffectiveGramNeighbors(train.ItemCount) };
                    bool blends = filters.Any(f => f.Blend);
                    using EaseSolver? solver = sparse || !withEase && !blends ? null : EaseSolver.Create(train, withEase ? baseOptions.Precision : Precision.Float32, threadCount,
                        keepGram: lambdaGrid.Length * dropoutGrid.Length > 1 || withEase && blends, new SynchronousProgress<TrainProgress>(x => p.Report(x.Phase, x.Fraction)));
                    if (filters.Count > 0)
                        TuneFilters(train, h, t, evalOptions, baseOptions, filters, grid, solver, lambdaGrid, dropoutGrid, pruneGrid, workDir, measureSpeed, cutoffs[0], threadCount, results, p);
                    foreach (double lambda in withEase ? lambdaGrid : [])
                    {
                        foreach (double dropout in dropoutGrid)
                        {
                            string tag = $"λ={lambda.ToString(CultureInfo.InvariantCulture)} p={dropout.ToString(CultureInfo.InvariantCulture)}";
                            SpdInverseReport? inv = solver?.Solve(lambda, dropout, new SynchronousProgress<TrainProgress>(x => p.Report($"{tag} {x.Phase}", x.Fraction)));
                            foreach (int topK in pruneGrid)
                            {
                                var o = baseOptions with { Lambda = lambda, Dropout = dropout, Prune = topK > 0 ? PruneMode.TopK : PruneMode.None, PruneTopK = topK, Solver = sparse ? SolverKind.Sparse : SolverKind.Dense };
                                string path = Path.Combine(workDir, $"{results.Count}.ease");
                                var meta = new JsonObject { ["tool"] = $"ease {TrainCommand.ToolVersion}" };
                                var report = new SynchronousProgress<TrainProgress>(x => p.Report($"{tag} k={PruningChart.Label(topK)} {x.Phase}", x.Fraction));
                                long nonZeros, fileBytes;
                                double keptMass, solveSeconds;
                                if (solver is not null)
                                {
                                    ModelWriteReport w = solver.Write(path, o, meta, report);
                                    (nonZeros, fileBytes, keptMass, solveSeconds) = (w.NonZeros, w.FileBytes, w.KeptWeightMass, inv!.TotalSeconds);
                                }
                                else
                                {
                                    TrainReport r = Engine.Training.Sparse.SparseEaseTrainer.Train(train, o, path, meta, report);
                                    (nonZeros, fileBytes, keptMass, solveSeconds) = (r.NonZeros, r.FileBytes, r.KeptWeightMass, r.Phases.Sum(x => x.Seconds));
                                }
                                using ModelFile model = ModelFile.Open(path);
                                p.Report($"{tag} k={PruningChart.Label(topK)} evaluate", 0);
                                EvaluationReport e = Evaluator.Evaluate(model, h, t, evalOptions);
                                double usersPerSecond = measureSpeed ? MeasureSpeed(model, h, t, cutoffs[0], threadCount) : 0;
                                p.Report($"{tag} k={PruningChart.Label(topK)} evaluate", 1);
                                results.Add(new Row(lambda, dropout, topK, nonZeros, fileBytes, keptMass, e, usersPerSecond, solveSeconds));
                            }
                        }
                    }
                    return results;
                });
                progress.Finish();

                double Score(Row r) => byNdcg ? r.Eval.Cutoffs[0].Ndcg.Mean : r.Eval.Cutoffs[0].Recall.Mean;
                int best = Enumerable.Range(0, rows.Count).MaxBy(i => Score(rows[i]));
                Row b = rows[best];
                if (outputPath is not null)
                    WriteBest(b, Path.Combine(workDir, $"{best}.ease"), outputPath, parse.GetValue(input)!, inputOptions, threadCount, progress);

                List<TradeoffPoint> tradeoff = [.. rows.Where(r => r.Family == b.Family && r.Setting == b.Setting)
                    .Select(r => new TradeoffPoint(r.TopK, r.Eval.Cutoffs[0].Ndcg.Mean, r.FileBytes, r.UsersPerSecond))];
                string metricName = $"NDCG@{cutoffs[0]}";
                if (chartPath is not null)
                {
                    string title = b.Filter is null
                        ? $"Pruning trade-off, EASE λ={b.Lambda.ToString(CultureInfo.InvariantCulture)}{(b.Dropout > 0 ? $" dropout={b.Dropout.ToString(CultureInfo.InvariantCulture)}" : "")}"
                        : $"Pruning trade-off, {b.Family} {b.Setting}";
                    string svg = PruningChart.Svg(tradeoff, metricName, title);
                    AtomicOutput.WriteText(chartPath, w => w.Write(svg));
                }

                if (parse.GetValue(json))
                {
                    var array = new JsonArray();
                    foreach (Row r in rows)
                        array.Add(ToJson(r, measureSpeed));
                    context.Out.WriteLine(new JsonObject { ["results"] = array, ["best"] = ToJson(b, measureSpeed), ["users"] = b.Eval.Users }.ToJsonString());
                }
                else
                {
                    WriteTable(context.Out, rows, cutoffs, best, measureSpeed, filters.Count > 0);
                    if (measureSpeed && tradeoff.Count > 1)
                        context.Out.Write(PruningChart.Terminal(tradeoff, metricName));
                    if (outputPath is not null)
                        context.Out.WriteLine($"wrote the best model to {outputPath}");
                    if (chartPath is not null)
                        context.Out.WriteLine($"wrote the pruning chart to {chartPath}");
                }
                return ExitCodes.Ok;
            }
            finally
            {
                Directory.Delete(workDir, recursive: true);
            }
        });
        return command;
    }

    private static double MeasureSpeed(ModelFile model, InteractionSet history, InteractionSet heldout, int k, int threads)
    {
        // The users evaluated are the ones scored: held-out users, from their histories.
        HeldoutUsers users = HeldoutUsers.Gather(history, heldout, model.ItemCount);
        int t = threads > 0 ? threads : Environment.ProcessorCount;
        return ScoringThroughput.Measure(model, users.HistoryOffsets, users.HistoryRows, Math.Min(k, model.ItemCount), t, 3).UsersPerSecond;
    }

    private static JsonObject ToJson(Row r, bool speed)
    {
        JsonObject o = EvaluateCommand.ToJson(r.Eval);
        o["family"] = r.Family;
        if (r.Filter is not null)
            o["parameters"] = GraphFilterTrainer.Describe(r.Filter, new TrainOptions { Lambda = r.Lambda, Dropout = r.Dropout });
        o["lambda"] = r.Lambda;
        o["dropout"] = r.Dropout;
        o["prune_topk"] = r.TopK;
        o["nonzeros"] = r.NonZeros;
        o["file_bytes"] = r.FileBytes;
        o["kept_weight_mass"] = Math.Round(r.KeptMass, 6);
        o["solve_seconds"] = Math.Round(r.SolveSeconds, 3);
        if (speed)
            o["users_per_s"] = Math.Round(r.UsersPerSecond, 1);
        return o;
    }

    private static void WriteTable(TextWriter o, List<Row> rows, int[] cutoffs, int best, bool speed, bool families)
    {
        var c = CultureInfo.InvariantCulture;
        int k = cutoffs[0];
        int width = families ? Math.Max(20, rows.Max(r => r.Family.Length + 1 + r.Setting.Length)) : 0;
        string Lead(Row r) => families ? $"{(r.Family + " " + r.Setting).PadRight(width)} " : string.Create(c, $"{r.Lambda,8:0.###} {r.Dropout,7:0.###} ");
        string head = families ? $"{"model".PadRight(width)} " : $"{"lambda",8} {"dropout",7} ";
        o.WriteLine(string.Create(c, $"{head}{"weights/row",11} {"nnz",13} {"file",10} {$"Recall@{k}",9} {$"NDCG@{k}",9}{(speed ? $" {"users/s",10}" : "")}"));
        for (int i = 0; i < rows.Count; i++)
        {
            Row r = rows[i];
            CutoffMetrics m = r.Eval.Cutoffs[0];
            o.WriteLine(string.Create(c, $"{Lead(r)}{PruningChart.Label(r.TopK),11} {r.NonZeros,13:N0} {(r.FileBytes > 0 ? Units.Bytes(r.FileBytes) : "-"),10} {m.Recall.Mean,9:0.00000} {m.Ndcg.Mean,9:0.00000}{(speed ? $" {r.UsersPerSecond,10:N0}" : "")}{(i == best ? "  <- best" : "")}"));
        }
        Row b = rows[best];
        o.WriteLine(b.Filter is null
            ? string.Create(c, $"best: lambda {b.Lambda}, dropout {b.Dropout}, weights/row {PruningChart.Label(b.TopK)} ({rows[best].Eval.Users:N0} users)")
            : string.Create(c, $"best: {b.Family} {b.Setting}, weights/row {PruningChart.Label(b.TopK)} ({rows[best].Eval.Users:N0} users)"));
    }

    /// <summary>
    /// The graph-filter part of the grid. Each setting's operator is built once (R̃ and the SVD per
    /// rank shared through one cache) and evaluated unpruned in memory; each pruning level is written
    /// and evaluated from its file. Blends run λ by λ: EASE's P is solved once per (λ, dropout), and
    /// the weights γ, ascending, are added to the operator in place (M += Δγ·B).
    /// </summary>
    private static void TuneFilters(InteractionSet train, InteractionSet h, InteractionSet t, EvaluationOptions evalOptions, TrainOptions baseOptions,
        List<(ModelFamily Family, bool Blend)> filters, FilterGrid grid, EaseSolver? solver, double[] lambdaGrid, double[] dropoutGrid, int[] pruneGrid,
        string workDir, bool measureSpeed, int k, int threads, List<Row> results, PhaseProgress p)
    {
        threads = threads > 0 ? threads : Environment.ProcessorCount;
        var cache = new GraphFilterCache(train);
        var filterOptions = baseOptions with { Solver = SolverKind.Dense, Precision = Precision.Float32, ShardCount = 1, ShardIndex = 0 };
        void Evaluate(DenseMatrix<float> m, FilterOptions f, double lambda, double dropout, double seconds)
        {
            string tag = $"{f.DisplayName} {FilterGrid.Label(f)}";
            foreach (int topK in pruneGrid)
            {
                p.Report($"{tag} k={PruningChart.Label(topK)} evaluate", 0);
                var o = filterOptions with { Lambda = lambda, Dropout = dropout, Filter = f, Prune = topK > 0 ? PruneMode.TopK : PruneMode.None, PruneTopK = topK };
                Row row;
                if (topK == 0)
                {
                    var scorer = new DenseRowScorer(m, Ones(m.Size), 0, keepScaledDiagonal: false, clipNegative: false, threads);
                    EvaluationReport e = Evaluator.Evaluate(scorer, h, t, evalOptions, train.ItemPopularity);
                    row = new Row(lambda, dropout, 0, (long)m.Size * (m.Size - 1), 0, 1, e, 0, seconds) { Filter = f };
                }
                else
                {
                    string path = Path.Combine(workDir, $"{results.Count}.ease");
                    ModelWriteReport w = EaseTrainer.WriteModel(new FilterRows(m), train, o, new JsonObject { ["tool"] = $"ease {TrainCommand.ToolVersion}" }, path, threads, null, default);
                    using ModelFile model = ModelFile.Open(path);
                    EvaluationReport e = Evaluator.Evaluate(model, h, t, evalOptions);
                    double usersPerSecond = measureSpeed ? MeasureSpeed(model, h, t, k, threads) : 0;
                    row = new Row(lambda, dropout, topK, w.NonZeros, w.FileBytes, w.KeptWeightMass, e, usersPerSecond, seconds) { Filter = f };
                }
                results.Add(row);
                p.Report($"{tag} k={PruningChart.Label(topK)} evaluate", 1);
            }
        }

        foreach ((ModelFamily family, bool blend) in filters.Where(f => !f.Blend))
        {
            foreach (FilterOptions f in grid.Settings(family, blend: false))
            {
                var watch = System.Diagnostics.Stopwatch.StartNew();
                using DenseMatrix<float> m = GraphFilterOperator.Build(train, f, threads,
                    new SynchronousProgress<TrainProgress>(x => p.Report($"{f.DisplayName} {FilterGrid.Label(f)} {x.Phase}", x.Fraction)), default, out _, cache);
                Evaluate(m, f, baseOptions.Lambda, 0, watch.Elapsed.TotalSeconds);
            }
        }
        if (!filters.Any(f => f.Blend))
            return;
        foreach (double lambda in lambdaGrid)
        {
            foreach (double dropout in dropoutGrid)
            {
                var solveWatch = System.Diagnostics.Stopwatch.StartNew();
                string easeTag = $"λ={lambda.ToString(CultureInfo.InvariantCulture)} p={dropout.ToString(CultureInfo.InvariantCulture)}";
                solver!.Solve(lambda, dropout, new SynchronousProgress<TrainProgress>(x => p.Report($"ease {easeTag} {x.Phase}", x.Fraction)));
                double solveSeconds = solveWatch.Elapsed.TotalSeconds;
                EaseRows<float> ease = solver.SolvedRows();
                foreach ((ModelFamily family, bool _) in filters.Where(f => f.Blend))
                {
                    foreach (IGrouping<FilterOptions, FilterOptions> group in grid.Settings(family, blend: true).GroupBy(f => f with { EaseWeight = 0 }))
                    {
                        var watch = System.Diagnostics.Stopwatch.StartNew();
                        FilterOptions baseFilter = group.Key;
                        using DenseMatrix<float> m = GraphFilterOperator.Build(train, baseFilter, threads,
                            new SynchronousProgress<TrainProgress>(x => p.Report($"{baseFilter.DisplayName}+ease {FilterGrid.Label(baseFilter)} {x.Phase}", x.Fraction)), default, out _, cache);
                        double applied = 0;
                        foreach (FilterOptions f in group.OrderBy(f => f.EaseWeight))
                        {
                            GraphFilterOperator.AddEase(m, ease, f.EaseWeight - applied, threads);
                            applied = f.EaseWeight;
                            Evaluate(m, f, lambda, dropout, solveSeconds + watch.Elapsed.TotalSeconds);
                        }
                    }
                }
            }
        }
    }

    private static float[] Ones(int n)
    {
        var ones = new float[n];
        Array.Fill(ones, 1f);
        return ones;
    }

    /// <summary>Writes the best model to the output: the EASE file already written, or the filter trained again with its pruning.</summary>
    private static void WriteBest(Row b, string written, string outputPath, string inputPath, InputOptions inputOptions, int threads, PhaseProgress progress)
    {
        if (b.Filter is null || File.Exists(written))
        {
            AtomicOutput.MoveOnto(written, outputPath);
            return;
        }
        progress.Run(p =>
        {
            InteractionSet train = InteractionReader.Read(inputPath, inputOptions);
            var o = new TrainOptions
            {
                Lambda = b.Lambda,
                Dropout = b.Dropout,
                Threads = threads,
                Solver = SolverKind.Dense,
                Filter = b.Filter,
                Prune = b.TopK > 0 ? PruneMode.TopK : PruneMode.None,
                PruneTopK = b.TopK,
            };
            GraphFilterTrainer.Train(train, o, outputPath, new JsonObject { ["tool"] = $"ease {TrainCommand.ToolVersion}" },
                new SynchronousProgress<TrainProgress>(x => p.Report($"best {x.Phase}", x.Fraction)));
            return 0;
        });
        progress.Finish();
    }

    /// <summary>"ease,gf-cf,bspm+ease" → whether EASE is in the grid, and the filter families (blended or not).</summary>
    private static (bool Ease, List<(ModelFamily Family, bool Blend)> Filters) ParseFamilies(string text)
    {
        bool ease = false;
        var filters = new List<(ModelFamily, bool)>();
        foreach (string part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            FilterOptions? f = FamilyOptions.Parse(part, null);
            if (f is null)
                ease = true;
            else
                filters.Add((f.Family, f.EaseWeight != 0));
        }
        if (!ease && filters.Count == 0)
            throw new UsageException("--family needs at least one family");
        return (ease, [.. filters.Distinct()]);
    }

    private static double[]? OptionalList(string? text, string name, Func<double, bool> valid) => text is null ? null : ParseList(text, name, valid);

    private static double[] ParseList(string text, string name, Func<double, bool> valid)
    {
        var list = new List<double>();
        foreach (string part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!double.TryParse(part, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) || !valid(v))
                throw new UsageException($"{name}: \"{part}\" is not a valid value");
            list.Add(v);
        }
        if (list.Count == 0)
            throw new UsageException($"{name} needs at least one value");
        return [.. list.Distinct()];
    }
}

using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Ease.Cli.Options;
using Ease.Engine.Evaluation;
using Ease.Engine.Input;
using Ease.Engine.Training;
using Ease.Format;
using Ease.Study;
using Ease.Study.Deep;

namespace Ease.Cli.Commands;

/// <summary>
/// `ease study`: trains EASE, its ablations (no zero diagonal, no negative weights, low rank,
/// pruned) and the deep autoencoders on one split, evaluates each with the evaluator of
/// `ease evaluate`, and writes a table, a chart and JSON. Input options and -k, --history, --heldout, --lambda mean what they
/// mean for `ease tune`.
/// </summary>
public static class StudyCommand
{
    public static Command Create(CliContext context)
    {
        var input = new Option<string>("--input", "-i") { Description = "Training interactions.", Required = true, HelpName = "FILE" };
        var history = new Option<string>("--history") { Description = "What evaluated users are scored from (e.g. train.txt).", Required = true, HelpName = "FILE" };
        var heldout = new Option<string>("--heldout") { Description = "Held-out interactions to find (e.g. test.txt).", Required = true, HelpName = "FILE" };
        var lambda = new Option<double>("--lambda") { Description = "λ of EASE and of every linear variant.", DefaultValueFactory = _ => 200, HelpName = "L" };
        var ks = new Option<string>("-k") { Description = "Cut-offs, comma separated; the first is charted.", DefaultValueFactory = _ => "20", HelpName = "K[,K...]" };
        var normalization = new Option<string?>("--recall-normalization") { Description = "As in evaluate: heldout or min-k.", HelpName = "heldout|min-k" };
        normalization.AcceptOnlyFromAmong("heldout", "min-k");
        var variants = new Option<string>("--variants")
        {
            Description = "Variants, comma separated: ease, no-zero-diagonal, no-negatives (= no-negatives-clipped, no-negatives-fit), "
                + "low-rank-R (= low-rank-R-svd, low-rank-R-lae), pruned-K, mult-vae, mult-dae, gaussian-dae, logistic-dae; "
                + "gf-cf, gf-cf-linear (α 0: the linear filter alone), turbo-cf, bspm, bspm-linear (β 0), NAME+ease (γ 0.25) or NAME+ease@γ (the filter + γ·EASE); "
                + "groups: linear (ease, no-zero-diagonal, no-negatives, low-rank-64/256/1024, pruned-128/512/2048), deep (the four networks), "
                + "filters (gf-cf-linear, gf-cf, turbo-cf, bspm-linear, bspm, bspm+ease), all (linear and deep).",
            DefaultValueFactory = _ => "all",
            HelpName = "LIST",
        };
        var output = new Option<string?>("--output", "-o") { Description = "Report folder: study.md, study.svg and study.json are written there (created if missing).", HelpName = "DIR" };
        var support = new Option<int>("--nonneg-support") { Description = "no-negatives-fit: candidates per column (the largest positive EASE weights); 0 = all items, the exact problem.", DefaultValueFactory = _ => 256, HelpName = "M" };
        var power = new Option<int>("--power-iterations") { Description = "Low-rank variants: power passes of the randomized subspace iteration.", DefaultValueFactory = _ => 4, HelpName = "Q" };
        var oversampling = new Option<int?>("--oversampling") { Description = "Low-rank variants: block columns beyond the largest rank r (default max(r, 192)).", HelpName = "P" };
        var seed = new Option<ulong>("--seed") { Description = "Seed of every random start.", DefaultValueFactory = _ => 1UL, HelpName = "S" };
        var defaults = new DeepOptions();
        var epochs = new Option<int>("--epochs") { Description = "Deep variants: passes over the training users.", DefaultValueFactory = _ => defaults.Epochs, HelpName = "N" };
        var batchSize = new Option<int>("--batch-size") { Description = "Deep variants: users per update.", DefaultValueFactory = _ => defaults.BatchSize, HelpName = "N" };
        var hidden = new Option<int>("--hidden") { Description = "Deep variants: width of the hidden layers around the code (0 = none).", DefaultValueFactory = _ => defaults.Hidden, HelpName = "N" };
        var latent = new Option<int>("--latent") { Description = "Deep variants: dimension of the code.", DefaultValueFactory = _ => defaults.Latent, HelpName = "N" };
        var inputDropout = new Option<float>("--input-dropout") { Description = "Deep variants: share of input entries dropped in training.", DefaultValueFactory = _ => defaults.InputDropout, HelpName = "p" };
        var annealCap = new Option<float>("--anneal-cap") { Description = "mult-vae: largest KL weight β.", DefaultValueFactory = _ => defaults.AnnealCap, HelpName = "β" };
        var annealSteps = new Option<int>("--anneal-steps") { Description = "mult-vae: updates over which β grows from 0 to 1 (capped by --anneal-cap).", DefaultValueFactory = _ => defaults.TotalAnnealSteps, HelpName = "N" };
        var learningRate = new Option<float>("--learning-rate") { Description = "Deep variants: Adam step size.", DefaultValueFactory = _ => defaults.LearningRate, HelpName = "η" };
        var valid = new Option<string?>("--valid") { Description = "Deep variants: held-out interactions the epoch is chosen on (e.g. valid.txt; scored from --history). Without it the last epoch is evaluated.", HelpName = "FILE" };
        var evalEvery = new Option<int>("--eval-every") { Description = "Deep variants with --valid: epochs between validation checks (the last epoch is always checked).", DefaultValueFactory = _ => 1, HelpName = "N" };
        var patience = new Option<int>("--patience") { Description = "Deep variants with --valid: stop after N checks without a better figure; 0 = run every epoch.", DefaultValueFactory = _ => 0, HelpName = "N" };
        var selectBy = new Option<string>("--select-by") { Description = "Deep variants with --valid: the figure at the first cut-off that picks the epoch.", DefaultValueFactory = _ => "ndcg", HelpName = "ndcg|recall" };
        var threads = new Option<int>("--threads") { Description = "Threads; 0 = all cores.", DefaultValueFactory = _ => 0, HelpName = "N" };
        var json = new Option<bool>("--json") { Description = "Print study.json to standard output instead of the table." };
        var quiet = new Option<bool>("--quiet", "-q") { Description = "No progress output." };
        var task = new Option<string>("--task") { Description = "set: EASE against its ablations and deep autoencoders (held-out sets); next-item: leave-one-out next-item evaluation from ordered histories (--heldout one item per user, all items ranked, history excluded; Recall@k = HR@k), variants pop, ease, ease-recency, sequential.", DefaultValueFactory = _ => "set", HelpName = "set|next-item" };
        task.AcceptOnlyFromAmong("set", "next-item");
        var sequentialLambda = new Option<double?>("--sequential-lambda") { Description = "next-item: λ of the sequential variant (default: --lambda).", HelpName = "L" };
        var sequence = new SequentialFlags();
        var transformer = new TransformerFlags();
        var binder = new InputOptionsBinder();
        var command = new Command("study", "Measure what EASE's structure is worth: train EASE, its ablations (zero diagonal, negative weights, full rank, sparsity) and deep autoencoders (Mult-VAE, Mult-DAE, Gaussian and logistic DAE) on one split, evaluate each, and write a table, a chart and JSON.")
        {
            input, history, heldout, lambda, ks, normalization, variants, output, support, power, oversampling, seed,
            epochs, batchSize, hidden, latent, inputDropout, annealCap, annealSteps, learningRate, valid, evalEvery, patience, selectBy, threads, json, quiet,
            task, sequentialLambda,
        };
        binder.AddTo(command);
        sequence.AddTo(command);
        transformer.AddTo(command);
        command.SetAction(parse =>
        {
            int[] cutoffs = EvaluateCommand.ParseKs(parse.GetValue(ks)!);
            InputOptions inputOptions = TrainCommand.Bind(binder, parse);
            RecallNormalization norm = EvaluateCommand.Normalization(parse.GetValue(normalization), inputOptions);
            bool nextItem = parse.GetValue(task) == "next-item";
            if (!nextItem)
            {
                foreach (Option flag in (Option[])[sequentialLambda, sequence.HistoryDecay, sequence.HistoryWindow, .. sequence.SequentialOnly])
                {
                    if (parse.GetResult(flag) is { Implicit: false })
                        throw new UsageException($"{flag.Name} is a parameter of --task next-item");
                }
            }
            IReadOnlyList<StudyVariant> list;
            try
            {
                list = nextItem ? StudyVariant.ParseNextItem(parse.GetValue(variants)!) : StudyVariant.Parse(parse.GetValue(variants)!);
            }
            catch (FormatException e)
            {
                throw new UsageException($"--variants: {e.Message}");
            }
            var deep = new DeepOptions
            {
                Epochs = parse.GetValue(epochs),
                BatchSize = parse.GetValue(batchSize),
                Hidden = parse.GetValue(hidden),
                Latent = parse.GetValue(latent),
                InputDropout = parse.GetValue(inputDropout),
                AnnealCap = parse.GetValue(annealCap),
                TotalAnnealSteps = parse.GetValue(annealSteps),
                LearningRate = parse.GetValue(learningRate),
                Seed = parse.GetValue(seed),
            };
            try
            {
                deep.Validate();
            }
            catch (ArgumentException e)
            {
                throw new UsageException($"deep variants: {e.Message}");
            }
            string metric = parse.GetValue(selectBy)!;
            if (metric is not ("ndcg" or "recall"))
                throw new UsageException($"--select-by must be ndcg or recall, got {metric}");
            var selection = new DeepSelection
            {
                EvaluateEvery = parse.GetValue(evalEvery),
                Patience = parse.GetValue(patience),
                Metric = metric == "recall" ? SelectionMetric.Recall : SelectionMetric.Ndcg,
            };
            if (selection.EvaluateEvery < 1)
                throw new UsageException($"--eval-every must be at least 1, got {selection.EvaluateEvery}");
            if (selection.Patience < 0)
                throw new UsageException($"--patience must be >= 0, got {selection.Patience}");
            string? validPath = parse.GetValue(valid);
            if (validPath is not null && !list.Any(v => v.IsDeep))
                throw new UsageException("--valid chooses the deep variants' epoch; name one (mult-vae, mult-dae, gaussian-dae, logistic-dae or deep)");
            if (!nextItem && validPath is null && (parse.GetResult(evalEvery) is { Implicit: false } || parse.GetResult(patience) is { Implicit: false } || parse.GetResult(selectBy) is { Implicit: false }))
                throw new UsageException("--eval-every, --patience and --select-by need --valid FILE");
            double l = parse.GetValue(lambda);
            if (!double.IsFinite(l) || l <= 0)
                throw new UsageException($"--lambda must be a number > 0, got {l.ToString(CultureInfo.InvariantCulture)}");
            foreach (Option<int> option in new[] { support, power, threads })
            {
                if (parse.GetValue(option) < 0)
                    throw new UsageException($"{option.Name} must be >= 0, got {parse.GetValue(option)}");
            }
            if (parse.GetValue(oversampling) < 0)
                throw new UsageException($"--oversampling must be >= 0, got {parse.GetValue(oversampling)}");
            string? outputDir = parse.GetValue(output);
            if (outputDir is not null)
            {
                if (outputDir.Length == 0 || outputDir == CliOutput.StandardOutput)
                    throw new UsageException("--output names a folder for study.md, study.svg and study.json");
                if (File.Exists(outputDir))
                    throw new UsageException($"--output {outputDir}: is a file; name a folder");
            }
            bool asJson = parse.GetValue(json);
            var progress = new PhaseProgress(context, parse.GetValue(quiet) || asJson);
            string inputPath = parse.GetValue(input)!;
            int threadCount = parse.GetValue(threads);
            StudyReport report;
            // The training data and the histories (in order for --task next-item); the held-out items as sets.
            (InteractionSet, InteractionSet, InteractionSet) ReadSplit(PhaseProgress p, InputOptions read)
            {
                InteractionSet train = InteractionReader.Read(inputPath, read, new SynchronousProgress<ReadProgress>(r => p.Report("load", r.Fraction)));
                HistoryInput.RequireInteractions(train, inputPath);
                InteractionSet h = InteractionReader.Read(parse.GetValue(history)!, read, train.ItemIds, UnknownItemPolicy.Drop);
                InteractionSet t = InteractionReader.Read(parse.GetValue(heldout)!, inputOptions, train.ItemIds, UnknownItemPolicy.Add);
                return (train, h, t);
            }

            if (nextItem)
            {
                Engine.Training.Sequential.SequentialOptions sequential = sequence.Bind(parse);
                double sequentialL = parse.GetValue(sequentialLambda) ?? l;
                if (!double.IsFinite(sequentialL) || sequentialL <= 0)
                    throw new UsageException($"--sequential-lambda must be a number > 0, got {sequentialL.ToString(CultureInfo.InvariantCulture)}");
                // --epochs, --patience and --eval-every are shared with the deep variants, whose defaults differ:
                // only values given on the command line replace the transformers' own.
                Ease.Study.Sequence.SequenceOptions bound = transformer.Bind(parse);
                Ease.Study.Sequence.SequenceOptions seqOptions = bound with
                {
                    Epochs = parse.GetResult(epochs) is { Implicit: false } ? parse.GetValue(epochs) : bound.Epochs,
                    Patience = parse.GetResult(patience) is { Implicit: false } ? parse.GetValue(patience) : bound.Patience,
                    EvaluateEvery = parse.GetResult(evalEvery) is { Implicit: false } ? parse.GetValue(evalEvery) : bound.EvaluateEvery,
                    Seed = parse.GetValue(seed),
                };
                try
                {
                    seqOptions.Validate();
                }
                catch (ArgumentException e)
                {
                    throw new UsageException(e.Message);
                }
                var recency = new Engine.Scoring.HistoryWeighting(parse.GetValue(sequence.HistoryDecay) ?? Engine.Training.Sequential.SequentialOptions.DefaultDecay, 0);
                report = progress.Run(p =>
                {
                    (InteractionSet train, InteractionSet h, InteractionSet t) = ReadSplit(p, inputOptions with { KeepOrder = true });
                    var options = new NextItemStudyOptions
                    {
                        Variants = list,
                        Lambda = l,
                        SequentialLambda = sequentialL,
                        Recency = recency,
                        Sequential = sequential,
                        Evaluation = new EvaluationOptions { Ks = cutoffs, RecallNormalization = norm, Threads = threadCount },
                        Threads = threadCount,
                        Transformer = seqOptions,
                        Log = parse.GetValue(quiet) ? null : line => context.Err.WriteLine($"ease: {line}"),
                    };
                    return NextItemStudy.Run(train, h, t, options, new SynchronousProgress<StudyProgress>(x => p.Report($"{x.Variant}: {x.Phase}", x.Fraction)));
                });
            }
            else
            report = progress.Run(p =>
            {
                (InteractionSet train, InteractionSet h, InteractionSet t) = ReadSplit(p, inputOptions);
                InteractionSet? vs = validPath is null ? null : InteractionReader.Read(validPath, inputOptions, train.ItemIds, UnknownItemPolicy.Add);
                var options = new StudyOptions
                {
                    Variants = list,
                    Lambda = l,
                    Evaluation = new EvaluationOptions { Ks = cutoffs, RecallNormalization = norm, Threads = threadCount },
                    NonNegativeSupport = parse.GetValue(support),
                    PowerIterations = parse.GetValue(power),
                    Oversampling = parse.GetValue(oversampling),
                    Seed = parse.GetValue(seed),
                    Threads = threadCount,
                    WorkDirectory = null,
                    Deep = deep,
                    Selection = selection,
                };
                return StudyRunner.Run(train, h, t, vs, options, new SynchronousProgress<StudyProgress>(x =>
                {
                    string phase = $"{x.Variant}: {x.Phase}";
                    p.Report(phase, x.Fraction);
                    if (x.Detail is not null)
                        p.Detail(phase, x.Detail);
                }));
            });
            progress.Finish();

            var document = new StudyDocument(report, Path.GetFileName(Path.GetDirectoryName(Path.GetFullPath(inputPath))) is { Length: > 0 } d ? $"{d}/{Path.GetFileName(inputPath)}" : inputPath,
                cutoffs, norm, threadCount);
            JsonObject o = document.Json();
            if (outputDir is not null)
            {
                CliOutput.Folder(outputDir);
                AtomicOutput.WriteText(Path.Combine(outputDir, "study.md"), w => w.Write(document.Markdown()));
                AtomicOutput.WriteText(Path.Combine(outputDir, "study.svg"), w => w.Write(StudyChart.Svg(document)));
                AtomicOutput.WriteText(Path.Combine(outputDir, "study.json"), w => w.WriteLine(o.ToJsonString(JsonOutput.Indented)));
            }
            if (asJson)
            {
                context.Out.WriteLine(o.ToJsonString());
            }
            else
            {
                context.Out.Write(document.Markdown());
                if (outputDir is not null)
                    context.Out.WriteLine($"wrote study.md, study.svg and study.json to {outputDir}");
            }
            return ExitCodes.Ok;
        });
        return command;
    }
}

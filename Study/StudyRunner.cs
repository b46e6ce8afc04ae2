using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Ease.Engine.Evaluation;
using Ease.Engine.Input;
using Ease.Engine.Linalg;
using Ease.Engine.Training;
using Ease.Engine.Training.Filters;
using Ease.Format;
using Ease.Study.Deep;

namespace Ease.Study;

/// <summary>
/// `ease study`: trains every variant on one split and evaluates each with the one evaluator.
/// The linear variants share one Gram matrix and one inverse: at most two n x n float matrices
/// (P and a copy of G) live at once, besides n x l blocks of the subspace iterations. Dense
/// variants are scored from P in memory (<see cref="DenseRowScorer"/>), low-rank ones from their
/// factors (<see cref="LowRankScorer"/>), sparse ones (pruned EASE, the non-negative fit) are
/// written as model files and go through the model-file evaluator, as `ease tune` does.
/// </summary>
public static class StudyRunner
{
    /// <summary>Runs the study.</summary>
    /// <param name="train">Training interactions; their item ids are the models' items.</param>
    /// <param name="history">What evaluated users are scored from, read against <paramref name="train"/>'s items (unknown dropped).</param>
    /// <param name="heldout">What they should find, read against the same items (unknown appended, counted as misses).</param>
    /// <param name="options">Variants, λ, cut-offs, threads.</param>
    /// <param name="progress">Variant, phase and fraction, or null.</param>
    /// <param name="ct">Cancels between phases and blocks.</param>
    public static StudyReport Run(InteractionSet train, InteractionSet history, InteractionSet heldout, StudyOptions options,
        IProgress<StudyProgress>? progress = null, CancellationToken ct = default) =>
        Run(train, history, heldout, null, options, progress, ct);

    /// <summary>Runs the study; the deep variants choose their epoch on <paramref name="validation"/> when it is given.</summary>
    /// <param name="train">Training interactions; their item ids are the models' items.</param>
    /// <param name="history">What evaluated users are scored from, read against <paramref name="train"/>'s items (unknown dropped).</param>
    /// <param name="heldout">What they should find, read against the same items (unknown appended, counted as misses).</param>
    /// <param name="validation">
    /// Held-out interactions the deep variants' epoch is chosen on (scored from <paramref name="history"/>, as the
    /// held-out ones), or null: the last epoch is evaluated. See <see cref="StudyOptions.Selection"/>.
    /// </param>
    /// <param name="options">Variants, λ, cut-offs, threads.</param>
    /// <param name="progress">Variant, phase and fraction, or null.</param>
    /// <param name="ct">Cancels between phases and blocks.</param>
    public static StudyReport Run(InteractionSet train, InteractionSet history, InteractionSet heldout, InteractionSet? validation,
        StudyOptions options, IProgress<StudyProgress>? progress = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(history);
        ArgumentNullException.ThrowIfNull(heldout);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (train.ItemCount == 0 || train.InteractionCount == 0)
            throw new InvalidDataException("the input holds no interactions; nothing to train on");

        var results = new Dictionary<StudyVariant, StudyResult>();
        StudyVariant[] linear = [.. options.Variants.Where(v => !v.IsDeep)];
        var report = new StudyReport
        {
            Results = [],
            Users = train.UserCount,
            Items = train.ItemCount,
            Interactions = train.InteractionCount,
            Lambda = options.Lambda,
        };
        if (linear.Length > 0)
        {
            using var study = new LinearStudy(train, history, heldout, options, progress, ct);
            foreach (StudyVariant v in linear)
            {
                ct.ThrowIfCancellationRequested();
                results[v] = study.Run(v);
            }
            report = report with
            {
                GramSeconds = study.GramSeconds,
                InverseSeconds = study.InverseSeconds,
                InverseGflops = study.InverseGflops,
                MatrixBytes = study.MatrixBytes,
            };
        }
        // The deep networks need neither G nor P: they run after the n x n matrices are freed.
        foreach (StudyVariant v in options.Variants.Where(v => v.IsDeep))
        {
            ct.ThrowIfCancellationRequested();
            results[v] = RunDeep(v, train, history, heldout, validation, options, progress, ct);
        }
        return report with { Results = [.. options.Variants.Select(v => results[v])] };
    }

    /// <summary>The options of one deep variant: the study's settings with its own model and likelihood.</summary>
    public static DeepOptions DeepOptionsFor(StudyVariant variant, StudyOptions options)
    {
        ArgumentNullException.ThrowIfNull(variant);
        ArgumentNullException.ThrowIfNull(options);
        DeepOptions o = options.Deep with { Threads = options.Threads };
        return variant.Kind switch
        {
            VariantKind.MultVae => o with { Variational = true, Likelihood = Likelihood.Multinomial },
            VariantKind.MultDae => o with { Variational = false, Likelihood = Likelihood.Multinomial },
            VariantKind.GaussianDae => o with { Variational = false, Likelihood = Likelihood.Gaussian },
            VariantKind.LogisticDae => o with { Variational = false, Likelihood = Likelihood.Logistic },
            _ => throw new ArgumentException($"{variant.Name} is not a deep variant", nameof(variant)),
        };
    }

    private static StudyResult RunDeep(StudyVariant v, InteractionSet train, InteractionSet history, InteractionSet heldout,
        InteractionSet? validation, StudyOptions options, IProgress<StudyProgress>? progress, CancellationToken ct)
    {
        DeepOptions o = DeepOptionsFor(v, options);
        DeepSelection selection = options.Selection;
        var watch = Stopwatch.StartNew();
        double gflops = 0, epochSeconds = 0, lastLoss = double.NaN, validationSeconds = 0;
        var best = new EpochChoice();
        progress?.Report(new StudyProgress(v.Name, "train", 0));
        DeepAutoencoder model = DeepAutoencoder.Train(train, o, new SynchronousProgress<DeepEpoch>(e =>
        {
            gflops += e.Gflops;
            epochSeconds += e.Seconds;
            lastLoss = e.Loss;
            progress?.Report(new StudyProgress(v.Name, "train", (double)e.Epoch / e.Epochs, string.Create(CultureInfo.InvariantCulture,
                $"epoch {e.Epoch}/{e.Epochs}: loss {e.Loss:0.###}{(o.Variational ? $", β {e.Beta:0.####}" : "")}, {e.Seconds:0.00} s, {e.Gflops:0} GFLOP/s")));
        }), ct, validation is null ? null : (m, e) =>
        {
            if (e.Epoch % selection.EvaluateEvery != 0 && e.Epoch != e.Epochs)
                return true;
            long t0 = Stopwatch.GetTimestamp();
            CutoffMetrics c = Evaluator.Evaluate(m, history, validation, options.Evaluation with { Ks = [options.Evaluation.Ks[0]], Threads = options.Threads }).Cutoffs[0];
            validationSeconds += Stopwatch.GetElapsedTime(t0).TotalSeconds;
            bool goOn = best.Offer(m, e.Epoch, c, selection);
            progress?.Report(new StudyProgress(v.Name, "train", (double)e.Epoch / e.Epochs, string.Create(CultureInfo.InvariantCulture,
                $"epoch {e.Epoch}/{e.Epochs}: validation Recall@{c.K} {c.Recall.Mean:0.00000}, NDCG@{c.K} {c.Ndcg.Mean:0.00000}; best epoch {best.Epoch}{(goOn ? "" : $", stopped after {selection.Patience} evaluations without a better one")}")));
            return goOn;
        });
        double trainSeconds = watch.Elapsed.TotalSeconds;
        int epochs = Math.Max(1, model.EpochsRun);
        DeepAutoencoder chosen = best.Model ?? model;
        progress?.Report(new StudyProgress(v.Name, "evaluate", 0));
        EvaluationReport e = Evaluator.Evaluate(chosen, history, heldout, options.Evaluation with { Threads = options.Threads }, train.ItemPopularity,
            new SynchronousProgress<double>(f => progress?.Report(new StudyProgress(v.Name, "evaluate", f))));
        progress?.Report(new StudyProgress(v.Name, "evaluate", 1));
        string layers = o.Hidden > 0 ? $"[n→{o.Hidden}→{o.Latent}→{o.Hidden}→n]" : $"[n→{o.Latent}→n]";
        string epochNote = best.Model is null
            ? $"{model.EpochsRun} epochs"
            : $"epoch {best.Epoch} of {model.EpochsRun} by validation {(selection.Metric == SelectionMetric.Ndcg ? "NDCG" : "Recall")}@{best.Metrics.K} {best.Value:0.00000} (checked every {selection.EvaluateEvery}{(selection.Patience > 0 ? $", patience {selection.Patience}" : "")}, {validationSeconds:0.0} s)";
        string kl = !o.Variational ? ""
            : o.TotalAnnealSteps == 0 ? string.Create(CultureInfo.InvariantCulture, $", KL weight β = {o.AnnealCap:0.##} from the first update")
            : string.Create(CultureInfo.InvariantCulture, $", KL annealed to β = {o.AnnealCap:0.##} over {o.TotalAnnealSteps:N0} updates");
        string note = string.Create(CultureInfo.InvariantCulture,
            $"{layers} tanh, {o.Likelihood.ToString().ToLowerInvariant()} likelihood, input dropout {o.InputDropout:0.##}{kl}, Adam {o.LearningRate:0.####}, batch {o.BatchSize}, {epochNote} (last loss {lastLoss:0.##}), {epochSeconds / epochs:0.00} s and {gflops / epochs:0} GFLOP/s per epoch");
        return new StudyResult(v, model.ParameterCount, trainSeconds, e, note) { OwnSeconds = trainSeconds, Epoch = best.Model is null ? model.EpochsRun : best.Epoch };
    }

    /// <summary>The best epoch seen on validation: its figure, a snapshot of the model, and the evaluations since.</summary>
    private sealed class EpochChoice
    {
        private int _sinceBest;

        public DeepAutoencoder? Model { get; private set; }
        public int Epoch { get; private set; }
        public double Value { get; private set; } = double.NegativeInfinity;
        public CutoffMetrics Metrics { get; private set; } = null!;

        /// <summary>Keeps <paramref name="model"/> if it is strictly better; returns false when patience has run out.</summary>
        public bool Offer(DeepAutoencoder model, int epoch, CutoffMetrics metrics, DeepSelection selection)
        {
            double value = selection.Metric == SelectionMetric.Ndcg ? metrics.Ndcg.Mean : metrics.Recall.Mean;
            if (value > Value)
            {
                Value = value;
                Epoch = epoch;
                Metrics = metrics;
                Model = model.Snapshot();
                _sinceBest = 0;
                return true;
            }
            _sinceBest++;
            return selection.Patience == 0 || _sinceBest < selection.Patience;
        }
    }

    /// <summary>The shared state of the linear variants: the solver (G, then P), G's copy, and the factorizations computed once.</summary>
    private sealed class LinearStudy : IDisposable
    {
        private readonly InteractionSet _train;
        private readonly InteractionSet _history;
        private readonly InteractionSet _heldout;
        private readonly StudyOptions _o;
        private readonly IProgress<StudyProgress>? _progress;
        private readonly CancellationToken _ct;
        private readonly EaseSolver<float> _solver;
        private readonly int _n;
        private readonly string _workDir;
        private readonly bool _ownsWorkDir;
        private float[]? _inverseDiagonal;
        private EigenPairs? _eigen;
        private double _eigenSeconds;
        private (float[] U, float[] W, double[] Singular, int Rank)? _svd;
        private double _svdSeconds;
        private float[]? _scaledBlock;
        private GraphFilterCache? _filters;

        public LinearStudy(InteractionSet train, InteractionSet history, InteractionSet heldout, StudyOptions o, IProgress<StudyProgress>? progress, CancellationToken ct)
        {
            _train = train;
            _history = history;
            _heldout = heldout;
            _o = o;
            _progress = progress;
            _ct = ct;
            _n = train.ItemCount;
            bool keepGram = o.Variants.Any(v => v.NeedsGram);
            _solver = (EaseSolver<float>)EaseSolver.Create(train, Precision.Float32, o.Threads, keepGram, Shared(), ct);
            GramSeconds = _solver.GramSeconds;
            MatrixBytes = _solver.MatrixBytes;
            // G and P are native memory the GC does not see; without this it lets hundreds of MB of
            // dead score and subspace blocks pile up on top of them (on yelp2018 that ran the
            // machine out of memory), since its own heap looks small beside the physical memory.
            GC.AddMemoryPressure(MatrixBytes);
            _ownsWorkDir = o.WorkDirectory is null;
            _workDir = o.WorkDirectory ?? Path.Combine(Path.GetTempPath(), $".ease-study-{Guid.NewGuid():N}");
            Directory.CreateDirectory(_workDir);
            if (o.Variants.Any(v => v.NeedsInverse))
            {
                SpdInverseReport inv = _solver.Solve(o.Lambda, 0, Shared(), ct);
                InverseSeconds = inv.TotalSeconds;
                InverseGflops = inv.TotalGflops;
            }
        }

        public double GramSeconds { get; }
        public double InverseSeconds { get; }
        public double InverseGflops { get; }
        public long MatrixBytes { get; }

        private IProgress<TrainProgress> Shared() => new SynchronousProgress<TrainProgress>(p => _progress?.Report(new StudyProgress("shared", p.Phase, p.Fraction)));

        private DenseMatrix<float> P => _solver.Matrix;

        private DenseMatrix<float> G => _solver.KeptGram ?? throw new InvalidOperationException("the Gram matrix was not kept");

        public StudyResult Run(StudyVariant v)
        {
            Report(v, "train", 0);
            var watch = Stopwatch.StartNew();
            double gramAndInverse = GramSeconds + InverseSeconds;
            int threads = _o.Threads;
            switch (v.Kind)
            {
                case VariantKind.Ease:
                    return Dense(v, new DenseRowScorer(P, NegativeInverseDiagonal(), 0, false, false, threads), (long)_n * (_n - 1), gramAndInverse, 0,
                        "B = I − P·diag(1/diag P), dense, scored from P in memory");
                case VariantKind.NoZeroDiagonal:
                {
                    var scale = new float[_n];
                    Array.Fill(scale, (float)-_o.Lambda);
                    return Dense(v, new DenseRowScorer(P, scale, 1, true, false, threads), (long)_n * _n, gramAndInverse, 0,
                        "B = I − λP, dense; seen items excluded as for EASE");
                }
                case VariantKind.NoNegativesClipped:
                {
                    long positive = CountNegativeOffDiagonal(P, threads);
                    double own = watch.Elapsed.TotalSeconds;
                    return Dense(v, new DenseRowScorer(P, NegativeInverseDiagonal(), 0, false, true, threads), positive, gramAndInverse + own, own,
                        string.Create(CultureInfo.InvariantCulture, $"max(B, 0) after training: {positive / ((double)_n * (_n - 1)) * 100:0.0}% of the weights are positive"));
                }
                case VariantKind.NoNegativesFit:
                    return NonNegative(v, gramAndInverse);
                case VariantKind.LowRankSvd:
                    return LowRankSvd(v, gramAndInverse);
                case VariantKind.LowRankAutoencoder:
                    return LowRankAutoencoder(v);
                case VariantKind.Pruned:
                    return Pruned(v, gramAndInverse);
                case VariantKind.GraphFilter:
                    return GraphFilter(v, gramAndInverse);
                default:
                    throw new NotSupportedException($"{v.Name} is not a linear variant");
            }
        }

        /// <summary>
        /// The filter's M built as `train --family` builds it (R̃ and V shared between variants),
        /// plus γ·B from the study's P for a blend; scored unpruned in memory with a zero diagonal.
        /// </summary>
        private StudyResult GraphFilter(StudyVariant v, double gramAndInverse)
        {
            FilterOptions f = v.Filter!;
            _filters ??= new GraphFilterCache(_train);
            var watch = Stopwatch.StartNew();
            using DenseMatrix<float> m = GraphFilterOperator.Build(_train, f with { EaseWeight = 0 }, _o.Threads,
                new SynchronousProgress<TrainProgress>(p => Report(v, p.Phase, p.Fraction)), _ct, out _, _filters);
            if (f.EaseWeight != 0)
                GraphFilterOperator.AddEase(m, _solver.SolvedRows(), f.EaseWeight, _o.Threads);
            double own = watch.Elapsed.TotalSeconds;
            var ones = new float[_n];
            Array.Fill(ones, 1f);
            string note = GraphFilterTrainer.Formula(f) + (f.EaseWeight != 0 ? string.Create(CultureInfo.InvariantCulture, $", B with λ = {_o.Lambda}") : "")
                + "; dense, zero diagonal, scored in memory";
            return Dense(v, new DenseRowScorer(m, ones, 0, false, false, _o.Threads), (long)_n * (_n - 1),
                own + (f.EaseWeight != 0 ? gramAndInverse : 0), own, note);
        }

        private StudyResult Dense(StudyVariant v, DenseRowScorer scorer, long parameters, double trainSeconds, double ownSeconds, string note)
        {
            EvaluationReport e = Evaluate(v, scorer);
            return new StudyResult(v, parameters, trainSeconds, e, note) { OwnSeconds = ownSeconds };
        }

        private EvaluationReport Evaluate(StudyVariant v, IBatchScorer scorer)
        {
            Report(v, "evaluate", 0);
            EvaluationReport e = Evaluator.Evaluate(scorer, _history, _heldout, _o.Evaluation with { Threads = _o.Threads }, _train.ItemPopularity,
                new SynchronousProgress<double>(f => Report(v, "evaluate", f)));
            Report(v, "evaluate", 1);
            return e;
        }

        private EvaluationReport Evaluate(StudyVariant v, string modelPath)
        {
            Report(v, "evaluate", 0);
            using ModelFile model = ModelFile.Open(modelPath);
            EvaluationReport e = Evaluator.Evaluate(model, _history, _heldout, _o.Evaluation with { Threads = _o.Threads });
            Report(v, "evaluate", 1);
            return e;
        }

        /// <summary>−1 / P_jj: EASE's column scale.</summary>
        private float[] NegativeInverseDiagonal()
        {
            if (_inverseDiagonal is not null)
                return _inverseDiagonal;
            var s = new float[_n];
            for (int j = 0; j < _n; j++)
            {
                float d = P[j, j];
                if (!(d > 0) || !float.IsFinite(d))
                    throw new NotPositiveDefiniteException(j, d, _n);
                s[j] = -1f / d;
            }
            return _inverseDiagonal = s;
        }

        // B_ij = −P_ij / P_jj is positive exactly where P_ij is negative (P_jj > 0).
        private static long CountNegativeOffDiagonal(DenseMatrix<float> p, int threads)
        {
            long total = 0;
            Parallel.For(0, p.Size, new ParallelOptions { MaxDegreeOfParallelism = threads > 0 ? threads : Environment.ProcessorCount }, () => 0L, (i, _, count) =>
            {
                ReadOnlySpan<float> row = p.Row(i);
                for (int j = 0; j < row.Length; j++)
                {
                    if (row[j] < 0 && j != i)
                        count++;
                }
                return count;
            }, count => Interlocked.Add(ref total, count));
            return total;
        }

        private StudyResult NonNegative(StudyVariant v, double gramAndInverse)
        {
            int support = _o.NonNegativeSupport;
            bool full = support == 0 || support >= _n - 1;
            (SparseRows rows, NonNegativeFitReport fit) = NonNegativeFit.Fit(G, _o.Lambda, full ? null : P, support, threads: _o.Threads,
                progress: new SynchronousProgress<double>(f => Report(v, "coordinate descent", f)), ct: _ct);
            string path = Path.Combine(_workDir, "no-negatives-fit.ease");
            WriteModel(path, rows, new JsonObject
            {
                ["model"] = "EASE loss, B >= 0 (coordinate descent)",
                ["lambda"] = _o.Lambda,
                ["support"] = fit.Support,
            });
            EvaluationReport e = Evaluate(v, path);
            File.Delete(path);
            // The exact problem needs no inverse; a restricted one reads P to choose its support.
            double train = (full ? GramSeconds : gramAndInverse) + fit.Seconds;
            string note = string.Create(CultureInfo.InvariantCulture,
                $"{(full ? "all items" : $"support {fit.Support} per column (largest positive EASE weights)")}, {fit.MeanSweeps:0.#} sweeps per column (max {fit.MaxSweeps}){(fit.Unconverged > 0 ? $", {fit.Unconverged} columns at the sweep limit" : "")}, fit {fit.Seconds:0.0} s");
            return new StudyResult(v, fit.NonZeros, train, e, note) { OwnSeconds = fit.Seconds };
        }

        private void WriteModel(string path, SparseRows rows, JsonObject metadata)
        {
            using ModelFileWriter writer = ModelFileWriter.Create(path, _n);
            for (int i = 0; i < _n; i++)
                writer.AppendRow(rows.ColumnsOf(i), rows.ValuesOf(i));
            writer.SetItemIds(_train.ItemIds);
            writer.SetPopularity(_train.ItemPopularity);
            writer.SetMetadata(metadata.ToJsonString());
            writer.Commit();
        }

        private StudyResult Pruned(StudyVariant v, double gramAndInverse)
        {
            var watch = Stopwatch.StartNew();
            string path = Path.Combine(_workDir, $"{v.Name}.ease");
            var o = new TrainOptions { Lambda = _o.Lambda, Prune = PruneMode.TopK, PruneTopK = Math.Min(v.Size, _n), Threads = _o.Threads };
            ModelWriteReport w = _solver.Write(path, o, null, new SynchronousProgress<TrainProgress>(p => Report(v, p.Phase, p.Fraction)), _ct);
            double own = watch.Elapsed.TotalSeconds;
            EvaluationReport e = Evaluate(v, path);
            File.Delete(path);
            string note = string.Create(CultureInfo.InvariantCulture, $"{v.Size} largest |weights| per row, {w.KeptWeightMass * 100:0.0}% of Σ B²; model file {w.FileBytes / 1048576.0:0.0} MiB");
            return new StudyResult(v, w.NonZeros, gramAndInverse + own, e, note) { OwnSeconds = own };
        }

        private int Width(int rank) => Math.Min(_n, rank + (_o.Oversampling ?? Math.Max(rank, 192)));

        private int MaxRank(VariantKind kind) => _o.Variants.Where(x => x.Kind == kind).Max(x => Math.Min(x.Size, _n));

        private StudyResult LowRankSvd(StudyVariant v, double gramAndInverse)
        {
            if (_svd is null)
            {
                var watch = Stopwatch.StartNew();
                int rank = MaxRank(VariantKind.LowRankSvd);
                float[] scale = NegativeInverseDiagonal();
                using var gemm = new DenseGemm<float>(_o.Threads);
                using var subspace = new RandomizedSubspace(_n, Width(rank), _o.Seed, _o.Threads);
                (float[] u, float[] w, double[] singular) = subspace.TopSingular(
                    (x, y, l) => ProductB(gemm, scale, x, y, l, transpose: false),
                    (x, y, l) => ProductB(gemm, scale, x, y, l, transpose: true),
                    rank, _o.PowerIterations, f => Report(v, "randomized SVD of B", f));
                _svd = (u, w, singular, rank);
                _svdSeconds = watch.Elapsed.TotalSeconds;
            }
            (float[] uAll, float[] wAll, double[] sv, int maxRank) = _svd.Value;
            int r = Math.Min(v.Size, maxRank);
            float[] uR = Columns(uAll, _n, maxRank, r);
            float[] wR = wAll[..(r * _n)];
            long parameters = 2L * _n * r + r;
            using var scorer = new LowRankScorer(_n, r, uR, wR, parameters, _o.Threads);
            EvaluationReport e = Evaluate(v, scorer);
            string note = string.Create(CultureInfo.InvariantCulture,
                $"U_r Σ_r V_rᵀ of EASE's B (randomized SVD, {Width(maxRank)} columns, {_o.PowerIterations} power passes, {_svdSeconds:0.0} s for all ranks); σ_1 = {sv[0]:0.###}, σ_r = {sv[r - 1]:0.###}{(r < v.Size ? $"; rank capped at {r}" : "")}");
            return new StudyResult(v, parameters, gramAndInverse + _svdSeconds, e, note) { OwnSeconds = _svdSeconds };
        }

        private StudyResult LowRankAutoencoder(StudyVariant v)
        {
            if (_eigen is null)
            {
                var watch = Stopwatch.StartNew();
                int rank = MaxRank(VariantKind.LowRankAutoencoder);
                using var gemm = new DenseGemm<float>(_o.Threads);
                using var subspace = new RandomizedSubspace(_n, Width(rank), _o.Seed, _o.Threads);
                DenseMatrix<float> g = G;
                _eigen = subspace.TopEigen((x, y, l) => ProductG(gemm, g, x, y, l), rank, _o.PowerIterations, f => Report(v, "eigenvectors of G", f));
                _eigenSeconds = watch.Elapsed.TotalSeconds;
            }
            EigenPairs eig = _eigen;
            int r = Math.Min(v.Size, eig.Rank);
            // B = V_r diag(σ²/(σ² + λ)) V_rᵀ: the ridge solution (G + λI)⁻¹G restricted to G's top r eigenvectors.
            var u = new float[(long)_n * r];
            var w = new float[(long)r * _n];
            for (int i = 0; i < _n; i++)
            {
                for (int k = 0; k < r; k++)
                {
                    double vik = eig.Vectors[(long)i * eig.Rank + k];
                    double s2 = Math.Max(0, eig.Values[k]);
                    u[(long)i * r + k] = (float)vik;
                    w[(long)k * _n + i] = (float)(vik * s2 / (s2 + _o.Lambda));
                }
            }
            long parameters = (long)_n * r + r;
            using var scorer = new LowRankScorer(_n, r, u, w, parameters, _o.Threads);
            EvaluationReport e = Evaluate(v, scorer);
            string note = string.Create(CultureInfo.InvariantCulture,
                $"V_r diag(σ²/(σ²+λ)) V_rᵀ from G's top eigenvectors (randomized, {Width(eig.Rank)} columns, {_o.PowerIterations} power passes, {_eigenSeconds:0.0} s for all ranks); no inverse needed{(r < v.Size ? $"; rank capped at {r}" : "")}");
            return new StudyResult(v, parameters, GramSeconds + _eigenSeconds, e, note) { OwnSeconds = _eigenSeconds };
        }

        private static float[] Columns(float[] a, int rows, int columns, int keep)
        {
            if (keep == columns)
                return a;
            var result = new float[(long)rows * keep];
            for (int i = 0; i < rows; i++)
                a.AsSpan((int)((long)i * columns), keep).CopyTo(result.AsSpan((int)((long)i * keep), keep));
            return result;
        }

        /// <summary>y = G·x.</summary>
        private static unsafe void ProductG(DenseGemm<float> gemm, DenseMatrix<float> g, float[] x, float[] y, int l)
        {
            Array.Clear(y);
            fixed (float* xp = x)
            fixed (float* yp = y)
                gemm.Multiply(g.Size, l, g.Size, 1f, g.Data, (nint)g.Stride, 1, xp, l, 1, yp, l);
        }

        /// <summary>
        /// y = B·x or Bᵀ·x without forming B = I − P·D⁻¹ (D = diag P): B·x = x − P·(D⁻¹x) and
        /// Bᵀ·x = x − D⁻¹·(P·x), P being symmetric; one GEMM on P either way.
        /// <paramref name="negInverseDiagonal"/> holds −1/P_jj.
        /// </summary>
        private unsafe void ProductB(DenseGemm<float> gemm, float[] negInverseDiagonal, float[] x, float[] y, int l, bool transpose)
        {
            int n = _n;
            DenseMatrix<float> p = P;
            if (!transpose)
            {
                // y = x + P·(−D⁻¹x)
                float[] scaled = _scaledBlock is { } b && b.Length == x.Length ? b : _scaledBlock = new float[x.Length];
                for (int i = 0; i < n; i++)
                    System.Numerics.Tensors.TensorPrimitives.Multiply(x.AsSpan(i * l, l), negInverseDiagonal[i], scaled.AsSpan(i * l, l));
                x.CopyTo(y, 0);
                fixed (float* sp = scaled)
                fixed (float* yp = y)
                    gemm.Multiply(n, l, n, 1f, p.Data, (nint)p.Stride, 1, sp, l, 1, yp, l);
            }
            else
            {
                // y = x + (−D⁻¹)·(P·x)
                Array.Clear(y);
                fixed (float* xp = x)
                fixed (float* yp = y)
                    gemm.Multiply(n, l, n, 1f, p.Data, (nint)p.Stride, 1, xp, l, 1, yp, l);
                for (int i = 0; i < n; i++)
                {
                    Span<float> yi = y.AsSpan(i * l, l);
                    System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(yi, negInverseDiagonal[i], x.AsSpan(i * l, l), yi);
                }
            }
        }

        private void Report(StudyVariant v, string phase, double fraction) => _progress?.Report(new StudyProgress(v.Name, phase, fraction));

        public void Dispose()
        {
            _solver.Dispose();
            GC.RemoveMemoryPressure(MatrixBytes);
            if (_ownsWorkDir)
            {
                try
                {
                    Directory.Delete(_workDir, recursive: true);
                }
                catch (IOException)
                {
                    // A leftover temporary folder is not worth failing a finished study over.
                }
            }
        }
    }
}

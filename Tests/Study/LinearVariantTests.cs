using Ease.Engine.Evaluation;
using Ease.Engine.Input;
using Ease.Engine.Linalg;
using Ease.Engine.Synthetic;
using Ease.Engine.Training;
using Ease.Format;
using Ease.Study;
using Ease.Tests.Support;

namespace Ease.Tests.Study;

/// <summary>
/// Each linear variant's construction against a double-precision direct computation on a small
/// data set: EASE, I − λP and max(B, 0) weight by weight; the rank-r factors against Jacobi
/// eigen-decompositions (Eckart-Young for the SVD, the ridge eigen-formula for the autoencoder);
/// the non-negative fit against its KKT conditions.
/// </summary>
public sealed class LinearVariantTests
{
    private const double Lambda = 20;

    private static (EaseSolver<float> Solver, double[,] G, double[,] P) Solve(InteractionSet data)
    {
        var solver = (EaseSolver<float>)EaseSolver.Create(data, Precision.Float32, 2, keepGram: true);
        solver.Solve(Lambda, 0, null, default);
        double[,] g = ReferenceEase.Gram(data);
        return (solver, g, StudyReference.Inverse(g, Lambda));
    }

    private static float[] NegInverseDiagonal(DenseMatrix<float> p)
    {
        var s = new float[p.Size];
        for (int j = 0; j < s.Length; j++)
            s[j] = -1f / p[j, j];
        return s;
    }

    [Fact]
    public void DenseVariantsAreEaseIdentityMinusLambdaPAndClippedEase()
    {
        InteractionSet data = StudyReference.Data();
        (EaseSolver<float> solver, _, double[,] p) = Solve(data);
        using (solver)
        {
            int n = data.ItemCount;
            var scale = new float[n];
            Array.Fill(scale, (float)-Lambda);
            var ease = new DenseRowScorer(solver.Matrix, NegInverseDiagonal(solver.Matrix), 0, false, false, 2);
            var ridge = new DenseRowScorer(solver.Matrix, scale, 1, true, false, 2);
            var clipped = new DenseRowScorer(solver.Matrix, NegInverseDiagonal(solver.Matrix), 0, false, true, 2);
            var b = new double[n, n];
            var r = new double[n, n];
            var c = new double[n, n];
            double scaleB = 0;
            for (int i = 0; i < n; i++)
            {
                for (int j = 0; j < n; j++)
                {
                    b[i, j] = i == j ? 0 : -p[i, j] / p[j, j];
                    r[i, j] = (i == j ? 1 : 0) - Lambda * p[i, j];
                    c[i, j] = Math.Max(b[i, j], 0);
                    scaleB = Math.Max(scaleB, Math.Abs(b[i, j]));
                }
            }
            for (int i = 0; i < n; i++)
            {
                for (int j = 0; j < n; j++)
                {
                    Assert.True(Math.Abs(ease.Weight(i, j) - b[i, j]) < 1e-4 * scaleB, $"EASE ({i}, {j})");
                    Assert.True(Math.Abs(ridge.Weight(i, j) - r[i, j]) < 1e-4, $"I − λP ({i}, {j})");
                    Assert.True(Math.Abs(clipped.Weight(i, j) - c[i, j]) < 1e-4 * scaleB, $"max(B, 0) ({i}, {j})");
                }
            }

            // Batch scores are the sums of the model's rows over each history, history items included.
            int users = 20;
            var offsets = new int[users + 1];
            var rows = new List<int>();
            for (int u = 0; u < users; u++)
            {
                rows.AddRange(data.ItemsOf(u).ToArray());
                offsets[u + 1] = rows.Count;
            }
            foreach ((DenseRowScorer scorer, double[,] reference) in new[] { (ease, b), (ridge, r), (clipped, c) })
            {
                var scores = new float[users * n];
                scorer.ScoreBatch(offsets, rows.ToArray(), scores);
                for (int u = 0; u < users; u++)
                {
                    for (int j = 0; j < n; j++)
                    {
                        double expected = 0;
                        for (int q = offsets[u]; q < offsets[u + 1]; q++)
                            expected += reference[rows[q], j];
                        Assert.True(Math.Abs(scores[u * n + j] - expected) < 1e-3 * Math.Max(1, scaleB), $"user {u} item {j}: {scores[u * n + j]} vs {expected}");
                    }
                }
            }
        }
    }

    /// <summary>Scores a model file's rows in the order the model-file scorer adds them: the same floats.</summary>
    private sealed class ModelRowsScorer(ModelFile model) : IBatchScorer
    {
        public int ItemCount => model.ItemCount;

        public void ScoreBatch(ReadOnlySpan<int> historyOffsets, ReadOnlySpan<int> historyRows, Span<float> scores)
        {
            int n = model.ItemCount;
            scores[..((historyOffsets.Length - 1) * n)].Clear();
            for (int u = 0; u + 1 < historyOffsets.Length; u++)
            {
                Span<float> s = scores.Slice(u * n, n);
                for (int q = historyOffsets[u]; q < historyOffsets[u + 1]; q++)
                {
                    model.GetRow(historyRows[q], out ReadOnlySpan<int> cols, out ReadOnlySpan<float> vals);
                    for (int k = 0; k < cols.Length; k++)
                        s[cols[k]] += vals[k];
                }
            }
        }
    }

    [Fact]
    public void BatchScorerEvaluationEqualsTheModelFileEvaluation()
    {
        InteractionSet all = SyntheticData.Generate(600, 90, seed: 5);
        (InteractionSet train, InteractionSet test) = SyntheticData.Split(all, 0.2, seed: 5);
        using var dir = new TempDirectory();
        string path = dir.File("m.ease");
        using (var solver = EaseSolver.Create(train, Precision.Float32, 2, keepGram: false))
        {
            solver.Solve(Lambda, 0, null, default);
            solver.Write(path, new TrainOptions { Lambda = Lambda, Prune = PruneMode.TopK, PruneTopK = 30 });
        }
        using ModelFile model = ModelFile.Open(path);
        var options = new EvaluationOptions { Ks = [5, 20], Threads = 2 };
        EvaluationReport fromFile = Evaluator.Evaluate(model, train, test, options);
        EvaluationReport fromScorer = Evaluator.Evaluate(new ModelRowsScorer(model), train, test, options, train.ItemPopularity);
        Assert.True(fromFile.Users > 100);
        Assert.Equal(fromFile.Users, fromScorer.Users);
        Assert.Equal(fromFile.FallbackUsers, fromScorer.FallbackUsers);
        for (int c = 0; c < 2; c++)
        {
            Assert.Equal(fromFile.Cutoffs[c].Recall, fromScorer.Cutoffs[c].Recall);
            Assert.Equal(fromFile.Cutoffs[c].Ndcg, fromScorer.Cutoffs[c].Ndcg);
            Assert.Equal(fromFile.Cutoffs[c].Coverage, fromScorer.Cutoffs[c].Coverage);
        }
    }

    [Fact]
    public void HouseholderQlEigenMatchesJacobi()
    {
        var rng = new Random(11);
        foreach (int n in new[] { 1, 2, 3, 37 })
        {
            var a = new double[n, n];
            var flat = new double[n * n];
            for (int i = 0; i < n; i++)
            {
                for (int j = 0; j <= i; j++)
                    a[i, j] = a[j, i] = rng.NextDouble() * 2 - 1;
            }
            for (int i = 0; i < n; i++)
            {
                for (int j = 0; j < n; j++)
                    flat[i * n + j] = a[i, j];
            }
            (double[] values, double[] vectors) = SymmetricEigen.Decompose(flat, n);
            (double[] expected, _) = StudyReference.Jacobi(a);
            for (int k = 0; k < n; k++)
            {
                Assert.True(Math.Abs(values[k] - expected[k]) < 1e-10, $"n={n} λ_{k}: {values[k]} vs {expected[k]}");
                // A v = λ v, |v| = 1, and the vectors are orthogonal.
                for (int i = 0; i < n; i++)
                {
                    double av = 0;
                    for (int j = 0; j < n; j++)
                        av += a[i, j] * vectors[k * n + j];
                    Assert.True(Math.Abs(av - values[k] * vectors[k * n + i]) < 1e-10, $"n={n} residual of vector {k}");
                }
                for (int q = 0; q <= k; q++)
                {
                    double dot = 0;
                    for (int i = 0; i < n; i++)
                        dot += vectors[k * n + i] * vectors[q * n + i];
                    Assert.True(Math.Abs(dot - (q == k ? 1 : 0)) < 1e-10, $"n={n} vectors {k}, {q}");
                }
            }
        }

        // A Gram matrix of a graph with repeated and zero eigenvalues (a 6-cycle's Laplacian).
        var lap = new double[6, 6];
        var lapFlat = new double[36];
        for (int i = 0; i < 6; i++)
        {
            lap[i, i] = 2;
            lap[i, (i + 1) % 6] = lap[(i + 1) % 6, i] = -1;
        }
        for (int i = 0; i < 6; i++)
        {
            for (int j = 0; j < 6; j++)
                lapFlat[i * 6 + j] = lap[i, j];
        }
        (double[] lv, _) = SymmetricEigen.Decompose(lapFlat, 6);
        Assert.Equal([4, 3, 3, 1, 1, 0], lv.Select(x => Math.Round(x, 10)).ToArray());
    }

    [Fact]
    public void LowRankAutoencoderIsTheRidgeSolutionOnGramsTopEigenvectors()
    {
        InteractionSet data = StudyReference.Data();
        double[,] g = ReferenceEase.Gram(data);
        int n = data.ItemCount;
        (double[] s2, double[,] v) = StudyReference.Jacobi(g);
        using var gram = new DenseMatrix<float>(n);
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
                gram[i, j] = (float)g[i, j];
        }
        using var gemm = new DenseGemm<float>(2);
        // A rank at a clear eigen-gap, where the rank-r projector is well defined, and full rank. The
        // spectrum of this small Gram is flat beyond the gap, so the subspace needs many power passes.
        int gap = Enumerable.Range(3, 10).MaxBy(k => s2[k - 1] / s2[k]);
        foreach (int r in new[] { gap, n })
        {
            using var subspace = new RandomizedSubspace(n, r + 24, 1, 2);
            EigenPairs eig = subspace.TopEigen((x, y, l) => Product(gemm, gram, x, y, l), r, 30);
            for (int k = 0; k < r; k++)
                Assert.True(Math.Abs(eig.Values[k] - s2[k]) < 1e-5 * s2[0], $"r={r}: σ²_{k} {eig.Values[k]} vs {s2[k]}");
            // V_r diag(σ²/(σ²+λ)) V_rᵀ, entry by entry, against the Jacobi eigenvectors.
            var expected = new double[n, n];
            var actual = new double[n, n];
            for (int i = 0; i < n; i++)
            {
                for (int j = 0; j < n; j++)
                {
                    for (int k = 0; k < r; k++)
                    {
                        expected[i, j] += v[i, k] * v[j, k] * s2[k] / (s2[k] + Lambda);
                        actual[i, j] += eig.Vectors[i * eig.Rank + k] * eig.Vectors[j * eig.Rank + k] * eig.Values[k] / (eig.Values[k] + Lambda);
                    }
                }
            }
            Assert.True(StudyReference.RelativeError(actual, expected) < 1e-5, $"r={r}: {StudyReference.RelativeError(actual, expected)} {string.Join(",", s2.Take(10).Select(x => x.ToString("0.###")))} / {string.Join(",", eig.Values.Take(10).Select(x => x.ToString("0.###")))}");
            if (r == n)
            {
                // At full rank the autoencoder is the unconstrained ridge solution I − λP.
                double[,] p = StudyReference.Inverse(g, Lambda);
                for (int i = 0; i < n; i++)
                {
                    for (int j = 0; j < n; j++)
                        Assert.True(Math.Abs(actual[i, j] - ((i == j ? 1 : 0) - Lambda * p[i, j])) < 1e-4);
                }
            }
        }
    }

    private static unsafe void Product(DenseGemm<float> gemm, DenseMatrix<float> m, float[] x, float[] y, int l)
    {
        Array.Clear(y);
        fixed (float* xp = x)
        fixed (float* yp = y)
            gemm.Multiply(m.Size, l, m.Size, 1f, m.Data, (nint)m.Stride, 1, xp, l, 1, yp, l);
    }

    [Fact]
    public void BestRankRApproximationLeavesTheTailSingularValues()
    {
        InteractionSet data = StudyReference.Data();
        int n = data.ItemCount;
        double[,] g = ReferenceEase.Gram(data);
        double[,] p = StudyReference.Inverse(g, Lambda);
        var b = new double[n, n];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
                b[i, j] = i == j ? 0 : -p[i, j] / p[j, j];
        }
        (double[] sigma2, _) = StudyReference.Jacobi(StudyReference.Multiply(StudyReference.Transpose(b), b));
        using var bm = new DenseMatrix<float>(n);
        using var btm = new DenseMatrix<float>(n);
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                bm[i, j] = (float)b[i, j];
                btm[i, j] = (float)b[j, i];
            }
        }
        using var gemm = new DenseGemm<float>(2);
        const int R = 10;
        using var subspace = new RandomizedSubspace(n, R + 16, 7, 2);
        (float[] u, float[] w, double[] singular) = subspace.TopSingular((x, y, l) => Product(gemm, bm, x, y, l), (x, y, l) => Product(gemm, btm, x, y, l), R, 4);
        for (int k = 0; k < R; k++)
            Assert.True(Math.Abs(singular[k] - Math.Sqrt(sigma2[k])) < 1e-3 * Math.Sqrt(sigma2[0]), $"σ_{k}: {singular[k]} vs {Math.Sqrt(sigma2[k])}");
        using var scorer = new LowRankScorer(n, R, u, w, 2L * n * R + R, 2);
        double error = 0, tail = 0;
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
                error += Math.Pow(b[i, j] - scorer.Weight(i, j), 2);
        }
        for (int k = R; k < n; k++)
            tail += Math.Max(0, sigma2[k]);
        // Eckart-Young: the best rank-r approximation's squared Frobenius error is the sum of the tail σ².
        Assert.True(Math.Abs(error - tail) < 2e-3 * tail, $"‖B − B_r‖² {error} vs Σ tail σ² {tail}");
    }

    [Fact]
    public void NonNegativeFitSatisfiesItsKktConditions()
    {
        InteractionSet data = StudyReference.Data();
        (EaseSolver<float> solver, double[,] g, double[,] p) = Solve(data);
        using (solver)
        {
            int n = data.ItemCount;
            (SparseRows full, NonNegativeFitReport report) = NonNegativeFit.Fit(solver.KeptGram!, Lambda, null, 0, tolerance: 1e-9, maxSweeps: 5000, threads: 2);
            Assert.Equal(0, report.Unconverged);
            Assert.Equal(n - 1, report.Support);
            double[,] b = Dense(full, n);
            for (int j = 0; j < n; j++)
            {
                double scale = 0;
                for (int i = 0; i < n; i++)
                    scale = Math.Max(scale, g[i, j]);
                Assert.Equal(0, b[j, j]);
                for (int i = 0; i < n; i++)
                {
                    if (i == j)
                        continue;
                    // r_i = ((G + λI) b)_i − G_ij: zero where b_i > 0, non-negative where b_i = 0.
                    double r = Lambda * b[i, j] - g[i, j];
                    for (int q = 0; q < n; q++)
                        r += g[i, q] * b[q, j];
                    Assert.True(b[i, j] >= 0);
                    if (b[i, j] > 0)
                        Assert.True(Math.Abs(r) < 1e-5 * scale, $"column {j}: gradient {r} at positive weight {i}");
                    else
                        Assert.True(r > -1e-5 * scale, $"column {j}: gradient {r} < 0 at zero weight {i}");
                }
            }

            // A support of 5 keeps at most 5 weights per column, all where EASE's weight is positive.
            (SparseRows small, NonNegativeFitReport smallReport) = NonNegativeFit.Fit(solver.KeptGram!, Lambda, solver.Matrix, 5, threads: 2);
            Assert.Equal(5, smallReport.Support);
            double[,] bs = Dense(small, n);
            for (int j = 0; j < n; j++)
            {
                int kept = 0;
                for (int i = 0; i < n; i++)
                {
                    if (bs[i, j] > 0)
                    {
                        kept++;
                        Assert.True(p[i, j] < 0, $"weight ({i}, {j}) outside EASE's positive weights");
                    }
                }
                Assert.True(kept <= 5);
            }
        }
    }

    private static double[,] Dense(SparseRows rows, int n)
    {
        var b = new double[n, n];
        for (int i = 0; i < n; i++)
        {
            ReadOnlySpan<int> cols = rows.ColumnsOf(i);
            ReadOnlySpan<float> vals = rows.ValuesOf(i);
            for (int k = 0; k < cols.Length; k++)
                b[i, cols[k]] = vals[k];
        }
        return b;
    }

    [Fact]
    public void VariantNamesParseAndGroupsExpand()
    {
        Assert.Equal(["ease", "no-negatives-clipped", "no-negatives-fit", "low-rank-32-svd", "low-rank-32-lae", "low-rank-8-lae", "pruned-100"],
            StudyVariant.Parse("ease, no-negatives,low-rank-32, low-rank-8-lae,pruned-100,ease").Select(v => v.Name).ToArray());
        IReadOnlyList<StudyVariant> linear = StudyVariant.Parse("linear");
        Assert.Equal(13, linear.Count);
        Assert.Contains(linear, v => v.Name == "pruned-2048");
        Assert.Equal(4, StudyVariant.Parse("deep").Count);
        Assert.All(StudyVariant.Parse("deep"), v => Assert.True(v.IsDeep));
        Assert.Throws<FormatException>(() => StudyVariant.Parse("ease,bogus"));
        Assert.Throws<FormatException>(() => StudyVariant.Parse("low-rank-0"));
        Assert.Throws<FormatException>(() => StudyVariant.Parse("pruned-x"));
        Assert.Throws<FormatException>(() => StudyVariant.Parse(" , "));
    }
}

using System.Numerics;
using Ease.Engine.Linalg;

namespace Ease.Tests.Linalg;

/// <summary>
/// Checks SpdInverse against an independent criterion: the residual A * X - I computed in double
/// with a naive triple loop from a saved copy of A (never from the code's own intermediate output).
/// </summary>
public sealed class SpdInverseTests
{
    public static IEnumerable<object[]> Paths()
    {
        yield return new object[] { "Vector512" };
        yield return new object[] { "Vector256" };
        yield return new object[] { "Scalar" };
    }

    /// <summary>A = M M^T / n + I with M uniform in [-1,1): well conditioned, dense, SPD.</summary>
    internal static double[,] RandomSpd(int n, int seed)
    {
        var rng = new Random(seed);
        var m = new double[n, n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                m[i, j] = rng.NextDouble() * 2 - 1;
        var a = new double[n, n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j <= i; j++)
            {
                double s = 0;
                for (int k = 0; k < n; k++) s += m[i, k] * m[j, k];
                s /= n;
                if (i == j) s += 1;
                a[i, j] = s;
                a[j, i] = s;
            }
        return a;
    }

    /// <summary>EASE-like Gram matrix of random 0/1 interactions plus lambda on the diagonal.</summary>
    internal static double[,] GramSpd(int n, int users, double density, double lambda, int seed)
    {
        var rng = new Random(seed);
        var x = new bool[users, n];
        for (int u = 0; u < users; u++)
            for (int i = 0; i < n; i++)
                x[u, i] = rng.NextDouble() < density;
        var a = new double[n, n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j <= i; j++)
            {
                int c = 0;
                for (int u = 0; u < users; u++) if (x[u, i] && x[u, j]) c++;
                a[i, j] = a[j, i] = c + (i == j ? lambda : 0);
            }
        return a;
    }

    internal static DenseMatrix<T> ToDense<T>(double[,] a) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int n = a.GetLength(0);
        var d = new DenseMatrix<T>(n);
        d.Clear();
        for (int i = 0; i < n; i++)
        {
            var row = d.Row(i);
            for (int j = 0; j < n; j++) row[j] = T.CreateTruncating(a[i, j]);
        }
        return d;
    }

    /// <summary>max |(A X - I)_ij| in double, using A as stored in precision T (so the rounding of the input does not count).</summary>
    internal static double Residual<T>(double[,] a, DenseMatrix<T> x, int rowStep = 1) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int n = a.GetLength(0);
        var xd = new double[n, n];
        for (int i = 0; i < n; i++)
        {
            var row = x.Row(i);
            for (int j = 0; j < n; j++) xd[i, j] = double.CreateTruncating(row[j]);
        }
        double worst = 0;
        var ai = new double[n];
        for (int i = 0; i < n; i += (i == n - 1 ? 1 : Math.Min(rowStep, n - 1 - i)))
        {
            for (int k = 0; k < n; k++) ai[k] = double.CreateTruncating(T.CreateTruncating(a[i, k]));
            for (int j = 0; j < n; j++)
            {
                double s = 0;
                for (int k = 0; k < n; k++) s += ai[k] * xd[k, j];
                if (i == j) s -= 1;
                worst = Math.Max(worst, Math.Abs(s));
            }
        }
        return worst;
    }

    internal static void AssertSymmetric<T>(DenseMatrix<T> x) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        for (int i = 0; i < x.Size; i++)
            for (int j = 0; j < i; j++)
                Assert.True(x[i, j] == x[j, i], $"not symmetric at ({i},{j}): {x[i, j]} vs {x[j, i]}");
    }

    private static void Check<T>(double[,] a, KernelPath path, int threads, double tol, int rowStep = 1) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int n = a.GetLength(0);
        using var d = ToDense<T>(a);
        var report = SpdInverse.InvertInPlace(d, threads, null, default, path);
        Assert.Equal(n, report.Size);
        AssertSymmetric(d);
        double r = Residual(a, d, rowStep);
        Assert.True(r < tol, $"n={n} path={path} threads={threads} {typeof(T).Name}: residual {r:E3} >= {tol:E3}");
    }

    private static bool Supported(KernelPath path)
    {
        try
        {
            SpdInverse.Resolve<float>(path);
            return true;
        }
        catch (PlatformNotSupportedException)
        {
            return false; // e.g. Vector512 forced on a machine (or DOTNET_EnableAVX512F=0) without it.
        }
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void EverySmallSize(string pathName)
    {
        var path = Enum.Parse<KernelPath>(pathName);
        if (!Supported(path)) return;
        for (int n = 1; n <= 70; n++)
        {
            var a = RandomSpd(n, 1000 + n);
            foreach (int threads in new[] { 1, 2 })
            {
                Check<double>(a, path, threads, 1e-11);
                Check<float>(a, path, threads, 2e-4 * Math.Sqrt(n));
            }
        }
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void BlockBoundarySizes(string pathName)
    {
        var path = Enum.Parse<KernelPath>(pathName);
        if (!Supported(path)) return;
        foreach (int n in new[] { 95, 96, 97, 127, 128, 129, 255, 257, 300, 513 })
        {
            var a = RandomSpd(n, n);
            foreach (int threads in new[] { 1, 2 })
            {
                Check<double>(a, path, threads, 1e-10);
                Check<float>(a, path, threads, 2e-4 * Math.Sqrt(n));
            }
        }
    }

    [Theory]
    [InlineData(1600)]
    public void LargeCrossesPackingBlocks(int n)
    {
        // n2 > NCB (768) and k > KC (256): exercises every remainder of the packed loop nest.
        // Diagonally dominant random symmetric matrix (cheap to build at this size); every 7th row of
        // the residual is checked (each row touches every column of the inverse).
        var rng = new Random(7);
        var a = new double[n, n];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < i; j++) a[i, j] = a[j, i] = rng.NextDouble() * 2 - 1;
            a[i, i] = n;
        }
        Check<double>(a, KernelPath.Auto, 2, 1e-11, rowStep: 7);
        Check<float>(a, KernelPath.Auto, 2, 1e-5, rowStep: 7);
    }

    [Fact]
    public void EaseLikeGramMatrix()
    {
        var a = GramSpd(200, 400, 0.05, 10.0, 3);
        // cond ~ (max eigen)/lambda; residual tolerances scaled accordingly.
        Check<double>(a, KernelPath.Auto, 2, 1e-10);
        Check<float>(a, KernelPath.Auto, 2, 1e-3);
    }

    [Fact]
    public void ReportCarriesFlopsAndTimes()
    {
        using var d = ToDense<double>(RandomSpd(64, 5));
        var r = SpdInverse.InvertInPlace(d, 1);
        Assert.Equal(64.0 * 64 * 64 / 3, r.FactorFlops, 6);
        Assert.Equal(2 * 64.0 * 64 * 64 / 3, r.InvertFlops, 6);
        Assert.True(r.FactorSeconds >= 0 && r.InvertSeconds >= 0);
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void NegativeEigenvalueReportsPivot(string pathName)
    {
        var path = Enum.Parse<KernelPath>(pathName);
        if (!Supported(path)) return;
        // SPD leading 99 x 99 block, then row/col 99 makes the 100 x 100 leading minor indefinite:
        // a_99,99 = 0 with a non-zero coupling gives a negative Schur complement exactly at pivot 99.
        int n = 150;
        var a = RandomSpd(n, 11);
        for (int j = 0; j < n; j++) { a[99, j] *= 3; a[j, 99] = a[99, j]; }
        a[99, 99] = 0;
        foreach (int threads in new[] { 1, 2 })
        {
            using var d = ToDense<double>(a);
            var ex = Assert.Throws<NotPositiveDefiniteException>(() => SpdInverse.InvertInPlace(d, threads, null, default, path));
            Assert.Equal(99, ex.Pivot);
            Assert.True(ex.PivotValue <= 0);
            Assert.Contains("99", ex.Message);
            Assert.Contains("lambda", ex.Message);
        }
    }

    [Fact]
    public void ZeroRowIsNotPositiveDefinite()
    {
        int n = 80;
        var a = RandomSpd(n, 12);
        for (int j = 0; j < n; j++) a[37, j] = a[j, 37] = 0;
        using var d = ToDense<float>(a);
        var ex = Assert.Throws<NotPositiveDefiniteException>(() => SpdInverse.InvertInPlace(d));
        Assert.Equal(37, ex.Pivot);
        Assert.Contains("empty items", ex.Message);
    }

    [Theory]
    [InlineData(double.NaN, 5, 3)]
    [InlineData(double.PositiveInfinity, 60, 60)]
    [InlineData(double.NaN, 2, 70)]
    public void NonFiniteInputIsRejected(double value, int i, int j)
    {
        var a = RandomSpd(90, 13);
        a[i, j] = value;
        using var d = ToDense<double>(a);
        var ex = Record.Exception(() => SpdInverse.InvertInPlace(d));
        Assert.True(ex is ArgumentException or NotPositiveDefiniteException, $"got {ex?.GetType().Name ?? "no exception"}");
    }

    [Fact]
    public void ProgressIsReportedAndBounded()
    {
        var reports = new List<SpdInverseProgress>();
        var sink = new SyncProgress(p => { lock (reports) reports.Add(p); });
        using var d = ToDense<double>(RandomSpd(300, 14));
        SpdInverse.InvertInPlace(d, 2, sink);
        Assert.InRange(reports.Count, 4, 500);
        Assert.Contains(reports, r => r.Phase == "potrf" && r.Fraction >= 1.0);
        Assert.Contains(reports, r => r.Phase == "lauum");
        Assert.All(reports, r => Assert.InRange(r.Fraction, 0.0, 1.0));
    }

    [Fact]
    public void CancellationIsHonoured()
    {
        using var d = ToDense<double>(RandomSpd(200, 15));
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => SpdInverse.InvertInPlace(d, 2, null, cts.Token));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void CancellationMidRunStopsWithoutHanging(int threads)
    {
        using var d = ToDense<float>(RandomSpd(700, 16));
        using var cts = new CancellationTokenSource();
        var sink = new SyncProgress(p =>
        {
            if (p.Phase == "trtri" && p.Fraction > 0.2) cts.Cancel();
        });
        var task = Task.Run(() => SpdInverse.InvertInPlace(d, threads, sink, cts.Token));
        Assert.True(((IAsyncResult)task).AsyncWaitHandle.WaitOne(TimeSpan.FromSeconds(60)), "inversion hung after cancellation");
        Assert.True(task.IsFaulted || task.IsCanceled);
        Assert.IsAssignableFrom<OperationCanceledException>(task.Exception?.InnerException ?? new OperationCanceledException());
    }

    [Fact]
    public void ThrowingProgressSinkPropagatesWithoutHanging()
    {
        using var d = ToDense<float>(RandomSpd(700, 17));
        var sink = new SyncProgress(p =>
        {
            if (p.Fraction > 0.3) throw new InvalidOperationException("sink failed");
        });
        var task = Task.Run(() => SpdInverse.InvertInPlace(d, 2, sink));
        Assert.True(((IAsyncResult)task).AsyncWaitHandle.WaitOne(TimeSpan.FromSeconds(60)), "inversion hung after a progress exception");
        Assert.True(task.IsFaulted);
        Assert.Contains("sink failed", task.Exception!.ToString());
    }

    private sealed class SyncProgress(Action<SpdInverseProgress> f) : IProgress<SpdInverseProgress>
    {
        public void Report(SpdInverseProgress value) => f(value);
    }
}

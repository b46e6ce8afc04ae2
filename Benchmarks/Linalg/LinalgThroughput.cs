using System.Diagnostics;
using System.Numerics;
using Ease.Engine.Linalg;

namespace Ease.Benchmarks.Linalg;

/// <summary>
/// Console throughput driver for the SPD inverse (the BenchmarkDotNet class is too slow to iterate
/// at n >= 8192). Not wired into Program.cs; call <c>LinalgThroughput.RunFromArgs(args[1..])</c> when
/// <c>args[0] == "linalg"</c>. Arguments: n [float|double] [threads] [repeats] [path].
/// </summary>
public static class LinalgThroughput
{
    public static int RunFromArgs(string[] args)
    {
        int n = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 4096;
        string precision = args.Length > 1 ? args[1] : "float";
        int threads = args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 0;
        int repeats = args.Length > 3 ? int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture) : 3;
        var path = args.Length > 4 ? Enum.Parse<KernelPath>(args[4], ignoreCase: true) : KernelPath.Auto;
        if (precision.StartsWith('d')) Run<double>(n, threads, repeats, path);
        else Run<float>(n, threads, repeats, path);
        return 0;
    }

    public static void Run(int n, string precision, int threads = 0, int repeats = 3) =>
        RunFromArgs([n.ToString(System.Globalization.CultureInfo.InvariantCulture), precision, threads.ToString(System.Globalization.CultureInfo.InvariantCulture), repeats.ToString(System.Globalization.CultureInfo.InvariantCulture)]);

    internal static void Run<T>(int n, int threads, int repeats, KernelPath path) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        using var a = new DenseMatrix<T>(n);
        var factor = new List<double>();
        var invert = new List<double>();
        var total = new List<double>();
        var perCpu = new List<double>();
        SpdInverseReport? last = null;
        for (int r = 0; r < repeats; r++)
        {
            FillSpd(a);
            var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
            long g0 = GemmTicks<T>(path);
            var rep = SpdInverse.InvertInPlace(a, threads, null, default, path);
            double cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalSeconds;
            double gemm = (GemmTicks<T>(path) - g0) / (double)Stopwatch.Frequency;
            last = rep;
            factor.Add(rep.FactorGflops);
            invert.Add(rep.InvertGflops);
            total.Add(rep.TotalGflops);
            perCpu.Add((rep.FactorFlops + rep.InvertFlops) / cpu * 1e-9);
            Console.WriteLine($"  run {r}: factor {rep.FactorSeconds:F3}s ({rep.FactorGflops:F1} GF/s)  invert {rep.InvertSeconds:F3}s ({rep.InvertGflops:F1} GF/s)  total {rep.TotalSeconds:F3}s ({rep.TotalGflops:F1} GF/s)  cpu {cpu:F2}s ({(rep.FactorFlops + rep.InvertFlops) / cpu * 1e-9:F1} GF/cpu-s), in GEMM {gemm:F3}s");
        }
        double resid = ProbeResidual(a);
        Console.WriteLine($"n={n} {typeof(T).Name} threads={last!.Threads} path={last.KernelPath}: median factor {Median(factor):F1} GF/s, invert {Median(invert):F1} GF/s, total {Median(total):F1} GF/s (best {total.Max():F1}); per CPU-second {Median(perCpu):F1} GF/s; probe residual {resid:E2}");
    }

    private static long GemmTicks<T>(KernelPath path) where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
        SpdInverse.Resolve<T>(path) switch
        {
            KernelPath.Vector512 => BlockedSpdInverse<T, MicroKernel512<T>>.GemmTicks,
            KernelPath.Vector256 => BlockedSpdInverse<T, MicroKernel256<T>>.GemmTicks,
            _ => BlockedSpdInverse<T, MicroKernelScalar<T>>.GemmTicks,
        };

    private static double Median(List<double> x)
    {
        var s = x.OrderBy(v => v).ToArray();
        return s.Length % 2 == 1 ? s[s.Length / 2] : 0.5 * (s[s.Length / 2 - 1] + s[s.Length / 2]);
    }

    /// <summary>Symmetric, strictly diagonally dominant (hence SPD): off-diagonals in (-1,1) from a hash of (min,max), diagonal n.</summary>
    internal static double Entry(int i, int j, int n)
    {
        if (i == j) return n;
        ulong lo = (ulong)Math.Min(i, j), hi = (ulong)Math.Max(i, j);
        ulong h = (lo * 0x9E3779B97F4A7C15UL) ^ (hi + 0x632BE59BD9B4E019UL + (lo << 6) + (lo >> 2));
        h ^= h >> 33; h *= 0xFF51AFD7ED558CCDUL; h ^= h >> 33; h *= 0xC4CEB9FE1A85EC53UL; h ^= h >> 33;
        return (h >> 11) * (2.0 / (1UL << 53)) - 1.0;
    }

    internal static void FillSpd<T>(DenseMatrix<T> a) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int n = a.Size;
        Parallel.For(0, n, i =>
        {
            var row = a.Row(i);
            for (int j = 0; j < n; j++) row[j] = T.CreateTruncating(Entry(i, j, n));
        });
    }

    /// <summary>max |(A X - I)| over three sampled rows, A regenerated from the hash.</summary>
    private static double ProbeResidual<T>(DenseMatrix<T> x) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int n = x.Size;
        double worst = 0;
        foreach (int i in new[] { 0, n / 2, n - 1 })
        {
            var ai = new double[n];
            for (int k = 0; k < n; k++) ai[k] = double.CreateTruncating(T.CreateTruncating(Entry(i, k, n)));
            var acc = new double[n];
            for (int k = 0; k < n; k++)
            {
                var xr = x.Row(k);
                double s = ai[k];
                for (int j = 0; j < n; j++) acc[j] += s * double.CreateTruncating(xr[j]);
            }
            acc[i] -= 1;
            foreach (double v in acc) worst = Math.Max(worst, Math.Abs(v));
        }
        return worst * n; // scaled by ||A|| ~ n so the figure is a relative residual
    }
}

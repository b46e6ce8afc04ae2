using System.Diagnostics;
using System.Globalization;
using Ease.Engine.Training.Sparse;

namespace Ease.Benchmarks.Training;

/// <summary>
/// `local M [count]`: GFLOP/s of the sparse solver's per-item step, one m x m SPD solve on one
/// thread (potrf + two substitutions), as the neighbourhood solver runs it per target item.
/// </summary>
public static class LocalSolveProbe
{
    public static int RunFromArgs(string[] args)
    {
        int m = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 384;
        int count = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 200;
        using LocalCholesky solver = LocalCholesky.Create(m);
        var rng = new Random(1);
        float[] source = new float[m * m];
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < i; j++)
                source[i * m + j] = source[j * m + i] = rng.Next(0, 20);
            source[i * m + i] = 200 + 20 * m;
        }
        float[] x = new float[m];
        var times = new List<double>();
        for (int round = 0; round < 5; round++)
        {
            var sw = Stopwatch.StartNew();
            for (int c = 0; c < count; c++)
            {
                source.CopyTo(solver.Matrix(m));
                Array.Fill(x, 1f);
                solver.Solve(m, x);
            }
            times.Add(sw.Elapsed.TotalSeconds / count);
        }
        times.Sort();
        double t = times[2];
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"local solve m={m}: {t * 1e6:0.0} µs per system (median of 5 rounds of {count}), {m * (double)m * m / 3 / t / 1e9:0.0} GFLOP/s (m³/3)"));
        return 0;
    }
}

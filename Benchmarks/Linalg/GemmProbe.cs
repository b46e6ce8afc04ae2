using System.Diagnostics;
using Ease.Engine.Linalg;

namespace Ease.Benchmarks.Linalg;

/// <summary>`gemm N LD [repeats]`: GFLOP/s of one N x N x N packed GEMM inside an LD-strided matrix, with A read row-wise and transposed.</summary>
public static unsafe class GemmProbe
{
    public static int RunFromArgs(string[] args)
    {
        int n = int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture);
        int ldn = int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture);
        int repeats = args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 3;
        using var m = new DenseMatrix<float>(ldn);
        float* p = m.Data;
        nint ld = (nint)m.Stride;
        for (long i = 0; i < (long)ldn * ld; i++) p[i] = (i % 7) * 0.01f;
        using var ws = new GemmWorkspace<float>(2);
        float* a = p, b = p + (nint)n * ld, c = p + (nint)n * ld + n;
        double flops = 2.0 * n * n * n;
        for (int r = 0; r < repeats; r++)
        {
            foreach (bool trans in new[] { false, true })
            {
                var sw = Stopwatch.StartNew();
                if (trans) PackedGemm<float, MicroKernel512<float>>.Run(ws, 2, n, n, n, 1f, a, 1, ld, b, ld, 1, c, ld, GemmMode.None);
                else PackedGemm<float, MicroKernel512<float>>.Run(ws, 2, n, n, n, 1f, a, ld, 1, b, ld, 1, c, ld, GemmMode.None);
                double s = sw.Elapsed.TotalSeconds;
                Console.WriteLine($"{(trans ? "A transposed" : "A rows      ")}: {s:F3}s {flops / s * 1e-9:F1} GF/s");
            }
        }
        return 0;
    }
}

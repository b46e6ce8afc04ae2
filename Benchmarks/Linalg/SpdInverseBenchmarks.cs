using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Ease.Engine.Linalg;

namespace Ease.Benchmarks.Linalg;

/// <summary>
/// Time of the full in-place SPD inverse (factor + invert) at n = 1024 and 4096, fp32 and fp64.
/// GFLOP/s = n^3 / time (n^3/3 for the factor, 2n^3/3 for the inverse). The matrix is refilled
/// before every iteration because the kernel overwrites it.
/// Run: dotnet run -c Release --project Benchmarks -- --filter '*SpdInverse*'
/// </summary>
[Config(typeof(LinalgBenchmarkConfig))]
public class SpdInverseBenchmarks
{
    private DenseMatrix<float>? _f;
    private DenseMatrix<double>? _d;

    [Params(1024, 4096)]
    public int N { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _f = new DenseMatrix<float>(N);
        _d = new DenseMatrix<double>(N);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _f?.Dispose();
        _d?.Dispose();
    }

    [IterationSetup]
    public void Refill()
    {
        LinalgThroughput.FillSpd(_f!);
        LinalgThroughput.FillSpd(_d!);
    }

    [Benchmark(Description = "fp32 potrf+trtri+lauum")]
    public SpdInverseReport InvertFloat() => SpdInverse.InvertInPlace(_f!);

    [Benchmark(Description = "fp64 potrf+trtri+lauum")]
    public SpdInverseReport InvertDouble() => SpdInverse.InvertInPlace(_d!);
}

/// <summary>
/// The factor and invert phases separately: BenchmarkDotNet times the whole call, so the phase
/// split comes from the <see cref="SpdInverseReport"/> (printed per iteration to the log).
/// </summary>
[Config(typeof(LinalgBenchmarkConfig))]
public class SpdInversePhaseBenchmarks
{
    private DenseMatrix<float>? _f;

    [Params(4096)]
    public int N { get; set; }

    [GlobalSetup]
    public void Setup() => _f = new DenseMatrix<float>(N);

    [GlobalCleanup]
    public void Cleanup() => _f?.Dispose();

    [IterationSetup]
    public void Refill() => LinalgThroughput.FillSpd(_f!);

    [Benchmark]
    public double FactorAndInvertFloat()
    {
        var r = SpdInverse.InvertInPlace(_f!);
        Console.WriteLine($"// potrf {r.FactorSeconds:F3}s {r.FactorGflops:F1} GF/s; trtri+lauum+mirror {r.InvertSeconds:F3}s {r.InvertGflops:F1} GF/s");
        return r.TotalSeconds;
    }
}

/// <summary>
/// Short job (1 warmup, 5 measured iterations, one invocation each because the kernel destroys its
/// input), run in-process: the out-of-process toolchain cannot locate the project because the
/// assembly (Ease.Benchmarks) and project (Benchmarks.csproj) names differ.
/// </summary>
public sealed class LinalgBenchmarkConfig : ManualConfig
{
    public LinalgBenchmarkConfig()
    {
        AddJob(Job.Default
            .WithToolchain(InProcessEmitToolchain.Instance)
            .WithLaunchCount(1)
            .WithWarmupCount(1)
            .WithIterationCount(5)
            .WithInvocationCount(1)
            .WithUnrollFactor(1));
    }
}

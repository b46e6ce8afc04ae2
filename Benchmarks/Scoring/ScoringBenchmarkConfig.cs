using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace Ease.Benchmarks.Scoring;

/// <summary>
/// Short job, in process: BenchmarkDotNet's out-of-process toolchain looks for a project named
/// like the assembly (Ease.Benchmarks), which this repository's Benchmarks.csproj is not.
/// </summary>
public sealed class ScoringBenchmarkConfig : ManualConfig
{
    public ScoringBenchmarkConfig()
    {
        AddJob(Job.ShortRun.WithToolchain(InProcessEmitToolchain.Instance));
        AddDiagnoser(MemoryDiagnoser.Default);
    }
}

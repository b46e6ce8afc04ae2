using BenchmarkDotNet.Running;
using Ease.Benchmarks.Linalg;

namespace Ease.Benchmarks;

public static class Program
{
    /// <summary>
    /// BenchmarkDotNet over every benchmark class (`--filter '*SpdInverse*'`, ...), or
    /// `linalg N [float|double] [threads] [repeats] [path]` for a quick GFLOP/s reading of the
    /// SPD inversion at one size, or `gemm N LD [repeats]` for one N x N x N GEMM with A read
    /// row-wise and as a transposed view, or `local M [count]` for the sparse solver's
    /// one-thread m x m solve, or `deep DIR MODEL [epochs] [evalEvery] [key=value ...]` to train and
    /// evaluate a deep comparator (see Study/DeepProbe.cs).
    /// </summary>
    public static void Main(string[] args)
    {
        if (args is ["linalg", ..])
        {
            Environment.ExitCode = LinalgThroughput.RunFromArgs(args[1..]);
            return;
        }
        if (args is ["gemm", ..])
        {
            Environment.ExitCode = GemmProbe.RunFromArgs(args[1..]);
            return;
        }
        if (args is ["deep", ..])
        {
            Environment.ExitCode = Study.DeepProbe.RunFromArgs(args[1..]);
            return;
        }
        if (args is ["local", ..])
        {
            Environment.ExitCode = Training.LocalSolveProbe.RunFromArgs(args[1..]);
            return;
        }
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
    }
}

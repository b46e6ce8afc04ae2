namespace Ease.Engine.Linalg;

/// <summary>Timing and flop counts of one <see cref="SpdInverse.InvertInPlace{T}(DenseMatrix{T}, int, IProgress{SpdInverseProgress}, CancellationToken)"/> call.</summary>
/// <param name="Size">Order n of the matrix.</param>
/// <param name="Threads">Worker threads used.</param>
/// <param name="KernelPath">Micro-kernel used ("Vector512", "Vector256", "Scalar").</param>
/// <param name="FactorSeconds">Wall time of the Cholesky factorisation (potrf).</param>
/// <param name="InvertSeconds">Wall time of triangular inverse + L^-T L^-1 product + mirroring (trtri + lauum + mirror).</param>
/// <param name="FactorFlops">Nominal flops of the factorisation, n^3/3.</param>
/// <param name="InvertFlops">Nominal flops of the inversion, 2n^3/3.</param>
public sealed record SpdInverseReport(
    int Size,
    int Threads,
    string KernelPath,
    double FactorSeconds,
    double InvertSeconds,
    double FactorFlops,
    double InvertFlops)
{
    public double TotalSeconds => FactorSeconds + InvertSeconds;
    public double FactorGflops => FactorSeconds > 0 ? FactorFlops / FactorSeconds * 1e-9 : 0;
    public double InvertGflops => InvertSeconds > 0 ? InvertFlops / InvertSeconds * 1e-9 : 0;
    public double TotalGflops => TotalSeconds > 0 ? (FactorFlops + InvertFlops) / TotalSeconds * 1e-9 : 0;
}

/// <summary>Progress of <see cref="SpdInverse.InvertInPlace{T}(DenseMatrix{T}, int, IProgress{SpdInverseProgress}, CancellationToken)"/>: phase ("potrf", "trtri", "lauum", "mirror") and fraction of that phase done.</summary>
public readonly record struct SpdInverseProgress(string Phase, double Fraction);

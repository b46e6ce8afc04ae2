namespace Ease.Study.Deep;

/// <summary>
/// One finished training epoch.
/// </summary>
/// <param name="Epoch">1-based epoch number.</param>
/// <param name="Epochs">Epochs requested.</param>
/// <param name="Loss">Mean per-user training loss over the epoch's batches: negative log-likelihood, plus β·KL for the VAE, plus the L2 term.</param>
/// <param name="Beta">KL weight used by the epoch's last update (0 for the DAE).</param>
/// <param name="Seconds">Wall time of the epoch.</param>
/// <param name="Gflops">Forward and backward dense and sparse products of the epoch, in GFLOP/s of wall time (elementwise work and Adam not counted).</param>
public readonly record struct DeepEpoch(int Epoch, int Epochs, double Loss, double Beta, double Seconds, double Gflops);

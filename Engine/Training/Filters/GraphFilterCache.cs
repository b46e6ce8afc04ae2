using Ease.Engine.Input;
using Ease.Engine.Linalg;

namespace Ease.Engine.Training.Filters;

/// <summary>
/// What the operators of one data set share, so that a grid pays for it once: R̃ for each
/// normalisation exponent, and for each (rank, power passes, seed) the eigenvectors V of P̃ in the
/// two scalings the low-pass term uses (D^-1/2 V and D^1/2 V) and, on first use, P̃·D^1/2 V.
/// </summary>
public sealed class GraphFilterCache(InteractionSet data)
{
    private readonly Dictionary<double, NormalizedInteractions> _normalized = [];
    private readonly Dictionary<(int Rank, int Iterations, ulong Seed), LowPass> _bases = [];

    /// <summary>The low-pass basis: U = D^-1/2 V and Scaled = D^1/2 V, both n x r row-major.</summary>
    public sealed class LowPass(float[] unscaled, float[] scaled, int rank)
    {
        private float[]? _graphTimesScaled;

        public float[] Unscaled { get; } = unscaled;
        public float[] Scaled { get; } = scaled;
        public int Rank { get; } = rank;

        /// <summary>P̃·D^1/2 V (n x r), computed through R̃ once.</summary>
        public unsafe float[] GraphTimesScaled(NormalizedInteractions norm, int threads, CancellationToken ct)
        {
            if (_graphTimesScaled is null)
            {
                var y = new float[Scaled.Length];
                var scratch = new float[(long)norm.Users * Rank];
                fixed (float* xp = Scaled)
                fixed (float* yp = y)
                    norm.ApplyGram(xp, Rank, yp, Rank, Rank, scratch, threads, ct);
                _graphTimesScaled = y;
            }
            return _graphTimesScaled;
        }
    }

    public NormalizedInteractions Normalized(double a)
    {
        if (!_normalized.TryGetValue(a, out NormalizedInteractions? norm))
            _normalized[a] = norm = new NormalizedInteractions(data, a);
        return norm;
    }

    /// <summary>
    /// The top <paramref name="rank"/> eigenvectors of P̃ (its right singular vectors of R̃) by
    /// randomized subspace iteration with every product through R̃, oversampled by the rank (at
    /// least 64 columns).
    /// </summary>
    public unsafe LowPass Basis(NormalizedInteractions half, int rank, int iterations, ulong seed, int threads, IProgress<double>? progress, CancellationToken ct)
    {
        if (_bases.TryGetValue((rank, iterations, seed), out LowPass? cached))
        {
            progress?.Report(1);
            return cached;
        }
        int n = half.Items, r = Math.Min(rank, n);
        int l = Math.Min(n, r + Math.Max(64, r));
        EigenPairs eig;
        using (var subspace = new RandomizedSubspace(n, l, seed, threads))
        {
            var scratch = new float[(long)half.Users * l];
            eig = subspace.TopEigen((x, y, width) =>
            {
                fixed (float* xp = x)
                fixed (float* yp = y)
                    half.ApplyGram(xp, width, yp, width, width, scratch, threads, ct);
            }, r, iterations, p => progress?.Report(p));
        }
        r = eig.Rank;
        double[] degree = half.ItemDegrees;
        var u = new float[(long)n * r];
        var scaled = new float[(long)n * r];
        for (int i = 0; i < n; i++)
        {
            double s = Math.Sqrt(degree[i]);
            for (int k = 0; k < r; k++)
            {
                double v = eig.Vectors[(long)i * r + k];
                u[(long)i * r + k] = s > 0 ? (float)(v / s) : 0;
                scaled[(long)i * r + k] = (float)(v * s);
            }
        }
        return _bases[(rank, iterations, seed)] = new LowPass(u, scaled, r);
    }
}

using Ease.Engine.Linalg;
using Ease.Engine.Synthetic;
using Ease.Study.Deep;

namespace Ease.Tests.Study;

/// <summary>Shared set-up of the deep-model tests: small networks, histories, and one engine forward/backward pass.</summary>
internal static unsafe class DeepTestData
{
    public static IEnumerable<KernelPath> SupportedPaths()
    {
        foreach (var path in new[] { KernelPath.Vector512, KernelPath.Vector256, KernelPath.Scalar })
        {
            bool ok;
            try { SpdInverse.Resolve<float>(path); ok = true; }
            catch (PlatformNotSupportedException) { ok = false; } // not accelerated here, or disabled by DOTNET_EnableAVX*
            if (ok) yield return path;
        }
    }

    public static DeepNetwork Network(int items, DeepOptions options, long seed)
    {
        var rng = new Xoshiro256(seed);
        return DeepNetwork.Create(items, options, ref rng);
    }

    /// <summary>Random distinct ascending histories of 1..maxLen items.</summary>
    public static int[][] Histories(int users, int items, int maxLen, long seed)
    {
        var rng = new Xoshiro256(seed);
        var result = new int[users][];
        for (int u = 0; u < users; u++)
        {
            int len = 1 + rng.NextInt(Math.Min(maxLen, items));
            var set = new SortedSet<int>();
            while (set.Count < len) set.Add(rng.NextInt(items));
            result[u] = [.. set];
        }
        return result;
    }

    public static (int[] Offsets, int[] Rows) Csr(int[][] histories)
    {
        var offsets = new int[histories.Length + 1];
        for (int u = 0; u < histories.Length; u++) offsets[u + 1] = offsets[u] + histories[u].Length;
        return (offsets, [.. histories.SelectMany(h => h)]);
    }

    /// <summary>
    /// The engine's gradients of mean(NLL + β·KL) over the batch, no dropout, the VAE's noise fixed to
    /// <paramref name="eps"/> (users x latent, or null = 0). Returns the loss the engine computed too.
    /// </summary>
    public static (Gradients Grads, double Loss) EngineGradient(DeepNetwork net, Likelihood likelihood, int[][] histories,
        double[][]? eps, float beta, KernelPath path, int threads)
    {
        using var cc = new DeepCompute(threads, path);
        var pass = new BatchPass(net, histories.Length);
        var (offsets, rows) = Csr(histories);
        var rng = new Xoshiro256(0);
        pass.Load(offsets, rows, [], 0, histories.Length, 0f, ref rng);
        if (eps is not null)
        {
            var e = pass.Epsilon;
            for (int u = 0; u < histories.Length; u++)
                for (int i = 0; i < net.Latent; i++) e[u * net.Latent + i] = (float)eps[u][i];
        }
        var logits = Pinned.Floats((long)histories.Length * net.Items);
        var g = new Gradients(net);
        fixed (float* p = logits)
        {
            pass.Forward(cc, training: true, p);
            var (nll, kl) = pass.Loss(cc, likelihood, p);
            pass.Backward(cc, g, p, beta);
            return (g, (nll + beta * kl) / histories.Length);
        }
    }

    public static double[][] Noise(int users, int latent, long seed)
    {
        var rng = new Xoshiro256(seed);
        return [.. Enumerable.Range(0, users).Select(_ => Enumerable.Range(0, latent).Select(_ => rng.NextGaussian()).ToArray())];
    }
}

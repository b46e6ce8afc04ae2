using Ease.Study.Deep;

namespace Ease.Tests.Study;

/// <summary>
/// A naive double-precision forward pass and loss of the autoencoder, written from the paper's equations
/// with plain loops (dense input vector, explicit softmax), independent of the engine's kernels. The
/// gradient tests differentiate it numerically; the scoring tests compare logits with it.
/// </summary>
internal sealed class DeepReference
{
    public required double[][] W { get; init; }     // layer l: In x Out row-major
    public required double[][] B { get; init; }
    public required int[] In { get; init; }
    public required int[] Out { get; init; }
    public required bool[] Tanh { get; init; }
    public required int CodeLayer { get; init; }
    public required bool Variational { get; init; }
    public required int Latent { get; init; }

    public static DeepReference From(DeepNetwork net) => new()
    {
        W = [.. net.Layers.Select(l => l.W.Select(v => (double)v).ToArray())],
        B = [.. net.Layers.Select(l => l.B.Select(v => (double)v).ToArray())],
        In = [.. net.Layers.Select(l => l.In)],
        Out = [.. net.Layers.Select(l => l.Out)],
        Tanh = [.. net.Layers.Select(l => l.Tanh)],
        CodeLayer = net.CodeLayer,
        Variational = net.Variational,
        Latent = net.Latent,
    };

    /// <summary>Logits of one user; <paramref name="eps"/> null = z = μ. KL of the user's code is returned too (0 for the DAE).</summary>
    public double[] Logits(int[] history, int items, double[]? eps, out double kl)
    {
        var x = new double[items];
        foreach (int j in history) x[j] = 1.0 / Math.Sqrt(history.Length);
        kl = 0;
        double[] h = x;
        for (int l = 0; l < W.Length; l++)
        {
            var y = new double[Out[l]];
            for (int o = 0; o < Out[l]; o++)
            {
                double s = B[l][o];
                for (int i = 0; i < In[l]; i++) s += h[i] * W[l][i * Out[l] + o];
                y[o] = Tanh[l] ? Math.Tanh(s) : s;
            }
            if (Variational && l == CodeLayer)
            {
                var z = new double[Latent];
                for (int i = 0; i < Latent; i++)
                {
                    double mu = y[i], lv = y[Latent + i];
                    z[i] = mu + (eps is null ? 0 : eps[i] * Math.Exp(0.5 * lv));
                    kl += 0.5 * (-lv + Math.Exp(lv) + mu * mu - 1);
                }
                y = z;
            }
            h = y;
        }
        return h;
    }

    /// <summary>−log p(x | logits) for the binary row x given by <paramref name="history"/>.</summary>
    public static double NegativeLogLikelihood(Likelihood likelihood, double[] logits, int[] history)
    {
        var x = new double[logits.Length];
        foreach (int j in history) x[j] = 1;
        double loss = 0;
        switch (likelihood)
        {
            case Likelihood.Multinomial:
                double max = logits.Max();
                double z = logits.Sum(l => Math.Exp(l - max));
                for (int j = 0; j < logits.Length; j++) loss -= x[j] * (logits[j] - max - Math.Log(z));
                break;
            case Likelihood.Gaussian:
                for (int j = 0; j < logits.Length; j++) loss += 0.5 * (x[j] - logits[j]) * (x[j] - logits[j]);
                break;
            default:
                for (int j = 0; j < logits.Length; j++)
                {
                    double p = 1 / (1 + Math.Exp(-logits[j]));
                    loss -= x[j] * Math.Log(p) + (1 - x[j]) * Math.Log(1 - p);
                }
                break;
        }
        return loss;
    }

    /// <summary>Mean over users of NLL + β·KL: the objective whose gradient the engine back-propagates.</summary>
    public double Loss(Likelihood likelihood, int[][] histories, int items, double[][]? eps, double beta)
    {
        double total = 0;
        for (int u = 0; u < histories.Length; u++)
        {
            var logits = Logits(histories[u], items, eps?[u], out double kl);
            total += NegativeLogLikelihood(likelihood, logits, histories[u]) + beta * kl;
        }
        return total / histories.Length;
    }
}

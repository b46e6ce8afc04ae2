using Ease.Engine.Linalg;
using Ease.Engine.Synthetic;
using Ease.Study.Deep;

namespace Ease.Tests.Study;

/// <summary>
/// The hand-written backward pass against central finite differences of an independent double-precision
/// forward pass (<see cref="DeepReference"/>) on the same weights: every weight and bias of every layer
/// on tiny networks, for the three likelihoods, the DAE with and without hidden layers, and the VAE with
/// its KL term and a fixed reparameterisation noise; on each GEMM micro-kernel path.
/// </summary>
public sealed class DeepGradientTests
{
    public static IEnumerable<object[]> Cases()
    {
        foreach (var path in new[] { "Vector512", "Vector256", "Scalar" })
        {
            yield return new object[] { path, "Multinomial", false, 6 };
            yield return new object[] { path, "Gaussian", false, 6 };
            yield return new object[] { path, "Logistic", false, 6 };
            yield return new object[] { path, "Multinomial", false, 0 };
            yield return new object[] { path, "Multinomial", true, 6 };
            yield return new object[] { path, "Logistic", true, 0 };
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void EveryParameterMatchesFiniteDifferences(string pathName, string likelihoodName, bool variational, int hidden)
    {
        var path = Enum.Parse<KernelPath>(pathName);
        if (!DeepTestData.SupportedPaths().Contains(path)) return;
        var likelihood = Enum.Parse<Likelihood>(likelihoodName);
        const int items = 9, users = 4;
        var options = new DeepOptions { Variational = variational, Hidden = hidden, Latent = 3, Likelihood = likelihood };
        var net = DeepTestData.Network(items, options, seed: 11);
        var histories = DeepTestData.Histories(users, items, 5, seed: 5);
        var eps = variational ? DeepTestData.Noise(users, 3, seed: 7) : null;
        float beta = variational ? 0.3f : 0f;

        var (g, engineLoss) = DeepTestData.EngineGradient(net, likelihood, histories, eps, beta, path, threads: 1);
        var reference = DeepReference.From(net);
        double refLoss = reference.Loss(likelihood, histories, items, eps, beta);
        Assert.Equal(refLoss, engineLoss, 1e-4 * Math.Max(1, Math.Abs(refLoss)));

        const double h = 1e-5;
        for (int l = 0; l < net.Layers.Length; l++)
        {
            CheckParameters(reference.W[l], g.W[l], $"W{l}");
            CheckParameters(reference.B[l], g.B[l], $"b{l}");
        }

        void CheckParameters(double[] theta, float[] analytic, string name)
        {
            for (int i = 0; i < theta.Length; i++)
            {
                double saved = theta[i];
                theta[i] = saved + h;
                double plus = reference.Loss(likelihood, histories, items, eps, beta);
                theta[i] = saved - h;
                double minus = reference.Loss(likelihood, histories, items, eps, beta);
                theta[i] = saved;
                double fd = (plus - minus) / (2 * h);
                double tol = 2e-5 + 1e-3 * Math.Abs(fd);
                Assert.True(Math.Abs(fd - analytic[i]) <= tol, $"{name}[{i}]: finite difference {fd:G6}, backward {analytic[i]:G6}");
            }
        }
    }

    /// <summary>
    /// Shapes large enough for the team-parallel GEMM (two threads, partial micro-panels, several KC passes)
    /// and the column-split sparse transpose: the directional derivative along random directions, one per
    /// layer and one through all parameters, against the finite difference of the reference loss.
    /// </summary>
    [Theory]
    [InlineData(false, "Multinomial")]
    [InlineData(true, "Multinomial")]
    [InlineData(false, "Logistic")]
    public void DirectionalDerivativesMatchOnParallelShapes(bool variational, string likelihoodName)
    {
        var likelihood = Enum.Parse<Likelihood>(likelihoodName);
        const int items = 1500, users = 37;
        var options = new DeepOptions { Variational = variational, Hidden = 300, Latent = 20, Likelihood = likelihood };
        var net = DeepTestData.Network(items, options, seed: 3);
        var histories = DeepTestData.Histories(users, items, 40, seed: 4);
        var eps = variational ? DeepTestData.Noise(users, 20, seed: 9) : null;
        float beta = variational ? 0.2f : 0f;
        var (g, _) = DeepTestData.EngineGradient(net, likelihood, histories, eps, beta, KernelPath.Auto, threads: 2);
        var reference = DeepReference.From(net);
        var rng = new Xoshiro256(17);
        for (int target = -1; target < net.Layers.Length; target++)
        {
            // Direction d: random signs on the chosen layer's parameters (all layers for target = -1).
            var dW = new double[net.Layers.Length][];
            var dB = new double[net.Layers.Length][];
            double analytic = 0;
            for (int l = 0; l < net.Layers.Length; l++)
            {
                bool on = target < 0 || target == l;
                dW[l] = [.. reference.W[l].Select(_ => on ? (rng.NextDouble() < 0.5 ? -1.0 : 1.0) : 0)];
                dB[l] = [.. reference.B[l].Select(_ => on ? (rng.NextDouble() < 0.5 ? -1.0 : 1.0) : 0)];
                for (int i = 0; i < dW[l].Length; i++) analytic += dW[l][i] * g.W[l][i];
                for (int i = 0; i < dB[l].Length; i++) analytic += dB[l][i] * g.B[l][i];
            }
            const double h = 1e-5;
            Shift(h);
            double plus = reference.Loss(likelihood, histories, items, eps, beta);
            Shift(-2 * h);
            double minus = reference.Loss(likelihood, histories, items, eps, beta);
            Shift(h);
            double fd = (plus - minus) / (2 * h);
            Assert.True(Math.Abs(fd - analytic) <= 1e-3 * Math.Max(1, Math.Abs(fd)), $"layer {target}: finite difference {fd:G8}, backward {analytic:G8}");

            void Shift(double s)
            {
                for (int l = 0; l < net.Layers.Length; l++)
                {
                    for (int i = 0; i < dW[l].Length; i++) reference.W[l][i] += s * dW[l][i];
                    for (int i = 0; i < dB[l].Length; i++) reference.B[l][i] += s * dB[l][i];
                }
            }
        }
    }
}

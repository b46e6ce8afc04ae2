using Ease.Engine.Synthetic;
using Ease.Study.Deep;

namespace Ease.Tests.Study;

/// <summary>The building blocks against scalar double-precision computations: Adam, the sparse input products, the input transform.</summary>
public sealed unsafe class DeepKernelTests
{
    [Theory]
    [InlineData(1, 0f)]
    [InlineData(37, 0.01f)]
    [InlineData(9000, 0.002f)] // several 4096-element blocks of the Σw² accumulation plus a tail
    public void AdamMatchesTheScalarUpdate(int n, float l2x2)
    {
        var rng = new Xoshiro256(n);
        float[] R() => [.. Enumerable.Range(0, n).Select(_ => (float)rng.NextGaussian())];
        float[] w = R(), g = R(), m = R(), v = [.. R().Select(Math.Abs)];
        var (w0, g0, m0, v0) = ((float[])w.Clone(), (float[])g.Clone(), (float[])m.Clone(), (float[])v.Clone());
        const float lr = 1e-3f;
        long step = 3;
        float stepSize = AdamState.StepSize(lr, step);
        Assert.Equal(lr * Math.Sqrt(1 - Math.Pow(0.999, 3)) / (1 - Math.Pow(0.9, 3)), stepSize, 1e-9);
        double squares = AdamState.Update(w, g, m, v, l2x2, stepSize);
        double expectedSquares = 0;
        for (int i = 0; i < n; i++)
        {
            double gi = g0[i] + (double)l2x2 * w0[i];
            double mi = 0.9 * m0[i] + 0.1 * gi;
            double vi = 0.999 * v0[i] + 0.001 * gi * gi;
            double wi = w0[i] - stepSize * mi / (Math.Sqrt(vi) + 1e-8);
            expectedSquares += (double)w0[i] * w0[i];
            Assert.Equal(mi, m[i], 1e-5);
            Assert.Equal(vi, v[i], 1e-5);
            Assert.Equal(wi, w[i], 1e-5);
            Assert.Equal(0f, g[i]);
        }
        Assert.Equal(expectedSquares, squares, 1e-4 * expectedSquares);
    }

    [Fact]
    public void SparseProductsMatchDenseLoops()
    {
        const int users = 7, items = 50, width = 37;
        var rng = new Xoshiro256(5);
        var histories = DeepTestData.Histories(users, items, 12, seed: 6);
        var (offsets, rows) = DeepTestData.Csr(histories);
        float[] values = [.. rows.Select(_ => (float)rng.NextGaussian())];
        float[] w = [.. Enumerable.Range(0, items * width).Select(_ => (float)rng.NextGaussian())];
        float[] c = new float[users * width];
        fixed (float* pw = w, pc = c)
        {
            SparseInput.Multiply(offsets, rows, values, pw, width, pc, 0, 3);
            SparseInput.Multiply(offsets, rows, values, pw, width, pc, 3, users);
        }
        for (int u = 0; u < users; u++)
            for (int o = 0; o < width; o++)
            {
                double s = 0;
                for (int k = offsets[u]; k < offsets[u + 1]; k++) s += values[k] * w[rows[k] * width + o];
                Assert.Equal(s, c[u * width + o], 1e-4);
            }

        float[] dy = [.. Enumerable.Range(0, users * width).Select(_ => (float)rng.NextGaussian())];
        float[] dw = new float[items * width];
        fixed (float* pdy = dy, pdw = dw)
        {
            // Two column ranges, as the two threads split them.
            SparseInput.TransposeMultiply(offsets, rows, values, pdy, width, pdw, users, 0, 16);
            SparseInput.TransposeMultiply(offsets, rows, values, pdy, width, pdw, users, 16, width);
        }
        for (int j = 0; j < items; j++)
            for (int o = 0; o < width; o++)
            {
                double s = 0;
                for (int u = 0; u < users; u++)
                    for (int k = offsets[u]; k < offsets[u + 1]; k++)
                        if (rows[k] == j) s += values[k] * dy[u * width + o];
                Assert.Equal(s, dw[j * width + o], 1e-4);
            }
    }

    [Fact]
    public void InputIsNormalizedThenDroppedOutAndRescaled()
    {
        var options = new DeepOptions { Hidden = 4, Latent = 2 };
        var net = DeepTestData.Network(1000, options, seed: 1);
        var pass = new BatchPass(net, 2);
        int[][] histories = [[.. Enumerable.Range(0, 400)], [.. Enumerable.Range(100, 400)]];
        var (offsets, rows) = DeepTestData.Csr(histories);
        var rng = new Xoshiro256(4);
        pass.Load(offsets, rows, [], 0, 2, 0.5f, ref rng);
        // Binomial(800, 0.5): 400 ± 14; 5 standard deviations either side.
        Assert.InRange(pass.InputNonzeros, 330, 470);
        var weights = net.Layers[0].W;
        Array.Clear(weights);
        // With W = e_j (one column per item), X·W exposes each kept value: 1/√400 / 0.5 = 0.1.
        for (int j = 0; j < 4; j++) weights[j * 4 + j] = 1;
        Array.Clear(net.Layers[0].B);
        using var cc = new DeepCompute(1, Ease.Engine.Linalg.KernelPath.Auto);
        var logits = Pinned.Floats(2 * 1000);
        fixed (float* p = logits) pass.Forward(cc, training: true, p);
        var h = pass.Activation(0);
        for (int j = 0; j < 4; j++)
            Assert.True(Math.Abs(h[j]) < 1e-6 || Math.Abs(h[j] - Math.Tanh(0.1)) < 1e-6, $"h[{j}] = {h[j]}");
    }
}

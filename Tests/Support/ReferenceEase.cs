using Ease.Engine.Input;
using Ease.Format;

namespace Ease.Tests.Support;

/// <summary>
/// EASE / EDLAE computed here in double precision from the closed form, independently of the
/// engine: G = XᵀX, P = (G + λI + p/(1−p)·diag G)⁻¹ by Cholesky, B = I − P·diag(1/diag P).
/// </summary>
public static class ReferenceEase
{
    /// <summary>The Gram matrix XᵀX: co-occurrence counts, popularity on the diagonal.</summary>
    public static double[,] Gram(InteractionSet data)
    {
        int n = data.ItemCount;
        var g = new double[n, n];
        for (int u = 0; u < data.UserCount; u++)
        {
            ReadOnlySpan<int> items = data.ItemsOf(u);
            foreach (int i in items)
            {
                foreach (int j in items)
                    g[i, j]++;
            }
        }
        return g;
    }

    /// <summary>The dense B (zero diagonal).</summary>
    public static double[,] B(InteractionSet data, double lambda, double dropout = 0)
    {
        double[,] a = Gram(data);
        int n = a.GetLength(0);
        for (int i = 0; i < n; i++)
            a[i, i] += lambda + dropout / (1 - dropout) * a[i, i];
        double[,] l = Cholesky(a);
        var p = new double[n, n];
        var e = new double[n];
        for (int j = 0; j < n; j++)
        {
            Array.Clear(e);
            e[j] = 1;
            double[] column = Solve(l, e);
            for (int i = 0; i < n; i++)
                p[i, j] = column[i];
        }
        var b = new double[n, n];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
                b[i, j] = i == j ? 0 : -p[i, j] / p[j, j];
        }
        return b;
    }

    /// <summary>The lower Cholesky factor of a symmetric positive definite matrix (textbook, row by row).</summary>
    public static double[,] Cholesky(double[,] a)
    {
        int n = a.GetLength(0);
        var l = new double[n, n];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j <= i; j++)
            {
                double s = a[i, j];
                for (int k = 0; k < j; k++)
                    s -= l[i, k] * l[j, k];
                if (i == j)
                {
                    Assert.True(s > 0, $"reference Cholesky: pivot {i} is {s}");
                    l[i, i] = Math.Sqrt(s);
                }
                else
                {
                    l[i, j] = s / l[j, j];
                }
            }
        }
        return l;
    }

    /// <summary>Solves L Lᵀ x = b for a factor from <see cref="Cholesky"/>.</summary>
    public static double[] Solve(double[,] l, double[] b)
    {
        int n = b.Length;
        var x = (double[])b.Clone();
        for (int i = 0; i < n; i++)
        {
            for (int k = 0; k < i; k++)
                x[i] -= l[i, k] * x[k];
            x[i] /= l[i, i];
        }
        for (int i = n - 1; i >= 0; i--)
        {
            for (int k = i + 1; k < n; k++)
                x[i] -= l[k, i] * x[k];
            x[i] /= l[i, i];
        }
        return x;
    }

    /// <summary>A model's weights as a dense matrix indexed by row number.</summary>
    public static double[,] Weights(ModelFile model)
    {
        int n = model.ItemCount;
        var b = new double[n, n];
        for (int r = 0; r < n; r++)
        {
            model.GetRow(r, out ReadOnlySpan<int> cols, out ReadOnlySpan<float> vals);
            for (int k = 0; k < cols.Length; k++)
                b[r, cols[k]] = vals[k];
        }
        return b;
    }

    /// <summary>Asserts that two model files hold the same items, popularity and weights, bit for bit.</summary>
    public static void AssertSameWeights(string expectedPath, string actualPath)
    {
        using ModelFile expected = ModelFile.Open(expectedPath);
        using ModelFile actual = ModelFile.Open(actualPath, new ModelOpenOptions { VerifyChecksums = true });
        Assert.Equal(expected.ItemCount, actual.ItemCount);
        Assert.Equal(expected.NonZeroCount, actual.NonZeroCount);
        Assert.Equal(expected.Popularity.ToArray(), actual.Popularity.ToArray());
        for (int r = 0; r < expected.ItemCount; r++)
        {
            Assert.Equal(expected.ItemId(r), actual.ItemId(r));
            Assert.Equal(expected.RowColumns(r).ToArray(), actual.RowColumns(r).ToArray());
            Assert.Equal(Bits(expected.RowValues(r)), Bits(actual.RowValues(r)));
        }
    }

    private static int[] Bits(ReadOnlySpan<float> values) => [.. values.ToArray().Select(BitConverter.SingleToInt32Bits)];
}

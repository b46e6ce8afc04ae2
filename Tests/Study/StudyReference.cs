using Ease.Engine.Input;
using Ease.Engine.Synthetic;
using Ease.Tests.Support;

namespace Ease.Tests.Study;

/// <summary>
/// Double-precision references for the study's variants, computed here by other methods than the
/// engine's: P by Cholesky solves (<see cref="ReferenceEase"/>), eigen-decompositions by cyclic
/// Jacobi rotations (not Householder + QL), everything on small dense arrays.
/// </summary>
internal static class StudyReference
{
    /// <summary>A small data set with clustered tastes, enough co-occurrence for every item.</summary>
    public static InteractionSet Data(int users = 400, int items = 48, int seed = 3) => SyntheticData.Generate(users, items, seed);

    /// <summary>P = (G + λI)⁻¹.</summary>
    public static double[,] Inverse(double[,] g, double lambda)
    {
        int n = g.GetLength(0);
        var a = (double[,])g.Clone();
        for (int i = 0; i < n; i++)
            a[i, i] += lambda;
        double[,] l = ReferenceEase.Cholesky(a);
        var p = new double[n, n];
        var e = new double[n];
        for (int j = 0; j < n; j++)
        {
            Array.Clear(e);
            e[j] = 1;
            double[] column = ReferenceEase.Solve(l, e);
            for (int i = 0; i < n; i++)
                p[i, j] = column[i];
        }
        return p;
    }

    /// <summary>
    /// Eigenvalues (descending) and eigenvectors (columns of the returned matrix) of a symmetric
    /// matrix by cyclic Jacobi: rotate away each off-diagonal entry in turn until none is left.
    /// </summary>
    public static (double[] Values, double[,] Vectors) Jacobi(double[,] matrix)
    {
        int n = matrix.GetLength(0);
        var a = (double[,])matrix.Clone();
        var v = new double[n, n];
        for (int i = 0; i < n; i++)
            v[i, i] = 1;
        for (int sweep = 0; sweep < 100; sweep++)
        {
            double off = 0, total = 0;
            for (int i = 0; i < n; i++)
            {
                for (int j = 0; j < n; j++)
                {
                    total += a[i, j] * a[i, j];
                    if (i != j)
                        off += a[i, j] * a[i, j];
                }
            }
            if (off <= 1e-30 * total)
                break;
            for (int p = 0; p < n - 1; p++)
            {
                for (int q = p + 1; q < n; q++)
                {
                    if (a[p, q] == 0)
                        continue;
                    double theta = (a[q, q] - a[p, p]) / (2 * a[p, q]);
                    double t = Math.Sign(theta == 0 ? 1 : theta) / (Math.Abs(theta) + Math.Sqrt(theta * theta + 1));
                    double c = 1 / Math.Sqrt(t * t + 1), s = t * c;
                    for (int k = 0; k < n; k++)
                    {
                        double akp = a[k, p], akq = a[k, q];
                        a[k, p] = c * akp - s * akq;
                        a[k, q] = s * akp + c * akq;
                    }
                    for (int k = 0; k < n; k++)
                    {
                        double apk = a[p, k], aqk = a[q, k];
                        a[p, k] = c * apk - s * aqk;
                        a[q, k] = s * apk + c * aqk;
                    }
                    for (int k = 0; k < n; k++)
                    {
                        double vkp = v[k, p], vkq = v[k, q];
                        v[k, p] = c * vkp - s * vkq;
                        v[k, q] = s * vkp + c * vkq;
                    }
                }
            }
        }
        int[] order = [.. Enumerable.Range(0, n).OrderByDescending(i => a[i, i])];
        var values = new double[n];
        var vectors = new double[n, n];
        for (int k = 0; k < n; k++)
        {
            values[k] = a[order[k], order[k]];
            for (int i = 0; i < n; i++)
                vectors[i, k] = v[i, order[k]];
        }
        return (values, vectors);
    }

    public static double[,] Transpose(double[,] a)
    {
        int r = a.GetLength(0), c = a.GetLength(1);
        var t = new double[c, r];
        for (int i = 0; i < r; i++)
        {
            for (int j = 0; j < c; j++)
                t[j, i] = a[i, j];
        }
        return t;
    }

    public static double[,] Multiply(double[,] a, double[,] b)
    {
        int m = a.GetLength(0), k = a.GetLength(1), n = b.GetLength(1);
        var c = new double[m, n];
        for (int i = 0; i < m; i++)
        {
            for (int p = 0; p < k; p++)
            {
                double aip = a[i, p];
                for (int j = 0; j < n; j++)
                    c[i, j] += aip * b[p, j];
            }
        }
        return c;
    }

    /// <summary>Largest |a − b| relative to the largest |b|.</summary>
    public static double RelativeError(double[,] a, double[,] b)
    {
        double diff = 0, scale = 0;
        for (int i = 0; i < a.GetLength(0); i++)
        {
            for (int j = 0; j < a.GetLength(1); j++)
            {
                diff = Math.Max(diff, Math.Abs(a[i, j] - b[i, j]));
                scale = Math.Max(scale, Math.Abs(b[i, j]));
            }
        }
        return diff / scale;
    }
}

using System.Numerics;

namespace Ease.Engine.Linalg;

/// <summary>
/// All eigenvalues and eigenvectors of a small dense symmetric matrix, in double precision:
/// Householder reduction to tridiagonal form, then the implicit QL iteration with Wilkinson-type
/// shifts, the rotations accumulated into the Householder basis. O(n³); meant for the few-thousand
/// order matrices of a Rayleigh-Ritz step, not for the item-item matrix itself. Eigenvectors are
/// kept as rows (vector k is row k) so that every rotation and reflection runs along contiguous
/// memory.
/// </summary>
public static class SymmetricEigen
{
    /// <summary>Eigen-decomposition A = Σ_k λ_k v_k v_kᵀ, eigenvalues in descending order.</summary>
    /// <param name="a">A, n x n row-major; only its lower triangle is read. Not modified.</param>
    /// <param name="n">Order.</param>
    /// <returns>The eigenvalues (descending) and the eigenvectors as rows of an n x n row-major array.</returns>
    public static (double[] Values, double[] Vectors) Decompose(ReadOnlySpan<double> a, int n)
    {
        if (a.Length < (long)n * n)
            throw new ArgumentException($"a {n} x {n} matrix needs {(long)n * n} entries", nameof(a));
        var w = new double[n * n];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j <= i; j++)
                w[i * n + j] = w[j * n + i] = a[i * n + j];
        }
        var d = new double[n];
        var e = new double[n];
        double[] z = Tridiagonalize(w, n, d, e);
        QlImplicit(d, e, z, n);

        int[] order = [.. Enumerable.Range(0, n).OrderByDescending(k => d[k])];
        var values = new double[n];
        var vectors = new double[n * n];
        for (int k = 0; k < n; k++)
        {
            values[k] = d[order[k]];
            z.AsSpan(order[k] * n, n).CopyTo(vectors.AsSpan(k * n, n));
        }
        return (values, vectors);
    }

    /// <summary>
    /// Reduces w (overwritten) to T = Qᵀ w Q, tridiagonal: diagonal d, sub-diagonal e (e[k] couples
    /// k and k + 1). Returns Qᵀ row-major, i.e. row k is column k of Q.
    /// </summary>
    private static double[] Tridiagonalize(double[] w, int n, double[] d, double[] e)
    {
        var vs = new double[n * n]; // Householder vector of step k in row k, entries k + 1 .. n − 1
        var p = new double[n];
        for (int k = 0; k < n - 2; k++)
        {
            int m = n - k - 1; // the trailing block is rows and columns k + 1 .. n − 1
            Span<double> v = vs.AsSpan(k * n + k + 1, m);
            for (int i = 0; i < m; i++)
                v[i] = w[(k + 1 + i) * n + k];
            double norm = Norm(v);
            if (norm == 0)
            {
                e[k] = 0;
                v.Clear();
                continue;
            }
            // Reflect x onto alpha·e1 with alpha of the opposite sign to x0, so v = x − alpha·e1 does not cancel.
            double alpha = v[0] > 0 ? -norm : norm;
            e[k] = alpha;
            v[0] -= alpha;
            double vn = Norm(v);
            for (int i = 0; i < m; i++)
                v[i] /= vn;
            // H = I − 2vvᵀ; the block becomes A − 2v wᵀ − 2w vᵀ with p = A v, w = p − (vᵀp) v.
            Span<double> pk = p.AsSpan(0, m);
            for (int i = 0; i < m; i++)
                pk[i] = Dot(w.AsSpan((k + 1 + i) * n + k + 1, m), v);
            double kk = Dot(pk, v);
            for (int i = 0; i < m; i++)
                pk[i] -= kk * v[i];
            for (int i = 0; i < m; i++)
            {
                Span<double> row = w.AsSpan((k + 1 + i) * n + k + 1, m);
                System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(pk, -2 * v[i], row, row);
                System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(v, -2 * pk[i], row, row);
            }
            w[(k + 1) * n + k] = alpha;
        }
        for (int i = 0; i < n; i++)
            d[i] = w[i * n + i];
        if (n >= 2)
            e[n - 2] = w[(n - 1) * n + n - 2];
        e[n - 1] = 0;

        // Q = H_0 H_1 ... H_{n−3}, so Qᵀ = H_{n−3} ... H_0 (each H is symmetric): M = I, then M ← M·H_k for k from the last down.
        var qt = new double[n * n];
        for (int i = 0; i < n; i++)
            qt[i * n + i] = 1;
        for (int k = n - 3; k >= 0; k--)
        {
            int m = n - k - 1;
            ReadOnlySpan<double> v = vs.AsSpan(k * n + k + 1, m);
            // M ← M·H_k changes columns k + 1 .. n − 1 of every row: contiguous, unlike H_k·M.
            for (int r = 0; r < n; r++)
            {
                Span<double> row = qt.AsSpan(r * n + k + 1, m);
                double s = 2 * Dot(row, v);
                if (s != 0)
                    System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(v, -s, row, row);
            }
        }
        return qt;
    }

    /// <summary>Eigenvalues of the tridiagonal (d, e) into d; rotations applied to the rows of z.</summary>
    private static void QlImplicit(double[] d, double[] e, double[] z, int n)
    {
        for (int l = 0; l < n; l++)
        {
            int iterations = 0;
            while (true)
            {
                int m = l;
                for (; m < n - 1; m++)
                {
                    double dd = Math.Abs(d[m]) + Math.Abs(d[m + 1]);
                    if (Math.Abs(e[m]) <= double.Epsilon + 1e-16 * dd)
                        break;
                }
                if (m == l)
                    break;
                if (++iterations > 60)
                    throw new ArithmeticException($"the tridiagonal QL iteration did not converge for eigenvalue {l}");
                double g = (d[l + 1] - d[l]) / (2 * e[l]);
                double r = Hypot(g, 1);
                g = d[m] - d[l] + e[l] / (g + (g >= 0 ? Math.Abs(r) : -Math.Abs(r)));
                double s = 1, c = 1, p = 0;
                int i = m - 1;
                bool deflated = false;
                for (; i >= l; i--)
                {
                    double f = s * e[i], b = c * e[i];
                    r = Hypot(f, g);
                    e[i + 1] = r;
                    if (r == 0)
                    {
                        // An exact zero split the matrix: finish this sweep early and restart.
                        d[i + 1] -= p;
                        e[m] = 0;
                        deflated = true;
                        break;
                    }
                    s = f / r;
                    c = g / r;
                    g = d[i + 1] - p;
                    r = (d[i] - g) * s + 2 * c * b;
                    p = s * r;
                    d[i + 1] = g + p;
                    g = c * r - b;
                    Rotate(z.AsSpan(i * n, n), z.AsSpan((i + 1) * n, n), c, s);
                }
                if (deflated)
                    continue;
                d[l] -= p;
                e[l] = g;
                e[m] = 0;
            }
        }
    }

    // (x_i, x_{i+1}) ← (c·x_i − s·x_{i+1}, s·x_i + c·x_{i+1}) for the two vectors held as rows.
    private static void Rotate(Span<double> zi, Span<double> zi1, double c, double s)
    {
        int w = Vector<double>.Count, k = 0;
        var vc = new Vector<double>(c);
        var vs = new Vector<double>(s);
        for (; k + w <= zi.Length; k += w)
        {
            var a = new Vector<double>(zi[k..]);
            var b = new Vector<double>(zi1[k..]);
            (vc * a - vs * b).CopyTo(zi[k..]);
            (vs * a + vc * b).CopyTo(zi1[k..]);
        }
        for (; k < zi.Length; k++)
        {
            double a = zi[k], b = zi1[k];
            zi[k] = c * a - s * b;
            zi1[k] = s * a + c * b;
        }
    }

    private static double Hypot(double a, double b)
    {
        double x = Math.Abs(a), y = Math.Abs(b);
        if (x < y)
            (x, y) = (y, x);
        if (x == 0)
            return 0;
        double q = y / x;
        return x * Math.Sqrt(1 + q * q);
    }

    private static double Dot(ReadOnlySpan<double> a, ReadOnlySpan<double> b) => System.Numerics.Tensors.TensorPrimitives.Dot(a, b);

    private static double Norm(ReadOnlySpan<double> a) => System.Numerics.Tensors.TensorPrimitives.Norm(a);
}

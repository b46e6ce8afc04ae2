using Ease.Engine.Input;
using Ease.Engine.Training.Filters;

namespace Ease.Tests.Support;

/// <summary>
/// The graph filters computed here in double precision from their papers' formulas, independently
/// of the engine: explicit R̃, P̃ = R̃ᵀR̃ and matrix products, and V from a cyclic Jacobi
/// eigendecomposition of P̃ (textbook; no randomization, no R̃ shortcuts).
/// </summary>
public static class ReferenceGraphFilter
{
    /// <summary>The 120-user, 50-item fixture the filters are checked on.</summary>
    public static InteractionSet Fixture() => InteractionReader.Read(
        Path.Combine(AppContext.BaseDirectory, "fixtures", "reference-train.txt"), new InputOptions { Format = InputFormat.Adjacency });

    /// <summary>R̃ = D_U^-a R D_I^-(1-a), users x items.</summary>
    public static double[,] Normalized(InteractionSet data, double a)
    {
        int m = data.UserCount, n = data.ItemCount;
        var r = new double[m, n];
        int[] pop = data.ItemPopularity;
        for (int u = 0; u < m; u++)
        {
            ReadOnlySpan<int> items = data.ItemsOf(u);
            foreach (int i in items)
                r[u, i] = Math.Pow(items.Length, -a) * Math.Pow(pop[i], -(1 - a));
        }
        return r;
    }

    public static double[,] Multiply(double[,] x, double[,] y, bool transposeX = false)
    {
        int rows = transposeX ? x.GetLength(1) : x.GetLength(0), inner = transposeX ? x.GetLength(0) : x.GetLength(1), cols = y.GetLength(1);
        var z = new double[rows, cols];
        for (int i = 0; i < rows; i++)
        {
            for (int k = 0; k < inner; k++)
            {
                double xik = transposeX ? x[k, i] : x[i, k];
                if (xik == 0)
                    continue;
                for (int j = 0; j < cols; j++)
                    z[i, j] += xik * y[k, j];
            }
        }
        return z;
    }

    /// <summary>P̃ = R̃ᵀR̃ with each entry raised to <paramref name="power"/>.</summary>
    public static double[,] Graph(InteractionSet data, double a, double power = 1)
    {
        double[,] r = Normalized(data, a);
        double[,] p = Multiply(r, r, transposeX: true);
        if (power != 1)
        {
            for (int i = 0; i < p.GetLength(0); i++)
                for (int j = 0; j < p.GetLength(1); j++)
                    p[i, j] = Math.Pow(p[i, j], power);
        }
        return p;
    }

    /// <summary>L = D^-1/2 V Vᵀ D^1/2, V the top <paramref name="rank"/> eigenvectors of P̃ (symmetric normalisation).</summary>
    public static double[,] IdealLowPass(InteractionSet data, int rank)
    {
        double[,] p = Graph(data, 0.5);
        int n = p.GetLength(0);
        (double[] values, double[,] vectors) = Jacobi(p);
        int[] order = [.. Enumerable.Range(0, n).OrderByDescending(k => values[k])];
        int[] pop = data.ItemPopularity;
        var l = new double[n, n];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double s = 0;
                for (int t = 0; t < rank; t++)
                    s += vectors[i, order[t]] * vectors[j, order[t]];
                l[i, j] = s * Math.Sqrt(pop[j]) / Math.Sqrt(pop[i]);
            }
        }
        return l;
    }

    /// <summary>
    /// The operator of <paramref name="f"/> from the papers' formulas: GF-CF P̃ + αL; Turbo-CF its
    /// polynomial in P̄; BSPM ½[P̃ + (P̃ + βL)(I − T·P̃)].
    /// </summary>
    public static double[,] Operator(InteractionSet data, FilterOptions f)
    {
        double[,] p = Graph(data, f.EffectiveNormExponent, f.Power);
        switch (f.Family)
        {
            case ModelFamily.GfCf:
                return Add(p, IdealLowPass(data, f.EffectiveRank), 1, f.EffectiveAlpha);
            case ModelFamily.Bspm:
                double[,] start = Add(p, IdealLowPass(data, f.EffectiveRank), 1, f.EffectiveAlpha);
                return Add(p, Multiply(start, Add(Identity(p.GetLength(0)), p, 1, -f.Time)), 0.5, 0.5);
            default:
                double[,] p2 = Multiply(p, p);
                return f.EffectiveOrder switch
                {
                    1 => p,
                    2 => Add(p, p2, 2, -1),
                    _ => Add(Add(p, p2, 0.71, 0.1), Multiply(p2, p), 1, -0.01),
                };
        }
    }

    /// <summary>A rank at or above <paramref name="near"/> where P̃'s spectrum has a gap, so the top-r subspace is well defined.</summary>
    public static int GappedRank(InteractionSet data, int near)
    {
        (double[] values, _) = Jacobi(Graph(data, 0.5));
        double[] sorted = [.. values.OrderByDescending(v => v)];
        for (int r = near; r < sorted.Length - 1; r++)
        {
            if (sorted[r - 1] - sorted[r] > 1e-3)
                return r;
        }
        throw new InvalidOperationException("no spectral gap");
    }

    public static double[,] Add(double[,] x, double[,] y, double sx = 1, double sy = 1)
    {
        var z = (double[,])x.Clone();
        for (int i = 0; i < z.GetLength(0); i++)
            for (int j = 0; j < z.GetLength(1); j++)
                z[i, j] = sx * x[i, j] + sy * y[i, j];
        return z;
    }

    public static double[,] Identity(int n)
    {
        var e = new double[n, n];
        for (int i = 0; i < n; i++)
            e[i, i] = 1;
        return e;
    }

    /// <summary>Eigenvalues and eigenvectors (columns) of a symmetric matrix by cyclic Jacobi rotations.</summary>
    public static (double[] Values, double[,] Vectors) Jacobi(double[,] input)
    {
        int n = input.GetLength(0);
        var a = (double[,])input.Clone();
        double[,] v = Identity(n);
        for (int sweep = 0; sweep < 100; sweep++)
        {
            double off = 0;
            for (int i = 0; i < n; i++)
                for (int j = i + 1; j < n; j++)
                    off += a[i, j] * a[i, j];
            if (off < 1e-26)
                break;
            for (int p = 0; p < n; p++)
            {
                for (int q = p + 1; q < n; q++)
                {
                    if (Math.Abs(a[p, q]) < 1e-300)
                        continue;
                    double theta = (a[q, q] - a[p, p]) / (2 * a[p, q]);
                    double t = Math.Sign(theta) / (Math.Abs(theta) + Math.Sqrt(theta * theta + 1));
                    if (theta == 0)
                        t = 1;
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
        var values = new double[n];
        for (int i = 0; i < n; i++)
            values[i] = a[i, i];
        return (values, v);
    }
}

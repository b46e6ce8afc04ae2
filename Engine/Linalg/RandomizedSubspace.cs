using Ease.Engine.Linalg;
using Ease.Engine.Synthetic;

namespace Ease.Engine.Linalg;

/// <summary>y (n x l, row-major) = A · x (n x l, row-major); y's contents on entry are undefined.</summary>
public delegate void BlockProduct(float[] x, float[] y, int columns);

/// <summary>Top eigenpairs of a symmetric matrix: λ descending, vectors as the columns of an n x r row-major array.</summary>
public sealed record EigenPairs(double[] Values, double[] Vectors, int Rank);

/// <summary>
/// Rank-r factors of a matrix known only through products with n x l blocks (randomized subspace
/// iteration, Halko, Martinsson and Tropp 2011): every pass over the n x n matrix is one GEMM,
/// and only n x l blocks and l x l matrices are held besides it. Blocks are orthonormalized by
/// Cholesky QR in double precision (twice, with a shift when the first factorization breaks
/// down); the l x l problems are solved by <see cref="SymmetricEigen"/>.
/// </summary>
public sealed class RandomizedSubspace : IDisposable
{
    private readonly int _n;
    private readonly int _l;
    private readonly DenseGemm<double> _gemm;
    private readonly ulong _seed;

    /// <param name="n">Order of the matrix.</param>
    /// <param name="columns">l: the rank wanted plus oversampling (at most n).</param>
    /// <param name="seed">Seed of the random start block.</param>
    /// <param name="threads">GEMM threads; 0 = all cores.</param>
    public RandomizedSubspace(int n, int columns, ulong seed, int threads)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(n, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(columns, 1);
        _n = n;
        _l = Math.Min(columns, n);
        _seed = seed;
        _gemm = new DenseGemm<double>(threads);
    }

    /// <summary>l, the block width used.</summary>
    public int Columns => _l;

    /// <summary>
    /// The top <paramref name="rank"/> eigenpairs of a symmetric positive semi-definite A, after
    /// <paramref name="iterations"/> power passes (each sharpens the subspace by the ratio λ_l/λ_r).
    /// A is applied <paramref name="iterations"/> + 2 times.
    /// </summary>
    public EigenPairs TopEigen(BlockProduct a, int rank, int iterations, Action<double>? progress = null)
    {
        int r = Math.Min(rank, _l);
        var x = StartBlock();
        var y = new float[x.Length];
        // Two n x l double blocks serve every orthonormalization (at 38,048 x 2,048 each is 0.6 GB).
        var q = new double[x.Length];
        var t = new double[x.Length];
        int steps = iterations + 2, done = 0;
        progress?.Invoke(0);
        a(x, y, _l);
        progress?.Invoke((double)++done / steps);
        for (int pass = 0; pass < iterations; pass++)
        {
            Orthonormalize(y, x, ref q, ref t);
            a(x, y, _l);
            progress?.Invoke((double)++done / steps);
        }
        OrthonormalizeDouble(y, ref q, ref t);
        ToFloat(q, x);
        a(x, y, _l);
        progress?.Invoke((double)++done / steps);
        // Rayleigh-Ritz: T = Qᵀ A Q, whose eigenvectors W rotate Q onto A's eigenvectors.
        ToDouble(y, t);
        double[] gram = Gram(q, t);
        Symmetrize(gram, _l);
        (double[] values, double[] w) = SymmetricEigen.Decompose(gram, _l);
        return new EigenPairs(values[..r], Rotate(q, w, r), r);
    }

    /// <summary>
    /// The top <paramref name="rank"/> singular triplets of a general B, given B·x and Bᵀ·x, as
    /// B_r = U·W with U = U_r (n x r) and W = Σ_r V_rᵀ (r x n), and the singular values.
    /// </summary>
    public (float[] U, float[] W, double[] Singular) TopSingular(BlockProduct b, BlockProduct bt, int rank, int iterations, Action<double>? progress = null)
    {
        int r = Math.Min(rank, _l);
        var x = StartBlock();
        var y = new float[x.Length];
        var q = new double[x.Length];
        var t = new double[x.Length];
        int steps = 2 * iterations + 2, done = 0;
        progress?.Invoke(0);
        b(x, y, _l);
        progress?.Invoke((double)++done / steps);
        for (int pass = 0; pass < iterations; pass++)
        {
            Orthonormalize(y, x, ref q, ref t);
            bt(x, y, _l);
            Orthonormalize(y, x, ref q, ref t);
            b(x, y, _l);
            done += 2;
            progress?.Invoke((double)done / steps);
        }
        OrthonormalizeDouble(y, ref q, ref t);
        ToFloat(q, x);
        bt(x, y, _l);
        progress?.Invoke((double)++done / steps);
        // B ≈ Q·C with C = Qᵀ B = Zᵀ, Z = Bᵀ Q; C Cᵀ = Zᵀ Z = W Σ² Wᵀ gives B_r = (Q W_r)(Z W_r)ᵀ.
        double[] z = t;
        ToDouble(y, z);
        double[] s = Gram(z, z);
        Symmetrize(s, _l);
        (double[] values, double[] w) = SymmetricEigen.Decompose(s, _l);
        var uf = new float[(long)_n * r];
        ToFloat(Rotate(q, w, r), uf);
        double[] zw = Rotate(z, w, r);
        var wf = new float[(long)r * _n];
        for (int i = 0; i < _n; i++)
        {
            for (int k = 0; k < r; k++)
                wf[(long)k * _n + i] = (float)zw[(long)i * r + k];
        }
        var singular = new double[r];
        for (int k = 0; k < r; k++)
            singular[k] = Math.Sqrt(Math.Max(0, values[k]));
        return (uf, wf, singular);
    }

    private float[] StartBlock()
    {
        var rng = new Xoshiro256((long)_seed);
        var x = new float[(long)_n * _l];
        for (long i = 0; i < x.Length; i++)
            x[i] = (float)(2 * rng.NextDouble() - 1);
        return x;
    }

    /// <summary>
    /// A basis of the columns of y into <paramref name="into"/>, for the next power pass: one
    /// Cholesky QR pass is enough there (the pass only has to keep the columns from collapsing onto
    /// the top vector); the final basis, whose orthonormality the Rayleigh-Ritz step relies on, gets two.
    /// </summary>
    private void Orthonormalize(float[] y, float[] into, ref double[] q, ref double[] scratch)
    {
        ToDouble(y, q);
        CholeskyQrPass(ref q, ref scratch);
        ToFloat(q, into);
    }

    /// <summary>An orthonormal basis of the columns of y (n x l), in double, into q.</summary>
    private void OrthonormalizeDouble(float[] y, ref double[] q, ref double[] scratch)
    {
        ToDouble(y, q);
        bool shifted = CholeskyQrPass(ref q, ref scratch);
        CholeskyQrPass(ref q, ref scratch);
        if (shifted)
            CholeskyQrPass(ref q, ref scratch);
    }

    /// <summary>
    /// q ← q·R⁻¹ with RᵀR = qᵀq (columns equilibrated first), through <paramref name="scratch"/>
    /// (the two swap). Returns whether a shift was needed.
    /// </summary>
    private unsafe bool CholeskyQrPass(ref double[] q, ref double[] scratch)
    {
        int l = _l;
        double[] s = Gram(q, q);
        var scale = new double[l];
        for (int i = 0; i < l; i++)
            scale[i] = s[i * l + i] > 0 ? 1 / Math.Sqrt(s[i * l + i]) : 1;
        for (int i = 0; i < l; i++)
        {
            for (int j = 0; j < l; j++)
                s[i * l + j] *= scale[i] * scale[j];
            if (s[i * l + i] == 0)
                s[i * l + i] = 1; // an all-zero column: its basis vector is arbitrary, the shift below supplies one
        }
        bool shifted = false;
        double[]? linv = InverseFactor(s, l, 0);
        if (linv is null)
        {
            shifted = true;
            double[] again = Gram(q, q);
            for (int i = 0; i < l; i++)
            {
                for (int j = 0; j < l; j++)
                    again[i * l + j] *= scale[i] * scale[j];
                if (again[i * l + i] == 0)
                    again[i * l + i] = 1;
            }
            linv = InverseFactor(again, l, 1e-10 * l) ?? throw new ArithmeticException("Cholesky QR broke down even with a shift");
        }
        // q·D·L⁻ᵀ: fold D into the rows of L⁻ᵀ, i.e. column i of L⁻¹ times scale_i.
        for (int i = 0; i < l; i++)
        {
            for (int j = 0; j <= i; j++)
                linv[i * l + j] *= scale[j];
        }
        Array.Clear(scratch);
        fixed (double* a = q)
        fixed (double* b = linv)
        fixed (double* c = scratch)
            _gemm.Multiply(_n, l, l, 1.0, a, l, 1, b, 1, l, c, l);
        (q, scratch) = (scratch, q);
        return shifted;
    }

    /// <summary>aᵀ·b for two n x l blocks: l x l.</summary>
    private unsafe double[] Gram(double[] a, double[] b)
    {
        int l = _l;
        var s = new double[l * l];
        fixed (double* ap = a)
        fixed (double* bp = b)
        fixed (double* sp = s)
            _gemm.Multiply(l, l, _n, 1.0, ap, 1, l, bp, l, 1, sp, l);
        return s;
    }

    /// <summary>The first r columns of q·w, where w holds eigenvectors as rows: n x r.</summary>
    private unsafe double[] Rotate(double[] q, double[] w, int r)
    {
        int l = _l;
        var result = new double[(long)_n * r];
        fixed (double* a = q)
        fixed (double* b = w)
        fixed (double* c = result)
            _gemm.Multiply(_n, r, l, 1.0, a, l, 1, b, 1, l, c, r);
        return result;
    }

    /// <summary>L⁻¹ (upper part zero) with L Lᵀ = s + shift·I, on the engine's blocked potrf and trtri; null when a pivot is not positive.</summary>
    private unsafe double[]? InverseFactor(double[] s, int l, double shift)
    {
        using var a = new DenseMatrix<double>(l);
        for (int i = 0; i < l; i++)
        {
            s.AsSpan(i * l, l).CopyTo(a.Row(i));
            a[i, i] += shift;
        }
        try
        {
            _gemm.InverseCholeskyFactor(a.Data, l, (nint)a.Stride);
        }
        catch (NotPositiveDefiniteException)
        {
            return null;
        }
        var inv = new double[l * l];
        for (int i = 0; i < l; i++)
            a.Row(i)[..(i + 1)].CopyTo(inv.AsSpan(i * l, i + 1));
        return inv;
    }

    private static void Symmetrize(double[] t, int l)
    {
        for (int i = 0; i < l; i++)
        {
            for (int j = 0; j < i; j++)
                t[i * l + j] = t[j * l + i] = 0.5 * (t[i * l + j] + t[j * l + i]);
        }
    }

    private static void ToDouble(float[] x, double[] into) =>
        System.Numerics.Tensors.TensorPrimitives.ConvertChecked<float, double>(x, into);

    private static void ToFloat(double[] x, float[] into) =>
        System.Numerics.Tensors.TensorPrimitives.ConvertTruncating<double, float>(x, into);

    public void Dispose() => _gemm.Dispose();
}

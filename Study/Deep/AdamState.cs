using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Ease.Study.Deep;

/// <summary>
/// Adam (Kingma and Ba) in the form of TensorFlow's AdamOptimizer, which the reference trains with:
/// m ← β1·m + (1 − β1)·g, v ← β2·v + (1 − β2)·g², w ← w − lr·√(1 − β2ᵗ)/(1 − β1ᵗ)·m/(√v + ε).
/// Every parameter is updated every step (the first layer's gradient is dense in the reference, which
/// feeds X as a dense matrix), so rows of items absent from a batch still decay their moments.
/// </summary>
internal sealed class AdamState
{
    public const float Beta1 = 0.9f, Beta2 = 0.999f, Epsilon = 1e-8f;

    public AdamState(long length)
    {
        M = Pinned.Floats(length);
        V = Pinned.Floats(length);
    }

    public float[] M { get; }

    public float[] V { get; }

    /// <summary>lr·√(1 − β2ᵗ)/(1 − β1ᵗ) for 1-based step t.</summary>
    public static float StepSize(float lr, long t) => (float)(lr * Math.Sqrt(1 - Math.Pow(0.999, t)) / (1 - Math.Pow(0.9, t)));

    /// <summary>
    /// One update of w[range] from g[range] + l2x2·w (the penalty's gradient), clearing g for the next batch
    /// in the same pass. Returns Σ w² before the update (the penalty for the loss report, read for free here).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static double Update(Span<float> w, Span<float> g, Span<float> m, Span<float> v, float l2x2, float stepSize)
    {
        int n = w.Length;
        if (g.Length != n || m.Length != n || v.Length != n) throw new ArgumentException("Adam spans differ in length.");
        ref float rw = ref MemoryMarshal.GetReference(w);
        ref float rg = ref MemoryMarshal.GetReference(g);
        ref float rm = ref MemoryMarshal.GetReference(m);
        ref float rv = ref MemoryMarshal.GetReference(v);
        var b1 = new Vector<float>(Beta1);
        var b2 = new Vector<float>(Beta2);
        var c1 = new Vector<float>(1 - Beta1);
        var c2 = new Vector<float>(1 - Beta2);
        var eps = new Vector<float>(Epsilon);
        var lr = new Vector<float>(stepSize);
        var decay = new Vector<float>(l2x2);
        double squares = 0;
        int i = 0;
        int width = Vector<float>.Count;
        // Σw² is accumulated in float lanes over blocks of 4096 elements, then in double, so that the
        // penalty of tens of millions of weights keeps its digits.
        while (i + width <= n)
        {
            var acc = Vector<float>.Zero;
            int blockEnd = Math.Min(n - width, i + 4096);
            for (; i <= blockEnd; i += width)
            {
                nuint o = (nuint)i;
                var wv = Vector.LoadUnsafe(ref rw, o);
                var gv = Vector.LoadUnsafe(ref rg, o) + decay * wv;
                var mv = b1 * Vector.LoadUnsafe(ref rm, o) + c1 * gv;
                var vv = b2 * Vector.LoadUnsafe(ref rv, o) + c2 * gv * gv;
                acc += wv * wv;
                mv.StoreUnsafe(ref rm, o);
                vv.StoreUnsafe(ref rv, o);
                (wv - lr * mv / (Vector.SquareRoot(vv) + eps)).StoreUnsafe(ref rw, o);
                Vector<float>.Zero.StoreUnsafe(ref rg, o);
            }
            squares += Vector.Sum(acc);
        }
        for (; i < n; i++)
        {
            float wi = Unsafe.Add(ref rw, i);
            float gi = Unsafe.Add(ref rg, i) + l2x2 * wi;
            float mi = Beta1 * Unsafe.Add(ref rm, i) + (1 - Beta1) * gi;
            float vi = Beta2 * Unsafe.Add(ref rv, i) + (1 - Beta2) * gi * gi;
            squares += (double)wi * wi;
            Unsafe.Add(ref rm, i) = mi;
            Unsafe.Add(ref rv, i) = vi;
            Unsafe.Add(ref rw, i) = wi - stepSize * mi / (MathF.Sqrt(vi) + Epsilon);
            Unsafe.Add(ref rg, i) = 0;
        }
        return squares;
    }
}

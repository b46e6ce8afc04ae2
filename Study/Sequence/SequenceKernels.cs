using System.Numerics;
using System.Runtime.CompilerServices;
using Ease.Engine.Synthetic;

namespace Ease.Study.Sequence;

/// <summary>
/// The row-wise pieces of the transformer that are not matrix products: LayerNorm and RMSNorm, causal attention of
/// one sequence and head, rotary positions, the activations, dropout masks. Each works on a range of rows so the
/// caller can split rows over the thread team; partial sums of gains and biases go to per-thread buffers.
/// </summary>
internal static unsafe class SequenceKernels
{
    public const float NormEpsilon = 1e-6f;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Dot(float* a, float* b, int n)
    {
        int i = 0;
        var acc = Vector<float>.Zero;
        for (; i + Vector<float>.Count <= n; i += Vector<float>.Count)
            acc += Unsafe.ReadUnaligned<Vector<float>>(a + i) * Unsafe.ReadUnaligned<Vector<float>>(b + i);
        float s = Vector.Sum(acc);
        for (; i < n; i++)
            s += a[i] * b[i];
        return s;
    }

    /// <summary>y += α·x.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Axpy(float alpha, float* x, float* y, int n)
    {
        int i = 0;
        var va = new Vector<float>(alpha);
        for (; i + Vector<float>.Count <= n; i += Vector<float>.Count)
            Unsafe.WriteUnaligned(y + i, Unsafe.ReadUnaligned<Vector<float>>(y + i) + va * Unsafe.ReadUnaligned<Vector<float>>(x + i));
        for (; i < n; i++)
            y[i] += alpha * x[i];
    }

    /// <summary>
    /// Rows [begin, end) of y = γ∘x̂ (+ β), x̂ = (x − μ)/σ (LayerNorm, <paramref name="bias"/> non-null) or x/rms(x)
    /// (RMSNorm, bias null); stats[2r] = μ (0 for RMSNorm), stats[2r + 1] = 1/σ.
    /// </summary>
    public static void NormForward(float* x, float* y, float* stats, float* gain, float* bias, int d, int begin, int end)
    {
        for (int r = begin; r < end; r++)
        {
            float* xr = x + (long)r * d, yr = y + (long)r * d;
            float mean = 0;
            if (bias != null)
            {
                for (int j = 0; j < d; j++) mean += xr[j];
                mean /= d;
            }
            float var = 0;
            for (int j = 0; j < d; j++)
            {
                float c = xr[j] - mean;
                var += c * c;
            }
            float rstd = 1f / MathF.Sqrt(var / d + NormEpsilon);
            stats[2 * r] = mean;
            stats[2 * r + 1] = rstd;
            for (int j = 0; j < d; j++)
                yr[j] = gain[j] * (xr[j] - mean) * rstd + (bias != null ? bias[j] : 0f);
        }
    }

    /// <summary>
    /// Rows [begin, end): dx += ∂/∂x of the norm given dy; dGain (and dBias) accumulate into the thread's partials.
    /// LayerNorm: dx = (g − mean g − x̂·mean(g∘x̂))/σ; RMSNorm: dx = (g − x̂·mean(g∘x̂))/rms, g = γ∘dy.
    /// </summary>
    public static void NormBackward(float* x, float* dy, float* dx, float* stats, float* gain, bool layerNorm, float* dGain, float* dBias, int d, int begin, int end)
    {
        for (int r = begin; r < end; r++)
        {
            float* xr = x + (long)r * d, dyr = dy + (long)r * d, dxr = dx + (long)r * d;
            float mean = stats[2 * r], rstd = stats[2 * r + 1];
            float sumG = 0, sumGx = 0;
            for (int j = 0; j < d; j++)
            {
                float xh = (xr[j] - mean) * rstd;
                float g = gain[j] * dyr[j];
                sumG += g;
                sumGx += g * xh;
                dGain[j] += dyr[j] * xh;
                if (layerNorm) dBias[j] += dyr[j];
            }
            float mg = layerNorm ? sumG / d : 0f, mgx = sumGx / d;
            for (int j = 0; j < d; j++)
            {
                float xh = (xr[j] - mean) * rstd;
                dxr[j] += (gain[j] * dyr[j] - mg - xh * mgx) * rstd;
            }
        }
    }

    /// <summary>
    /// Causal attention of one sequence (rows [start, start + len) of the packed q|k|v rows, width 3d) and one head:
    /// p_ij = softmax_j≤i(q_i·k_j/√dh), o_i = Σ_j p_ij v_j. p is kept (len × len, row i filled to column i) for the
    /// backward pass.
    /// </summary>
    public static void AttentionForward(float* qkv, float* o, float* p, int start, int len, int d, int head, int dh)
    {
        float scale = 1f / MathF.Sqrt(dh);
        int w = 3 * d;
        for (int i = 0; i < len; i++)
        {
            float* q = qkv + (long)(start + i) * w + head * dh;
            float* pi = p + (long)i * len;
            float max = float.NegativeInfinity;
            for (int j = 0; j <= i; j++)
            {
                float s = Dot(q, qkv + (long)(start + j) * w + d + head * dh, dh) * scale;
                pi[j] = s;
                if (s > max) max = s;
            }
            float sum = 0;
            for (int j = 0; j <= i; j++)
            {
                float e = MathF.Exp(pi[j] - max);
                pi[j] = e;
                sum += e;
            }
            float inv = 1f / sum;
            float* oi = o + (long)(start + i) * d + head * dh;
            new Span<float>(oi, dh).Clear();
            for (int j = 0; j <= i; j++)
            {
                pi[j] *= inv;
                Axpy(pi[j], qkv + (long)(start + j) * w + 2 * d + head * dh, oi, dh);
            }
        }
    }

    /// <summary>
    /// The backward pass of <see cref="AttentionForward"/>: from dO, writes (not adds) this head's dq, dk, dv into
    /// the packed dq|dk|dv rows. dp_ij = dO_i·v_j, ds_ij = p_ij(dp_ij − Σ_j p_ij dp_ij), dq_i = Σ_j ds_ij k_j/√dh,
    /// dk_j = Σ_i ds_ij q_i/√dh, dv_j = Σ_i p_ij dO_i. <paramref name="row"/> holds len floats of scratch.
    /// </summary>
    public static void AttentionBackward(float* qkv, float* dO, float* p, float* dqkv, float* row, int start, int len, int d, int head, int dh)
    {
        float scale = 1f / MathF.Sqrt(dh);
        int w = 3 * d;
        for (int i = 0; i < len; i++)
        {
            float* r = dqkv + (long)(start + i) * w + head * dh;
            new Span<float>(r, dh).Clear();
            new Span<float>(r + d, dh).Clear();
            new Span<float>(r + 2 * d, dh).Clear();
        }
        for (int i = 0; i < len; i++)
        {
            float* doi = dO + (long)(start + i) * d + head * dh;
            float* pi = p + (long)i * len;
            float dot = 0;
            for (int j = 0; j <= i; j++)
            {
                float dp = Dot(doi, qkv + (long)(start + j) * w + 2 * d + head * dh, dh);
                row[j] = dp;
                dot += pi[j] * dp;
            }
            float* qi = qkv + (long)(start + i) * w + head * dh;
            float* dqi = dqkv + (long)(start + i) * w + head * dh;
            for (int j = 0; j <= i; j++)
            {
                float ds = pi[j] * (row[j] - dot) * scale;
                long rj = (long)(start + j) * w + head * dh;
                Axpy(ds, qkv + rj + d, dqi, dh);
                Axpy(ds, qi, dqkv + rj + d, dh);
                Axpy(pi[j], doi, dqkv + rj + 2 * d, dh);
            }
        }
    }

    /// <summary>
    /// Rotary positions (Su et al. 2021) on the q and k parts of rows [begin, end) of the packed q|k|v rows: each pair
    /// (2i, 2i + 1) of a head turns by pos·θ_i, θ_i = 10000^(−2i/dh). <paramref name="sign"/> −1 turns back, which is
    /// the transpose, so the same routine takes the gradient back through the rotation.
    /// </summary>
    public static void Rotate(float* qkv, int* positions, float* cos, float* sin, int d, int dh, int begin, int end, float sign)
    {
        int half = dh / 2;
        for (int r = begin; r < end; r++)
        {
            int pos = positions[r];
            float* c = cos + (long)pos * half, s = sin + (long)pos * half;
            for (int part = 0; part < 2; part++)
            {
                float* row = qkv + (long)r * 3 * d + part * d;
                for (int h = 0; h < d; h += dh)
                {
                    for (int i = 0; i < half; i++)
                    {
                        float a = row[h + 2 * i], b = row[h + 2 * i + 1];
                        float si = sign * s[i];
                        row[h + 2 * i] = a * c[i] - b * si;
                        row[h + 2 * i + 1] = a * si + b * c[i];
                    }
                }
            }
        }
    }

    /// <summary>cos and sin of pos·θ_i for pos &lt; <paramref name="positions"/>, i &lt; dh/2.</summary>
    public static (float[] Cos, float[] Sin) RotaryTables(int positions, int dh)
    {
        int half = dh / 2;
        var cos = Deep.Pinned.Floats((long)positions * half);
        var sin = Deep.Pinned.Floats((long)positions * half);
        for (int p = 0; p < positions; p++)
        {
            for (int i = 0; i < half; i++)
            {
                double angle = p * Math.Pow(10000, -2.0 * i / dh);
                cos[p * half + i] = (float)Math.Cos(angle);
                sin[p * half + i] = (float)Math.Sin(angle);
            }
        }
        return (cos, sin);
    }

    public static float Sigmoid(float x) => 1f / (1f + MathF.Exp(-x));

    /// <summary>Rows per dropout block: each block draws from its own generator.</summary>
    public const int DropoutBlockRows = 64;

    /// <summary>
    /// Inverted-dropout multipliers (0 or 1/(1 − p)) for the row blocks [blockBegin, blockEnd) of 64 rows of width d
    /// (of <paramref name="rows"/> rows). Each block draws from a generator seeded by (seed, block), so the mask does
    /// not depend on how the blocks are split over threads.
    /// </summary>
    public static void DropoutMask(float* mask, int d, float p, ulong seed, int rows, int blockBegin, int blockEnd)
    {
        float keep = 1f / (1f - p);
        uint threshold = (uint)(p * 65536.0);
        for (int b = blockBegin; b < blockEnd; b++)
        {
            var rng = new Xoshiro256(unchecked((long)(seed * 0x9E3779B97F4A7C15UL + (ulong)b * 0xBF58476D1CE4E5B9UL + 1)));
            int lo = b * DropoutBlockRows, hi = Math.Min(lo + DropoutBlockRows, rows);
            long total = (long)(hi - lo) * d;
            float* m = mask + (long)lo * d;
            ulong bits = 0;
            for (long i = 0; i < total; i++)
            {
                if ((i & 3) == 0) bits = rng.NextUInt64();
                m[i] = (uint)(bits & 0xFFFF) < threshold ? 0f : keep;
                bits >>= 16;
            }
        }
    }
}

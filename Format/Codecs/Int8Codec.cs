using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Ease.Format;

/// <summary>
/// int8 weights with one float32 scale per row: q = round(w / s), s = max |w| / 127, decoded as
/// q x s. Symmetric, so zero stays exactly zero and the sign of every weight that does not round
/// to zero survives; the largest weight of each row is exact.
/// </summary>
internal static class Int8Codec
{
    /// <summary>The row's scale: its largest magnitude over 127 (0 for an all-zero row).</summary>
    public static float Scale(ReadOnlySpan<float> values)
    {
        float max = values.IsEmpty ? 0 : System.Numerics.Tensors.TensorPrimitives.MaxMagnitude(values);
        return Math.Abs(max) / 127f;
    }

    /// <summary>Quantizes a row with <paramref name="scale"/> (from <see cref="Scale"/>).</summary>
    public static void Encode(ReadOnlySpan<float> values, float scale, Span<sbyte> destination)
    {
        float inverse = scale > 0 ? 1f / scale : 0f;
        for (int i = 0; i < values.Length; i++)
            destination[i] = (sbyte)Math.Clamp(MathF.Round(values[i] * inverse, MidpointRounding.ToEven), -127f, 127f);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float DecodeScalar(sbyte q, float scale) => q * scale;

    public static void Decode(SimdLevel level, ReadOnlySpan<sbyte> source, float scale, Span<float> destination)
    {
        ref sbyte s = ref MemoryMarshal.GetReference(source);
        ref float d = ref MemoryMarshal.GetReference(destination);
        int n = source.Length, i = 0;
        if (level == SimdLevel.Vector512)
        {
            var vs = Vector512.Create(scale);
            for (; i + 32 <= n; i += 32)
            {
                // 32 bytes widen to 32 shorts, then to two vectors of 16 ints.
                Vector512<short> w = Vector512.WidenLower(Vector256.LoadUnsafe(ref s, (nuint)i).ToVector512Unsafe());
                (Vector512<int> lo, Vector512<int> hi) = Vector512.Widen(w);
                (Vector512.ConvertToSingle(lo) * vs).StoreUnsafe(ref d, (nuint)i);
                (Vector512.ConvertToSingle(hi) * vs).StoreUnsafe(ref d, (nuint)(i + 16));
            }
        }
        else if (level == SimdLevel.Vector256)
        {
            var vs = Vector256.Create(scale);
            for (; i + 16 <= n; i += 16)
            {
                Vector256<short> w = Vector256.WidenLower(Vector128.LoadUnsafe(ref s, (nuint)i).ToVector256Unsafe());
                (Vector256<int> lo, Vector256<int> hi) = Vector256.Widen(w);
                (Vector256.ConvertToSingle(lo) * vs).StoreUnsafe(ref d, (nuint)i);
                (Vector256.ConvertToSingle(hi) * vs).StoreUnsafe(ref d, (nuint)(i + 8));
            }
        }
        for (; i < n; i++)
            Unsafe.Add(ref d, i) = DecodeScalar(Unsafe.Add(ref s, i), scale);
    }
}

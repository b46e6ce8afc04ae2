using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Ease.Format;

/// <summary>
/// bfloat16 weights: the upper half of a float32, so decoding is a 16-bit shift and exact;
/// encoding rounds the dropped half to nearest even. Same range as float32, 8 bits of precision.
/// </summary>
internal static class BFloat16Codec
{
    /// <summary>The nearest bfloat16; false when it would not be finite.</summary>
    public static bool TryEncode(float value, out ushort bits)
    {
        uint f = BitConverter.SingleToUInt32Bits(value);
        f += 0x7FFFu + ((f >> 16) & 1);
        bits = (ushort)(f >> 16);
        return IsFinite(bits) && float.IsFinite(value);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsFinite(ushort bits) => (bits & 0x7F80) != 0x7F80;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float DecodeScalar(ushort bits) => BitConverter.UInt32BitsToSingle((uint)bits << 16);

    public static void Decode(SimdLevel level, ReadOnlySpan<ushort> source, Span<float> destination)
    {
        ref ushort s = ref MemoryMarshal.GetReference(source);
        ref float d = ref MemoryMarshal.GetReference(destination);
        int n = source.Length, i = 0;
        if (level == SimdLevel.Vector512)
        {
            for (; i + 32 <= n; i += 32)
            {
                (Vector512<uint> lo, Vector512<uint> hi) = Vector512.Widen(Vector512.LoadUnsafe(ref s, (nuint)i));
                (lo << 16).AsSingle().StoreUnsafe(ref d, (nuint)i);
                (hi << 16).AsSingle().StoreUnsafe(ref d, (nuint)(i + 16));
            }
        }
        else if (level == SimdLevel.Vector256)
        {
            for (; i + 16 <= n; i += 16)
            {
                (Vector256<uint> lo, Vector256<uint> hi) = Vector256.Widen(Vector256.LoadUnsafe(ref s, (nuint)i));
                (lo << 16).AsSingle().StoreUnsafe(ref d, (nuint)i);
                (hi << 16).AsSingle().StoreUnsafe(ref d, (nuint)(i + 8));
            }
        }
        for (; i < n; i++)
            Unsafe.Add(ref d, i) = DecodeScalar(Unsafe.Add(ref s, i));
    }
}

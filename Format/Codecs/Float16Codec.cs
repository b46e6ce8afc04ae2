using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Ease.Format;

/// <summary>
/// IEEE binary16 weights. Encoding rounds to nearest even (the runtime's float to Half
/// conversion). Decoding is exact for every finite half: the vector paths rebuild the float32
/// bits with integer operations (exponent rebias; subnormals through one float subtraction),
/// since the files never hold infinities or NaNs (the validator refuses them).
/// </summary>
internal static class Float16Codec
{
    /// <summary>Largest finite float16.</summary>
    public const float MaxValue = 65504f;

    /// <summary>The half nearest <paramref name="value"/>; false when it would not be finite.</summary>
    public static bool TryEncode(float value, out ushort bits)
    {
        Half h = (Half)value;
        bits = BitConverter.HalfToUInt16Bits(h);
        return Half.IsFinite(h);
    }

    /// <summary>Whether the stored bits are a finite half.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsFinite(ushort bits) => (bits & 0x7C00) != 0x7C00;

    public static float DecodeScalar(ushort bits) => (float)BitConverter.UInt16BitsToHalf(bits);

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
                Convert(lo).StoreUnsafe(ref d, (nuint)i);
                Convert(hi).StoreUnsafe(ref d, (nuint)(i + 16));
            }
        }
        else if (level == SimdLevel.Vector256)
        {
            for (; i + 16 <= n; i += 16)
            {
                (Vector256<uint> lo, Vector256<uint> hi) = Vector256.Widen(Vector256.LoadUnsafe(ref s, (nuint)i));
                Convert(lo).StoreUnsafe(ref d, (nuint)i);
                Convert(hi).StoreUnsafe(ref d, (nuint)(i + 8));
            }
        }
        for (; i < n; i++)
            Unsafe.Add(ref d, i) = DecodeScalar(Unsafe.Add(ref s, i));
    }

    // Exponent and mantissa move up 13 bits and the exponent is rebiased by 127 - 15. A zero
    // exponent (zero or subnormal) instead gets the bias of 2^-14 plus one, and subtracting
    // 2^-14 as a float leaves exactly mantissa x 2^-24.
    private const uint Rebias = (127 - 15) << 23;
    private const uint SubnormalMagic = 113u << 23; // 2^-14 as float32 bits

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Convert(Vector512<uint> h)
    {
        Vector512<uint> em = (h & Vector512.Create(0x7FFFu)) << 13;
        Vector512<uint> normal = em + Vector512.Create(Rebias);
        Vector512<float> sub = (em + Vector512.Create(Rebias + (1u << 23))).AsSingle() - Vector512.Create(SubnormalMagic).AsSingle();
        Vector512<uint> isSub = Vector512.Equals(em & Vector512.Create(0x7C00u << 13), Vector512<uint>.Zero);
        Vector512<uint> bits = Vector512.ConditionalSelect(isSub, sub.AsUInt32(), normal);
        return (bits | ((h & Vector512.Create(0x8000u)) << 16)).AsSingle();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Convert(Vector256<uint> h)
    {
        Vector256<uint> em = (h & Vector256.Create(0x7FFFu)) << 13;
        Vector256<uint> normal = em + Vector256.Create(Rebias);
        Vector256<float> sub = (em + Vector256.Create(Rebias + (1u << 23))).AsSingle() - Vector256.Create(SubnormalMagic).AsSingle();
        Vector256<uint> isSub = Vector256.Equals(em & Vector256.Create(0x7C00u << 13), Vector256<uint>.Zero);
        Vector256<uint> bits = Vector256.ConditionalSelect(isSub, sub.AsUInt32(), normal);
        return (bits | ((h & Vector256.Create(0x8000u)) << 16)).AsSingle();
    }
}

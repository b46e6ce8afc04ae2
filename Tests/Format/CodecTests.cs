using Ease.Format;

namespace Ease.Tests.Format;

/// <summary>
/// Every decoder at every SIMD width the machine has, against an independent scalar reference
/// (the runtime's Half conversion, a shift, a multiply), over every length 0 to 130 so that
/// vector bodies and scalar tails both run, and every finite float16 bit pattern.
/// </summary>
public class CodecTests
{
    public static IEnumerable<object[]> Levels() =>
        Enum.GetValues<SimdLevel>().Where(SimdLevels.IsSupported).Select(l => new object[] { l });

    [Theory]
    [MemberData(nameof(Levels))]
    internal void Float16DecodesEveryFiniteHalfExactly(SimdLevel level)
    {
        ushort[] all = [.. Enumerable.Range(0, 1 << 16).Select(i => (ushort)i).Where(h => (h & 0x7C00) != 0x7C00)];
        var decoded = new float[all.Length];
        Float16Codec.Decode(level, all, decoded);
        for (int i = 0; i < all.Length; i++)
        {
            float expected = (float)BitConverter.UInt16BitsToHalf(all[i]);
            if (BitConverter.SingleToUInt32Bits(decoded[i]) != BitConverter.SingleToUInt32Bits(expected))
                Assert.Fail($"{level}: half 0x{all[i]:X4} decoded to {decoded[i]}, expected {expected}");
        }
    }

    [Theory]
    [MemberData(nameof(Levels))]
    internal void EveryDecoderMatchesItsReferenceAtEveryLength(SimdLevel level)
    {
        var rng = new Random(5);
        for (int n = 0; n <= 130; n++)
        {
            // Offsets into a larger buffer: unaligned starts, and bytes past the end must stay untouched.
            ushort[] halves = [.. Enumerable.Range(0, n + 3).Select(_ => (ushort)(rng.Next(0, 1 << 16) & 0xBBFF))];
            ushort[] bf = [.. Enumerable.Range(0, n + 3).Select(_ => (ushort)(rng.Next(0, 1 << 16) & 0xBF7F))];
            sbyte[] q = [.. Enumerable.Range(0, n + 3).Select(_ => (sbyte)rng.Next(-128, 128))];
            ushort[] cols = [.. Enumerable.Range(0, n + 3).Select(_ => (ushort)rng.Next(0, 1 << 16))];
            float scale = (float)rng.NextDouble() * 0.01f;

            var f = new float[n + 1];
            f[n] = 42;
            Float16Codec.Decode(level, halves.AsSpan(1, n), f.AsSpan(0, n));
            for (int i = 0; i < n; i++)
                Assert.Equal((float)BitConverter.UInt16BitsToHalf(halves[i + 1]), f[i]);
            Assert.Equal(42, f[n]);

            BFloat16Codec.Decode(level, bf.AsSpan(1, n), f.AsSpan(0, n));
            for (int i = 0; i < n; i++)
                Assert.Equal(BitConverter.UInt32BitsToSingle((uint)bf[i + 1] << 16), f[i]);
            Assert.Equal(42, f[n]);

            Int8Codec.Decode(level, q.AsSpan(1, n), scale, f.AsSpan(0, n));
            for (int i = 0; i < n; i++)
                Assert.Equal(q[i + 1] * scale, f[i]);
            Assert.Equal(42, f[n]);

            var c = new int[n + 1];
            c[n] = -7;
            UInt16ColumnCodec.Decode(level, cols.AsSpan(1, n), c.AsSpan(0, n));
            for (int i = 0; i < n; i++)
                Assert.Equal(cols[i + 1], c[i]);
            Assert.Equal(-7, c[n]);
        }
    }

    [Fact]
    public void BFloat16RoundsToNearestEven()
    {
        Assert.True(BFloat16Codec.TryEncode(1f, out ushort one));
        Assert.Equal(0x3F80, one);
        // 1 + 2^-8 is exactly halfway between 1 and 1 + 2^-7: the even one (1) wins.
        Assert.True(BFloat16Codec.TryEncode(1f + 1f / 256, out ushort tie));
        Assert.Equal(0x3F80, tie);
        // 1 + 3 x 2^-8 is halfway between 1 + 2^-7 (odd) and 1 + 2^-6 (even).
        Assert.True(BFloat16Codec.TryEncode(1f + 3f / 256, out ushort tieUp));
        Assert.Equal(0x3F82, tieUp);
        Assert.True(BFloat16Codec.TryEncode(-0.1f, out ushort negative));
        Assert.Equal(-0.10009765625f, BFloat16Codec.DecodeScalar(negative));
        Assert.False(BFloat16Codec.TryEncode(float.MaxValue, out _)); // rounds up to infinity
    }

    [Fact]
    public void Int8QuantizesSymmetricallyWithTheLargestWeightExact()
    {
        float[] w = [0.5f, -1.27f, 0.004f, 0.006f, 0f];
        float scale = Int8Codec.Scale(w);
        Assert.Equal(1.27f / 127, scale);
        var q = new sbyte[w.Length];
        Int8Codec.Encode(w, scale, q);
        Assert.Equal(new sbyte[] { 50, -127, 0, 1, 0 }, q);
        Assert.Equal(0f, Int8Codec.Scale([]));
    }
}

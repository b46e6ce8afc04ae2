using System.Text;
using Ease.Format;

namespace Ease.Tests.Format;

public class Crc32CTests
{
    [Fact]
    public void StandardCheckValue() => Assert.Equal(0xE3069283u, Crc32C.Compute(Encoding.ASCII.GetBytes("123456789")));

    [Fact]
    public void MatchesBitwiseDefinitionAtEveryLengthAndSplit()
    {
        var random = new Random(3);
        var data = new byte[300];
        random.NextBytes(data);
        for (int length = 0; length <= data.Length; length++)
        {
            uint expected = Bitwise(data.AsSpan(0, length));
            Assert.Equal(expected, Crc32C.Compute(data.AsSpan(0, length)));
            int split = length / 3;
            uint state = Crc32C.Append(Crc32C.InitialState, data.AsSpan(0, split));
            Assert.Equal(expected, Crc32C.Finish(Crc32C.Append(state, data.AsSpan(split, length - split))));
        }
    }

    // The textbook definition: reflected polynomial 0x82F63B78, one bit at a time.
    private static uint Bitwise(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in data)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++)
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0x82F63B78u : crc >> 1;
        }
        return ~crc;
    }
}

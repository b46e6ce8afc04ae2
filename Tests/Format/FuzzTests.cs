using Ease.Format;
using Ease.Tests.Support;

namespace Ease.Tests.Format;

/// <summary>
/// Thousands of seeded random mutations of a valid file. Each must either open (and then every
/// accessor must stay inside the mapping) or be refused with a ModelFormatException.
/// </summary>
public class FuzzTests
{
    [Theory]
    [InlineData(1, 1500, false)]
    [InlineData(2, 1500, true)]
    public void RandomMutationsNeverEscapeTheFormatException(int seed, int iterations, bool fixHeaderCrc)
    {
        using var dir = new TempDirectory();
        string goodPath = dir.File("good.ease");
        RandomModels.Create(30, 6, seed).Write(goodPath);
        byte[] good = File.ReadAllBytes(goodPath);
        var random = new Random(seed);
        string path = dir.File("fuzz.ease");
        int refused = 0;
        for (int it = 0; it < iterations; it++)
        {
            byte[] bytes = Mutate(good, random);
            if (fixHeaderCrc && bytes.Length >= 64)
            {
                // Reach the checks behind the header checksum too.
                var mb = new ModelBytes(bytes);
                if (mb.HeaderSize <= bytes.Length && mb.HeaderSize >= 64)
                    mb.FixHeaderCrc();
            }
            File.WriteAllBytes(path, bytes);
            try
            {
                using ModelFile m = ModelFile.Open(path);
                Exercise(m);
                m.Verify();
            }
            catch (ModelFormatException)
            {
                refused++;
            }
        }
        Assert.True(refused > iterations / 2, $"only {refused} of {iterations} mutations were refused");
    }

    private static byte[] Mutate(byte[] good, Random random)
    {
        byte[] b = (byte[])good.Clone();
        switch (random.Next(6))
        {
            case 0: // flip random bits
                for (int k = random.Next(1, 9); k > 0; k--)
                    b[random.Next(b.Length)] ^= (byte)(1 << random.Next(8));
                return b;
            case 1: // truncate
                return b[..random.Next(b.Length)];
            case 2: // overwrite a header or table word with a random or extreme value
            {
                int at = random.Next(0, Math.Min(b.Length, 64 + 32 * 8) / 4) * 4;
                uint v = random.Next(3) switch { 0 => uint.MaxValue, 1 => 0, _ => (uint)random.Next() };
                BitConverter.TryWriteBytes(b.AsSpan(at), v);
                return b;
            }
            case 3: // random bytes over a run
            {
                int at = random.Next(b.Length);
                int len = Math.Min(b.Length - at, random.Next(1, 64));
                random.NextBytes(b.AsSpan(at, len));
                return b;
            }
            case 4: // append junk
                return [.. b, .. Enumerable.Range(0, random.Next(1, 100)).Select(_ => (byte)random.Next(256))];
            default: // swap two 8-byte words
            {
                int x = random.Next(b.Length / 8) * 8, y = random.Next(b.Length / 8) * 8;
                for (int k = 0; k < 8; k++)
                    (b[x + k], b[y + k]) = (b[y + k], b[x + k]);
                return b;
            }
        }
    }

    private static void Exercise(ModelFile m)
    {
        double sum = 0;
        for (int i = 0; i < m.ItemCount; i++)
        {
            m.GetRow(i, out ReadOnlySpan<int> cols, out ReadOnlySpan<float> vals);
            for (int j = 0; j < cols.Length; j++)
            {
                Assert.InRange(cols[j], 0, m.ItemCount - 1);
                sum += vals[j];
            }
            m.TryFindItem(m.ItemIdUtf8(i), out _);
            _ = m.ItemId(i);
        }
        m.TryFindItem("not-there", out _);
        _ = m.Popularity.Length + m.MetadataJson.Length;
        Assert.True(double.IsFinite(sum));
    }
}

using Ease.Format;
using Ease.Engine.Scoring;

namespace Ease.Tests.Scoring;

internal static class ScoringAssert
{
    /// <summary>Same rows in the same order with bit-identical scores.</summary>
    public static void Same(ReadOnlySpan<ScoredItem> expected, ReadOnlySpan<ScoredItem> actual, string context)
    {
        if (expected.Length != actual.Length)
            Assert.Fail($"{context}: expected {expected.Length} results, got {actual.Length}\n expected {Show(expected)}\n actual   {Show(actual)}");
        for (int i = 0; i < expected.Length; i++)
        {
            if (expected[i].Row != actual[i].Row || BitConverter.SingleToInt32Bits(expected[i].Score) != BitConverter.SingleToInt32Bits(actual[i].Score))
                Assert.Fail($"{context}: result {i} differs\n expected {Show(expected)}\n actual   {Show(actual)}");
        }
    }

    private static string Show(ReadOnlySpan<ScoredItem> items)
    {
        var parts = new List<string>();
        foreach (ScoredItem s in items)
            parts.Add($"{s.Row}:{s.Score:R}");
        return string.Join(" ", parts);
    }

    /// <summary>Every dense SIMD path (plain and tiled), the touched-sparse strategy and the automatic choice.</summary>
    public static IEnumerable<object[]> Paths() =>
        Enum.GetValues<SimdLevel>().Where(SimdLevels.IsSupported).Select(l => new object[] { l, ScoringStrategy.DenseScan })
            .Concat(Enum.GetValues<SimdLevel>().Where(SimdLevels.IsSupported).Select(l => new object[] { l, ScoringStrategy.TiledDense }))
            .Append([SimdLevels.Best, ScoringStrategy.TouchedSparse])
            .Append([SimdLevel.Scalar, ScoringStrategy.TouchedSparse])
            .Append([SimdLevels.Best, ScoringStrategy.Auto]);
}

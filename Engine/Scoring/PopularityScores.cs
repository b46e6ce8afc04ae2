using System.Runtime.Intrinsics;

namespace Ease.Engine.Scoring;

/// <summary>Cold-start scores: training popularity (users per item) as floats.</summary>
internal static class PopularityScores
{
    /// <remarks>
    /// Counts above 2^24 round to the nearest representable float; two such items may then tie
    /// and fall back to the lower-row-first rule. Popularity counts that large do not occur in
    /// practice for recommendation training sets.
    /// </remarks>
    public static void Fill(ReadOnlySpan<uint> popularity, Span<float> scores)
    {
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; i + 16 <= popularity.Length; i += 16)
                Vector512.ConvertToSingle(Vector512.Create(popularity.Slice(i, 16))).CopyTo(scores.Slice(i, 16));
        }
        for (; i < popularity.Length; i++)
            scores[i] = popularity[i];
    }
}

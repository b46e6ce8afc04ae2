namespace Ease.Engine.Scoring;

/// <summary>One recommended item: its row in the model and its score (sum of history rows of B).</summary>
public readonly record struct ScoredItem(int Row, float Score)
{
    /// <summary>
    /// The ranking order: higher score first, ties broken by lower row first, so results are
    /// deterministic whatever the strategy or SIMD width that produced them.
    /// </summary>
    internal static bool IsWorse(float score, int row, float otherScore, int otherRow) =>
        score < otherScore || (score == otherScore && row > otherRow);
}

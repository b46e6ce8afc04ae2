namespace Ease.Engine.Training.Sparse;

/// <summary>
/// The items each item is restricted to on the sparse path: a target's regressors for EASE, a
/// row's columns for a graph filter. <see cref="NeighborLists"/> is the one the solvers build;
/// tests hand in others (every item) to compare with the dense operator.
/// </summary>
internal interface ICandidateLists
{
    int ItemCount { get; }

    /// <summary>n + 1 cumulative candidate counts.</summary>
    long[] CandidateOffsets { get; }

    /// <summary>The candidates of <paramref name="item"/>, never the item itself.</summary>
    ReadOnlySpan<int> CandidatesOf(int item);
}

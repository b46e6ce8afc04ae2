using System.Numerics;

namespace Ease.Engine.Training;

/// <summary>
/// The rows of an item × item operator, produced one at a time for pruning and writing: EASE's
/// B from P held in place, a graph filter's dense matrix, or a blend of the two. Every family of
/// model reaches the file through the same pruning and writer by way of this.
/// </summary>
public interface IWeightRows<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    /// <summary>n, the number of items.</summary>
    int Size { get; }

    /// <summary>Writes row <paramref name="i"/> (diagonal 0) into <paramref name="row"/>; <paramref name="scratch"/> holds n elements of T.</summary>
    void Compute(int i, Span<float> row, Span<T> scratch);
}

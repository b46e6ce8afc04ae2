namespace Ease.Engine.Scoring;

/// <summary>How a call accumulates and selects; <see cref="Auto"/> picks by the history's size.</summary>
internal enum ScoringStrategy
{
    /// <summary>Touched-sparse when the history's rows hold few weights, tiled dense otherwise.</summary>
    Auto = 0,

    /// <summary>Scatter-add into the dense buffer, SIMD threshold scan over every item (<see cref="DenseThresholdSelection"/>).</summary>
    DenseScan = 1,

    /// <summary>Cache-blocked dense: accumulate, select and clear one L1-sized tile of items at a time (<see cref="TiledDenseScoring"/>).</summary>
    TiledDense = 3,

    /// <summary>Scatter-add recording touched items, select over those, then untouched zeros (<see cref="TouchedSparseSelection"/>).</summary>
    TouchedSparse = 2,
}

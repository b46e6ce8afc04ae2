using Ease.Engine.Evaluation;
using Ease.Engine.Linalg;

namespace Ease.Study;

/// <summary>
/// A rank-r item-item model B = U·W (U: n x r, W: r x n), scored without forming B: a user's
/// scores are (Σ over history items i of row i of U)·W, one GEMM per batch of users. The best
/// rank-r approximation of EASE's B is U = U_r, W = Σ_r V_rᵀ; a rank-r linear autoencoder is
/// U = V_r, W = diag(w)·V_rᵀ.
/// </summary>
public sealed class LowRankScorer : IBatchScorer, IDisposable
{
    private readonly float[] _u;
    private readonly float[] _w;
    private readonly DenseGemm<float> _gemm;

    /// <param name="itemCount">n.</param>
    /// <param name="rank">r.</param>
    /// <param name="u">U, n x r row-major.</param>
    /// <param name="w">W, r x n row-major.</param>
    /// <param name="parameters">The model's own parameter count (its factors, not U and W as stored here).</param>
    /// <param name="threads">GEMM threads; 0 = all cores.</param>
    public LowRankScorer(int itemCount, int rank, float[] u, float[] w, long parameters, int threads)
    {
        ArgumentNullException.ThrowIfNull(u);
        ArgumentNullException.ThrowIfNull(w);
        if (u.Length != (long)itemCount * rank || w.Length != (long)itemCount * rank)
            throw new ArgumentException($"factors of a rank-{rank} model of {itemCount} items need {(long)itemCount * rank} entries each");
        ItemCount = itemCount;
        Rank = rank;
        Parameters = parameters;
        _u = u;
        _w = w;
        _gemm = new DenseGemm<float>(threads);
    }

    public int ItemCount { get; }
    public int Rank { get; }
    public long Parameters { get; }

    /// <summary>Weight (i, j) of the model: row i of U times column j of W.</summary>
    public float Weight(int i, int j)
    {
        double s = 0;
        for (int q = 0; q < Rank; q++)
            s += (double)_u[(long)i * Rank + q] * _w[(long)q * ItemCount + j];
        return (float)s;
    }

    public unsafe void ScoreBatch(ReadOnlySpan<int> historyOffsets, ReadOnlySpan<int> historyRows, Span<float> scores)
    {
        int users = historyOffsets.Length - 1, n = ItemCount, r = Rank;
        if (scores.Length < (long)users * n)
            throw new ArgumentException($"scores hold {scores.Length} floats, {users} users need {(long)users * n}", nameof(scores));
        var h = new float[(long)users * r];
        for (int u = 0; u < users; u++)
        {
            Span<float> hu = h.AsSpan(u * r, r);
            for (int p = historyOffsets[u]; p < historyOffsets[u + 1]; p++)
                System.Numerics.Tensors.TensorPrimitives.Add(hu, _u.AsSpan((int)((long)historyRows[p] * r), r), hu);
        }
        Span<float> c = scores[..(users * n)];
        c.Clear();
        fixed (float* hp = h)
        fixed (float* wp = _w)
        fixed (float* cp = c)
            _gemm.Multiply(users, n, r, 1f, hp, r, 1, wp, n, 1, cp, n);
    }

    public void Dispose() => _gemm.Dispose();
}

using System.Numerics;
using Ease.Engine.Linalg;

namespace Ease.Engine.Evaluation;

/// <summary>
/// Scores a dense item-item model whose rows are a column-scaled copy of a matrix held in memory:
/// B_ij = f(s_j · M_ij) for i ≠ j, with f the identity or max(·, 0), and B_ii = d (plus s_i · M_ii
/// when the diagonal keeps its scaled term). One inverse P = (G + λI)⁻¹ held once then gives three
/// models without another n x n buffer: EASE (s_j = −1/P_jj, B_ii = 0), the unconstrained ridge
/// solution I − λP (s_j = −λ, B_ii = 1 − λP_ii) and EASE with its negative weights removed
/// (f = max(·, 0)). A user's scores are the sum of the rows
/// of B of their history items, as in the model-file scorer.
/// </summary>
public sealed class DenseRowScorer : IBatchScorer
{
    private readonly DenseMatrix<float> _m;
    private readonly float[] _scale;
    private readonly float _diagonal;
    private readonly bool _clip;
    private readonly bool _keepDiagonal;
    private readonly int _threads;

    /// <param name="matrix">M, n x n; read only, and must outlive the scorer.</param>
    /// <param name="columnScale">s, n entries.</param>
    /// <param name="diagonal">d: the model's own weight of an item on itself, or what is added to s_i · M_ii.</param>
    /// <param name="keepScaledDiagonal">Whether B_ii = d + s_i · M_ii rather than d.</param>
    /// <param name="clipNegative">Whether off-diagonal weights below zero are set to zero.</param>
    /// <param name="threads">Users scored in parallel; 0 = all cores.</param>
    public DenseRowScorer(DenseMatrix<float> matrix, float[] columnScale, float diagonal, bool keepScaledDiagonal, bool clipNegative, int threads)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        ArgumentNullException.ThrowIfNull(columnScale);
        if (columnScale.Length != matrix.Size)
            throw new ArgumentException($"{columnScale.Length} column scales for {matrix.Size} items", nameof(columnScale));
        _m = matrix;
        _scale = columnScale;
        _diagonal = diagonal;
        _clip = clipNegative;
        _keepDiagonal = keepScaledDiagonal;
        _threads = threads > 0 ? threads : Environment.ProcessorCount;
    }

    public int ItemCount => _m.Size;

    /// <summary>Off-diagonal weight (i, j) of the model, for checks.</summary>
    public float Weight(int i, int j) => i != j ? Apply(_scale[j] * _m[i, j]) : _diagonal + (_keepDiagonal ? _scale[j] * _m[i, j] : 0);

    private float Apply(float x) => _clip ? Math.Max(x, 0f) : x;

    public void ScoreBatch(ReadOnlySpan<int> historyOffsets, ReadOnlySpan<int> historyRows, Span<float> scores)
    {
        int users = historyOffsets.Length - 1;
        int n = _m.Size;
        if (scores.Length < (long)users * n)
            throw new ArgumentException($"scores hold {scores.Length} floats, {users} users need {(long)users * n}", nameof(scores));
        int[] offsets = historyOffsets.ToArray();
        int[] rows = historyRows.ToArray();
        unsafe
        {
            fixed (float* output = scores)
            {
                nint address = (nint)output;
                Parallel.For(0, users, new ParallelOptions { MaxDegreeOfParallelism = _threads }, u =>
                    ScoreUser(rows.AsSpan(offsets[u], offsets[u + 1] - offsets[u]), new Span<float>((float*)address + (long)u * n, n)));
            }
        }
    }

    private void ScoreUser(ReadOnlySpan<int> history, Span<float> acc)
    {
        acc.Clear();
        if (_clip)
        {
            foreach (int i in history)
                AddClipped(_m.Row(i), _scale, acc);
        }
        else
        {
            // Without clipping the scale is per column, so it applies once to the sum of the rows.
            foreach (int i in history)
                System.Numerics.Tensors.TensorPrimitives.Add(acc, _m.Row(i), acc);
            System.Numerics.Tensors.TensorPrimitives.Multiply(acc, _scale, acc);
        }
        // The sums above took f(s_j·M_jj) for a history item j's own weight; put the model's in its place.
        foreach (int j in history)
            acc[j] += Weight(j, j) - Apply(_scale[j] * _m[j, j]);
    }

    private static void AddClipped(ReadOnlySpan<float> row, ReadOnlySpan<float> scale, Span<float> acc)
    {
        int w = Vector<float>.Count, i = 0;
        for (; i + w <= acc.Length; i += w)
        {
            var v = Vector.Max(new Vector<float>(row[i..]) * new Vector<float>(scale[i..]), Vector<float>.Zero);
            (new Vector<float>(acc[i..]) + v).CopyTo(acc[i..]);
        }
        for (; i < acc.Length; i++)
            acc[i] += Math.Max(row[i] * scale[i], 0f);
    }
}

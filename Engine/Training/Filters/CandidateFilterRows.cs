using System.Numerics.Tensors;
using Ease.Engine.Training.Sparse;

namespace Ease.Engine.Training.Filters;

/// <summary>
/// A graph filter's rows M[i, C_i] on each item's candidates C_i, with no n x n matrix:
/// M = c₁P̄ + c₂P̄² + U·Z (see <see cref="FilterOptions.Operator"/>). Per row, P̃'s row i is
/// accumulated from R̃ over the items i co-occurs with (the same walk that ranks candidates), P̄²'s
/// entries are (R̃·P̃ row i)·R̃_:j, one pass to the users and one dot per candidate, and the
/// low-pass entries are dots of U's row i with Z's columns. Every kept entry is the dense
/// operator's entry: restricting to C_i drops entries, it approximates none.
/// </summary>
internal static class CandidateFilterRows
{
    private const int BlockItems = 64;

    /// <summary>The rows M[i, C_i] of every item, columns ascending, diagonal absent (C_i never holds i).</summary>
    /// <param name="lists">The candidates of each row.</param>
    /// <param name="norm">R̃ in the filter's normalisation.</param>
    /// <param name="coefficients">c₁, c₂ of P̄ and P̄² (at most two).</param>
    /// <param name="power">s of P̄ = P̃^∘s (1 when there is a P̄² term).</param>
    /// <param name="u">U = D^-1/2 V, n x rank row-major, or null without a low-pass term.</param>
    /// <param name="zt">Zᵀ, n x rank row-major: entry (i, j) of the low-pass term is U_i·Zᵀ_j.</param>
    /// <param name="rank">r.</param>
    /// <param name="threads">Worker threads.</param>
    /// <param name="progress">Fraction of rows done.</param>
    /// <param name="ct">Cancels between blocks of rows.</param>
    public static SparseRows Build(ICandidateLists lists, NormalizedInteractions norm, double[] coefficients, double power,
        float[]? u, float[]? zt, int rank, int threads, IProgress<double>? progress, CancellationToken ct)
    {
        if (coefficients.Length is < 1 or > 2)
            throw new ArgumentException($"the sparse rows hold P̄ and P̄², not a polynomial of degree {coefficients.Length}", nameof(coefficients));
        if (coefficients.Length > 1 && power != 1)
            throw new ArgumentException("P̄² needs power 1", nameof(power));
        int n = lists.ItemCount;
        long[] offsets = lists.CandidateOffsets;
        long total = offsets[n];
        var columns = new int[total];
        var values = new float[total];
        float c1 = (float)coefficients[0], c2 = coefficients.Length > 1 ? (float)coefficients[1] : 0;
        int blocks = (n + BlockItems - 1) / BlockItems, done = 0;
        var options = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, threads), CancellationToken = ct };
        Parallel.For(0, blocks, options, () => new Scratch(n, c2 != 0 ? norm.Users : 0), (b, _, s) =>
        {
            for (int i = b * BlockItems, end = Math.Min(n, (b + 1) * BlockItems); i < end; i++)
            {
                ReadOnlySpan<int> cand = lists.CandidatesOf(i);
                Span<int> cols = columns.AsSpan((int)offsets[i], cand.Length);
                Span<float> vals = values.AsSpan((int)offsets[i], cand.Length);
                cand.CopyTo(cols);
                int reached = norm.AddGramRow(i, s.Row, s.Touched, 0);
                for (int a = 0; a < cols.Length; a++)
                    vals[a] = c1 * (power == 1 ? s.Row[cols[a]] : MathF.Pow(s.Row[cols[a]], (float)power));
                if (c2 != 0)
                {
                    // (P̃²)_ij = (R̃·P̃_i:)ᵀ R̃_:j: the row goes to the users once, then one dot per candidate.
                    s.Users.AsSpan().Clear();
                    norm.AddProjection(s.Row, s.Touched.AsSpan(0, reached), s.Users);
                    for (int a = 0; a < cols.Length; a++)
                        vals[a] += c2 * norm.ColumnDot(cols[a], s.Users);
                }
                if (u is not null)
                {
                    ReadOnlySpan<float> ui = u.AsSpan(i * rank, rank);
                    for (int a = 0; a < cols.Length; a++)
                        vals[a] += TensorPrimitives.Dot(ui, zt!.AsSpan(cols[a] * rank, rank));
                }
                foreach (int k in s.Touched.AsSpan(0, reached))
                    s.Row[k] = 0;
                // The writer takes each row's columns ascending; candidates come strongest first.
                cols.Sort(vals);
            }
            int d = Interlocked.Increment(ref done);
            if ((d & 15) == 0)
                progress?.Report((double)d / blocks);
            return s;
        }, _ => { });
        progress?.Report(1);
        return SparseRows.FromRows(offsets, columns, values);
    }

    /// <summary>Per-thread scratch: P̃'s row (n floats, all zero between rows), the items it reached, one users-long vector.</summary>
    private sealed class Scratch(int items, int users)
    {
        public readonly float[] Row = new float[items];
        public readonly int[] Touched = new int[items];
        public readonly float[] Users = new float[users];
    }
}

namespace Ease.Engine.Training.Sparse;

/// <summary>Rows of B, one after another, for the pruning writer: in memory or streamed from shard files.</summary>
internal interface ISparseRowSource
{
    int RowCount { get; }

    /// <summary>Copies row <paramref name="row"/> (columns ascending) into the buffers, growing them if needed; returns its length.</summary>
    int Read(int row, ref int[] columns, ref float[] values);
}

/// <summary>
/// The solved columns turned into rows: target j's solution holds B_ij for i in j's candidate
/// list, and the model stores rows (a history item's outgoing weights). A counting transpose;
/// walking the targets in ascending order leaves every row's columns ascending.
/// </summary>
internal sealed class SparseRows : ISparseRowSource
{
    private readonly long[] _offsets;
    private readonly int[] _columns;
    private readonly float[] _values;

    private SparseRows(long[] offsets, int[] columns, float[] values)
    {
        _offsets = offsets;
        _columns = columns;
        _values = values;
    }

    public int RowCount => _offsets.Length - 1;
    public long NonZeros => _offsets[^1];
    public long BytesAllocated => _offsets.Length * 8L + _columns.Length * 4L + _values.Length * 4L;

    public ReadOnlySpan<int> Columns(int row) => _columns.AsSpan((int)_offsets[row], (int)(_offsets[row + 1] - _offsets[row]));
    public ReadOnlySpan<float> Values(int row) => _values.AsSpan((int)_offsets[row], (int)(_offsets[row + 1] - _offsets[row]));

    public int Read(int row, ref int[] columns, ref float[] values)
    {
        ReadOnlySpan<int> c = Columns(row);
        if (columns.Length < c.Length)
        {
            columns = new int[c.Length];
            values = new float[c.Length];
        }
        c.CopyTo(columns);
        Values(row).CopyTo(values);
        return c.Length;
    }

    /// <summary>Rows already in place: row i is columns and values [offsets[i], offsets[i + 1]), columns ascending.</summary>
    public static SparseRows FromRows(long[] offsets, int[] columns, float[] values) => new(offsets, columns, values);

    /// <summary>
    /// a + γ·b row by row, each row the union of the two rows' columns (ascending, as both are):
    /// a filter's rows on its candidates blended with EASE's rows, whose columns are the targets
    /// that chose the row's item.
    /// </summary>
    public static SparseRows Sum(SparseRows a, SparseRows b, float gamma)
    {
        if (a.RowCount != b.RowCount)
            throw new ArgumentException($"{a.RowCount} rows against {b.RowCount}", nameof(b));
        int n = a.RowCount;
        long[] offsets = new long[n + 1];
        int[] columns = new int[a.NonZeros + b.NonZeros];
        float[] values = new float[columns.Length];
        long at = 0;
        for (int i = 0; i < n; i++)
        {
            ReadOnlySpan<int> ac = a.Columns(i), bc = b.Columns(i);
            ReadOnlySpan<float> av = a.Values(i), bv = b.Values(i);
            int p = 0, q = 0;
            while (p < ac.Length || q < bc.Length)
            {
                if (q == bc.Length || p < ac.Length && ac[p] < bc[q])
                {
                    (columns[at], values[at]) = (ac[p], av[p]);
                    p++;
                }
                else if (p == ac.Length || bc[q] < ac[p])
                {
                    (columns[at], values[at]) = (bc[q], gamma * bv[q]);
                    q++;
                }
                else
                {
                    (columns[at], values[at]) = (ac[p], av[p] + gamma * bv[q]);
                    p++;
                    q++;
                }
                at++;
            }
            offsets[i + 1] = at;
        }
        return new SparseRows(offsets, columns, values);
    }

    /// <summary>Rows of the targets [first, end); <paramref name="weights"/> is aligned with the lists from target <paramref name="first"/>.</summary>
    public static SparseRows FromColumns(NeighborLists lists, float[] weights, int first, int end)
    {
        int n = lists.ItemCount;
        long baseOffset = lists.CandidateOffsets[first];
        long[] offsets = new long[n + 1];
        for (int j = first; j < end; j++)
        {
            foreach (int i in lists.CandidatesOf(j))
                offsets[i + 1]++;
        }
        for (int i = 0; i < n; i++)
            offsets[i + 1] += offsets[i];
        long total = offsets[n];
        int[] columns = new int[total];
        float[] values = new float[total];
        long[] cursor = offsets[..^1];
        for (int j = first; j < end; j++)
        {
            ReadOnlySpan<int> items = lists.CandidatesOf(j);
            long at = lists.CandidateOffsets[j] - baseOffset;
            for (int a = 0; a < items.Length; a++)
            {
                long p = cursor[items[a]]++;
                columns[p] = j;
                values[p] = weights[at + a];
            }
        }
        return new SparseRows(offsets, columns, values);
    }
}

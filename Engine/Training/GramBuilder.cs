using System.Numerics;
using Ease.Engine.Input;
using Ease.Engine.Linalg;

namespace Ease.Engine.Training;

/// <summary>
/// G = XᵀX of binary interactions, exact, into a dense matrix. Row i of G is built from the users
/// of item i (each adds 1 at each of their items), so rows are independent: threads take rows,
/// never write the same cache line, and every row is written (cleared, then accumulated) once
/// while it sits in cache.
/// </summary>
public static class GramBuilder
{
    /// <summary>Fills <paramref name="gram"/> (n = item count).</summary>
    public static void Build<T>(InteractionSet data, DenseMatrix<T> gram, int threads, IProgress<double>? progress = null, CancellationToken ct = default)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(gram);
        int n = data.ItemCount;
        if (gram.Size != n)
            throw new ArgumentException($"Gram matrix is {gram.Size} x {gram.Size}, the data has {n} items");
        _ = data.UsersOf(0 < n ? 0 : throw new ArgumentException("no items")); // builds the item-major CSR once, before the threads start

        // Blocks of rows handed out dynamically: popular items cost far more than rare ones.
        const int BlockRows = 32;
        int blocks = (n + BlockRows - 1) / BlockRows;
        int done = 0;
        var options = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, threads), CancellationToken = ct };
        Parallel.For(0, blocks, options, block =>
        {
            int end = Math.Min(n, (block + 1) * BlockRows);
            for (int i = block * BlockRows; i < end; i++)
                AccumulateRow(data, i, gram.Row(i));
            int finished = Interlocked.Increment(ref done);
            if (progress is not null && finished % 64 == 0)
                progress.Report((double)finished / blocks);
        });
        progress?.Report(1);
    }

    private static void AccumulateRow<T>(InteractionSet data, int item, Span<T> row)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        row.Clear();
        foreach (int user in data.UsersOf(item))
        {
            foreach (int j in data.ItemsOf(user))
                row[j] += T.One;
        }
    }
}

using System.Globalization;
using Ease.Engine.Input;
using Ease.Engine.Linalg;
using Ease.Engine.Training.Sparse;

namespace Ease.Engine.Training;

/// <summary>
/// What each solver needs in memory, and the choice between them: dense when its n x n buffer
/// (plus the input) fits the budget, else sparse. Estimates are upper bounds.
/// </summary>
public static class MemoryBudget
{
    /// <summary>Memory the machine has available now (Linux MemAvailable; else the GC's view of the limit).</summary>
    public static long Available()
    {
        try
        {
            foreach (string line in File.ReadLines("/proc/meminfo"))
            {
                if (line.StartsWith("MemAvailable:", StringComparison.Ordinal))
                {
                    string[] parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    return long.Parse(parts[1], CultureInfo.InvariantCulture) * 1024;
                }
            }
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
    }

    /// <summary>The budget of a run: the option, or what is available.</summary>
    public static long Limit(TrainOptions o) => o.MemoryLimitBytes > 0 ? o.MemoryLimitBytes : Available();

    /// <summary>Bytes the dense solver needs beyond the loaded input: one n x n matrix (two with a kept Gram).</summary>
    public static long DenseBytes(int items, Precision precision, bool keepGram = false)
    {
        long stride = precision == Precision.Float64 ? DenseMatrix<double>.ChooseStride(items) : DenseMatrix<float>.ChooseStride(items);
        long matrix = (long)items * stride * (precision == Precision.Float64 ? 8 : 4);
        return matrix + (keepGram ? (long)items * DenseMatrix<float>.ChooseStride(items) * 4 : 0);
    }

    /// <summary>
    /// Bytes the sparse solver needs beyond the loaded input, at most: the neighbour lists
    /// (<paramref name="gramNeighbors"/> per item), the solved weights and their transposed rows
    /// (<paramref name="neighbors"/> per item), and per thread an n-long counter set and one local
    /// system.
    /// </summary>
    public static long SparseBytes(int items, int neighbors, int gramNeighbors, int threads)
    {
        int m = Math.Min(neighbors, Math.Max(0, items - 1));
        long entries = (long)items * m;
        long perThread = items * 20L + (long)m * m * 4 + (4L << 20);
        return NeighborLists.PeakBytes(items, Math.Max(gramNeighbors, neighbors)) + entries * 4 + entries * 8 + items * 16L + threads * perThread;
    }

    /// <summary>Bytes the loaded input takes (CSR both ways, popularity; ids estimated at 40 bytes each).</summary>
    public static long InputBytes(InteractionSet data) =>
        data.InteractionCount * 8 + (data.UserCount + data.ItemCount) * 48L;

    /// <summary>Resolves <see cref="SolverKind.Auto"/> and checks the chosen solver fits; throws one line naming the memory needed.</summary>
    public static SolverKind Choose(InteractionSet data, TrainOptions o)
    {
        long limit = Limit(o);
        long input = InputBytes(data);
        long dense = DenseBytes(data.ItemCount, o.Precision) + input;
        long sparse = SparseBytes(data.ItemCount, o.EffectiveNeighbors(data.ItemCount), o.EffectiveGramNeighbors(data.ItemCount), o.EffectiveThreads) + input;
        SolverKind kind = o.Solver;
        if (kind == SolverKind.Auto)
            kind = o.ShardCount == 1 && dense <= limit ? SolverKind.Dense : SolverKind.Sparse;
        long need = kind == SolverKind.Dense ? dense : sparse;
        if (need > limit)
        {
            string hint = kind == SolverKind.Dense
                ? $"; --solver sparse needs about {Format(sparse)}"
                : "; use fewer --neighbors or more memory";
            throw new InsufficientMemoryException(
                $"the {(kind == SolverKind.Dense ? "dense" : "sparse")} solver needs about {Format(need)} for {data.ItemCount:N0} items, " +
                $"over the memory limit of {Format(limit)}{hint}");
        }
        return kind;
    }

    internal static string Format(long bytes) => bytes switch
    {
        >= 1L << 30 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 30):0.00} GiB"),
        >= 1L << 20 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 20):0.0} MiB"),
        // Small limits (--memory-limit 1K) and needs must not both read "0.0 MiB".
        >= 1L << 10 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 10):0.0} KiB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes} bytes"),
    };
}

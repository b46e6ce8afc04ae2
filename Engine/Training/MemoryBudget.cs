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

    /// <summary>
    /// Share of the machine's available memory that <see cref="SolverKind.Auto"/> lets the dense
    /// solver take: the rest stays for the page cache (the model is written through it) and for
    /// other processes. An explicit --memory-limit is taken whole.
    /// </summary>
    public const double AutoDenseShare = 0.6;

    /// <summary>Auto takes the dense solver only while its predicted time is at most this, or at most <see cref="AutoTimeRatio"/> times the sparse solver's.</summary>
    public const double AutoDenseSeconds = 600;

    public const double AutoTimeRatio = 10;

    /// <summary>Resolves <see cref="SolverKind.Auto"/> and checks the chosen solver fits; throws one line naming the memory needed.</summary>
    public static SolverKind Choose(InteractionSet data, TrainOptions o) => Decide(data, o).Kind;

    /// <summary>
    /// The solver for a run and why, in one line. Auto takes dense when its n x n matrix fits
    /// <see cref="AutoDenseShare"/> of available memory (or the whole explicit limit) and its n³
    /// solve, predicted from the GEMM rate measured here, takes at most <see cref="AutoDenseSeconds"/>
    /// or <see cref="AutoTimeRatio"/> times the sparse solve; else sparse. Throws when the chosen
    /// solver does not fit.
    /// </summary>
    public static SolverChoice Decide(InteractionSet data, TrainOptions o)
    {
        long limit = Limit(o);
        long input = InputBytes(data);
        int m = o.EffectiveNeighbors(data.ItemCount);
        long dense, sparse;
        if (o.Filter is { } filter)
        {
            dense = Filters.GraphFilterTrainer.DenseBytes(data.ItemCount, filter) + input;
            sparse = Filters.SparseFilterTrainer.PeakBytes(data.ItemCount, data.UserCount, data.InteractionCount, m, o.EffectiveGramNeighbors(data.ItemCount), filter, o.EffectiveThreads) + input;
        }
        else
        {
            dense = DenseBytes(data.ItemCount, o.Precision) + input;
            sparse = SparseBytes(data.ItemCount, m, o.EffectiveGramNeighbors(data.ItemCount), o.EffectiveThreads) + input;
        }
        // A filter without a sparse path (Turbo-CF's cubic) stays dense under auto.
        string? noSparse = o.Filter?.SparseRefusal;
        SolverKind kind = o.Solver;
        string reason;
        double denseSeconds = 0, sparseSeconds = 0, gflops = 0;
        if (kind == SolverKind.Auto)
        {
            long denseRoom = o.MemoryLimitBytes > 0 ? limit : (long)(AutoDenseShare * limit);
            string room = o.MemoryLimitBytes > 0 ? $"the memory limit of {Format(limit)}" : $"{AutoDenseShare:P0} of the {Format(limit)} available";
            if (o.ShardCount > 1)
            {
                (kind, reason) = (SolverKind.Sparse, "sharded runs are sparse");
            }
            else if (noSparse is not null)
            {
                (kind, reason) = (SolverKind.Dense, $"{o.Filter!.DisplayName} is built densely only");
            }
            else if (dense > denseRoom)
            {
                (kind, reason) = (SolverKind.Sparse, $"the dense solver needs {Format(dense)}, over {room}");
            }
            else
            {
                gflops = MeasureGflops(o.Precision, o.EffectiveThreads);
                double n = data.ItemCount;
                // Factor + inversion cost n³ flops at about the GEMM rate; the sparse solver's n
                // local m x m systems cost about n·m³ and run near a quarter of it (small blocks).
                denseSeconds = n * n * n / (gflops * 1e9);
                sparseSeconds = n * Math.Pow(Math.Min(m, n), 3) / (gflops * 0.25e9);
                if (denseSeconds <= AutoDenseSeconds || denseSeconds <= AutoTimeRatio * sparseSeconds)
                    (kind, reason) = (SolverKind.Dense, $"the dense solver needs {Format(dense)} (within {room}) and about {Duration(denseSeconds)} at {gflops:0} GFLOP/s");
                else
                    (kind, reason) = (SolverKind.Sparse, $"the dense solver would take about {Duration(denseSeconds)} at {gflops:0} GFLOP/s, the sparse about {Duration(sparseSeconds)}");
            }
        }
        else
        {
            reason = $"--solver {(kind == SolverKind.Dense ? "dense" : "sparse")}";
        }
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
        return new SolverChoice(kind, reason, need, limit, denseSeconds, sparseSeconds, gflops);
    }

    /// <summary>GFLOP/s of the engine's GEMM on this machine now: one 768³ product after a warm-up (a few milliseconds).</summary>
    private static unsafe double MeasureGflops(Precision precision, int threads)
    {
        const int N = 768;
        if (precision == Precision.Float64)
            return Probe<double>();
        return Probe<float>();

        double Probe<T>() where T : unmanaged, System.Numerics.IBinaryFloatingPointIeee754<T>
        {
            using var gemm = new DenseGemm<T>(threads);
            var a = new T[N * N];
            var c = new T[N * N];
            a.AsSpan().Fill(T.One);
            double best = double.MaxValue;
            fixed (T* ap = a)
            fixed (T* cp = c)
            {
                for (int round = 0; round < 3; round++)
                {
                    var watch = System.Diagnostics.Stopwatch.StartNew();
                    gemm.Multiply(N, N, N, T.One, ap, N, 1, ap, N, 1, cp, N);
                    best = Math.Min(best, watch.Elapsed.TotalSeconds);
                }
            }
            return 2.0 * N * N * N / best / 1e9;
        }
    }

    private static string Duration(double seconds) => seconds switch
    {
        < 90 => string.Create(CultureInfo.InvariantCulture, $"{seconds:0} s"),
        < 5400 => string.Create(CultureInfo.InvariantCulture, $"{seconds / 60:0.#} min"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{seconds / 3600:0.#} h"),
    };

    internal static string Format(long bytes) => bytes switch
    {
        >= 1L << 30 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 30):0.00} GiB"),
        >= 1L << 20 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 20):0.0} MiB"),
        // Small limits (--memory-limit 1K) and needs must not both read "0.0 MiB".
        >= 1L << 10 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 10):0.0} KiB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes} bytes"),
    };
}

/// <summary>Which solver a run uses and why; under auto, the predictions it weighed (0 when not measured).</summary>
public sealed record SolverChoice(SolverKind Kind, string Reason, long NeedBytes, long LimitBytes, double PredictedDenseSeconds, double PredictedSparseSeconds, double MeasuredGflops);

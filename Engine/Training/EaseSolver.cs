using System.Diagnostics;
using System.Numerics;
using System.Text.Json.Nodes;
using Ease.Engine.Input;
using Ease.Engine.Linalg;
using Ease.Format;

namespace Ease.Engine.Training;

/// <summary>What writing one pruned model from a solved P cost and kept.</summary>
public sealed record ModelWriteReport(long NonZeros, double KeptWeightMass, float Threshold, double ThresholdSeconds, double WriteSeconds, long FileBytes);

/// <summary>
/// The stages of training, for callers that reuse them: the Gram matrix is built once; each
/// <see cref="Solve"/> turns it into P for one (λ, dropout); each <see cref="Write"/> prunes and
/// writes one model from the current P. With <c>keepGram</c> a float32 copy of G (its counts are
/// exact integers) lets Solve run again for another λ without rebuilding G.
/// </summary>
public abstract class EaseSolver : IDisposable
{
    public static EaseSolver Create(InteractionSet data, Precision precision, int threads, bool keepGram,
        IProgress<TrainProgress>? progress = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.ItemCount == 0 || data.InteractionCount == 0)
            throw new InvalidDataException("the input holds no interactions; nothing to train on");
        int t = threads > 0 ? threads : Environment.ProcessorCount;
        return precision == Precision.Float64
            ? new EaseSolver<double>(data, t, keepGram, progress, ct)
            : new EaseSolver<float>(data, t, keepGram, progress, ct);
    }

    public abstract double GramSeconds { get; }
    public abstract long MatrixBytes { get; }

    /// <summary>P = (G + λI + p/(1−p)·diag G)⁻¹ in place.</summary>
    public abstract SpdInverseReport Solve(double lambda, double dropout, IProgress<TrainProgress>? progress = null, CancellationToken ct = default);

    /// <summary>Prunes B from the current P as <paramref name="options"/> says and writes the model.</summary>
    public abstract ModelWriteReport Write(string path, TrainOptions options, JsonObject? metadata = null, IProgress<TrainProgress>? progress = null, CancellationToken ct = default);

    public abstract void Dispose();
}

internal sealed class EaseSolver<T> : EaseSolver where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly InteractionSet _data;
    private readonly int _threads;
    private readonly DenseMatrix<T> _matrix;
    private DenseMatrix<float>? _gram;
    private bool _holdsGram;
    private bool _solved;

    public EaseSolver(InteractionSet data, int threads, bool keepGram, IProgress<TrainProgress>? progress, CancellationToken ct)
    {
        _data = data;
        _threads = threads;
        _matrix = new DenseMatrix<T>(data.ItemCount);
        try
        {
            var watch = Stopwatch.StartNew();
            GramBuilder.Build(data, _matrix, threads, EaseTrainer.Report(progress, "gram"), ct);
            if (keepGram)
            {
                _gram = new DenseMatrix<float>(data.ItemCount);
                for (int i = 0; i < data.ItemCount; i++)
                    CopyRow(_matrix.Row(i), _gram.Row(i));
            }
            GramSeconds = watch.Elapsed.TotalSeconds;
            _holdsGram = true;
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public override double GramSeconds { get; }
    public override long MatrixBytes => _matrix.BytesAllocated + (_gram?.BytesAllocated ?? 0);

    /// <summary>The working matrix: G until <see cref="Solve"/>, then P (the study reads P in place).</summary>
    internal DenseMatrix<T> Matrix => _matrix;

    /// <summary>The float32 copy of G kept with keepGram, else null.</summary>
    internal DenseMatrix<float>? KeptGram => _gram;

    /// <summary>Whether <see cref="Matrix"/> holds P.</summary>
    internal bool IsSolved => _solved;

    public override SpdInverseReport Solve(double lambda, double dropout, IProgress<TrainProgress>? progress, CancellationToken ct)
    {
        new TrainOptions { Lambda = lambda, Dropout = dropout }.Validate();
        if (!_holdsGram)
        {
            if (_gram is null)
                throw new InvalidOperationException("the Gram matrix was not kept; create the solver with keepGram to solve more than once");
            for (int i = 0; i < _data.ItemCount; i++)
                CopyRow(_gram.Row(i), _matrix.Row(i));
            _holdsGram = true;
        }
        EaseTrainer.AddRidge(_matrix, _data.ItemPopularity, new TrainOptions { Lambda = lambda, Dropout = dropout });
        _holdsGram = false;
        _solved = false;
        IProgress<SpdInverseProgress>? inverseProgress = progress is null ? null
            : new SynchronousProgress<SpdInverseProgress>(p => progress.Report(new TrainProgress(p.Phase, p.Fraction)));
        SpdInverseReport report = SpdInverse.InvertInPlace(_matrix, _threads, inverseProgress, ct);
        _solved = true;
        return report;
    }

    public override ModelWriteReport Write(string path, TrainOptions o, JsonObject? metadata, IProgress<TrainProgress>? progress, CancellationToken ct)
    {
        if (!_solved)
            throw new InvalidOperationException("call Solve before Write");
        return EaseTrainer.WriteModel(new EaseRows<T>(_matrix), _data, o, metadata, path, _threads, progress, ct);
    }

    private static void CopyRow<TFrom, TTo>(ReadOnlySpan<TFrom> from, Span<TTo> to)
        where TFrom : unmanaged, INumberBase<TFrom>
        where TTo : unmanaged, INumberBase<TTo>
    {
        for (int j = 0; j < from.Length; j++)
            to[j] = TTo.CreateTruncating(from[j]);
    }

    public override void Dispose()
    {
        _matrix.Dispose();
        _gram?.Dispose();
        _gram = null;
    }
}

using System.Runtime.InteropServices;
using BenchmarkDotNet.Attributes;
using Ease.Engine.Scoring;
using Ease.Engine.Training;
using Ease.Format;

namespace Ease.Benchmarks.Scoring;

/// <summary>
/// What one stored weight costs at each step of scoring, in ns per weight (each operation is
/// <see cref="Weights"/> weights): the floor any scorer built on scatter-adds stands on.
/// <list type="bullet">
/// <item><c>ScatterIntoL1Tile</c>: decoded weights added into a 4,096-item (16 KB) score tile
/// that stays in L1: the add itself, with nothing else in the way.</item>
/// <item><c>ScatterIntoScoreVector</c>: the same weights into the whole score vector (one float
/// per item: 152 KB at 38,048 items, L2-resident), as the scorer does it.</item>
/// <item><c>DecodeRows</c>: real history rows read from the model and decoded into a one-row
/// scratch, next row prefetched, as the scorer does it: the cost of getting the bytes.</item>
/// <item><c>SelectAndClear</c>, per call, not per weight: the top-20 threshold scan over every
/// item of a score vector holding one batch's sums, then the clear of a score vector, as each
/// user's call ends.</item>
/// </list>
/// The score vector of the scatters is never cleared (a few thousand additions of small weights stay finite);
/// clearing is part of selection, benchmarked with the whole call by RecommendLatencyBenchmarks.
/// </summary>
[Config(typeof(ScoringBenchmarkConfig))]
public class ScoringFloorBenchmarks
{
    private const int Weights = 1 << 15;
    private const int Batches = 64;
    private ModelFile _model = null!;
    private ScoreBuffer _scores = null!;
    private float[] _tile = null!;
    private int[][] _columns = null!;
    private int[][] _tileColumns = null!;
    private float[][] _values = null!;
    private int[][] _rowBatches = null!;
    private int[] _scratchColumns = null!;
    private float[] _scratchValues = null!;
    private ScoreBuffer _selectScores = null!;
    private ScoreBuffer _clearScores = null!;
    private readonly ScoredItem[] _results = new ScoredItem[20];
    private int _next;
    private int _nextRows;

    /// <summary>f32, or a compact encoding of the same model (converted once, cached in the temp dir).</summary>
    [Params("f32", "f16", "i8")]
    public string Values { get; set; } = "f32";

    [GlobalSetup]
    public void Setup()
    {
        _model = OpenEncoded(Values);
        _scores = new ScoreBuffer(_model.ItemCount);
        _tile = GC.AllocateArray<float>(4096, pinned: true);
        _scratchColumns = new int[_model.MaxRowLength];
        _scratchValues = new float[_model.MaxRowLength];
        int[][] histories = BenchmarkData.RealHistories(_model)
            ?? BenchmarkData.YelpLikeHistories(_model.ItemCount, 4096, seed: 39);
        // Batches of whole history rows, Weights weights or just over each, taken user after user
        // through every history: DecodeRows cycles over all of them, so it reads rows across the
        // whole model from memory as a stream of users does. The scatters need only a few batches.
        var batches = new List<int[]>();
        var rows = new List<int>();
        long weights = 0;
        foreach (int[] h in histories)
        {
            foreach (int row in h)
            {
                rows.Add(row);
                weights += _model.RowLength(row);
                if (weights >= Weights)
                {
                    batches.Add([.. rows]);
                    rows.Clear();
                    weights = 0;
                }
            }
        }
        _rowBatches = [.. batches];
        _columns = new int[Batches][];
        _tileColumns = new int[Batches][];
        _values = new float[Batches][];
        for (int b = 0; b < Batches; b++)
        {
            var columns = new List<int>();
            var values = new List<float>();
            foreach (int row in _rowBatches[b % _rowBatches.Length])
            {
                var c = new int[_model.RowLength(row)];
                var v = new float[c.Length];
                _model.ReadRow(row, c, v);
                columns.AddRange(c);
                values.AddRange(v);
            }
            _columns[b] = [.. columns.Take(Weights)];
            _values[b] = [.. values.Take(Weights)];
            _tileColumns[b] = [.. _columns[b].Select(c => c & 4095)];
        }
        _selectScores = new ScoreBuffer(_model.ItemCount);
        _clearScores = new ScoreBuffer(_model.ItemCount);
        SparseRowAccumulation.Add(ref _selectScores.Start, _columns[0], _values[0]);
    }

    private static ModelFile OpenEncoded(string values)
    {
        ModelFile source = BenchmarkData.OpenModel(BenchmarkData.WeightsPerRowValues().Max());
        if (values == "f32")
            return source;
        if (!ModelEncoding.TryParse(values, out WeightType type))
            throw new ArgumentException($"unknown encoding {values}");
        string path = Path.Combine(Path.GetTempPath(), $"ease-bench-floor-{Path.GetFileNameWithoutExtension(source.FilePath)}-{values}.ease");
        if (!File.Exists(path))
            ModelPruner.Rewrite(source, null, ModelEncoding.For(type, source.ItemCount), path);
        source.Dispose();
        return ModelFile.Open(path);
    }

    [Benchmark(OperationsPerInvoke = Weights)]
    public void ScatterIntoL1Tile()
    {
        int b = Next();
        SparseRowAccumulation.Add(ref MemoryMarshal.GetArrayDataReference(_tile), _tileColumns[b], _values[b]);
    }

    [Benchmark(OperationsPerInvoke = Weights)]
    public void ScatterIntoScoreVector()
    {
        int b = Next();
        SparseRowAccumulation.Add(ref _scores.Start, _columns[b], _values[b]);
    }

    /// <summary>Per weight of the batch's rows (just over <see cref="Weights"/>; the difference is under one row).</summary>
    [Benchmark(OperationsPerInvoke = Weights)]
    public int DecodeRows()
    {
        int[] rows = _rowBatches[_nextRows];
        _nextRows = _nextRows + 1 == _rowBatches.Length ? 0 : _nextRows + 1;
        int sum = 0;
        for (int i = 0; i < rows.Length; i++)
        {
            if (i + 1 < rows.Length)
            {
                EncodedRow next = _model.GetEncodedRow(rows[i + 1]);
                next.Prefetch(0, next.Length);
            }
            EncodedRow row = _model.GetEncodedRow(rows[i]);
            row.Decode(SimdLevels.Best, 0, _scratchColumns.AsSpan(0, row.Length), _scratchValues.AsSpan(0, row.Length));
            sum += _scratchColumns[0];
        }
        return sum;
    }

    [Benchmark]
    public int SelectAndClear()
    {
        var heap = new TopKHeap(_results);
        DenseThresholdSelection.Select(SimdLevels.Best, _selectScores, null, ref heap);
        _clearScores.Items.Clear();
        return heap.Count;
    }

    private int Next()
    {
        int b = _next;
        _next = b + 1 == Batches ? 0 : b + 1;
        return b;
    }

    [GlobalCleanup]
    public void Cleanup() => _model.Dispose();
}

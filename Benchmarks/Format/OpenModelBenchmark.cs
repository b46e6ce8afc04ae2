using BenchmarkDotNet.Attributes;
using Ease.Format;

namespace Ease.Benchmarks.Format;

/// <summary>
/// Opening a model maps it and runs the open-time validation (header, sections, row offsets,
/// a parallel SIMD pass over column indices and values). Measured on a ~1 GB model with the
/// shape of a yelp2018 model (38,048 items), freshly written, so the file is in the page cache.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 2, iterationCount: 10)]
public class OpenModelBenchmark
{
    private string _path = "";

    [Params(38_048)]
    public int Items { get; set; }

    /// <summary>Weights per row: 3,400 gives 38,048 x 3,400 x 8 bytes = 1.03 GB.</summary>
    [Params(3_400)]
    public int RowLength { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _path = Path.Combine(Path.GetTempPath(), $"ease-open-bench-{Items}-{RowLength}.ease");
        if (File.Exists(_path))
            return;
        var random = new Random(1);
        var columns = new int[RowLength];
        var values = new float[RowLength];
        int step = Items / RowLength;
        using ModelFileWriter writer = ModelFileWriter.Create(_path, Items);
        for (int row = 0; row < Items; row++)
        {
            // Columns spread evenly with a per-row phase; the diagonal moves to a free neighbour.
            int phase = row % step;
            for (int j = 0; j < RowLength; j++)
            {
                int c = j * step + phase;
                columns[j] = c != row ? c : phase + 1 < step ? c + 1 : c - 1;
                values[j] = (float)(random.NextDouble() - 0.3);
            }
            writer.AppendRow(columns, values);
        }
        writer.SetItemIds([.. Enumerable.Range(0, Items).Select(i => "item" + i)]);
        writer.Commit();
    }

    [Benchmark(Description = "ModelFile.Open + Dispose, 1 GB")]
    public int OpenAndDispose()
    {
        using ModelFile model = ModelFile.Open(_path);
        return model.ItemCount;
    }

    [GlobalCleanup]
    public void Cleanup() => File.Delete(_path);
}

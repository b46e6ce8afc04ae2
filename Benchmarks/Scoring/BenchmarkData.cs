using Ease.Format;

namespace Ease.Benchmarks.Scoring;

/// <summary>
/// The model and user histories the scoring benchmarks run on. With EASE_BENCH_MODEL (a model
/// file) and EASE_BENCH_HISTORY (adjacency lines "user item item ...", ids as in the model) set,
/// the real ones; otherwise a synthetic model shaped like yelp2018 (38,048 items) pruned to a
/// given number of weights per row, cached in the temp dir (every benchmark process reuses it).
/// </summary>
internal static class BenchmarkData
{
    public const int SyntheticItems = 38_048;
    public static string? ModelPath => Environment.GetEnvironmentVariable("EASE_BENCH_MODEL");
    public static string? HistoryPath => Environment.GetEnvironmentVariable("EASE_BENCH_HISTORY");
    public static bool UsesRealData => !string.IsNullOrEmpty(ModelPath);

    /// <summary>Weights-per-row values to run: 0 stands for "the model file from EASE_BENCH_MODEL".</summary>
    public static IEnumerable<int> WeightsPerRowValues() => UsesRealData ? [0] : [100, 1000];

    public static ModelFile OpenModel(int weightsPerRow) =>
        weightsPerRow == 0 ? ModelFile.Open(ModelPath!) : ModelFile.Open(SyntheticModelPath(weightsPerRow));

    /// <summary>Real histories (rows of known ids; users with none dropped), or null without EASE_BENCH_HISTORY.</summary>
    public static int[][]? RealHistories(ModelFile model)
    {
        if (string.IsNullOrEmpty(HistoryPath))
            return null;
        var users = new List<int[]>();
        var rows = new List<int>();
        foreach (string line in File.ReadLines(HistoryPath))
        {
            string[] parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            rows.Clear();
            for (int i = 1; i < parts.Length; i++)
            {
                if (model.TryFindItem(parts[i].AsSpan(), out int row))
                    rows.Add(row);
            }
            if (rows.Count > 0)
                users.Add([.. rows]);
        }
        return [.. users];
    }

    /// <summary>Synthetic histories of a fixed length, distinct random rows.</summary>
    public static int[][] FixedLengthHistories(int itemCount, int length, int users, int seed)
    {
        var rng = new Random(seed);
        return [.. Enumerable.Range(0, users).Select(_ => DistinctRows(rng, itemCount, length))];
    }

    /// <summary>Synthetic histories with a yelp2018-like length spread (mean about 39, long tail).</summary>
    public static int[][] YelpLikeHistories(int itemCount, int users, int seed)
    {
        var rng = new Random(seed);
        return [.. Enumerable.Range(0, users).Select(_ =>
        {
            // Exponential-ish with a floor of 10, as in the 10-core yelp2018 split.
            int length = Math.Min(itemCount, 10 + (int)(-29 * Math.Log(1 - rng.NextDouble())));
            return DistinctRows(rng, itemCount, length);
        })];
    }

    private static int[] DistinctRows(Random rng, int itemCount, int length)
    {
        var set = new HashSet<int>();
        while (set.Count < Math.Min(length, itemCount))
            set.Add(rng.Next(itemCount));
        return [.. set];
    }

    public static string SyntheticModelPath(int weightsPerRow)
    {
        string path = Path.Combine(Path.GetTempPath(), $"ease-bench-synthetic-{SyntheticItems}x{weightsPerRow}-v1.ease");
        if (!File.Exists(path))
            WriteSynthetic(path, SyntheticItems, weightsPerRow, seed: 2018);
        return path;
    }

    /// <summary>Random sorted columns per row, Gaussian-ish weights, about a third negative.</summary>
    private static void WriteSynthetic(string path, int items, int weightsPerRow, int seed)
    {
        var rng = new Random(seed);
        using ModelFileWriter writer = ModelFileWriter.Create(path, items);
        var columns = new int[weightsPerRow];
        var values = new float[weightsPerRow];
        var chosen = new HashSet<int>();
        for (int r = 0; r < items; r++)
        {
            chosen.Clear();
            while (chosen.Count < weightsPerRow)
            {
                int c = rng.Next(items);
                if (c != r)
                    chosen.Add(c);
            }
            chosen.CopyTo(columns);
            Array.Sort(columns);
            for (int i = 0; i < weightsPerRow; i++)
            {
                double g = Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
                values[i] = (float)(0.02 * (Math.Abs(g) * (rng.Next(3) == 0 ? -0.5 : 1.0)));
            }
            writer.AppendRow(columns, values);
        }
        writer.SetItemIds([.. Enumerable.Range(0, items).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture))]);
        writer.SetPopularity([.. Enumerable.Range(0, items).Select(_ => (int)(1000 * Math.Pow(rng.NextDouble(), 4)))]);
        writer.SetMetadata($"{{\"synthetic\":true,\"weights_per_row\":{weightsPerRow},\"seed\":{seed}}}");
        writer.Commit();
    }
}

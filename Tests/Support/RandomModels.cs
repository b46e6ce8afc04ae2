using Ease.Format;

namespace Ease.Tests.Support;

/// <summary>A sparse matrix with ids, popularity and metadata, as a writer's input.</summary>
public sealed class SparseModel
{
    public required string[] Ids { get; init; }
    public required int[][] Columns { get; init; }
    public required float[][] Values { get; init; }
    public int[]? Popularity { get; init; }
    public string? Metadata { get; init; }

    public int ItemCount => Ids.Length;

    public void Write(string path)
    {
        using ModelFileWriter writer = ModelFileWriter.Create(path, ItemCount);
        for (int i = 0; i < ItemCount; i++)
            writer.AppendRow(Columns[i], Values[i]);
        writer.SetItemIds(Ids);
        if (Popularity is not null)
            writer.SetPopularity(Popularity);
        if (Metadata is not null)
            writer.SetMetadata(Metadata);
        writer.Commit();
    }
}

public static class RandomModels
{
    /// <summary>A seeded random model: rows of random length with sorted distinct columns, mixed-sign weights.</summary>
    public static SparseModel Create(int items, int maxRowLength, int seed, bool withPopularity = true)
    {
        var random = new Random(seed);
        var columns = new int[items][];
        var values = new float[items][];
        for (int i = 0; i < items; i++)
        {
            int length = random.Next(0, Math.Min(maxRowLength, items - 1) + 1);
            var set = new SortedSet<int>();
            while (set.Count < length)
            {
                int c = random.Next(items);
                if (c != i)
                    set.Add(c);
            }
            columns[i] = [.. set];
            values[i] = [.. set.Select(_ => (float)(random.NextDouble() * 2 - 0.7))];
        }
        string[] ids = [.. Enumerable.Range(0, items).Select(i => (i % 4) switch
        {
            0 => i.ToString(System.Globalization.CultureInfo.InvariantCulture),
            1 => $"B{i:D8}",
            2 => $"item-ü-{i}",
            _ => $"  spaced {i} ",
        })];
        return new SparseModel
        {
            Ids = ids,
            Columns = columns,
            Values = values,
            Popularity = withPopularity ? [.. Enumerable.Range(0, items).Select(_ => random.Next(0, 1000))] : null,
            Metadata = $$"""{"lambda":200,"seed":{{seed}}}""",
        };
    }
}

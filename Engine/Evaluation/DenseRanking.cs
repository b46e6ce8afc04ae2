using Ease.Format;
using Ease.Engine.Scoring;

namespace Ease.Engine.Evaluation;

/// <summary>
/// Top-k of every user from a model that scores all items at once (<see cref="IBatchScorer"/>).
/// Users go to the scorer in blocks (a block's scores are one buffer of users x items, about
/// 128 MB at most, so dense and deep models run GEMMs over many users); then worker threads copy
/// each user's scores into their own padded buffer, set the history to -infinity and select with
/// <see cref="DenseThresholdSelection"/> into a <see cref="TopKHeap"/>, exactly as the model-file
/// scorer's dense strategy does.
/// </summary>
internal static class DenseRanking
{
    private const long BlockFloats = 1L << 25;

    /// <returns>Users with no history who got the popularity ranking.</returns>
    public static int Rank(IBatchScorer scorer, int[] offsets, int[] rows, int k, ScoredItem[] results, int[] counts,
        int[]? popularity, int threads, IProgress<double>? progress)
    {
        int users = offsets.Length - 1;
        int n = scorer.ItemCount;
        if (users == 0 || k == 0)
            return 0;
        int blockUsers = (int)Math.Clamp(BlockFloats / Math.Max(1, n), 1, 4096);
        blockUsers = Math.Min(blockUsers, users);
        var scores = new float[(long)blockUsers * n];
        var blockOffsets = new int[blockUsers + 1];
        int workers = threads > 0 ? threads : Environment.ProcessorCount;
        var buffers = new ScoreBuffer[workers];
        for (int w = 0; w < workers; w++)
            buffers[w] = new ScoreBuffer(n);
        SimdLevel level = SimdLevels.Best;
        int fallbacks = 0;
        for (int start = 0; start < users; start += blockUsers)
        {
            int count = Math.Min(blockUsers, users - start);
            for (int u = 0; u <= count; u++)
                blockOffsets[u] = offsets[start + u] - offsets[start];
            scorer.ScoreBatch(blockOffsets.AsSpan(0, count + 1), rows.AsSpan(offsets[start], offsets[start + count] - offsets[start]),
                scores.AsSpan(0, count * n));
            int next = 0;
            int blockStart = start;
            Parallel.For(0, Math.Min(workers, count), new ParallelOptions { MaxDegreeOfParallelism = workers }, w =>
            {
                ScoreBuffer buffer = buffers[w];
                int local = 0;
                while (true)
                {
                    int u = Interlocked.Increment(ref next) - 1;
                    if (u >= count)
                        break;
                    ReadOnlySpan<int> history = rows.AsSpan(offsets[blockStart + u], offsets[blockStart + u + 1] - offsets[blockStart + u]);
                    Span<float> items = buffer.Items;
                    if (history.IsEmpty && popularity is not null)
                    {
                        // Nothing to score from: the most popular items, as a model file's fallback gives
                        // (counts are never negative, so their bits read as uint are the same numbers).
                        PopularityScores.Fill(System.Runtime.InteropServices.MemoryMarshal.Cast<int, uint>(popularity.AsSpan()), items);
                        local++;
                    }
                    else
                    {
                        scores.AsSpan(u * n, n).CopyTo(items);
                        foreach (int item in history)
                            items[item] = float.NegativeInfinity;
                    }
                    var heap = new TopKHeap(results.AsSpan((blockStart + u) * k, k));
                    DenseThresholdSelection.Select(level, buffer, null, ref heap);
                    counts[blockStart + u] = heap.SortBestFirst();
                }
                Interlocked.Add(ref fallbacks, local);
            });
            progress?.Report((double)(start + count) / users);
        }
        return fallbacks;
    }
}

using Ease.Format;

namespace Ease.Engine.Scoring;

/// <summary>
/// Scores many users in parallel: histories given as CSR (offsets + rows), results written into
/// caller buffers (user u's results at [u x k, u x k + counts[u])). Each worker thread has its own
/// <see cref="Recommender"/>, kept across calls so a batch costs no score buffers; workers take
/// users in chunks from a shared counter, so uneven history lengths balance out.
/// One instance runs one batch at a time.
/// </summary>
public sealed class BatchRecommender
{
    private const int ChunkUsers = 32;
    private readonly Recommender[] _workers;

    /// <param name="model">The model every worker scores from.</param>
    /// <param name="threads">Worker threads; 0 = one per core.</param>
    public BatchRecommender(ModelFile model, int threads = 0)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfNegative(threads);
        Model = model;
        int count = threads == 0 ? Environment.ProcessorCount : threads;
        _workers = new Recommender[count];
        for (int i = 0; i < count; i++)
            _workers[i] = new Recommender(model);
    }

    public ModelFile Model { get; }
    public int Threads => _workers.Length;

    /// <summary>
    /// Recommends <paramref name="k"/> items to each of the users whose histories are
    /// <paramref name="historyRows"/>[<paramref name="historyOffsets"/>[u] .. <paramref name="historyOffsets"/>[u + 1]).
    /// </summary>
    /// <param name="historyOffsets">users + 1 non-decreasing offsets into <paramref name="historyRows"/>, starting at 0.</param>
    /// <param name="historyRows">All users' history items as model rows, concatenated.</param>
    /// <param name="k">Items per user.</param>
    /// <param name="results">At least users x k items; user u's best-first results start at u x k.</param>
    /// <param name="counts">At least users entries: how many results each user got.</param>
    /// <param name="options">Seen-item handling and item filter, the same for every user.</param>
    /// <returns>Number of users that fell back to popularity.</returns>
    public unsafe int Recommend(ReadOnlySpan<int> historyOffsets, ReadOnlySpan<int> historyRows, int k,
        Span<ScoredItem> results, Span<int> counts, in RecommendOptions options = default)
    {
        if (historyOffsets.IsEmpty)
            throw new ArgumentException("offsets need users + 1 entries", nameof(historyOffsets));
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        int users = historyOffsets.Length - 1;
        if (historyOffsets[0] != 0 || historyOffsets[users] > historyRows.Length)
            throw new ArgumentException($"offsets must start at 0 and end within the {historyRows.Length} rows", nameof(historyOffsets));
        for (int u = 0; u < users; u++)
        {
            if (historyOffsets[u + 1] < historyOffsets[u])
                throw new ArgumentException($"offsets decrease at user {u}", nameof(historyOffsets));
        }
        if ((long)users * k > results.Length)
            throw new ArgumentException($"results hold {results.Length} items, {users} users x {k} need {(long)users * k}", nameof(results));
        if (counts.Length < users)
            throw new ArgumentException($"counts hold {counts.Length} entries for {users} users", nameof(counts));

        fixed (int* offsets = historyOffsets)
        fixed (int* rows = historyRows)
        fixed (ScoredItem* output = results)
        fixed (int* countsOut = counts)
        {
            var job = new Job(offsets, rows, output, countsOut, users, k, options);
            int workers = Math.Min(_workers.Length, Math.Max(1, (users + ChunkUsers - 1) / ChunkUsers));
            if (workers == 1)
            {
                job.Run(_workers[0]);
            }
            else
            {
                // Parallel.For blocks until every worker is done, so the pinned pointers stay valid.
                Parallel.For(0, workers, new ParallelOptions { MaxDegreeOfParallelism = workers }, w => job.Run(_workers[w]));
            }
            return job.Fallbacks;
        }
    }

    private sealed unsafe class Job(int* offsets, int* rows, ScoredItem* output, int* counts, int users, int k, RecommendOptions options)
    {
        private int _next;
        private int _fallbacks;

        public int Fallbacks => _fallbacks;

        public void Run(Recommender scorer)
        {
            int fallbacks = 0;
            while (true)
            {
                int start = Interlocked.Add(ref _next, ChunkUsers) - ChunkUsers;
                if (start >= users)
                    break;
                int end = Math.Min(users, start + ChunkUsers);
                for (int u = start; u < end; u++)
                {
                    var history = new ReadOnlySpan<int>(rows + offsets[u], offsets[u + 1] - offsets[u]);
                    var result = new Span<ScoredItem>(output + (long)u * k, k);
                    counts[u] = scorer.Recommend(history, result, out RecommendStatus status, options);
                    if (status.UsedPopularityFallback)
                        fallbacks++;
                }
            }
            Interlocked.Add(ref _fallbacks, fallbacks);
        }
    }
}

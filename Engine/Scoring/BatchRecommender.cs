using Ease.Format;

namespace Ease.Engine.Scoring;

/// <summary>
/// Scores many users in parallel: histories given as CSR (offsets + rows), results written into
/// caller buffers (user u's results at [u x k, u x k + counts[u])). Each worker thread has its own
/// scorers, kept across calls so a batch costs no score buffers; workers take users in chunks
/// from a shared counter, so uneven history lengths balance out.
/// With blocks (blockUsers &gt; 0), users whose histories hold many weights are scored together
/// (<see cref="UserBlockScoring"/>): item-tiled, each row read once per block; the others, and
/// empty histories, one at a time. Results are bit-identical either way. One user at a time is
/// the default: it measured faster on yelp2018 and ml-1m (README, "Compact weights"), where the
/// rows come from a large L3 and the scatter into L2-resident tiles costs more than the reads saved.
/// One instance runs one batch at a time. A model with an ordered history rule (<see cref="HistoryWeighting"/>) takes
/// each user's rows oldest first and is scored one user at a time.
/// </summary>
public sealed class BatchRecommender
{
    private const int ChunkUsers = 32;

    /// <summary>Users per block when blocks are asked for without a size.</summary>
    public const int DefaultBlockUsers = UserBlockScoring.DefaultBlockUsers;

    private readonly Worker[] _workers;

    /// <param name="model">The model every worker scores from.</param>
    /// <param name="threads">Worker threads; 0 = one per core.</param>
    public BatchRecommender(ModelFile model, int threads = 0)
        : this(model, threads, 0, UserBlockScoring.DefaultTileItems)
    {
    }

    /// <param name="model">The model every worker scores from.</param>
    /// <param name="threads">Worker threads; 0 = one per core.</param>
    /// <param name="lightModel">The strongest part of each row, for <see cref="RecommendOptions.MaxWeights"/> budgets (see <see cref="Recommender(ModelFile, ModelFile?)"/>), or null.</param>
    public BatchRecommender(ModelFile model, int threads, ModelFile? lightModel)
        : this(model, threads, 0, UserBlockScoring.DefaultTileItems, lightModel)
    {
    }

    /// <param name="model">The model every worker scores from.</param>
    /// <param name="threads">Worker threads; 0 = one per core.</param>
    /// <param name="blockUsers">Users scored together (1 to 256); 0 scores every user alone.</param>
    /// <param name="tileItems">Items per tile of a block (a multiple of 64).</param>
    public BatchRecommender(ModelFile model, int threads, int blockUsers, int tileItems = UserBlockScoring.DefaultTileItems)
        : this(model, threads, blockUsers, tileItems, null)
    {
    }

    /// <param name="model">The model every worker scores from.</param>
    /// <param name="threads">Worker threads; 0 = one per core.</param>
    /// <param name="blockUsers">Users scored together (1 to 256); 0 scores every user alone.</param>
    /// <param name="tileItems">Items per tile of a block (a multiple of 64).</param>
    /// <param name="lightModel">The strongest part of each row, for <see cref="RecommendOptions.MaxWeights"/> budgets (see <see cref="Recommender(ModelFile, ModelFile?)"/>), or null.</param>
    public BatchRecommender(ModelFile model, int threads, int blockUsers, int tileItems, ModelFile? lightModel)
    {
        ArgumentNullException.ThrowIfNull(model);
        LightModelCheck.Check(model, lightModel, nameof(lightModel));
        ArgumentOutOfRangeException.ThrowIfNegative(threads);
        if (blockUsers < 0 || blockUsers > 256)
            throw new ArgumentOutOfRangeException(nameof(blockUsers), blockUsers, "0 (no blocks) to 256 users per block");
        Model = model;
        BlockUsers = blockUsers;
        int count = threads == 0 ? Environment.ProcessorCount : threads;
        _workers = new Worker[count];
        for (int i = 0; i < count; i++)
            _workers[i] = new Worker(new Recommender(model, lightModel), blockUsers == 0 ? null : new UserBlockScoring(model, blockUsers, tileItems));
    }

    public ModelFile Model { get; }
    public int Threads => _workers.Length;

    /// <summary>Users scored together in one block; 0 when every user is scored alone.</summary>
    public int BlockUsers { get; }

    /// <summary>Vector width for every worker; tests force each one.</summary>
    internal SimdLevel Simd
    {
        set
        {
            foreach (Worker w in _workers)
            {
                w.Single.Simd = value;
                if (w.Block is not null)
                    w.Block.Simd = value;
            }
        }
    }

    private sealed record Worker(Recommender Single, UserBlockScoring? Block);

    /// <summary>
    /// Recommends <paramref name="k"/> items to each of the users whose histories are
    /// <paramref name="historyRows"/>[<paramref name="historyOffsets"/>[u] .. <paramref name="historyOffsets"/>[u + 1]).
    /// </summary>
    /// <param name="historyOffsets">users + 1 non-decreasing offsets into <paramref name="historyRows"/>, starting at 0.</param>
    /// <param name="historyRows">All users' history items as model rows, concatenated.</param>
    /// <param name="k">Items per user.</param>
    /// <param name="results">At least users x k items; user u's best-first results start at u x k.</param>
    /// <param name="counts">At least users entries: how many results each user got.</param>
    /// <param name="options">Seen-item handling, item filter and weight budget, the same for every user. Under a budget every user is scored alone (no blocks).</param>
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
        // Checked up front: block scoring reads rows unchecked, and a bad row must not leave
        // half a batch written.
        uint n = (uint)Model.ItemCount;
        foreach (int row in historyRows[..historyOffsets[users]])
        {
            if ((uint)row >= n)
                throw new ArgumentOutOfRangeException(nameof(historyRows), row, $"history row must be in [0, {n})");
        }

        fixed (int* offsets = historyOffsets)
        fixed (int* rows = historyRows)
        fixed (ScoredItem* output = results)
        fixed (int* countsOut = counts)
        {
            int chunk = Math.Max(ChunkUsers, BlockUsers);
            var job = new Job(offsets, rows, output, countsOut, users, k, chunk, options);
            int workers = Math.Min(_workers.Length, Math.Max(1, (users + chunk - 1) / chunk));
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

    private sealed unsafe class Job(int* offsets, int* rows, ScoredItem* output, int* counts, int users, int k, int chunk, RecommendOptions options)
    {
        private int _next;
        private int _fallbacks;

        public int Fallbacks => _fallbacks;

        public void Run(Worker worker)
        {
            int fallbacks = 0;
            Recommender scorer = worker.Single;
            // Blocks add every row of every history once, as a set; a budget may change which rows a user gets,
            // and a model with an ordered history rule weights rows by position: those are scored one user at a time.
            UserBlockScoring? block = options.MaxWeights > 0 || scorer.HistoryRule.IsOrdered ? null : worker.Block;
            Span<int> blockUsers = stackalloc int[block?.MaxUsers ?? 1];
            while (true)
            {
                int start = Interlocked.Add(ref _next, chunk) - chunk;
                if (start >= users)
                    break;
                int end = Math.Min(users, start + chunk);
                int inBlock = 0;
                for (int u = start; u < end; u++)
                {
                    // A block pays a scan of every item per user; a history with few weights is
                    // cheaper alone (the one-user scorer then tracks only the touched items).
                    if (block is not null && k > 0 && Recommender.HoldsManyWeights(scorer.Model, new ReadOnlySpan<int>(rows + offsets[u], offsets[u + 1] - offsets[u])))
                    {
                        blockUsers[inBlock++] = u;
                        if (inBlock == blockUsers.Length)
                        {
                            block.Score(blockUsers, offsets, rows, output, k, counts, options);
                            inBlock = 0;
                        }
                        continue;
                    }
                    var history = new ReadOnlySpan<int>(rows + offsets[u], offsets[u + 1] - offsets[u]);
                    var result = new Span<ScoredItem>(output + (long)u * k, k);
                    counts[u] = scorer.Recommend(history, result, out RecommendStatus status, options);
                    if (status.UsedPopularityFallback)
                        fallbacks++;
                }
                if (inBlock > 0)
                    block!.Score(blockUsers[..inBlock], offsets, rows, output, k, counts, options);
            }
            Interlocked.Add(ref _fallbacks, fallbacks);
        }
    }
}

using System.Diagnostics;
using Ease.Engine.Scoring;
using Ease.Format;

namespace Ease.Engine.Evaluation;

/// <summary>
/// Scores every user of a CSR history with N threads, each owning a <see cref="Recommender"/>
/// (dedicated threads, so each measures its own allocations), and records every call's latency.
/// </summary>
public static class ScoringThroughput
{
    /// <summary>Throughput, per-user latency percentiles in µs, and bytes allocated per call.</summary>
    public sealed record Result(double UsersPerSecond, double P50, double P90, double P99, double Max, double AllocatedPerCall);

    /// <summary>One warm-up pass, then <paramref name="passes"/> timed passes; latencies pooled over the timed passes.</summary>
    public static Result Measure(ModelFile model, int[] offsets, int[] rows, int k, int threads, int passes) =>
        Measure(model, offsets, rows, k, threads, passes, 0, null);

    /// <summary>The same, with every call under a <see cref="RecommendOptions.MaxWeights"/> budget of <paramref name="maxWeights"/> (0: none), scoring from <paramref name="lightModel"/> when given.</summary>
    public static Result Measure(ModelFile model, int[] offsets, int[] rows, int k, int threads, int passes, int maxWeights, ModelFile? lightModel)
    {
        int users = offsets.Length - 1;
        var scorers = new Recommender[threads];
        var buffers = new ScoredItem[threads][];
        var options = new RecommendOptions { MaxWeights = maxWeights };
        for (int t = 0; t < threads; t++)
        {
            scorers[t] = new Recommender(model, lightModel);
            buffers[t] = new ScoredItem[k];
        }
        // Warm every scorer on the longest history first: scratch that grows with history length
        // then never grows inside the timed passes, whichever thread draws that user.
        int longest = 0;
        for (int u = 1; u < users; u++)
        {
            if (offsets[u + 1] - offsets[u] > offsets[longest + 1] - offsets[longest])
                longest = u;
        }
        for (int t = 0; t < threads; t++)
            scorers[t].Recommend(rows.AsSpan(offsets[longest], offsets[longest + 1] - offsets[longest]), buffers[t], options);
        var latencies = new long[(long)users * passes];
        var rates = new double[passes];
        long allocated = 0;
        for (int pass = -1; pass < passes; pass++)
        {
            int next = 0;
            long passAllocated = 0;
            long[] target = pass < 0 ? new long[users] : latencies;
            long baseIndex = pass < 0 ? 0 : (long)pass * users;
            var workers = new Thread[threads];
            long start = Stopwatch.GetTimestamp();
            for (int t = 0; t < threads; t++)
            {
                Recommender scorer = scorers[t];
                ScoredItem[] buffer = buffers[t];
                workers[t] = new Thread(() =>
                {
                    long before = GC.GetAllocatedBytesForCurrentThread();
                    while (true)
                    {
                        int first = Interlocked.Add(ref next, 16) - 16;
                        if (first >= users)
                            break;
                        int last = Math.Min(users, first + 16);
                        for (int u = first; u < last; u++)
                        {
                            long t0 = Stopwatch.GetTimestamp();
                            scorer.Recommend(rows.AsSpan(offsets[u], offsets[u + 1] - offsets[u]), buffer, options);
                            target[baseIndex + u] = Stopwatch.GetTimestamp() - t0;
                        }
                    }
                    Interlocked.Add(ref passAllocated, GC.GetAllocatedBytesForCurrentThread() - before);
                }, 1 << 20);
                workers[t].Start();
            }
            foreach (Thread w in workers)
                w.Join();
            double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
            if (pass >= 0)
            {
                rates[pass] = users / seconds;
                allocated += passAllocated;
            }
        }
        Array.Sort(latencies);
        double Us(double q) => latencies[(long)Math.Min(latencies.Length - 1, Math.Ceiling(q * latencies.Length) - 1)] * 1e6 / Stopwatch.Frequency;
        Array.Sort(rates);
        return new Result(rates[passes / 2], Us(0.50), Us(0.90), Us(0.99), latencies[^1] * 1e6 / Stopwatch.Frequency, (double)allocated / ((long)users * passes));
    }

    /// <summary>
    /// Throughput of <see cref="BatchRecommender"/> (blocks of <paramref name="blockUsers"/> users;
    /// 0 = one user at a time) over all users: one warm-up pass, then the median of
    /// <paramref name="passes"/> timed passes, in users/s.
    /// </summary>
    public static double MeasureBatch(ModelFile model, int[] offsets, int[] rows, int k, int threads, int passes, int blockUsers)
    {
        int users = offsets.Length - 1;
        var batch = new BatchRecommender(model, threads, blockUsers);
        var results = new ScoredItem[(long)users * k];
        var counts = new int[users];
        var rates = new double[passes];
        for (int pass = -1; pass < passes; pass++)
        {
            long start = Stopwatch.GetTimestamp();
            batch.Recommend(offsets, rows, k, results, counts);
            double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
            if (pass >= 0)
                rates[pass] = users / seconds;
        }
        Array.Sort(rates);
        return rates[passes / 2];
    }
}

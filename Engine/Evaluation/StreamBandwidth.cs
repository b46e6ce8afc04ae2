using System.Diagnostics;
using System.Numerics;
using System.Runtime.InteropServices;

namespace Ease.Engine.Evaluation;

/// <summary>
/// A short probe of the machine's streaming read bandwidth: every thread sums its own contiguous
/// slice of a buffer far larger than the caches, with vector loads. The scorer is bound by the
/// bytes of model rows it reads, so this is its roofline.
/// </summary>
public static unsafe class StreamBandwidth
{
    /// <summary>Median GB/s (10⁹ bytes) of <paramref name="passes"/> reads of a <paramref name="bytes"/> buffer.</summary>
    public static double Measure(int threads, long bytes = 256L << 20, int passes = 5)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(passes, 1);
        long count = bytes / sizeof(float) / Vector<float>.Count * Vector<float>.Count;
        float* buffer = (float*)NativeMemory.AlignedAlloc((nuint)(count * sizeof(float)), 64);
        if (buffer == null)
            throw new OutOfMemoryException($"bandwidth probe: {bytes:N0} bytes");
        try
        {
            // Touch every page first, so the probe measures reads, not page faults.
            new Span<float>(buffer, (int)Math.Min(count, int.MaxValue)).Fill(1f);
            var seconds = new double[passes];
            float sink = 0;
            for (int p = 0; p < passes; p++)
            {
                var sums = new float[threads];
                var watch = Stopwatch.StartNew();
                Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
                {
                    long start = count * t / threads / Vector<float>.Count * Vector<float>.Count;
                    long end = count * (t + 1) / threads / Vector<float>.Count * Vector<float>.Count;
                    Vector<float> a = Vector<float>.Zero, b = a, c = a, d = a;
                    long i = start;
                    int w = Vector<float>.Count;
                    for (; i + 4 * w <= end; i += 4 * w)
                    {
                        a += Vector.Load(buffer + i);
                        b += Vector.Load(buffer + i + w);
                        c += Vector.Load(buffer + i + 2 * w);
                        d += Vector.Load(buffer + i + 3 * w);
                    }
                    for (; i < end; i += w)
                        a += Vector.Load(buffer + i);
                    sums[t] = Vector.Sum(a + b + c + d);
                });
                seconds[p] = watch.Elapsed.TotalSeconds;
                sink += sums.Sum();
            }
            GC.KeepAlive(sink);
            Array.Sort(seconds);
            return count * sizeof(float) / seconds[passes / 2] / 1e9;
        }
        finally
        {
            NativeMemory.AlignedFree(buffer);
        }
    }
}

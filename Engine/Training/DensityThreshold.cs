namespace Ease.Engine.Training;

/// <summary>
/// Finds the one global magnitude threshold t such that the weights with |B_ij| >= t number
/// about a target count, without storing B: non-negative floats order like their bit patterns,
/// so a histogram of the high 16 bits finds the bucket holding the cut, and a second histogram
/// of the low 16 bits within that bucket finds it exactly.
/// </summary>
public sealed class DensityThreshold
{
    private readonly long[] _counts = new long[1 << 16];
    private readonly ushort? _bucket;

    private DensityThreshold(ushort? bucket) => _bucket = bucket;

    /// <summary>A first-pass histogram (high bits of every magnitude).</summary>
    public static DensityThreshold HighPass() => new(null);

    /// <summary>A second-pass histogram (low bits of magnitudes in <paramref name="bucket"/>).</summary>
    public static DensityThreshold LowPass(ushort bucket) => new(bucket);

    /// <summary>Counts the non-zero off-diagonal magnitudes of one row.</summary>
    public void Add(ReadOnlySpan<float> row)
    {
        long[] counts = _counts;
        if (_bucket is ushort bucket)
        {
            foreach (float v in row)
            {
                uint bits = BitConverter.SingleToUInt32Bits(v) & 0x7FFFFFFF;
                if (bits != 0 && (bits >> 16) == bucket)
                    counts[bits & 0xFFFF]++;
            }
        }
        else
        {
            foreach (float v in row)
            {
                uint bits = BitConverter.SingleToUInt32Bits(v) & 0x7FFFFFFF;
                if (bits != 0)
                    counts[bits >> 16]++;
            }
        }
    }

    public void Merge(DensityThreshold other)
    {
        for (int i = 0; i < _counts.Length; i++)
            _counts[i] += other._counts[i];
    }

    /// <summary>
    /// Walking down from the largest bucket, the bucket where the running count reaches
    /// <paramref name="target"/>, and how many weights lie strictly above it.
    /// </summary>
    public (ushort Bucket, long Above) FindBucket(long target)
    {
        long above = 0;
        for (int b = _counts.Length - 1; b >= 0; b--)
        {
            if (above + _counts[b] >= target)
                return ((ushort)b, above);
            above += _counts[b];
        }
        return (0, above);
    }

    /// <summary>Total non-zero magnitudes counted.</summary>
    public long Total => _counts.Sum();

    /// <summary>
    /// The threshold keeping about <paramref name="target"/> weights, from two passes over the
    /// weights: <paramref name="histogram"/>(create, pass) counts every row into histograms made by
    /// create (pass 0 high bits, pass 1 low bits of the cut's bucket). <see cref="float.Epsilon"/>
    /// when there are no more than the target: keep every non-zero weight.
    /// </summary>
    public static float Find(long target, Func<Func<DensityThreshold>, int, DensityThreshold> histogram)
    {
        DensityThreshold high = histogram(HighPass, 0);
        if (high.Total <= target)
            return float.Epsilon;
        (ushort bucket, long above) = high.FindBucket(target);
        DensityThreshold low = histogram(() => LowPass(bucket), 1);
        (ushort lowBits, _) = low.FindBucket(target - above);
        return Compose(bucket, lowBits);
    }

    /// <summary>The threshold as a float, from the high bucket and low bits.</summary>
    public static float Compose(ushort high, ushort low) => BitConverter.UInt32BitsToSingle(((uint)high << 16) | low);
}

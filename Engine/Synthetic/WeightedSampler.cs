namespace Ease.Engine.Synthetic;

/// <summary>Draws one of a fixed set of items with probability proportional to its weight (cumulative sums + binary search).</summary>
internal sealed class WeightedSampler
{
    readonly int[] _items;
    readonly double[] _cumulative;

    public static WeightedSampler Empty { get; } = new([], []);

    public WeightedSampler(int[] items, double[] weightByItem)
    {
        _items = items;
        _cumulative = new double[items.Length];
        double sum = 0;
        for (int k = 0; k < items.Length; k++)
        {
            sum += weightByItem[items[k]];
            _cumulative[k] = sum;
        }
    }

    public bool IsEmpty => _items.Length == 0;

    public int Sample(ref Xoshiro256 rng)
    {
        double x = rng.NextDouble() * _cumulative[^1];
        int k = Array.BinarySearch(_cumulative, x);
        if (k < 0)
            k = ~k;
        return _items[Math.Min(k, _items.Length - 1)];
    }
}

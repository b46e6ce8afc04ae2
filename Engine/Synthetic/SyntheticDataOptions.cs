namespace Ease.Engine.Synthetic;

/// <summary>Shape of the data made by <see cref="SyntheticData.Generate"/>; the defaults give a MovieLens-like mix.</summary>
public sealed record SyntheticDataOptions
{
    /// <summary>Zipf exponent of item popularity: the item of popularity rank r gets weight 1 / r^exponent.</summary>
    public double PopularityExponent { get; init; } = 1.0;

    /// <summary>Number of latent taste clusters; null picks about sqrt(items) / 4, clamped to [2, 64].</summary>
    public int? Clusters { get; init; }

    /// <summary>Probability that an interaction is drawn from one of the user's clusters rather than from all items.</summary>
    public double ClusterAffinity { get; init; } = 0.8;

    /// <summary>Median number of items per user (the activity distribution is log-normal around it).</summary>
    public double MedianItemsPerUser { get; init; } = 20;

    /// <summary>Standard deviation of log(items per user).</summary>
    public double ActivitySigma { get; init; } = 0.9;

    /// <summary>Fewest items per user (EASE evaluation needs a few per user to split).</summary>
    public int MinItemsPerUser { get; init; } = 3;

    /// <summary>Most items per user, as a fraction of all items.</summary>
    public double MaxItemsFraction { get; init; } = 0.5;

    internal void Validate(int users, int items)
    {
        if (users < 0)
            throw new ArgumentOutOfRangeException(nameof(users), users, "users must be >= 0.");
        if (items < MinItemsPerUser || items < 1)
            throw new ArgumentOutOfRangeException(nameof(items), items, $"items must be >= MinItemsPerUser ({MinItemsPerUser}).");
        if (!(PopularityExponent >= 0 && double.IsFinite(PopularityExponent)))
            throw new ArgumentOutOfRangeException(nameof(PopularityExponent), PopularityExponent, "must be a finite number >= 0.");
        if (Clusters is int c && c < 1)
            throw new ArgumentOutOfRangeException(nameof(Clusters), c, "must be >= 1.");
        if (!(ClusterAffinity is >= 0 and <= 1))
            throw new ArgumentOutOfRangeException(nameof(ClusterAffinity), ClusterAffinity, "must be in [0, 1].");
        if (!(MedianItemsPerUser >= 1 && double.IsFinite(MedianItemsPerUser)))
            throw new ArgumentOutOfRangeException(nameof(MedianItemsPerUser), MedianItemsPerUser, "must be >= 1.");
        if (!(ActivitySigma >= 0 && double.IsFinite(ActivitySigma)))
            throw new ArgumentOutOfRangeException(nameof(ActivitySigma), ActivitySigma, "must be a finite number >= 0.");
        if (MinItemsPerUser < 1)
            throw new ArgumentOutOfRangeException(nameof(MinItemsPerUser), MinItemsPerUser, "must be >= 1.");
        if (!(MaxItemsFraction is > 0 and <= 1))
            throw new ArgumentOutOfRangeException(nameof(MaxItemsFraction), MaxItemsFraction, "must be in (0, 1].");
    }
}

using System.Globalization;
using System.IO.Compression;
using Ease.Engine.Input;
using Ease.Format;

namespace Ease.Engine.Synthetic;

/// <summary>
/// Seeded generator of implicit-feedback data that looks like the real thing: Zipf-like item popularity, users with
/// clustered tastes (each belongs to 1-3 latent clusters, each cluster prefers its own subset of items), and
/// log-normal user activity. Same arguments and seed give the same data on every run and platform.
/// User and item ids are the decimal indices ("0", "1", ...), so written files read back to the same indices.
/// </summary>
public static class SyntheticData
{
    /// <summary>Generates <paramref name="users"/> users over <paramref name="items"/> items (some items may get no interactions).</summary>
    public static InteractionSet Generate(int users, int items, int seed, SyntheticDataOptions? options = null)
    {
        options ??= new SyntheticDataOptions();
        options.Validate(users, items);
        var rng = new Xoshiro256(seed);

        // Popularity: a random item gets rank 0, another rank 1, ...; weight 1 / (rank + 1)^s.
        int[] byRank = new int[items];
        for (int i = 0; i < items; i++)
            byRank[i] = i;
        rng.Shuffle(byRank);
        double[] weight = new double[items];
        for (int r = 0; r < items; r++)
            weight[byRank[r]] = Math.Pow(r + 1, -options.PopularityExponent);

        // Clusters: every item has one home cluster; a cluster samples its members by popularity.
        int clusterCount = options.Clusters ?? Math.Clamp((int)Math.Round(Math.Sqrt(items) / 4), 2, 64);
        clusterCount = Math.Min(clusterCount, items);
        int[] home = new int[items];
        for (int i = 0; i < items; i++)
            home[i] = rng.NextInt(clusterCount);
        var clusters = new WeightedSampler[clusterCount];
        for (int c = 0; c < clusterCount; c++)
        {
            int[] members = Enumerable.Range(0, items).Where(i => home[i] == c).ToArray();
            clusters[c] = members.Length > 0 ? new WeightedSampler(members, weight) : WeightedSampler.Empty;
        }
        var everyone = new WeightedSampler(Enumerable.Range(0, items).ToArray(), weight);

        var builder = new InteractionSetBuilder();
        for (int u = 0; u < users; u++)
            builder.AddUser(u.ToString(CultureInfo.InvariantCulture));
        for (int i = 0; i < items; i++)
            builder.AddItem(i.ToString(CultureInfo.InvariantCulture));

        int maxItems = Math.Max(options.MinItemsPerUser, (int)(items * options.MaxItemsFraction));
        double logMedian = Math.Log(options.MedianItemsPerUser);
        int[] takenBy = new int[items]; // takenBy[i] == u + 1 when user u already has item i
        Span<int> tastes = stackalloc int[3];
        for (int u = 0; u < users; u++)
        {
            // 1-3 distinct clusters: half the users have one taste, 30% two, 20% three.
            double roll = rng.NextDouble();
            int tasteCount = Math.Min(clusterCount, roll < 0.5 ? 1 : roll < 0.8 ? 2 : 3);
            for (int t = 0; t < tasteCount; t++)
            {
                int c;
                do c = rng.NextInt(clusterCount);
                while (tastes[..t].Contains(c));
                tastes[t] = c;
            }

            int target = (int)Math.Round(Math.Exp(logMedian + options.ActivitySigma * rng.NextGaussian()));
            target = Math.Clamp(target, options.MinItemsPerUser, maxItems);

            int have = 0;
            for (int attempt = 0; have < target && attempt < 50 * target; attempt++)
            {
                WeightedSampler source = rng.NextDouble() < options.ClusterAffinity
                    ? clusters[tastes[rng.NextInt(tasteCount)]]
                    : everyone;
                if (source.IsEmpty)
                    source = everyone;
                int item = source.Sample(ref rng);
                if (takenBy[item] == u + 1)
                    continue;
                takenBy[item] = u + 1;
                builder.AddPair(u, item);
                have++;
            }
            // Tiny catalogues can exhaust the attempts; top up with the most popular items not yet taken.
            for (int r = 0; have < target && r < items; r++)
            {
                int item = byRank[r];
                if (takenBy[item] != u + 1)
                {
                    takenBy[item] = u + 1;
                    builder.AddPair(u, item);
                    have++;
                }
            }
        }
        return builder.Build();
    }

    /// <summary>
    /// Splits every user's items at random into train and test (about <paramref name="testFraction"/> of each user's
    /// items go to test, at least one when the user has two or more, never all). Both sets keep the full user and item
    /// id lists of <paramref name="set"/>, so indices agree between them.
    /// </summary>
    public static (InteractionSet Train, InteractionSet Test) Split(InteractionSet set, double testFraction, int seed)
    {
        ArgumentNullException.ThrowIfNull(set);
        if (!(testFraction is >= 0 and < 1))
            throw new ArgumentOutOfRangeException(nameof(testFraction), testFraction, "must be in [0, 1).");
        var rng = new Xoshiro256(seed);
        var train = new InteractionSetBuilder(set.ItemIds);
        var test = new InteractionSetBuilder(set.ItemIds);
        foreach (string id in set.UserIds)
        {
            train.AddUser(id);
            test.AddUser(id);
        }
        int[] scratch = [];
        for (int u = 0; u < set.UserCount; u++)
        {
            ReadOnlySpan<int> items = set.ItemsOf(u);
            if (scratch.Length < items.Length)
                scratch = new int[items.Length];
            Span<int> shuffled = scratch.AsSpan(0, items.Length);
            items.CopyTo(shuffled);
            rng.Shuffle(shuffled);
            int testCount = items.Length < 2 || testFraction == 0
                ? 0
                : Math.Clamp((int)Math.Round(items.Length * testFraction), 1, items.Length - 1);
            foreach (int item in shuffled[..testCount])
                test.AddPair(u, item);
            foreach (int item in shuffled[testCount..])
                train.AddPair(u, item);
        }
        return (train.Build(), test.Build());
    }

    /// <summary>Writes <c>user,item</c> rows under a <c>user,item</c> header (gzip when the path ends in .gz).</summary>
    public static void WriteCsv(string path, InteractionSet set)
    {
        ArgumentNullException.ThrowIfNull(set);
        CheckIds(set, [',', '"', '\r', '\n'], "CSV");
        AtomicWrite(path, writer =>
        {
            writer.Write("user,item\n");
            for (int u = 0; u < set.UserCount; u++)
            {
                foreach (int item in set.ItemsOf(u))
                {
                    writer.Write(set.UserIds[u]);
                    writer.Write(',');
                    writer.Write(set.ItemIds[item]);
                    writer.Write('\n');
                }
            }
        });
    }

    /// <summary>Writes adjacency lines <c>user item item ...</c>, one per user, users without items included.</summary>
    public static void WriteAdjacency(string path, InteractionSet set)
    {
        ArgumentNullException.ThrowIfNull(set);
        CheckIds(set, [' ', '\t', '\r', '\n'], "adjacency");
        AtomicWrite(path, writer =>
        {
            for (int u = 0; u < set.UserCount; u++)
            {
                writer.Write(set.UserIds[u]);
                foreach (int item in set.ItemsOf(u))
                {
                    writer.Write(' ');
                    writer.Write(set.ItemIds[item]);
                }
                writer.Write('\n');
            }
        });
    }

    /// <summary>
    /// Splits <paramref name="set"/> per user (see <see cref="Split"/>) and writes the parts as adjacency files, the
    /// layout of the LightGCN/BARS splits, so evaluation runs on synthetic data exactly as on the real ones.
    /// </summary>
    public static void WriteAdjacency(string trainPath, string testPath, InteractionSet set, double testFraction = 0.2, int seed = 0)
    {
        var (train, test) = Split(set, testFraction, seed);
        WriteAdjacency(trainPath, train);
        WriteAdjacency(testPath, test);
    }

    static void CheckIds(InteractionSet set, char[] forbidden, string format)
    {
        foreach (string[] ids in (string[][])[set.UserIds, set.ItemIds])
        {
            foreach (string id in ids)
            {
                if (id.AsSpan().IndexOfAny(forbidden) >= 0)
                    throw new ArgumentException($"Id \"{id}\" contains a character the {format} format cannot hold.", nameof(set));
            }
        }
    }

    /// <summary>Writes through <see cref="AtomicOutput"/> (a reader never sees a half-written file and a failure leaves
    /// any previous file intact), gzip-compressed when the name ends in .gz.</summary>
    static void AtomicWrite(string path, Action<TextWriter> write)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        AtomicOutput.Write(path, file =>
        {
            using GZipStream? gzip = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase)
                ? new GZipStream(file, CompressionLevel.Optimal, leaveOpen: true)
                : null;
            using var writer = new StreamWriter(gzip ?? (Stream)file, AtomicOutput.Utf8, 1 << 16, leaveOpen: true);
            write(writer);
        });
    }
}

using Ease.Engine.Input;
using Ease.Engine.Synthetic;
using Ease.Format;

namespace Ease.Engine.Evaluation;

/// <summary>Counts of a split, for the report.</summary>
public sealed record SplitSummary(int Users, int TrainUsers, int HeldoutUsersPerSet, int TrainItems, long TrainInteractions, long HiddenInteractions, IReadOnlyList<string> Files);

/// <summary>
/// The two splitting protocols, seeded and reproducible (same input and seed, same files).
/// Output: CSV files with the header <c>user,item</c>, written through <see cref="AtomicOutput"/>.
/// </summary>
public static class Splitter
{
    /// <summary>
    /// Strong generalization (Liang et al. 2018): users with at least <paramref name="minUserItems"/>
    /// items; a seeded permutation holds out <paramref name="heldoutUsers"/> validation and as many
    /// test users; the others are train.csv. Held-out users keep only items seen in training; of
    /// each held-out user with at least 5 such items a random 20% is hidden (_te), the rest is the
    /// fold-in history (_tr).
    /// </summary>
    public static SplitSummary Strong(InteractionSet data, int heldoutUsers, int seed, string outDir, int minUserItems = 5, double hideFraction = 0.2)
    {
        ArgumentNullException.ThrowIfNull(data);
        int[] eligible = [.. Enumerable.Range(0, data.UserCount).Where(u => data.ItemsOf(u).Length >= minUserItems)];
        if (heldoutUsers < 1 || 2L * heldoutUsers >= eligible.Length)
            throw new ArgumentException($"--heldout-users {heldoutUsers} needs more than {2L * heldoutUsers} users with >= {minUserItems} items; the input has {eligible.Length}");
        var rng = new Xoshiro256(seed);
        rng.Shuffle(eligible);
        int trainCount = eligible.Length - 2 * heldoutUsers;
        int[] trainUsers = eligible[..trainCount];
        Array.Sort(trainUsers);
        var trainItems = new bool[data.ItemCount];
        long trainInteractions = 0;
        foreach (int u in trainUsers)
        {
            foreach (int i in data.ItemsOf(u))
                trainItems[i] = true;
            trainInteractions += data.ItemsOf(u).Length;
        }

        Directory.CreateDirectory(outDir);
        var files = new List<string> { Path.Combine(outDir, "train.csv") };
        var trainPairs = new List<(int, int)>();
        foreach (int u in trainUsers)
        {
            foreach (int i in data.ItemsOf(u))
                trainPairs.Add((u, i));
        }
        WriteList(files[0], data, trainPairs);
        long hidden = 0;
        foreach ((string name, int[] users) in new[] { ("validation", eligible[trainCount..(trainCount + heldoutUsers)]), ("test", eligible[(trainCount + heldoutUsers)..]) })
        {
            Array.Sort(users);
            var foldIn = new List<(int, int)>();
            var hiddenPairs = new List<(int, int)>();
            var known = new List<int>();
            foreach (int u in users)
            {
                known.Clear();
                foreach (int i in data.ItemsOf(u))
                {
                    if (trainItems[i])
                        known.Add(i);
                }
                var hide = new bool[known.Count];
                if (known.Count >= 5)
                {
                    int[] order = [.. Enumerable.Range(0, known.Count)];
                    rng.Shuffle(order);
                    for (int h = 0; h < (int)(hideFraction * known.Count); h++)
                        hide[order[h]] = true;
                }
                for (int j = 0; j < known.Count; j++)
                    (hide[j] ? hiddenPairs : foldIn).Add((u, known[j]));
            }
            hidden += hiddenPairs.Count;
            files.Add(Path.Combine(outDir, $"{name}_tr.csv"));
            WriteList(files[^1], data, foldIn);
            files.Add(Path.Combine(outDir, $"{name}_te.csv"));
            WriteList(files[^1], data, hiddenPairs);
        }
        return new SplitSummary(eligible.Length, trainCount, heldoutUsers, trainItems.Count(x => x), trainInteractions, hidden, files);
    }

    /// <summary>
    /// Per user: a seeded random share <paramref name="testFraction"/> of each user's items
    /// (rounded, at least one for users with two or more items) goes to test.csv, the rest to train.csv.
    /// </summary>
    public static SplitSummary PerUser(InteractionSet data, double testFraction, int seed, string outDir)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (!(testFraction > 0 && testFraction < 1))
            throw new ArgumentException($"--test-fraction must be in (0, 1), got {testFraction}");
        var rng = new Xoshiro256(seed);
        var train = new List<(int, int)>();
        var test = new List<(int, int)>();
        for (int u = 0; u < data.UserCount; u++)
        {
            ReadOnlySpan<int> items = data.ItemsOf(u);
            int hideCount = items.Length < 2 ? 0 : Math.Clamp((int)Math.Round(testFraction * items.Length), 1, items.Length - 1);
            int[] order = [.. Enumerable.Range(0, items.Length)];
            rng.Shuffle(order);
            var hide = new bool[items.Length];
            for (int h = 0; h < hideCount; h++)
                hide[order[h]] = true;
            for (int j = 0; j < items.Length; j++)
                (hide[j] ? test : train).Add((u, items[j]));
        }
        Directory.CreateDirectory(outDir);
        string trainPath = Path.Combine(outDir, "train.csv"), testPath = Path.Combine(outDir, "test.csv");
        WriteList(trainPath, data, train);
        WriteList(testPath, data, test);
        return new SplitSummary(data.UserCount, data.UserCount, 0, train.Select(p => p.Item2).Distinct().Count(), train.Count, test.Count, [trainPath, testPath]);
    }

    private static void WriteList(string path, InteractionSet data, List<(int User, int Item)> pairs) =>
        AtomicOutput.WriteText(path, w =>
        {
            w.WriteLine("user,item");
            foreach ((int u, int i) in pairs)
            {
                w.Write(CsvField.Quote(data.UserIds[u]));
                w.Write(',');
                w.WriteLine(CsvField.Quote(data.ItemIds[i]));
            }
        });
}

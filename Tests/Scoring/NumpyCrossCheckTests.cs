using System.Globalization;
using Ease.Engine.Scoring;
using Ease.Format;

namespace Ease.Tests.Scoring;

/// <summary>
/// Cross-implementation check on ml-1m (λ = 200, 100 weights per row): scripts/numpy_topk.py
/// trains with the numpy peer, writes the model with its own Python implementation of the
/// format, and lists every train user's top-20. The C# reader must accept that file with full
/// verification, and the scorer's top-20 must equal numpy's for every user, ties aside: scipy
/// sums a user's rows in another order, so scores may differ in the last bits and items whose
/// scores are that close may swap places or cross the 20th position.
/// </summary>
public class NumpyCrossCheckTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private const float Tolerance = 1e-5f;

    [NumpyCrossCheckFact]
    public void Ml1m_Top20_EqualsNumpy_ForEveryUser()
    {
        string outDir = Path.Combine(Path.GetTempPath(), "ease-numpy-crosscheck-" + Guid.NewGuid().ToString("N")[..12]);
        try
        {
            string ml1m = Path.Combine(NumpyCrossCheck.DataDir, "ml-1m");
            int exit = NumpyCrossCheck.Run(NumpyCrossCheck.Python,
                $"\"{NumpyCrossCheck.Script}\" \"{ml1m}\" --lambda 200 --prune-topk 100 -k 20 --out \"{outDir}\" --peer \"{NumpyCrossCheck.Peer}\"",
                TimeSpan.FromMinutes(20), out string scriptOutput);
            Assert.True(exit == 0, $"numpy_topk.py failed ({exit}): {scriptOutput}");
            output.WriteLine(scriptOutput.Trim());

            using ModelFile model = ModelFile.Open(Path.Combine(outDir, "model.ease"), new ModelOpenOptions { VerifyChecksums = true });
            Dictionary<int, List<(int Item, float Score)>> expected = NumpyCrossCheck.ReadTopK(Path.Combine(outDir, "topk.csv"));
            var scorer = new Recommender(model);
            var results = new ScoredItem[20];
            var ids = new List<string>();
            int users = 0, identical = 0;
            foreach (string line in File.ReadLines(Path.Combine(ml1m, "train.txt")))
            {
                string[] parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (parts.Length < 2)
                    continue;
                int user = int.Parse(parts[0], CultureInfo.InvariantCulture);
                ids.Clear();
                ids.AddRange(parts.Skip(1)); // ids are the item numbers as decimal strings
                int count = scorer.Recommend(ids, results, out RecommendStatus status);
                Assert.Equal(0, status.UnknownIds);
                List<(int Item, float Score)> numpy = expected[user];
                Assert.Equal(numpy.Count, count);
                users++;
                if (SameUpToTies(numpy, results.AsSpan(0, count), out string why))
                {
                    if (numpy.Select(x => x.Item).SequenceEqual(results.Take(count).Select(r => r.Row)))
                        identical++;
                }
                else
                {
                    Assert.Fail($"user {user}: {why}");
                }
            }
            Assert.Equal(expected.Count, users);
            output.WriteLine($"ml-1m λ=200 prune 100: {users} users, {identical} identical top-20 lists, the rest equal up to ties within {Tolerance} x score scale");
            // Ties and last-bit differences are rare: nearly every list is identical as it is.
            Assert.True(identical >= users * 0.99, $"only {identical} of {users} users have identical lists");
        }
        finally
        {
            try { Directory.Delete(outDir, recursive: true); }
            catch (IOException) { }
        }
    }

    // Rank by rank the scores agree within tolerance, and any item in one list but not the other
    // scores within tolerance of the 20th (boundary) score.
    private static bool SameUpToTies(List<(int Item, float Score)> numpy, ReadOnlySpan<ScoredItem> ours, out string why)
    {
        float scale = Math.Max(1f, Math.Abs(numpy[0].Score));
        for (int i = 0; i < ours.Length; i++)
        {
            if (Math.Abs(numpy[i].Score - ours[i].Score) > Tolerance * scale)
            {
                why = $"rank {i + 1}: numpy {numpy[i].Item}:{numpy[i].Score:R}, ours {ours[i].Row}:{ours[i].Score:R}";
                return false;
            }
        }
        float boundary = numpy[^1].Score;
        var ourRows = new HashSet<int>();
        foreach (ScoredItem r in ours)
            ourRows.Add(r.Row);
        var numpyRows = numpy.Select(x => x.Item).ToHashSet();
        foreach ((int item, float score) in numpy)
        {
            if (!ourRows.Contains(item) && Math.Abs(score - boundary) > Tolerance * scale)
            {
                why = $"numpy's item {item} ({score:R}) is missing and not a boundary tie (20th score {boundary:R})";
                return false;
            }
        }
        foreach (ScoredItem r in ours)
        {
            if (!numpyRows.Contains(r.Row) && Math.Abs(r.Score - boundary) > Tolerance * scale)
            {
                why = $"our item {r.Row} ({r.Score:R}) is not in numpy's list and not a boundary tie (20th score {boundary:R})";
                return false;
            }
        }
        why = "";
        return true;
    }
}

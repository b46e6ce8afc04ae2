using System.Text.Json;
using Ease.Tests.Scoring;
using Ease.Tests.Support;

namespace Ease.Tests.Study;

/// <summary>
/// `ease study` on ml-1m against scripts/study_numpy.py (numpy/scipy in float64: np.linalg.inv,
/// ARPACK's svds and eigsh, Lawson-Hanson NNLS): every linear variant's Recall@20 and NDCG@20
/// within 0.001 of the independent computation. Needs ../shared/data and python3 with numpy and scipy.
/// </summary>
public sealed class StudyNumpyTests
{
    private const string Variants = "ease,no-zero-diagonal,no-negatives-clipped,no-negatives-fit,low-rank-64-svd,low-rank-64-lae,pruned-128";

    [NumpyCrossCheckFact]
    public void Ml1mVariantsEqualTheNumpyComputation()
    {
        string split = Path.Combine(NumpyCrossCheck.DataDir, "ml-1m");
        string script = Path.Combine(Path.GetDirectoryName(NumpyCrossCheck.Script)!, "study_numpy.py");
        int code = NumpyCrossCheck.Run(NumpyCrossCheck.Python, $"\"{script}\" \"{split}\" --lambda 200 --support 64 --variants {Variants}",
            TimeSpan.FromMinutes(5), out string peerOut);
        Assert.True(code == 0, peerOut);
        using JsonDocument peer = JsonDocument.Parse(peerOut.Split('\n').First(l => l.StartsWith('{')));

        string train = Path.Combine(split, "train.txt");
        var r = CliRunner.Run("study", "-i", train, "--history", train, "--heldout", Path.Combine(split, "test.txt"), "--format", "adjacency",
            "--lambda", "200", "--variants", Variants, "--nonneg-support", "64", "--json");
        Assert.True(r.ExitCode == 0, r.Err);
        using JsonDocument ours = JsonDocument.Parse(r.Out);
        JsonElement expected = peer.RootElement.GetProperty("variants");
        foreach (JsonElement v in ours.RootElement.GetProperty("variants").EnumerateArray())
        {
            string name = v.GetProperty("name").GetString()!;
            JsonElement e = expected.GetProperty(name);
            Assert.Equal(e.GetProperty("users").GetInt32(), v.GetProperty("users").GetInt32());
            foreach (string metric in new[] { "Recall@20", "NDCG@20" })
            {
                double want = e.GetProperty(metric).GetDouble(), got = v.GetProperty(metric).GetDouble();
                Assert.True(Math.Abs(want - got) < 0.001, $"{name} {metric}: numpy {want}, ease {got}");
            }
        }
    }
}

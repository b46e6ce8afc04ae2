using System.Text.Json;
using Ease.Tests.Scoring;
using Ease.Tests.Support;

namespace Ease.Tests.Evaluation;

/// <summary>
/// Train + evaluate on ml-1m against the independent numpy peer run in the same test
/// (`ease_numpy.py adj ml-1m --lambda 200 --dtype f32 --method chol`): Recall@20 and NDCG@20
/// must agree to within 0.001. Needs ../shared/data and python3 with numpy and scipy.
/// </summary>
public class NumpyEvaluationTests
{
    [NumpyCrossCheckTheory]
    [InlineData(0)]
    [InlineData(100)]
    public void Ml1mMetricsEqualTheNumpyPeer(int pruneTopK)
    {
        string split = Path.Combine(NumpyCrossCheck.DataDir, "ml-1m");
        int code = NumpyCrossCheck.Run(NumpyCrossCheck.Python,
            $"\"{NumpyCrossCheck.Peer}\" adj \"{split}\" --lambda 200 --dtype f32 --method chol --prune-topk {pruneTopK}",
            TimeSpan.FromMinutes(5), out string peerOut);
        Assert.True(code == 0, peerOut);
        using JsonDocument peer = JsonDocument.Parse(peerOut.Split('\n').First(l => l.StartsWith('{')));

        using var dir = new TempDirectory();
        string model = dir.File("m.ease");
        var train = new List<string> { "train", "-i", Path.Combine(split, "train.txt"), "--format", "adjacency", "-o", model, "--lambda", "200", "-q" };
        if (pruneTopK > 0)
            train.AddRange(["--prune-topk", pruneTopK.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        Assert.Equal(0, CliRunner.Run([.. train]).ExitCode);
        var eval = CliRunner.Run("evaluate", "-m", model, "--history", Path.Combine(split, "train.txt"), "--heldout", Path.Combine(split, "test.txt"), "--format", "adjacency", "-k", "20", "--json");
        Assert.True(eval.ExitCode == 0, eval.Err);
        using JsonDocument ours = JsonDocument.Parse(eval.Out);

        Assert.Equal(peer.RootElement.GetProperty("eval_users").GetInt32(), ours.RootElement.GetProperty("users").GetInt32());
        foreach (string metric in new[] { "Recall@20", "NDCG@20" })
        {
            double expected = peer.RootElement.GetProperty(metric).GetDouble();
            double actual = ours.RootElement.GetProperty(metric).GetDouble();
            Assert.True(Math.Abs(expected - actual) < 0.001, $"{metric}: numpy {expected}, ease {actual}");
        }
    }
}

/// <summary>
/// The strong-generalization protocol against the peer: on the peer's own split of the raw
/// MovieLens ratings, `ease train` + `ease evaluate --recall-normalization min-k` must give the
/// peer's Recall@20, Recall@50 and NDCG@100 to within 0.001.
/// </summary>
public class NumpyStrongProtocolTests
{
    [NumpyCrossCheckTheory]
    [InlineData(500)]
    public void StrongSplitMetricsEqualTheNumpyPeer(double lambda)
    {
        string ratings = Path.Combine(NumpyCrossCheck.DataDir, "ml-1m-raw-half", "ratings.dat");
        using var dir = new TempDirectory();
        string split = dir.File("split");
        Assert.Equal(0, NumpyCrossCheck.Run(NumpyCrossCheck.Python, $"\"{NumpyCrossCheck.Peer}\" split \"{ratings}\" --out \"{split}\" --heldout 300", TimeSpan.FromMinutes(5), out string o1));
        string l = lambda.ToString(System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(NumpyCrossCheck.Run(NumpyCrossCheck.Python, $"\"{NumpyCrossCheck.Peer}\" strong \"{split}\" --lambda {l} --dtype f32", TimeSpan.FromMinutes(5), out string peerOut) == 0, peerOut + o1);
        using JsonDocument peer = JsonDocument.Parse(peerOut.Split('\n').First(x => x.StartsWith('{')));

        string model = dir.File("m.ease");
        Assert.Equal(0, CliRunner.Run("train", "-i", Path.Combine(split, "train.csv"), "-o", model, "--lambda", l, "-q").ExitCode);
        var eval = CliRunner.Run("evaluate", "-m", model, "--history", Path.Combine(split, "test_tr.csv"), "--heldout", Path.Combine(split, "test_te.csv"), "-k", "20,50,100", "--recall-normalization", "min-k", "--json");
        Assert.True(eval.ExitCode == 0, eval.Err);
        using JsonDocument ours = JsonDocument.Parse(eval.Out);
        foreach (string metric in new[] { "Recall@20", "Recall@50", "NDCG@100" })
        {
            double expected = peer.RootElement.GetProperty(metric).GetDouble(), actual = ours.RootElement.GetProperty(metric).GetDouble();
            Assert.True(Math.Abs(expected - actual) < 0.001, $"{metric}: numpy {expected}, ease {actual}");
        }
    }
}

/// <summary>
/// GF-CF against the independent scipy reference (../shared/peers/gfcf_scipy.py, exact svds) on
/// ml-1m: `ease train --family gf-cf` + `ease evaluate` give its Recall@20 and NDCG@20 to within 0.001.
/// </summary>
public class GfCfScipyTests
{
    [NumpyCrossCheckTheory]
    [InlineData("0.3", "256")]
    [InlineData("0", "256")]
    public void Ml1mMetricsEqualTheScipyReference(string alpha, string rank)
    {
        string split = Path.Combine(NumpyCrossCheck.DataDir, "ml-1m");
        string peerScript = Path.Combine(Path.GetDirectoryName(NumpyCrossCheck.Peer)!, "gfcf_scipy.py");
        int code = NumpyCrossCheck.Run(NumpyCrossCheck.Python, $"\"{peerScript}\" \"{split}\" --alpha {alpha} --k {rank}", TimeSpan.FromMinutes(5), out string peerOut);
        Assert.True(code == 0, peerOut);
        using JsonDocument peer = JsonDocument.Parse(peerOut.Split('\n').Last(l => l.StartsWith('{')));

        using var dir = new TempDirectory();
        string model = dir.File("m.ease");
        var train = CliRunner.Run("train", "-i", Path.Combine(split, "train.txt"), "--format", "adjacency", "-o", model, "--family", "gf-cf", "--alpha", alpha, "--rank", rank, "-q");
        Assert.True(train.ExitCode == 0, train.Err);
        var eval = CliRunner.Run("evaluate", "-m", model, "--history", Path.Combine(split, "train.txt"), "--heldout", Path.Combine(split, "test.txt"), "--format", "adjacency", "-k", "20", "--json");
        Assert.True(eval.ExitCode == 0, eval.Err);
        using JsonDocument ours = JsonDocument.Parse(eval.Out);
        Assert.Equal(peer.RootElement.GetProperty("users").GetInt32(), ours.RootElement.GetProperty("users").GetInt32());
        foreach ((string theirs, string mine) in new[] { ("recall", "Recall@20"), ("ndcg", "NDCG@20") })
        {
            double expected = peer.RootElement.GetProperty(theirs).GetDouble(), actual = ours.RootElement.GetProperty(mine).GetDouble();
            Assert.True(Math.Abs(expected - actual) < 0.001, $"{mine}: scipy {expected}, ease {actual}");
        }
    }
}

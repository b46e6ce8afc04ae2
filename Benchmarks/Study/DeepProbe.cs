using System.Globalization;
using Ease.Engine.Input;
using Ease.Study.Deep;

namespace Ease.Benchmarks.Study;

/// <summary>
/// `deep DIR MODEL [epochs] [evalEvery] [key=value ...]`: trains Mult-VAE (vae), Mult-DAE (dae),
/// gaussian-dae or logistic-dae on DIR/train.txt (adjacency lines) and prints, per epoch, the loss, β,
/// seconds and GFLOP/s, and every evalEvery epochs Recall@20 / NDCG@20 ± standard error on DIR/test.txt
/// (LightGCN protocol), and with DIR/valid.txt the test figures at the best validation epoch. Keys: batch,
/// hidden, latent, dropout, cap, anneal, lr, l2, seed, threads.
/// </summary>
public static class DeepProbe
{
    public static int RunFromArgs(string[] args)
    {
        var ci = CultureInfo.InvariantCulture;
        string dir = args[0];
        string model = args.Length > 1 ? args[1] : "vae";
        int epochs = args.Length > 2 ? int.Parse(args[2], ci) : 200;
        int evalEvery = args.Length > 3 ? int.Parse(args[3], ci) : 10;
        var options = model switch
        {
            "vae" => new DeepOptions { Variational = true },
            "dae" => new DeepOptions(),
            "gaussian-dae" => new DeepOptions { Likelihood = Likelihood.Gaussian },
            "logistic-dae" => new DeepOptions { Likelihood = Likelihood.Logistic },
            _ => throw new ArgumentException($"unknown model {model}: vae, dae, gaussian-dae or logistic-dae"),
        };
        options = options with { Epochs = epochs };
        foreach (string kv in args.Skip(4))
        {
            var parts = kv.Split('=', 2);
            string v = parts[1];
            options = parts[0] switch
            {
                "batch" => options with { BatchSize = int.Parse(v, ci) },
                "hidden" => options with { Hidden = int.Parse(v, ci) },
                "latent" => options with { Latent = int.Parse(v, ci) },
                "dropout" => options with { InputDropout = float.Parse(v, ci) },
                "cap" => options with { AnnealCap = float.Parse(v, ci) },
                "anneal" => options with { TotalAnnealSteps = int.Parse(v, ci) },
                "lr" => options with { LearningRate = float.Parse(v, ci) },
                "l2" => options with { L2 = float.Parse(v, ci) },
                "seed" => options with { Seed = ulong.Parse(v, ci) },
                "threads" => options with { Threads = int.Parse(v, ci) },
                _ => throw new ArgumentException($"unknown key {parts[0]}"),
            };
        }
        var input = new InputOptions { Format = InputFormat.Adjacency };
        var train = InteractionReader.Read(Path.Combine(dir, "train.txt"), input);
        var test = InteractionReader.Read(Path.Combine(dir, "test.txt"), input, train.ItemIds, UnknownItemPolicy.Drop);
        string validPath = Path.Combine(dir, "valid.txt");
        var valid = File.Exists(validPath) ? InteractionReader.Read(validPath, input, train.ItemIds, UnknownItemPolicy.Drop) : null;
        Console.WriteLine($"train {train}; test {test}" + (valid is null ? "" : $"; valid {valid}"));
        Console.WriteLine($"{model}: {options}");
        double bestNdcg = -1;
        int bestEpoch = 0;
        string bestLine = "";
        double bestValid = -1;
        int bestValidEpoch = 0;
        DeepAutoencoder? bestModel = null;
        var trained = DeepAutoencoder.Train(train, options, null, default, (m, e) =>
        {
            var ph = m.LastEpochPhases;
            string line = $"epoch {e.Epoch,4} loss {e.Loss,10:F4} beta {e.Beta:F4} {e.Seconds,7:F2}s {e.Gflops,6:F1} GF/s " +
                $"[fwd {ph[0]:F1} loss {ph[1]:F1} bwd {ph[2]:F1} adam {ph[3]:F1}]";
            if (e.Epoch % evalEvery == 0 || e.Epoch == e.Epochs)
            {
                if (valid is not null)
                {
                    var v = HoldoutEvaluation.Evaluate(m, train, valid);
                    line += $"  valid NDCG@20 {v.Ndcg.Mean:F4}";
                    if (v.Ndcg.Mean > bestValid)
                    {
                        bestValid = v.Ndcg.Mean;
                        bestValidEpoch = e.Epoch;
                        bestModel = m.Snapshot();
                    }
                }
                var r = HoldoutEvaluation.Evaluate(m, train, test);
                line += $"  Recall@20 {r.Recall.Mean:F4} ± {r.Recall.StandardError:F4}  NDCG@20 {r.Ndcg.Mean:F4} ± {r.Ndcg.StandardError:F4} ({r.Users} users, {r.Seconds:F1}s)";
                if (r.Ndcg.Mean > bestNdcg)
                {
                    bestNdcg = r.Ndcg.Mean;
                    bestEpoch = e.Epoch;
                    bestLine = line;
                }
            }
            Console.WriteLine(line);
            return true;
        });
        Console.WriteLine($"parameters {trained.ParameterCount:N0}; product GFLOP per epoch {trained.FlopsPerEpoch * 1e-9:F1}; " +
            $"GC collections gen0/1/2 {GC.CollectionCount(0)}/{GC.CollectionCount(1)}/{GC.CollectionCount(2)} (evaluation included)");
        Console.WriteLine($"best test epoch {bestEpoch}: {bestLine}");
        if (bestModel is not null)
        {
            var r = HoldoutEvaluation.Evaluate(bestModel, train, test);
            Console.WriteLine($"test at the best validation epoch {bestValidEpoch}: Recall@20 {r.Recall.Mean:F4} ± {r.Recall.StandardError:F4}  NDCG@20 {r.Ndcg.Mean:F4} ± {r.Ndcg.StandardError:F4} ({r.Users} users)");
        }
        return 0;
    }
}

using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Ease.Cli.Commands;
using Ease.Engine.Evaluation;
using Ease.Study;

namespace Ease.Cli;

/// <summary>
/// A study's results as the report files say them: the Markdown table (study.md, also printed),
/// the JSON (study.json and --json) and the figures the chart draws. Every row gives the first
/// cut-off's Recall and NDCG with standard errors, NDCG as a share of EASE's, the parameter count,
/// and the training time (alone: the shared Gram and inverse counted for each variant that needs
/// them) beside the scoring time.
/// </summary>
public sealed class StudyDocument(StudyReport report, string input, int[] cutoffs, RecallNormalization normalization, int threads)
{
    private static readonly CultureInfo C = CultureInfo.InvariantCulture;

    public StudyReport Report => report;
    public int K => cutoffs[0];
    public string Input => input;

    /// <summary>The CPU named by /proc/cpuinfo (or the architecture where there is none), with the cores used.</summary>
    public string Machine { get; } = MachineName(threads);

    /// <summary>EASE's NDCG at the first cut-off, when EASE is in the study.</summary>
    public double? EaseNdcg => report.Results.FirstOrDefault(r => r.Variant.Kind == VariantKind.Ease)?.Evaluation.Cutoffs[0].Ndcg.Mean;

    public string Markdown()
    {
        var s = new StringBuilder();
        int evaluated = report.Results.Count > 0 ? report.Results[0].Evaluation.Users : 0;
        s.Append(C, $"# ease study: {input}\n\n");
        s.Append(C, $"{report.Users:N0} users x {report.Items:N0} items, {report.Interactions:N0} interactions; {evaluated:N0} users evaluated; λ = {report.Lambda:0.###}; ");
        s.Append(C, $"recall normalized by {(normalization == RecallNormalization.MinK ? "min(k, |heldout|)" : "|heldout|")}; mean ± standard error. {Machine}.\n");
        if (report.GramSeconds > 0)
        {
            s.Append(C, $"Shared by the linear variants: Gram {report.GramSeconds:0.0} s");
            if (report.InverseSeconds > 0)
                s.Append(C, $", inverse {report.InverseSeconds:0.0} s ({report.InverseGflops:0} GFLOP/s)");
            s.Append(C, $"; {report.MatrixBytes / (1024.0 * 1024 * 1024):0.00} GiB of n x n matrices.\n");
        }
        s.Append('\n');
        s.Append(C, $"| variant | claim | parameters | Recall@{K} | NDCG@{K} | of EASE | train s | score s | how |\n");
        s.Append("|---|---|---|---|---|---|---|---|---|\n");
        double? ease = EaseNdcg;
        foreach (StudyResult r in report.Results)
        {
            CutoffMetrics m = r.Evaluation.Cutoffs[0];
            string share = ease is double e && e > 0 ? (m.Ndcg.Mean / e * 100).ToString("0.0", C) + "%" : "";
            s.Append(C, $"| {r.Variant.Name} | {r.Variant.Claim} | {Count(r.Parameters)} | {m.Recall.Mean:0.00000} ± {m.Recall.StandardError:0.00000} | {m.Ndcg.Mean:0.00000} ± {m.Ndcg.StandardError:0.00000} | {share} | {r.TrainSeconds:0.0} | {r.Evaluation.ScoringSeconds:0.0} | {r.Note.Replace("|", "\\|", StringComparison.Ordinal)} |\n");
        }
        if (cutoffs.Length > 1)
        {
            s.Append('\n');
            s.Append("| variant |");
            foreach (int k in cutoffs.Skip(1))
                s.Append(C, $" Recall@{k} | NDCG@{k} |");
            s.Append('\n');
            s.Append("|---|");
            foreach (int _ in cutoffs.Skip(1))
                s.Append("---|---|");
            s.Append('\n');
            foreach (StudyResult r in report.Results)
            {
                s.Append(C, $"| {r.Variant.Name} |");
                foreach (CutoffMetrics m in r.Evaluation.Cutoffs.Skip(1))
                    s.Append(C, $" {m.Recall.Mean:0.00000} ± {m.Recall.StandardError:0.00000} | {m.Ndcg.Mean:0.00000} ± {m.Ndcg.StandardError:0.00000} |");
                s.Append('\n');
            }
        }
        s.Append("\ntrain s: the variant trained alone (Gram, inverse where it needs one, its own fit); score s: ranking every evaluated user.\n");
        return s.ToString();
    }

    /// <summary>
    /// study.json: "input", "users", "items", "interactions", "evaluated_users", "lambda", "k",
    /// "recall_normalization", "machine", "gram_seconds", "inverse_seconds", "inverse_gflops" and
    /// "variants", each with "name", "claim", "parameters", "train_seconds", "own_seconds",
    /// "note", "ndcg_of_ease", for the deep variants "epoch" (the one evaluated), and the keys of `ease evaluate --json` ("Recall@20", "NDCG@20",
    /// "Recall@20_se", "NDCG@20_se", "Coverage@20", "users", "scoring_seconds", ...).
    /// </summary>
    public JsonObject Json()
    {
        var variants = new JsonArray();
        double? ease = EaseNdcg;
        foreach (StudyResult r in report.Results)
        {
            JsonObject o = EvaluateCommand.ToJson(r.Evaluation);
            o["name"] = r.Variant.Name;
            o["claim"] = r.Variant.Claim;
            o["parameters"] = r.Parameters;
            o["train_seconds"] = Math.Round(r.TrainSeconds, 3);
            o["own_seconds"] = Math.Round(r.OwnSeconds, 3);
            o["note"] = r.Note;
            if (r.Variant.IsDeep)
                o["epoch"] = r.Epoch;
            if (ease is double e && e > 0)
                o["ndcg_of_ease"] = Math.Round(r.Evaluation.Cutoffs[0].Ndcg.Mean / e, 6);
            variants.Add(o);
        }
        var k = new JsonArray();
        foreach (int c in cutoffs)
            k.Add(c);
        return new JsonObject
        {
            ["input"] = input,
            ["users"] = report.Users,
            ["items"] = report.Items,
            ["interactions"] = report.Interactions,
            ["evaluated_users"] = report.Results.Count > 0 ? report.Results[0].Evaluation.Users : 0,
            ["lambda"] = report.Lambda,
            ["k"] = k,
            ["recall_normalization"] = normalization == RecallNormalization.MinK ? "min-k" : "heldout",
            ["machine"] = Machine,
            ["gram_seconds"] = Math.Round(report.GramSeconds, 3),
            ["inverse_seconds"] = Math.Round(report.InverseSeconds, 3),
            ["inverse_gflops"] = Math.Round(report.InverseGflops, 1),
            ["variants"] = variants,
        };
    }

    /// <summary>A parameter count in short form: 1.45 G, 38.9 M, 3,706.</summary>
    public static string Count(long n) => n switch
    {
        >= 1_000_000_000 => (n / 1e9).ToString("0.00", C) + " G",
        >= 1_000_000 => (n / 1e6).ToString("0.0", C) + " M",
        _ => n.ToString("N0", C),
    };

    private static string MachineName(int threads)
    {
        string cpu = System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture.ToString();
        try
        {
            if (File.Exists("/proc/cpuinfo"))
            {
                string? line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(x => x.StartsWith("model name", StringComparison.Ordinal));
                if (line is not null && line.IndexOf(':', StringComparison.Ordinal) is int colon and >= 0)
                    cpu = line[(colon + 1)..].Trim();
            }
        }
        catch (IOException)
        {
            // The architecture name stands in.
        }
        int used = threads > 0 ? threads : Environment.ProcessorCount;
        return string.Create(C, $"{cpu}, {used} of {Environment.ProcessorCount} cores");
    }
}

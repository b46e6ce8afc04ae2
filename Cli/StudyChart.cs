using System.Globalization;
using System.Text;
using Ease.Engine.Evaluation;
using Ease.Study;

namespace Ease.Cli;

/// <summary>
/// study.svg: one row per variant with two horizontal bars, NDCG@k and Recall@k, each with a
/// whisker of ± one standard error, and a dashed line at EASE's value of each, so what a variant
/// loses against the reference reads off directly. Self-contained SVG, like the pruning chart.
/// </summary>
public static class StudyChart
{
    private static string F(double x) => x.ToString("0.##", CultureInfo.InvariantCulture);

    private const string NdcgColor = "#1f77b4", RecallColor = "#ff7f0e";

    public static string Svg(StudyDocument document)
    {
        IReadOnlyList<StudyResult> rows = document.Report.Results;
        const int W = 860, Left = 190, Right = 120, Top = 76, RowH = 34, BarH = 12;
        int plotW = W - Left - Right;
        int h = Top + rows.Count * RowH + 50;
        double max = 0;
        foreach (StudyResult r in rows)
        {
            CutoffMetrics m = r.Evaluation.Cutoffs[0];
            max = Math.Max(max, Math.Max(m.Ndcg.Mean + m.Ndcg.StandardError, m.Recall.Mean + m.Recall.StandardError));
        }
        max = max <= 0 ? 1 : max * 1.05;
        double X(double v) => Left + Math.Max(0, v) / max * plotW;
        int k = document.K;

        var s = new StringBuilder();
        s.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{W}\" height=\"{h}\" viewBox=\"0 0 {W} {h}\" font-family=\"sans-serif\" font-size=\"12\">\n");
        s.Append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        s.Append(CultureInfo.InvariantCulture, $"<text x=\"{W / 2}\" y=\"24\" text-anchor=\"middle\" font-size=\"16\" font-weight=\"bold\">{Escape($"ease study: {document.Input}, λ = {document.Report.Lambda.ToString("0.###", CultureInfo.InvariantCulture)}")}</text>\n");
        s.Append(CultureInfo.InvariantCulture, $"<text x=\"{W / 2}\" y=\"42\" text-anchor=\"middle\" fill=\"#555\">{Escape(document.Machine)}; whiskers: ± 1 standard error</text>\n");
        // Legend.
        s.Append(CultureInfo.InvariantCulture, $"<rect x=\"{Left}\" y=\"52\" width=\"12\" height=\"10\" fill=\"{NdcgColor}\"/><text x=\"{Left + 16}\" y=\"61\">NDCG@{k}</text>\n");
        s.Append(CultureInfo.InvariantCulture, $"<rect x=\"{Left + 100}\" y=\"52\" width=\"12\" height=\"10\" fill=\"{RecallColor}\"/><text x=\"{Left + 116}\" y=\"61\">Recall@{k}</text>\n");

        int bottom = Top + rows.Count * RowH;
        s.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Left}\" y1=\"{Top - 4}\" x2=\"{Left}\" y2=\"{bottom}\" stroke=\"black\"/>\n");
        s.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Left}\" y1=\"{bottom}\" x2=\"{Left + plotW}\" y2=\"{bottom}\" stroke=\"black\"/>\n");
        for (int t = 0; t <= 4; t++)
        {
            double v = max * t / 4;
            s.Append(CultureInfo.InvariantCulture, $"<line x1=\"{F(X(v))}\" y1=\"{bottom}\" x2=\"{F(X(v))}\" y2=\"{bottom + 4}\" stroke=\"black\"/>\n");
            s.Append(CultureInfo.InvariantCulture, $"<text x=\"{F(X(v))}\" y=\"{bottom + 18}\" text-anchor=\"middle\">{v:0.000}</text>\n");
        }
        if (rows.FirstOrDefault(r => r.Variant.Kind == VariantKind.Ease) is { } ease)
        {
            CutoffMetrics e = ease.Evaluation.Cutoffs[0];
            Reference(s, X(e.Ndcg.Mean), Top - 4, bottom, NdcgColor);
            Reference(s, X(e.Recall.Mean), Top - 4, bottom, RecallColor);
        }
        for (int i = 0; i < rows.Count; i++)
        {
            StudyResult r = rows[i];
            CutoffMetrics m = r.Evaluation.Cutoffs[0];
            double y = Top + i * RowH + 4;
            s.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left - 8}\" y=\"{F(y + BarH + 2)}\" text-anchor=\"end\">{Escape(r.Variant.Name)}</text>\n");
            Bar(s, X, y, BarH, m.Ndcg, NdcgColor);
            Bar(s, X, y + BarH + 2, BarH, m.Recall, RecallColor);
        }
        s.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left + plotW / 2}\" y=\"{bottom + 38}\" text-anchor=\"middle\">mean over evaluated users (dashed: EASE)</text>\n");
        s.Append("</svg>\n");
        return s.ToString();
    }

    private static void Bar(StringBuilder s, Func<double, double> x, double y, int height, MeanWithError v, string color)
    {
        double x0 = x(0), x1 = x(v.Mean);
        s.Append(CultureInfo.InvariantCulture, $"<rect x=\"{F(x0)}\" y=\"{F(y)}\" width=\"{F(Math.Max(0, x1 - x0))}\" height=\"{height}\" fill=\"{color}\" opacity=\"0.85\"/>\n");
        double lo = x(v.Mean - v.StandardError), hi = x(v.Mean + v.StandardError), mid = y + height / 2.0;
        s.Append(CultureInfo.InvariantCulture, $"<line x1=\"{F(lo)}\" y1=\"{F(mid)}\" x2=\"{F(hi)}\" y2=\"{F(mid)}\" stroke=\"black\"/>\n");
        s.Append(CultureInfo.InvariantCulture, $"<line x1=\"{F(lo)}\" y1=\"{F(y + 2)}\" x2=\"{F(lo)}\" y2=\"{F(y + height - 2)}\" stroke=\"black\"/>\n");
        s.Append(CultureInfo.InvariantCulture, $"<line x1=\"{F(hi)}\" y1=\"{F(y + 2)}\" x2=\"{F(hi)}\" y2=\"{F(y + height - 2)}\" stroke=\"black\"/>\n");
        s.Append(CultureInfo.InvariantCulture, $"<text x=\"{F(hi + 6)}\" y=\"{F(y + height - 2)}\" font-size=\"11\">{v.Mean:0.0000}</text>\n");
    }

    private static void Reference(StringBuilder s, double x, int top, int bottom, string color) =>
        s.Append(CultureInfo.InvariantCulture, $"<line x1=\"{F(x)}\" y1=\"{top}\" x2=\"{F(x)}\" y2=\"{bottom}\" stroke=\"{color}\" stroke-dasharray=\"4 3\"/>\n");

    private static string Escape(string text) => System.Security.SecurityElement.Escape(text) ?? "";
}

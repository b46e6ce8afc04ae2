using System.Globalization;
using System.Text;

namespace Ease.Cli;

/// <summary>One point of the pruning trade-off: weights per row (0 = dense) and what it gives and costs.</summary>
public sealed record TradeoffPoint(int WeightsPerRow, double Ndcg, long FileBytes, double UsersPerSecond);

/// <summary>
/// The pruning trade-off as a self-contained SVG (two panels sharing the x axis: accuracy on
/// top, scoring speed and model size below) and as a terminal table with bars.
/// </summary>
public static class PruningChart
{
    private static string F(double x) => x.ToString("0.##", CultureInfo.InvariantCulture);

    public static string Label(int weightsPerRow) => weightsPerRow == 0 ? "dense" : weightsPerRow.ToString(CultureInfo.InvariantCulture);

    public static string Svg(IReadOnlyList<TradeoffPoint> points, string metric, string title)
    {
        TradeoffPoint[] p = [.. points.OrderByDescending(x => x.WeightsPerRow == 0 ? int.MaxValue : x.WeightsPerRow)];
        const int W = 760, H = 560, Left = 80, Right = 90, Top = 60, PanelH = 190, Gap = 70;
        int plotW = W - Left - Right;
        // Points sit inside the axes so that their labels do not collide with the tick labels.
        double X(int i) => Left + 50 + (p.Length == 1 ? (plotW - 100) / 2.0 : (plotW - 100) * i / (double)(p.Length - 1));
        var s = new StringBuilder();
        s.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{W}\" height=\"{H}\" viewBox=\"0 0 {W} {H}\" font-family=\"sans-serif\" font-size=\"12\">\n");
        s.Append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        s.Append(CultureInfo.InvariantCulture, $"<text x=\"{W / 2}\" y=\"28\" text-anchor=\"middle\" font-size=\"16\" font-weight=\"bold\">{Escape(title)}</text>\n");

        // Top panel: accuracy.
        double maxN = p.Max(x => x.Ndcg), minN = p.Min(x => x.Ndcg);
        double lo = Math.Max(0, minN - 0.1 * (maxN - minN + 1e-9)), hi = maxN + 0.25 * (maxN - minN + 1e-9);
        double Y1(double v) => Top + PanelH - (v - lo) / (hi - lo) * PanelH;
        Axes(s, Top, PanelH, plotW, Left);
        for (int t = 0; t <= 4; t++)
        {
            double v = lo + (hi - lo) * t / 4;
            s.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left - 6}\" y=\"{F(Y1(v) + 4)}\" text-anchor=\"end\">{v:0.0000}</text>\n");
        }
        s.Append(CultureInfo.InvariantCulture, $"<text x=\"18\" y=\"{Top + PanelH / 2}\" transform=\"rotate(-90 18 {Top + PanelH / 2})\" text-anchor=\"middle\">{Escape(metric)}</text>\n");
        Polyline(s, p.Select((x, i) => (X(i), Y1(x.Ndcg))), "#1f77b4");
        double dense = p.FirstOrDefault(x => x.WeightsPerRow == 0)?.Ndcg ?? maxN;
        for (int i = 0; i < p.Length; i++)
        {
            s.Append(CultureInfo.InvariantCulture, $"<circle cx=\"{F(X(i))}\" cy=\"{F(Y1(p[i].Ndcg))}\" r=\"4\" fill=\"#1f77b4\"/>\n");
            s.Append(CultureInfo.InvariantCulture, $"<text x=\"{F(X(i))}\" y=\"{F(Y1(p[i].Ndcg) - 10)}\" text-anchor=\"middle\">{p[i].Ndcg:0.0000} ({p[i].Ndcg / dense * 100:0.0}%)</text>\n");
        }

        // Bottom panel: users/s (bars) and file size (line, right axis).
        int top2 = Top + PanelH + Gap;
        Axes(s, top2, PanelH, plotW, Left);
        double maxU = Math.Max(1, p.Max(x => x.UsersPerSecond)), maxB = Math.Max(1, p.Max(x => (double)x.FileBytes));
        double bar = Math.Min(40, plotW / (2.0 * p.Length));
        for (int i = 0; i < p.Length; i++)
        {
            double h = p[i].UsersPerSecond / maxU * PanelH;
            s.Append(CultureInfo.InvariantCulture, $"<rect x=\"{F(X(i) - bar / 2)}\" y=\"{F(top2 + PanelH - h)}\" width=\"{F(bar)}\" height=\"{F(h)}\" fill=\"#ff7f0e\" opacity=\"0.8\"/>\n");
            s.Append(CultureInfo.InvariantCulture, $"<text x=\"{F(X(i))}\" y=\"{F(top2 + PanelH - h - 4)}\" text-anchor=\"middle\">{p[i].UsersPerSecond:N0}/s</text>\n");
        }
        Polyline(s, p.Select((x, i) => (X(i), top2 + PanelH - x.FileBytes / maxB * PanelH)), "#2ca02c");
        for (int i = 0; i < p.Length; i++)
        {
            double y = top2 + PanelH - p[i].FileBytes / maxB * PanelH;
            s.Append(CultureInfo.InvariantCulture, $"<circle cx=\"{F(X(i))}\" cy=\"{F(y)}\" r=\"3\" fill=\"#2ca02c\"/>\n");
            s.Append(CultureInfo.InvariantCulture, $"<text x=\"{F(X(i) + 6)}\" y=\"{F(y + 14)}\" fill=\"#2ca02c\">{Escape(Units.Bytes(p[i].FileBytes))}</text>\n");
        }
        s.Append(CultureInfo.InvariantCulture, $"<text x=\"18\" y=\"{top2 + PanelH / 2}\" transform=\"rotate(-90 18 {top2 + PanelH / 2})\" text-anchor=\"middle\" fill=\"#ff7f0e\">scoring users/s</text>\n");
        s.Append(CultureInfo.InvariantCulture, $"<text x=\"{W - 20}\" y=\"{top2 + PanelH / 2}\" transform=\"rotate(90 {W - 20} {top2 + PanelH / 2})\" text-anchor=\"middle\" fill=\"#2ca02c\">model file size</text>\n");
        for (int i = 0; i < p.Length; i++)
            s.Append(CultureInfo.InvariantCulture, $"<text x=\"{F(X(i))}\" y=\"{top2 + PanelH + 18}\" text-anchor=\"middle\">{Label(p[i].WeightsPerRow)}</text>\n");
        s.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left + plotW / 2}\" y=\"{top2 + PanelH + 40}\" text-anchor=\"middle\">weights kept per row of B</text>\n");
        s.Append("</svg>\n");
        return s.ToString();
    }

    private static void Axes(StringBuilder s, int top, int height, int width, int left)
    {
        s.Append(CultureInfo.InvariantCulture, $"<line x1=\"{left}\" y1=\"{top}\" x2=\"{left}\" y2=\"{top + height}\" stroke=\"black\"/>\n");
        s.Append(CultureInfo.InvariantCulture, $"<line x1=\"{left}\" y1=\"{top + height}\" x2=\"{left + width}\" y2=\"{top + height}\" stroke=\"black\"/>\n");
    }

    private static void Polyline(StringBuilder s, IEnumerable<(double X, double Y)> points, string color) =>
        s.Append(CultureInfo.InvariantCulture, $"<polyline fill=\"none\" stroke=\"{color}\" stroke-width=\"2\" points=\"{string.Join(' ', points.Select(q => $"{F(q.X)},{F(q.Y)}"))}\"/>\n");

    private static string Escape(string text) => System.Security.SecurityElement.Escape(text) ?? "";

    /// <summary>The same trade-off as text: one row per pruning level, with bars.</summary>
    public static string Terminal(IReadOnlyList<TradeoffPoint> points, string metric)
    {
        TradeoffPoint[] p = [.. points.OrderByDescending(x => x.WeightsPerRow == 0 ? int.MaxValue : x.WeightsPerRow)];
        double dense = p.FirstOrDefault(x => x.WeightsPerRow == 0)?.Ndcg ?? p.Max(x => x.Ndcg);
        double maxU = Math.Max(1, p.Max(x => x.UsersPerSecond));
        var s = new StringBuilder();
        s.Append(CultureInfo.InvariantCulture, $"{"weights/row",11}  {metric,-8} {"of dense",8}  {"file",10}  users/s\n");
        foreach (TradeoffPoint x in p)
        {
            string bar = new('#', (int)Math.Round(20 * x.UsersPerSecond / maxU));
            s.Append(CultureInfo.InvariantCulture, $"{Label(x.WeightsPerRow),11}  {x.Ndcg,-8:0.0000} {x.Ndcg / dense * 100,7:0.0}%  {Units.Bytes(x.FileBytes),10}  {bar,-20} {x.UsersPerSecond:N0}\n");
        }
        return s.ToString();
    }
}

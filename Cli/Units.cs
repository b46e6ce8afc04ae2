using System.Globalization;

namespace Ease.Cli;

/// <summary>Human-readable quantities.</summary>
public static class Units
{
    public static string Bytes(double bytes)
    {
        string[] units = ["B", "KiB", "MiB", "GiB", "TiB"];
        int u = 0;
        while (bytes >= 1024 && u < units.Length - 1)
        {
            bytes /= 1024;
            u++;
        }
        return string.Create(CultureInfo.InvariantCulture, $"{bytes:0.##} {units[u]}");
    }

    /// <summary>Parses a byte size: a number with an optional unit K, M, G, T (powers of 1024; "GiB", "GB", "g" alike).</summary>
    public static bool TryParseBytes(string text, out long bytes)
    {
        bytes = 0;
        string t = text.Trim();
        int end = 0;
        while (end < t.Length && (char.IsAsciiDigit(t[end]) || t[end] == '.'))
            end++;
        if (end == 0 || !double.TryParse(t.AsSpan(0, end), NumberStyles.Float, CultureInfo.InvariantCulture, out double value))
            return false;
        string unit = t[end..].Trim().ToUpperInvariant().TrimEnd('B').TrimEnd('I');
        double scale = unit switch { "" => 1, "K" => 1L << 10, "M" => 1L << 20, "G" => 1L << 30, "T" => 1L << 40, _ => -1 };
        if (scale < 0 || !(value * scale < long.MaxValue))
            return false;
        bytes = (long)(value * scale);
        return true;
    }

    public static string Seconds(double seconds) => seconds switch
    {
        < 1e-3 => string.Create(CultureInfo.InvariantCulture, $"{seconds * 1e6:0.#} µs"),
        < 1 => string.Create(CultureInfo.InvariantCulture, $"{seconds * 1e3:0.#} ms"),
        < 120 => string.Create(CultureInfo.InvariantCulture, $"{seconds:0.##} s"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{(int)(seconds / 60)} min {seconds % 60:0} s"),
    };
}

/// <summary>JSON writer settings shared by every --json output.</summary>
public static class JsonOutput
{
    // Relaxed escaping: model metadata holds formulas (P̃, ½, ᵀ) that must read as written, not as \uXXXX.
    public static readonly System.Text.Json.JsonSerializerOptions Compact = new() { WriteIndented = false, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    public static readonly System.Text.Json.JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
}

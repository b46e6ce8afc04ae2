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
    public static readonly System.Text.Json.JsonSerializerOptions Compact = new() { WriteIndented = false };
    public static readonly System.Text.Json.JsonSerializerOptions Indented = new() { WriteIndented = true };
}

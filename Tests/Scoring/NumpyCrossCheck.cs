using System.Diagnostics;
using System.Globalization;

namespace Ease.Tests.Scoring;

/// <summary>
/// Finds what the numpy cross-check needs: the shared data (env EASE_SHARED_DATA, else a
/// <c>shared/data</c> folder found walking up from the test assembly), the peer beside it
/// (<c>shared/peers/ease_numpy.py</c>), this repository's <c>scripts/numpy_topk.py</c>, and a
/// python3 that imports numpy and scipy. Any of them missing skips the test.
/// </summary>
internal static class NumpyCrossCheck
{
    private static readonly Lazy<(string? Data, string? Peer, string? Script, string? Python, string Why)> Found = new(Find);

    public static string? SkipReason => Found.Value.Python is null ? Found.Value.Why : null;
    public static string DataDir => Found.Value.Data!;
    public static string Peer => Found.Value.Peer!;
    public static string Script => Found.Value.Script!;
    public static string Python => Found.Value.Python!;

    private static (string?, string?, string?, string?, string) Find()
    {
        string? data = Environment.GetEnvironmentVariable("EASE_SHARED_DATA");
        string? script = null;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (data is null && Directory.Exists(Path.Combine(dir.FullName, "shared", "data")))
                data = Path.Combine(dir.FullName, "shared", "data");
            if (script is null && File.Exists(Path.Combine(dir.FullName, "scripts", "numpy_topk.py")))
                script = Path.Combine(dir.FullName, "scripts", "numpy_topk.py");
        }
        if (data is null || !Directory.Exists(Path.Combine(data, "ml-1m")))
            return (null, null, null, null, "no shared/data/ml-1m (set EASE_SHARED_DATA)");
        string peer = Path.GetFullPath(Path.Combine(data, "..", "peers", "ease_numpy.py"));
        if (!File.Exists(peer))
            return (null, null, null, null, $"no numpy peer at {peer}");
        if (script is null)
            return (null, null, null, null, "scripts/numpy_topk.py not found above the test assembly");
        foreach (string python in new[] { "/usr/bin/python3", "python3" })
        {
            if (Run(python, "-c \"import numpy, scipy\"", TimeSpan.FromSeconds(60), out _) == 0)
                return (data, peer, script, python, "");
        }
        return (null, null, null, null, "no python3 with numpy and scipy");
    }

    public static int Run(string file, string arguments, TimeSpan timeout, out string output)
    {
        try
        {
            var info = new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
            info.Environment["OPENBLAS_CORETYPE"] = "SkylakeX";
            using Process p = Process.Start(info)!;
            Task<string> stdout = p.StandardOutput.ReadToEndAsync();
            Task<string> stderr = p.StandardError.ReadToEndAsync();
            if (!p.WaitForExit(timeout))
            {
                p.Kill(entireProcessTree: true);
                output = "timed out";
                return -1;
            }
            output = stdout.Result + stderr.Result;
            return p.ExitCode;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            output = e.Message;
            return -1;
        }
    }

    /// <summary>topk.csv: user -> (item, score) best first.</summary>
    public static Dictionary<int, List<(int Item, float Score)>> ReadTopK(string path)
    {
        var result = new Dictionary<int, List<(int, float)>>();
        foreach (string line in File.ReadLines(path).Skip(1))
        {
            string[] p = line.Split(',');
            int user = int.Parse(p[0], CultureInfo.InvariantCulture);
            if (!result.TryGetValue(user, out List<(int, float)>? list))
                result[user] = list = [];
            list.Add((int.Parse(p[2], CultureInfo.InvariantCulture), float.Parse(p[3], CultureInfo.InvariantCulture)));
        }
        return result;
    }
}

/// <summary>A fact skipped when the numpy cross-check's prerequisites are absent.</summary>
internal sealed class NumpyCrossCheckFactAttribute : FactAttribute
{
    public NumpyCrossCheckFactAttribute()
    {
        if (NumpyCrossCheck.SkipReason is string why)
            Skip = why;
    }
}

using System.Text.Json;
using Ease.Format;

namespace Ease.Tests.Format;

/// <summary>The checked-in golden model file and the source matrix it was made from.</summary>
internal static class GoldenFile
{
    public static string Dir => Path.Combine(AppContext.BaseDirectory, "fixtures");
    public static string ModelPath => Path.Combine(Dir, "golden-v1.ease");
    public static string SourcePath => Path.Combine(Dir, "golden-v1.source.json");

    public sealed record Source(string[] Ids, int[][] Columns, float[][] Values, int[] Popularity, string Metadata);

    public static Source Load()
    {
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(SourcePath));
        JsonElement root = doc.RootElement;
        string[] ids = [.. root.GetProperty("ids").EnumerateArray().Select(e => e.GetString()!)];
        var rows = root.GetProperty("rows").EnumerateArray().ToArray();
        int[][] cols = [.. rows.Select(r => r.EnumerateArray().Select(p => p[0].GetInt32()).ToArray())];
        float[][] vals = [.. rows.Select(r => r.EnumerateArray().Select(p => p[1].GetSingle()).ToArray())];
        int[] pop = [.. root.GetProperty("popularity").EnumerateArray().Select(e => e.GetInt32())];
        return new Source(ids, cols, vals, pop, root.GetProperty("metadata").GetString()!);
    }

    public static void Write(Source s, string path) => Write(s, path, ModelEncoding.Float32);

    public static void Write(Source s, string path, ModelEncoding encoding)
    {
        using ModelFileWriter w = ModelFileWriter.Create(path, s.Ids.Length, encoding);
        for (int i = 0; i < s.Ids.Length; i++)
            w.AppendRow(s.Columns[i], s.Values[i]);
        w.SetItemIds(s.Ids);
        w.SetPopularity(s.Popularity);
        w.SetMetadata(s.Metadata);
        w.Commit();
    }
}

using System.Text.Json.Nodes;
using Ease.Format;

namespace Ease.Engine.Training;

/// <summary>
/// Prunes an existing model further, without retraining: each row keeps its K stored weights of
/// largest magnitude with <see cref="RowPruner.TopK(ReadOnlySpan{float}, int, Span{float}, Span{int}, Span{float})"/> (ties to the lower column, signs kept, zeros
/// dropped). Because a top-K of a top-K' row
/// (K ≤ K') is the top-K of the full row, this gives exactly the model `train --prune-topk K` would.
/// </summary>
public static class ModelPruner
{
    public static ModelWriteReport PruneTopK(ModelFile source, int k, string outputPath)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (k < 1)
            throw new ArgumentException($"prune-topk must be >= 1, got {k}");
        var watch = System.Diagnostics.Stopwatch.StartNew();
        int n = source.ItemCount;
        var scratch = new float[Math.Min(n, 1 << 16)];
        var positions = new int[k];
        var cols = new int[k];
        var vals = new float[k];
        double kept = 0, all = 0;
        using (ModelFileWriter writer = ModelFileWriter.Create(outputPath, n))
        {
            for (int row = 0; row < n; row++)
            {
                source.GetRow(row, out ReadOnlySpan<int> c, out ReadOnlySpan<float> v);
                foreach (float x in v)
                    all += (double)x * x;
                if (scratch.Length < v.Length)
                    scratch = new float[v.Length];
                // The same selection train uses, over the stored weights: positions ascend, so
                // ties go to the lower column and the kept columns stay sorted.
                int count = RowPruner.TopK(v, k, scratch, positions, vals);
                for (int j = 0; j < count; j++)
                {
                    cols[j] = c[positions[j]];
                    kept += (double)vals[j] * vals[j];
                }
                writer.AppendRow(cols.AsSpan(0, count), vals.AsSpan(0, count));
            }
            var ids = new string[n];
            for (int i = 0; i < n; i++)
                ids[i] = source.ItemId(i);
            writer.SetItemIds(ids);
            if (source.HasPopularity)
            {
                var pop = new int[n];
                ReadOnlySpan<uint> p = source.Popularity;
                for (int i = 0; i < n; i++)
                    pop[i] = (int)Math.Min(p[i], int.MaxValue);
                writer.SetPopularity(pop);
            }
            JsonObject meta = ParseObject(source.MetadataJson);
            meta["prune"] = new JsonObject { ["mode"] = "topk", ["k"] = k, ["pruned_from"] = meta["prune"]?.DeepClone() };
            meta["kept_weight_mass_of_source"] = all == 0 ? 1 : kept / all;
            writer.SetMetadata(meta.ToJsonString());
            writer.Commit();
            return new ModelWriteReport(writer.NonZeroCount, all == 0 ? 1 : kept / all, 0, 0, watch.Elapsed.TotalSeconds, writer.FileLength);
        }
    }

    private static JsonObject ParseObject(string json)
    {
        if (string.IsNullOrEmpty(json))
            return [];
        try { return JsonNode.Parse(json) as JsonObject ?? []; }
        catch (System.Text.Json.JsonException) { return []; }
    }
}

using System.Text.Json.Nodes;
using Ease.Format;

namespace Ease.Engine.Training;

/// <summary>
/// Rewrites an existing model without retraining: pruned further and/or stored in another
/// encoding. Pruning keeps each row's K stored weights of largest magnitude with
/// <see cref="RowPruner.TopK(ReadOnlySpan{float}, int, Span{float}, Span{int}, Span{float})"/> (ties to the lower column, signs kept, zeros
/// dropped). Because a top-K of a top-K' row (K ≤ K') is the top-K of the full row, this gives
/// exactly the model `train --prune-topk K` would. Rows are decoded from any encoding.
/// </summary>
public static class ModelPruner
{
    /// <summary>Keeps the K largest weights of each row, stored as float32 (format v1.0).</summary>
    public static ModelWriteReport PruneTopK(ModelFile source, int k, string outputPath) =>
        Rewrite(source, k, ModelEncoding.Float32, outputPath);

    /// <summary>
    /// Writes <paramref name="source"/> to <paramref name="outputPath"/> in <paramref name="encoding"/>,
    /// keeping the <paramref name="topK"/> largest weights of each row, or all when null.
    /// </summary>
    public static ModelWriteReport Rewrite(ModelFile source, int? topK, ModelEncoding encoding, string outputPath)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (topK is < 1)
            throw new ArgumentException($"prune-topk must be >= 1, got {topK}");
        var watch = System.Diagnostics.Stopwatch.StartNew();
        int n = source.ItemCount;
        int maxRow = source.MaxRowLength;
        // Selection buffers only when pruning; a conversion copies rows as they are.
        int k = topK ?? 0;
        var scratch = new float[topK is null ? 0 : maxRow];
        var positions = new int[k];
        var cols = new int[k];
        var vals = new float[k];
        var rowColumns = new int[maxRow];
        var rowValues = new float[maxRow];
        double kept = 0, all = 0;
        using (ModelFileWriter writer = ModelFileWriter.Create(outputPath, n, encoding))
        {
            for (int row = 0; row < n; row++)
            {
                int length = source.ReadRow(row, rowColumns, rowValues);
                ReadOnlySpan<int> c = rowColumns.AsSpan(0, length);
                ReadOnlySpan<float> v = rowValues.AsSpan(0, length);
                foreach (float x in v)
                    all += (double)x * x;
                if (topK is null)
                {
                    // A conversion keeps every stored weight, as stored.
                    foreach (float x in v)
                        kept += (double)x * x;
                    writer.AppendRow(c, v);
                    continue;
                }
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
            if (topK is not null)
                meta["prune"] = new JsonObject { ["mode"] = "topk", ["k"] = k, ["pruned_from"] = meta["prune"]?.DeepClone() };
            meta["values"] = ModelEncoding.Name(encoding.Values);
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

using System.Diagnostics;
using System.Text.Json.Nodes;
using Ease.Format;

namespace Ease.Engine.Training.Sparse;

/// <summary>What a merge of sparse-solver parts wrote.</summary>
public sealed record MergeReport(int Parts, int Items, long SolvedWeights, long NonZeros, double KeptWeightMass, double VerifySeconds, double WriteSeconds, long FileBytes);

/// <summary>
/// Assembles the part files of a sharded sparse training (<c>ease train --solver sparse --shard I/N</c>)
/// into one model. Parts are checked first (checksums, one training: same input fingerprint,
/// settings, items and shard count, every shard once); then row i of the model is the
/// concatenation of row i of every part in shard order (their target ranges are ascending and
/// disjoint), pruned by the same writer a one-process training uses, so the result equals it.
/// Streams: one row of each part at a time, from the memory-mapped parts.
/// </summary>
public static class ModelMerger
{
    public static MergeReport Merge(IReadOnlyList<string> partPaths, string outputPath, int threads = 0,
        IProgress<TrainProgress>? progress = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(partPaths);
        if (partPaths.Count == 0)
            throw new ArgumentException("no part files given");
        threads = threads > 0 ? threads : Environment.ProcessorCount;
        var watch = Stopwatch.StartNew();
        var parts = new List<(ModelFile File, JsonObject Meta, JsonObject Solver, int Index, int First, int End)>();
        try
        {
            for (int p = 0; p < partPaths.Count; p++)
            {
                string path = partPaths[p];
                ModelFile file = ModelFile.Open(path);
                try
                {
                    file.Verify();
                    JsonObject meta = JsonNode.Parse(file.MetadataJson) as JsonObject
                        ?? throw new InvalidDataException($"{path}: metadata is not a JSON object");
                    if (meta["solver"] is not JsonObject solver || solver["part"] is not JsonObject part)
                        throw new InvalidDataException($"{path}: not a part file of `ease train --solver sparse --shard I/N`");
                    parts.Add((file, meta, solver, (int)part["index"]!, (int)part["first_item"]!, (int)part["end_item"]!));
                }
                catch
                {
                    file.Dispose();
                    throw;
                }
                progress?.Report(new TrainProgress("verify", (p + 1.0) / partPaths.Count));
            }
            Check(parts.Select(p => (p.File, p.Solver, p.Index)).ToList());
            parts.Sort((a, b) => a.Index.CompareTo(b.Index));
            for (int p = 0; p < parts.Count; p++)
            {
                int expectedFirst = p == 0 ? 0 : parts[p - 1].End;
                if (parts[p].First != expectedFirst || (p == parts.Count - 1 && parts[p].End != parts[p].File.ItemCount))
                    throw new InvalidDataException($"{parts[p].File.FilePath}: covers items [{parts[p].First}, {parts[p].End}), expected to start at {expectedFirst}");
            }
            double verifySeconds = watch.Elapsed.TotalSeconds;

            watch.Restart();
            ModelFile first = parts[0].File;
            JsonObject baseMeta = parts[0].Meta;
            TrainOptions o = OptionsOf(parts[0].Solver);
            var source = new ConcatenatedRows(parts.Select(p => p.File).ToArray());
            long solved = parts.Sum(p => p.File.NonZeroCount);
            int n = first.ItemCount;
            long nonZeros, fileBytes;
            double keptMass;
            using (ModelFileWriter writer = ModelFileWriter.Create(outputPath, n))
            {
                float threshold = o.Prune == PruneMode.Density ? SparseModelWriter.DensityThresholdOf(source, o.PruneDensity, threads, ct) : 0;
                (double kept, double all) = SparseModelWriter.Write(source, o, threshold, writer, threads,
                    progress is null ? null : new SynchronousProgress<double>(f => progress.Report(new TrainProgress("prune+write", f))), ct);
                keptMass = all == 0 ? 1 : kept / all;
                nonZeros = writer.NonZeroCount;
                var ids = new string[n];
                for (int i = 0; i < n; i++)
                    ids[i] = first.ItemId(i);
                writer.SetItemIds(ids);
                if (first.HasPopularity)
                {
                    int[] popularity = new int[n];
                    for (int i = 0; i < n; i++)
                        popularity[i] = (int)first.Popularity[i];
                    writer.SetPopularity(popularity);
                }
                JsonObject meta = (JsonObject)baseMeta.DeepClone();
                JsonObject solverMeta = (JsonObject)meta["solver"]!;
                solverMeta.Remove("part");
                solverMeta["merged_parts"] = parts.Count;
                meta["kept_weight_mass"] = keptMass;
                if (meta["data"] is JsonObject data)
                    data["nonzeros"] = nonZeros;
                writer.SetMetadata(meta.ToJsonString());
                writer.Commit();
            fileBytes = writer.FileLength;
            }
            return new MergeReport(parts.Count, n, solved, nonZeros, keptMass, verifySeconds, watch.Elapsed.TotalSeconds, fileBytes);
        }
        finally
        {
            foreach (var p in parts)
                p.File.Dispose();
        }
    }

    /// <summary>Refuses parts of different trainings, naming the first part that differs.</summary>
    private static void Check(List<(ModelFile File, JsonObject Solver, int Index)> parts)
    {
        (ModelFile refFile, JsonObject refSolver, _) = parts[0];
        JsonObject Settings(JsonObject solver)
        {
            var copy = (JsonObject)solver.DeepClone();
            copy.Remove("part");
            return copy;
        }
        string reference = Settings(refSolver).ToJsonString();
        int count = (int)refSolver["part"]!["count"]!;
        var seen = new HashSet<int>();
        foreach ((ModelFile file, JsonObject solver, int index) in parts)
        {
            string name = file.FilePath;
            if (file.ItemCount != refFile.ItemCount)
                throw new InvalidDataException($"{name}: {file.ItemCount:N0} items, but {refFile.FilePath} has {refFile.ItemCount:N0}: parts of different trainings");
            if ((string?)solver["fingerprint"] != (string?)refSolver["fingerprint"])
                throw new InvalidDataException($"{name}: trained on different input than {refFile.FilePath} (fingerprint differs)");
            string settings = Settings(solver).ToJsonString();
            if (settings != reference)
            {
                JsonObject mine = Settings(solver), theirs = Settings(refSolver);
                string key = mine.Select(kv => kv.Key).Concat(theirs.Select(kv => kv.Key))
                    .First(k => mine[k]?.ToJsonString() != theirs[k]?.ToJsonString());
                throw new InvalidDataException($"{name}: trained with {key} {mine[key]?.ToJsonString() ?? "(none)"}, but {refFile.FilePath} with {theirs[key]?.ToJsonString() ?? "(none)"}: parts of different trainings");
            }
            int c = (int)solver["part"]!["count"]!;
            if (c != count)
                throw new InvalidDataException($"{name}: shard {index}/{c}, but {refFile.FilePath} is one of {count} shards");
            if (!seen.Add(index))
                throw new InvalidDataException($"{name}: shard {index}/{count} is given twice");
        }
        if (seen.Count != count)
        {
            var missing = Enumerable.Range(0, count).Where(i => !seen.Contains(i));
            throw new InvalidDataException($"missing shard(s) {string.Join(", ", missing.Select(i => $"{i}/{count}"))}: {parts.Count} of {count} parts given");
        }
    }

    private static TrainOptions OptionsOf(JsonObject solver)
    {
        string prune = (string?)solver["prune"] ?? "none";
        var o = new TrainOptions { Lambda = (double)solver["lambda"]!, Dropout = (double)solver["dropout"]! };
        if (prune.StartsWith("topk:", StringComparison.Ordinal))
            return o with { Prune = PruneMode.TopK, PruneTopK = int.Parse(prune[5..], System.Globalization.CultureInfo.InvariantCulture) };
        if (prune.StartsWith("density:", StringComparison.Ordinal))
            return o with { Prune = PruneMode.Density, PruneDensity = double.Parse(prune[8..], System.Globalization.CultureInfo.InvariantCulture) };
        return o;
    }

    /// <summary>Row i of the model: row i of each part, in shard order.</summary>
    private sealed class ConcatenatedRows(ModelFile[] parts) : ISparseRowSource
    {
        public int RowCount => parts[0].ItemCount;

        public int Read(int row, ref int[] columns, ref float[] values)
        {
            int length = 0;
            foreach (ModelFile p in parts)
                length += p.RowLength(row);
            if (columns.Length < length)
            {
                columns = new int[length];
                values = new float[length];
            }
            int at = 0;
            foreach (ModelFile p in parts)
                at += p.ReadRow(row, columns.AsSpan(at), values.AsSpan(at));
            return length;
        }
    }
}

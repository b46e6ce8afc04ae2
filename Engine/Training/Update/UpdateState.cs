using System.Buffers.Binary;
using System.Globalization;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Ease.Engine.Input;
using Ease.Engine.Linalg;
using Ease.Engine.Training.Sparse;
using Ease.Format;

namespace Ease.Engine.Training.Update;

/// <summary>
/// Where an update state lives: one file, <c>DIR/state.easestate</c> (format in Format/STATE.md).
/// It holds what an exact update needs and nothing a model file already has: the training
/// interactions (removals need each user's old row), the settings, the identity of the model it
/// belongs to, and for the dense solver P = (G + Λ)⁻¹ (G itself is not needed: Woodbury updates P
/// from the changed users' rows), for the sparse solver the neighbour lists, their cut and
/// residual, and every solved (unpruned) weight.
/// </summary>
public static class UpdateStatePath
{
    public const string FileName = "state.easestate";

    public static string Of(string directory) => System.IO.Path.Combine(directory, FileName);
}

/// <summary>
/// Writes a state alongside a model: the bulky sections first (while the model is not yet in
/// place), then, once the model is committed, the manifest naming the model's identity, and the
/// rename. A failure before the model commits leaves neither file changed.
/// </summary>
public sealed class StateOutput : IDisposable
{
    private readonly StateFileWriter _writer;
    private readonly bool _createdDirectory;
    private bool _hasPayload;
    private bool _committed;

    public StateOutput(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        if (File.Exists(directory))
            throw new IOException($"{directory}: is a file; --state names a directory");
        _createdDirectory = !System.IO.Directory.Exists(directory);
        System.IO.Directory.CreateDirectory(directory);
        Directory = directory;
        try
        {
            _writer = new StateFileWriter(UpdateStatePath.Of(directory));
        }
        catch
        {
            RemoveCreatedDirectory();
            throw;
        }
    }

    public string Directory { get; }

    /// <summary>Update count since the last full train (carried into the manifest).</summary>
    internal int Generation { get; set; }

    internal void WriteData(InteractionSet data)
    {
        _writer.AddStrings(StateSection.UserIds, data.UserIds);
        _writer.AddStrings(StateSection.ItemIds, data.ItemIds);
        _writer.Add(StateSection.UserOffsets, data.UserOffsets);
        _writer.Add(StateSection.UserItems, data.UserItems);
    }

    internal unsafe void WriteDense<T>(InteractionSet data, DenseMatrix<T> p, IProgress<double>? progress = null) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        WriteData(data);
        int n = p.Size;
        _writer.Add(StateSection.Inverse, write =>
        {
            // P is symmetric: its lower triangle, row by row, is half the bytes to write and read.
            for (int i = 0; i < n; i++)
            {
                write(MemoryMarshal.AsBytes((ReadOnlySpan<T>)p.Row(i)[..(i + 1)]));
                if ((i & 1023) == 0)
                    progress?.Report((double)i / n);
            }
        });
        progress?.Report(1);
        _hasPayload = true;
    }

    internal void WriteSparse(InteractionSet data, NeighborLists lists, float[] weights)
    {
        WriteData(data);
        int n = lists.ItemCount;
        _writer.Add(StateSection.ListOffsets, lists.Offsets.AsSpan());
        _writer.Add(StateSection.ListItems, write =>
        {
            for (int j = 0; j < n; j++)
                write(MemoryMarshal.AsBytes(lists.ItemsOf(j)));
        });
        _writer.Add(StateSection.ListCounts, write =>
        {
            for (int j = 0; j < n; j++)
                write(MemoryMarshal.AsBytes(lists.CountsOf(j)));
        });
        _writer.Add(StateSection.ListCut, lists.Cut.AsSpan());
        _writer.Add(StateSection.ListResidual, lists.Residual.AsSpan());
        _writer.Add(StateSection.Weights, weights.AsSpan());
        _hasPayload = true;
    }

    /// <summary>Writes the manifest for the committed model at <paramref name="modelPath"/> and puts the state in place.</summary>
    internal void Finish(string modelPath, InteractionSet data, TrainOptions o, string solver, int neighbors, int gramNeighbors, string kernel)
    {
        if (!_hasPayload)
            throw new InvalidOperationException("no state payload written");
        var manifest = new JsonObject
        {
            ["format"] = "ease-update-state",
            ["solver"] = solver,
            ["options"] = StateOptions.ToJson(o, solver, neighbors, gramNeighbors),
            ["model"] = new JsonObject { ["file"] = System.IO.Path.GetFileName(modelPath), ["identity"] = ModelIdentity.Of(modelPath) },
            ["data"] = new JsonObject
            {
                ["fingerprint"] = DataFingerprint.Compute(data),
                ["users"] = data.UserCount,
                ["items"] = data.ItemCount,
                ["interactions"] = data.InteractionCount,
            },
            ["kernel"] = kernel,
            ["generation"] = Generation,
            ["created_utc"] = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
        };
        byte[] json = Encoding.UTF8.GetBytes(manifest.ToJsonString());
        _writer.Add(StateSection.Manifest, w => w(json));
        _writer.Commit();
        _committed = true;
    }

    public void Dispose()
    {
        _writer.Dispose();
        if (!_committed)
            RemoveCreatedDirectory();
    }

    /// <summary>A failed first state leaves no empty directory behind.</summary>
    private void RemoveCreatedDirectory()
    {
        if (!_createdDirectory)
            return;
        try
        {
            if (!System.IO.Directory.EnumerateFileSystemEntries(Directory).Any())
                System.IO.Directory.Delete(Directory);
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}

/// <summary>The settings a state and a model must agree on, as one canonical JSON object.</summary>
internal static class StateOptions
{
    public static JsonObject ToJson(TrainOptions o, string solver, int neighbors, int gramNeighbors)
    {
        var json = new JsonObject
        {
            ["solver"] = solver,
            ["lambda"] = o.Lambda,
            ["dropout"] = o.Dropout,
            ["precision"] = o.Precision == Precision.Float64 ? "f64" : "f32",
            ["prune"] = PruneText(o),
            ["values"] = ModelEncoding.Name(o.Values),
        };
        if (solver == "sparse")
        {
            json["neighbors"] = neighbors;
            json["gram_neighbors"] = gramNeighbors;
            json["ranking"] = o.Ranking.ToString().ToLowerInvariant();
        }
        return json;
    }

    public static string PruneText(TrainOptions o) => o.Prune switch
    {
        PruneMode.TopK => $"topk:{o.PruneTopK}",
        PruneMode.Density => $"density:{o.PruneDensity.ToString("R", CultureInfo.InvariantCulture)}",
        _ => "none",
    };

    /// <summary>The training options a state records (threads are the caller's).</summary>
    public static TrainOptions FromJson(JsonObject json, string where)
    {
        try
        {
            string prune = (string)json["prune"]!;
            var o = new TrainOptions
            {
                Lambda = (double)json["lambda"]!,
                Dropout = (double)json["dropout"]!,
                Precision = (string)json["precision"]! == "f64" ? Precision.Float64 : Precision.Float32,
                Values = ModelEncoding.TryParse((string?)json["values"], out WeightType v) ? v : throw new FormatException("values"),
                Solver = (string)json["solver"]! == "sparse" ? SolverKind.Sparse : SolverKind.Dense,
            };
            if (prune.StartsWith("topk:", StringComparison.Ordinal))
                o = o with { Prune = PruneMode.TopK, PruneTopK = int.Parse(prune[5..], CultureInfo.InvariantCulture) };
            else if (prune.StartsWith("density:", StringComparison.Ordinal))
                o = o with { Prune = PruneMode.Density, PruneDensity = double.Parse(prune[8..], CultureInfo.InvariantCulture) };
            if (o.Solver == SolverKind.Sparse)
            {
                o = o with
                {
                    Neighbors = (int)json["neighbors"]!,
                    GramNeighbors = (int)json["gram_neighbors"]!,
                    Ranking = (string)json["ranking"]! == "count" ? NeighborRanking.Count : NeighborRanking.Cosine,
                };
            }
            o.Validate();
            return o;
        }
        catch (Exception e) when (e is FormatException or InvalidOperationException or NullReferenceException or ArgumentException or InvalidCastException)
        {
            throw new InvalidDataException($"{where}: the recorded settings are incomplete or invalid ({e.Message})");
        }
    }

    /// <summary>The settings recorded in a model's metadata, in the same canonical form.</summary>
    public static JsonObject FromModelMetadata(JsonObject meta, string where)
    {
        try
        {
            JsonObject solverNode = meta["solver"]?.AsObject() ?? throw new FormatException("no solver");
            string solver = (string)solverNode["kind"]!;
            JsonObject prune = meta["prune"]!.AsObject();
            var o = new TrainOptions
            {
                Lambda = (double)meta["lambda"]!,
                Dropout = (double)meta["dropout"]!,
                Precision = (string)meta["precision"]! == "f64" ? Precision.Float64 : Precision.Float32,
                Values = ModelEncoding.TryParse((string?)meta["values"], out WeightType v) ? v : WeightType.Float32,
            };
            o = (string)prune["mode"]! switch
            {
                "topk" => o with { Prune = PruneMode.TopK, PruneTopK = (int)prune["k"]! },
                "density" => o with { Prune = PruneMode.Density, PruneDensity = (double)prune["density"]! },
                _ => o,
            };
            int neighbors = 0, gram = 0;
            if (solver == "sparse")
            {
                neighbors = (int)solverNode["neighbors"]!;
                gram = (int)solverNode["gram_neighbors"]!;
                o = o with { Ranking = (string)solverNode["ranking"]! == "count" ? NeighborRanking.Count : NeighborRanking.Cosine };
            }
            return ToJson(o, solver, neighbors, gram);
        }
        catch (Exception e) when (e is FormatException or InvalidOperationException or NullReferenceException or ArgumentException or InvalidCastException or KeyNotFoundException)
        {
            throw new InvalidDataException($"{where}: the model's metadata does not say how it was trained ({e.Message}); only models from `ease train` can be updated");
        }
    }
}

/// <summary>
/// A model file's identity: SHA-256 of its header and section table, which carry the CRC-32C of
/// every section (the metadata with its creation time among them). Reading it costs one small read,
/// whatever the model's size.
/// </summary>
internal static class ModelIdentity
{
    public static string Of(string path)
    {
        using FileStream s = Ease.Format.ReadableFile.Open(path, bufferSize: 4096);
        byte[] head = new byte[16];
        if (s.ReadAtLeast(head, 16, throwOnEndOfStream: false) < 16)
            throw new InvalidDataException($"{path}: offset 0: not a model file (shorter than its header)");
        uint size = BinaryPrimitives.ReadUInt32LittleEndian(head.AsSpan(12));
        if (size < 16 || size > 1 << 20)
            throw new InvalidDataException($"{path}: offset 12: header size {size} is out of range");
        byte[] all = new byte[size];
        s.Position = 0;
        if (s.ReadAtLeast(all, (int)size, throwOnEndOfStream: false) < size)
            throw new InvalidDataException($"{path}: truncated header");
        return Convert.ToHexStringLower(SHA256.HashData(all));
    }
}

/// <summary>A state read back: manifest, settings, the interactions, and the solver's payload (read on demand).</summary>
internal sealed class LoadedState : IDisposable
{
    private readonly StateFileReader _reader;

    private LoadedState(StateFileReader reader, JsonObject manifest, TrainOptions options, InteractionSet data)
    {
        _reader = reader;
        Manifest = manifest;
        Options = options;
        Data = data;
    }

    public string Path => _reader.Path;
    public JsonObject Manifest { get; }
    public TrainOptions Options { get; }
    public InteractionSet Data { get; }
    public string Solver => (string)Manifest["solver"]!;
    public string ModelIdentity => (string)Manifest["model"]!["identity"]!;
    public int Generation => (int?)Manifest["generation"] ?? 0;
    public long FileLength => _reader.FileLength;

    public static LoadedState Open(string directory)
    {
        var reader = new StateFileReader(UpdateStatePath.Of(directory));
        try
        {
            byte[] json = reader.ReadArray<byte>(StateSection.Manifest);
            JsonObject manifest;
            try { manifest = JsonNode.Parse(json)!.AsObject(); }
            catch (System.Text.Json.JsonException e) { throw reader.Bad(0, $"the manifest is not valid JSON ({e.Message})"); }
            if ((string?)manifest["format"] != "ease-update-state" || manifest["options"] is not JsonObject opts || manifest["data"] is not JsonObject dataNode)
                throw reader.Bad(0, "the manifest is not an ease update state's");
            TrainOptions options = StateOptions.FromJson(opts, reader.Path);
            int users = (int)dataNode["users"]!, items = (int)dataNode["items"]!;
            long interactions = (long)dataNode["interactions"]!;
            string[] userIds = reader.ReadStrings(StateSection.UserIds, users);
            string[] itemIds = reader.ReadStrings(StateSection.ItemIds, items);
            int[] offsets = reader.ReadArray<int>(StateSection.UserOffsets, users + 1L);
            int[] userItems = reader.ReadArray<int>(StateSection.UserItems, interactions);
            if (offsets[0] != 0 || offsets[^1] != interactions)
                throw reader.Bad(0, "the user offsets do not cover the interactions");
            for (int u = 0; u < users; u++)
            {
                if (offsets[u + 1] < offsets[u])
                    throw reader.Bad(0, $"user offsets decrease at user {u}");
                for (int k = offsets[u]; k < offsets[u + 1]; k++)
                {
                    if ((uint)userItems[k] >= (uint)items || (k > offsets[u] && userItems[k] <= userItems[k - 1]))
                        throw reader.Bad(0, $"the items of user {u} are out of range or not ascending");
                }
            }
            var data = new InteractionSet(userIds, itemIds, offsets, userItems);
            string fingerprint = DataFingerprint.Compute(data);
            if (fingerprint != (string?)dataNode["fingerprint"])
                throw reader.Bad(0, "the interactions do not match the recorded fingerprint");
            return new LoadedState(reader, manifest, options, data);
        }
        catch
        {
            reader.Dispose();
            throw;
        }
    }

    /// <summary>Reads P (stored as its lower triangle) into a new symmetric matrix of the state's precision.</summary>
    public unsafe DenseMatrix<T> ReadInverse<T>(IProgress<double>? progress) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int n = Data.ItemCount;
        var p = new DenseMatrix<T>(n);
        try
        {
            int row = 0;
            long col = 0; // bytes of the current row already read
            _reader.Read(StateSection.Inverse, chunk =>
            {
                while (chunk.Length > 0)
                {
                    long rowBytes = (row + 1L) * sizeof(T);
                    int take = (int)Math.Min(chunk.Length, rowBytes - col);
                    chunk[..take].CopyTo(MemoryMarshal.AsBytes(p.Row(row))[(int)col..]);
                    chunk = chunk[take..];
                    col += take;
                    if (col == rowBytes)
                    {
                        if ((row & 1023) == 0)
                            progress?.Report(0.9 * row / n);
                        row++;
                        col = 0;
                    }
                }
            }, (long)n * (n + 1) / 2 * sizeof(T));
            // Mirror into the upper triangle in 64 x 64 tiles (both triangles' tiles stay in cache).
            const int Tile = 64;
            Parallel.For(0, (n + Tile - 1) / Tile, bi =>
            {
                int i0 = bi * Tile, i1 = Math.Min(n, i0 + Tile);
                for (int j0 = 0; j0 <= i0; j0 += Tile)
                {
                    int j1 = Math.Min(n, j0 + Tile);
                    for (int i = i0; i < i1; i++)
                    {
                        Span<T> lower = p.Row(i);
                        for (int j = j0; j < Math.Min(j1, i); j++)
                            p[j, i] = lower[j];
                    }
                }
            });
            progress?.Report(1);
            return p;
        }
        catch
        {
            p.Dispose();
            throw;
        }
    }

    public (long[] Offsets, int[] Items, float[] Counts, float[] Cut, double[] Residual, float[] Weights) ReadSparse()
    {
        int n = Data.ItemCount;
        long[] offsets = _reader.ReadArray<long>(StateSection.ListOffsets, n + 1L);
        if (offsets[0] != 0)
            throw _reader.Bad(0, "list offsets do not start at 0");
        for (int j = 0; j < n; j++)
        {
            if (offsets[j + 1] < offsets[j])
                throw _reader.Bad(0, $"list offsets decrease at item {j}");
        }
        int[] items = _reader.ReadArray<int>(StateSection.ListItems, offsets[^1]);
        foreach (int i in items)
        {
            if ((uint)i >= (uint)n)
                throw _reader.Bad(0, $"a neighbour list names item {i} of {n}");
        }
        float[] counts = _reader.ReadArray<float>(StateSection.ListCounts, offsets[^1]);
        float[] cut = _reader.ReadArray<float>(StateSection.ListCut, n);
        double[] residual = _reader.ReadArray<double>(StateSection.ListResidual, n);
        float[] weights = _reader.ReadArray<float>(StateSection.Weights);
        return (offsets, items, counts, cut, residual, weights);
    }

    public void Dispose() => _reader.Dispose();
}

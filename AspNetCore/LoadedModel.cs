using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using Ease.Engine.Scoring;
using Ease.Format;

namespace Ease.AspNetCore;

/// <summary>
/// One opened model with a reference count: the holder owns one reference while the model is
/// current, and every request holds one while it scores. The mapping is released when the last
/// reference goes, so requests that started on a model finish on it after a swap.
/// </summary>
internal sealed class LoadedModel
{
    private readonly ConcurrentBag<Recommender> _recommenders = [];
    private int _references = 1;

    public LoadedModel(ModelFile file, ModelFile? light, long generation, FileStamp stamp, double loadSeconds)
    {
        File = file;
        Light = light;
        Generation = generation;
        Stamp = stamp;
        LoadSeconds = loadSeconds;
        LoadedAtUnixSeconds = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;
        Id = $"{Path.GetFileName(file.FilePath)}@{ContentChecksum(file):x8}";
        JsonId = JsonEncodedText.Encode(Id);
    }

    public ModelFile File { get; }

    /// <summary>The strongest part of each of its rows, which the budget scores from; or null.</summary>
    public ModelFile? Light { get; }

    /// <summary>"file name@checksum": the checksum covers every section's checksum, so it names the content.</summary>
    public string Id { get; }

    public JsonEncodedText JsonId { get; }

    /// <summary>1 for the model loaded at startup, +1 for every successful reload.</summary>
    public long Generation { get; }

    public FileStamp Stamp { get; }

    public double LoadSeconds { get; }

    public double LoadedAtUnixSeconds { get; }

    /// <summary>Takes a reference; false when the model has already been released.</summary>
    public bool TryAddReference()
    {
        int current = Volatile.Read(ref _references);
        while (current > 0)
        {
            int seen = Interlocked.CompareExchange(ref _references, current + 1, current);
            if (seen == current)
                return true;
            current = seen;
        }
        return false;
    }

    /// <summary>Drops a reference; the last one unmaps the file.</summary>
    public void Release()
    {
        if (Interlocked.Decrement(ref _references) == 0)
        {
            File.Dispose();
            Light?.Dispose();
        }
    }

    /// <summary>A scorer for this model (one per thread at a time; pooled).</summary>
    public Recommender RentRecommender() => _recommenders.TryTake(out Recommender? r) ? r : new Recommender(File, Light);

    public void Return(Recommender recommender) => _recommenders.Add(recommender);

    private static uint ContentChecksum(ModelFile file)
    {
        Span<byte> entry = stackalloc byte[20];
        uint crc = Crc32C.InitialState;
        foreach (SectionInfo s in file.Sections)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(entry, s.Kind);
            BinaryPrimitives.WriteInt64LittleEndian(entry[4..], s.Offset);
            BinaryPrimitives.WriteInt64LittleEndian(entry[12..], s.Length);
            crc = Crc32C.Append(crc, entry[..20]);
            BinaryPrimitives.WriteUInt32LittleEndian(entry, s.Crc);
            crc = Crc32C.Append(crc, entry[..4]);
        }
        return Crc32C.Finish(crc);
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Id} (generation {Generation})");
}

/// <summary>
/// What the poll compares to notice a replaced file: modification time, length and the header
/// checksum (which covers every section's checksum), so even a copy that kept the old time and
/// length is seen.
/// </summary>
internal readonly record struct FileStamp(long LastWriteTicks, long Length, uint HeaderCrc)
{
    public static FileStamp Of(string path)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1);
            Span<byte> header = stackalloc byte[64];
            uint crc = stream.ReadAtLeast(header, header.Length, throwOnEndOfStream: false) == header.Length
                ? BinaryPrimitives.ReadUInt32LittleEndian(header[60..])
                : 0;
            return new FileStamp(File.GetLastWriteTimeUtc(stream.SafeFileHandle).Ticks, stream.Length, crc);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return default; // missing or unreadable: nothing to load
        }
    }
}

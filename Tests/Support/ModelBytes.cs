using System.Buffers.Binary;
using Ease.Format;

namespace Ease.Tests.Support;

/// <summary>
/// Reads and patches raw model file bytes straight from FORMAT.md's tables, independently of
/// the reader, so tests can build precisely damaged files.
/// </summary>
public sealed class ModelBytes(byte[] bytes)
{
    public byte[] Bytes { get; } = bytes;

    public int SectionCount => (int)BinaryPrimitives.ReadUInt32LittleEndian(Bytes.AsSpan(36));
    public int HeaderSize => (int)BinaryPrimitives.ReadUInt32LittleEndian(Bytes.AsSpan(12));

    public (uint Kind, long Offset, long Length, int EntryOffset) Section(SectionKind kind)
    {
        for (int i = 0; i < SectionCount; i++)
        {
            int e = 64 + 32 * i;
            if (BinaryPrimitives.ReadUInt32LittleEndian(Bytes.AsSpan(e)) == (uint)kind)
                return ((uint)kind, (long)BinaryPrimitives.ReadUInt64LittleEndian(Bytes.AsSpan(e + 8)), (long)BinaryPrimitives.ReadUInt64LittleEndian(Bytes.AsSpan(e + 16)), e);
        }
        throw new InvalidOperationException($"no section {kind}");
    }

    public IEnumerable<(uint Kind, long Offset, long Length)> Sections()
    {
        for (int i = 0; i < SectionCount; i++)
        {
            int e = 64 + 32 * i;
            yield return (BinaryPrimitives.ReadUInt32LittleEndian(Bytes.AsSpan(e)),
                (long)BinaryPrimitives.ReadUInt64LittleEndian(Bytes.AsSpan(e + 8)),
                (long)BinaryPrimitives.ReadUInt64LittleEndian(Bytes.AsSpan(e + 16)));
        }
    }

    public void WriteU16(long offset, ushort value) => BinaryPrimitives.WriteUInt16LittleEndian(Bytes.AsSpan((int)offset), value);
    public void WriteU32(long offset, uint value) => BinaryPrimitives.WriteUInt32LittleEndian(Bytes.AsSpan((int)offset), value);
    public void WriteU64(long offset, ulong value) => BinaryPrimitives.WriteUInt64LittleEndian(Bytes.AsSpan((int)offset), value);

    /// <summary>Recomputes the header checksum so that a patch reaches the checks behind it.</summary>
    public void FixHeaderCrc()
    {
        int size = Math.Min(HeaderSize, Bytes.Length);
        WriteU32(60, 0);
        WriteU32(60, Crc32C.Compute(Bytes.AsSpan(0, size)));
    }

    /// <summary>Recomputes a section's checksum (and then the header's).</summary>
    public void FixSectionCrc(SectionKind kind)
    {
        var s = Section(kind);
        WriteU32(s.EntryOffset + 24, Crc32C.Compute(Bytes.AsSpan((int)s.Offset, (int)s.Length)));
        FixHeaderCrc();
    }

    /// <summary>
    /// Writes <paramref name="bytes"/> to a file in <paramref name="dir"/>, opens it (and verifies it);
    /// the damage must surface as a <see cref="ModelFormatException"/> naming the file.
    /// </summary>
    public static ModelFormatException AssertDamaged(TempDirectory dir, byte[] bytes, bool verify)
    {
        string path = dir.File($"bad-{Guid.NewGuid():N}.ease");
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<ModelFormatException>(() =>
        {
            using ModelFile m = ModelFile.Open(path);
            if (verify)
                m.Verify();
        });
        Assert.StartsWith(path, e.Message);
        return e;
    }
}

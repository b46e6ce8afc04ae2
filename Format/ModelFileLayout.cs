namespace Ease.Format;

/// <summary>Byte layout constants of the model file, format v1 (see FORMAT.md).</summary>
public static class ModelFileLayout
{
    /// <summary>ASCII "EASEMODL" read as a little-endian 64-bit integer.</summary>
    public const ulong Magic = 0x4C444F4D45534145UL;
    public const ushort MajorVersion = 1;
    /// <summary>The newest minor version this code reads and writes (1: compact encodings).</summary>
    public const ushort MinorVersion = 1;

    /// <summary>Header flag bit 0: column indices are uint16.</summary>
    public const uint FlagUInt16Columns = 1;

    public const int HeaderSize = 64;
    public const int SectionEntrySize = 32;
    public const int MaxSections = 64;
    public const int Alignment = 64;
    public const long MaxItemCount = int.MaxValue - 1;
    public const int MaxIdBytes = 4096;
    public const int MaxMetadataBytes = 16 << 20;

    // Header field offsets.
    internal const int OffMagic = 0;
    internal const int OffMajor = 8;
    internal const int OffMinor = 10;
    internal const int OffHeaderSize = 12;
    internal const int OffItemCount = 16;
    internal const int OffNonZeroCount = 24;
    internal const int OffValueType = 32;
    internal const int OffSectionCount = 36;
    internal const int OffFileLength = 40;
    internal const int OffFlags = 48;
    internal const int OffReserved = 52;
    internal const int OffHeaderCrc = 60;

    // Section table entry field offsets.
    internal const int EntKind = 0;
    internal const int EntFlags = 4;
    internal const int EntOffset = 8;
    internal const int EntLength = 16;
    internal const int EntCrc = 24;
    internal const int EntReserved = 28;

    public static long AlignUp(long value) => (value + (Alignment - 1)) & ~(long)(Alignment - 1);

    /// <summary>Capacity of the item id index for <paramref name="itemCount"/> items.</summary>
    public static long IdIndexCapacity(long itemCount) => Math.Max(2, (long)System.Numerics.BitOperations.RoundUpToPowerOf2((ulong)(2 * itemCount)));
}

/// <summary>Kinds of section; readers skip kinds they do not know.</summary>
public enum SectionKind : uint
{
    RowOffsets = 1,
    ColumnIndices = 2,
    Values = 3,
    ItemIdOffsets = 4,
    ItemIdBytes = 5,
    ItemIdIndex = 6,
    Popularity = 7,
    Metadata = 8,
    /// <summary>float32[n]: per-row scales of int8 values (format v1.1).</summary>
    RowScales = 9,
}

/// <summary>Element type of the values section (FORMAT.md, "Value encodings").</summary>
public enum WeightType : uint
{
    Float32 = 1,
    /// <summary>IEEE binary16 (format v1.1).</summary>
    Float16 = 2,
    /// <summary>The upper 16 bits of a float32, rounded to nearest even (format v1.1).</summary>
    BFloat16 = 3,
    /// <summary>int8 with a per-row float32 scale in the RowScales section (format v1.1).</summary>
    Int8Scaled = 4,
}

/// <summary>One entry of the section table, as read from a file.</summary>
public readonly record struct SectionInfo(uint Kind, long Offset, long Length, uint Crc)
{
    public string Name => Enum.IsDefined(typeof(SectionKind), Kind) ? ((SectionKind)Kind).ToString() : $"unknown({Kind})";
}

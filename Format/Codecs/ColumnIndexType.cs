namespace Ease.Format;

/// <summary>Width of a stored column index (FORMAT.md, header flag bit 0).</summary>
public enum ColumnIndexType
{
    /// <summary>uint32 columns: any model.</summary>
    UInt32 = 4,
    /// <summary>uint16 columns (format v1.1): models of at most 65,536 items.</summary>
    UInt16 = 2,
}

/// <summary>How a model's weights are stored: the value type and the column width.</summary>
public readonly record struct ModelEncoding(WeightType Values, ColumnIndexType Columns)
{
    /// <summary>Largest item count 16-bit columns can address.</summary>
    public const int MaxUInt16Items = 1 << 16;

    /// <summary>float32 values, 32-bit columns: format v1.0, what every reader reads.</summary>
    public static ModelEncoding Float32 { get; } = new(WeightType.Float32, ColumnIndexType.UInt32);

    /// <summary>
    /// The encoding for <paramref name="values"/> on a model of <paramref name="itemCount"/> items:
    /// 16-bit columns whenever they fit and the values are compact (a float32 model stays v1.0).
    /// </summary>
    public static ModelEncoding For(WeightType values, long itemCount) =>
        new(values, values != WeightType.Float32 && itemCount <= MaxUInt16Items ? ColumnIndexType.UInt16 : ColumnIndexType.UInt32);

    /// <summary>Bytes one stored weight takes: its column plus its value.</summary>
    public int BytesPerWeight => (int)Columns + ValueBytes(Values);

    /// <summary>Whether rows are float32 values with 32-bit columns, readable as spans in place.</summary>
    public bool IsFloat32Rows => Values == WeightType.Float32 && Columns == ColumnIndexType.UInt32;

    /// <summary>Bytes of one stored value of <paramref name="type"/>.</summary>
    public static int ValueBytes(WeightType type) => type switch
    {
        WeightType.Float32 => 4,
        WeightType.Float16 or WeightType.BFloat16 => 2,
        WeightType.Int8Scaled => 1,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "unknown value type"),
    };

    /// <summary>The short name used by the CLI and in metadata: f32, f16, bf16, i8.</summary>
    public static string Name(WeightType type) => type switch
    {
        WeightType.Float32 => "f32",
        WeightType.Float16 => "f16",
        WeightType.BFloat16 => "bf16",
        WeightType.Int8Scaled => "i8",
        _ => type.ToString(),
    };

    /// <summary>Parses f32, f16, bf16 or i8.</summary>
    public static bool TryParse(string? name, out WeightType type)
    {
        switch (name?.ToLowerInvariant())
        {
            case "f32" or "float32": type = WeightType.Float32; return true;
            case "f16" or "float16": type = WeightType.Float16; return true;
            case "bf16" or "bfloat16": type = WeightType.BFloat16; return true;
            case "i8" or "int8": type = WeightType.Int8Scaled; return true;
            default: type = default; return false;
        }
    }

    /// <summary>E.g. "f16 values, 16-bit columns (4 bytes per weight)".</summary>
    public override string ToString() =>
        $"{Name(Values)} values, {(Columns == ColumnIndexType.UInt16 ? 16 : 32)}-bit columns ({BytesPerWeight} bytes per weight)";
}

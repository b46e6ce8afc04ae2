using System.Buffers.Binary;
using Ease.Format;

namespace Ease.Tests.Support;

/// <summary>
/// Reads the rows of a model file straight from FORMAT.md's tables, without the library's
/// reader or decoders: the independent reference every encoding is checked against. Half
/// values go through the runtime's own <see cref="Half"/> conversion.
/// </summary>
public static class SpecDecoder
{
    public sealed record Rows(int[][] Columns, float[][] Values, uint ValueType, bool UInt16Columns, int Minor);

    public static Rows Decode(byte[] f)
    {
        int n = (int)BinaryPrimitives.ReadUInt64LittleEndian(f.AsSpan(16));
        uint type = BinaryPrimitives.ReadUInt32LittleEndian(f.AsSpan(32));
        uint flags = BinaryPrimitives.ReadUInt32LittleEndian(f.AsSpan(48));
        int minor = BinaryPrimitives.ReadUInt16LittleEndian(f.AsSpan(10));
        bool narrow = (flags & 1) != 0;
        var b = new ModelBytes(f);
        var off = b.Section(SectionKind.RowOffsets);
        var cols = b.Section(SectionKind.ColumnIndices);
        var vals = b.Section(SectionKind.Values);
        float[] scales = type == 4 ? ReadScales(f, b.Section(SectionKind.RowScales).Offset, n) : [];
        var columns = new int[n][];
        var values = new float[n][];
        for (int i = 0; i < n; i++)
        {
            long start = (long)BinaryPrimitives.ReadUInt64LittleEndian(f.AsSpan((int)(off.Offset + 8L * i)));
            long end = (long)BinaryPrimitives.ReadUInt64LittleEndian(f.AsSpan((int)(off.Offset + 8L * (i + 1))));
            int length = (int)(end - start);
            columns[i] = new int[length];
            values[i] = new float[length];
            for (int j = 0; j < length; j++)
            {
                long e = start + j;
                columns[i][j] = narrow
                    ? BinaryPrimitives.ReadUInt16LittleEndian(f.AsSpan((int)(cols.Offset + 2 * e)))
                    : (int)BinaryPrimitives.ReadUInt32LittleEndian(f.AsSpan((int)(cols.Offset + 4 * e)));
                values[i][j] = type switch
                {
                    1 => BitConverter.UInt32BitsToSingle(BinaryPrimitives.ReadUInt32LittleEndian(f.AsSpan((int)(vals.Offset + 4 * e)))),
                    2 => (float)BitConverter.UInt16BitsToHalf(BinaryPrimitives.ReadUInt16LittleEndian(f.AsSpan((int)(vals.Offset + 2 * e)))),
                    3 => BitConverter.UInt32BitsToSingle((uint)BinaryPrimitives.ReadUInt16LittleEndian(f.AsSpan((int)(vals.Offset + 2 * e))) << 16),
                    4 => (sbyte)f[vals.Offset + e] * scales[i],
                    _ => throw new InvalidDataException($"value type {type}"),
                };
            }
        }
        return new Rows(columns, values, type, narrow, minor);
    }

    private static float[] ReadScales(byte[] f, long offset, int n) =>
        [.. Enumerable.Range(0, n).Select(i => BitConverter.UInt32BitsToSingle(BinaryPrimitives.ReadUInt32LittleEndian(f.AsSpan((int)(offset + 4L * i)))))];

    /// <summary>
    /// The largest error FORMAT.md allows between a weight and its decoded value: half an ulp of
    /// the encoding (relative 2^-11 for float16 normals plus its subnormal step, 2^-8 for
    /// bfloat16), half a quantization step for int8.
    /// </summary>
    public static double Tolerance(WeightType type, float value, float rowMaxMagnitude) => type switch
    {
        WeightType.Float32 => 0,
        WeightType.Float16 => Math.Abs(value) * Math.Pow(2, -11) + Math.Pow(2, -25),
        WeightType.BFloat16 => Math.Abs(value) * Math.Pow(2, -8),
        _ => rowMaxMagnitude / 127.0 / 2 * (1 + 1e-5),
    };
}

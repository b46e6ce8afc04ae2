using System.Runtime.CompilerServices;

namespace Ease.Format;

/// <summary>
/// One row of B as stored in the mapping, in any encoding: the scorer decodes it in place, whole
/// or one column range at a time, with the SIMD width it chooses. Pointers into the mapped file:
/// valid while the <see cref="ModelFile"/> is open.
/// </summary>
internal readonly unsafe struct EncodedRow
{
    public readonly byte* Columns;
    public readonly byte* Values;
    public readonly int Length;
    public readonly float Scale;
    public readonly ModelEncoding Encoding;

    public EncodedRow(byte* columns, byte* values, int length, float scale, ModelEncoding encoding)
    {
        Columns = columns;
        Values = values;
        Length = length;
        Scale = scale;
        Encoding = encoding;
    }

    /// <summary>Column of the stored weight at <paramref name="index"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int ColumnAt(int index) =>
        Encoding.Columns == ColumnIndexType.UInt16 ? ((ushort*)Columns)[index] : ((int*)Columns)[index];

    /// <summary>Decodes weights [<paramref name="from"/>, <paramref name="from"/> + count) into the spans' first count entries.</summary>
    public void Decode(SimdLevel level, int from, Span<int> columns, Span<float> values)
    {
        int count = columns.Length;
        if (Encoding.Columns == ColumnIndexType.UInt16)
            UInt16ColumnCodec.Decode(level, new ReadOnlySpan<ushort>((ushort*)Columns + from, count), columns);
        else
            new ReadOnlySpan<int>((int*)Columns + from, count).CopyTo(columns);
        switch (Encoding.Values)
        {
            case WeightType.Float16:
                Float16Codec.Decode(level, new ReadOnlySpan<ushort>((ushort*)Values + from, count), values);
                break;
            case WeightType.BFloat16:
                BFloat16Codec.Decode(level, new ReadOnlySpan<ushort>((ushort*)Values + from, count), values);
                break;
            case WeightType.Int8Scaled:
                Int8Codec.Decode(level, new ReadOnlySpan<sbyte>((sbyte*)Values + from, count), Scale, values);
                break;
            default:
                new ReadOnlySpan<float>((float*)Values + from, count).CopyTo(values);
                break;
        }
    }

    /// <summary>First index in [from, to) whose column is &gt;= limit (to when none); columns ascend.</summary>
    public int LowerBound(int from, int to, int limit)
    {
        int lo = from, count = to - from;
        while (count > 0)
        {
            int half = count >> 1;
            if (ColumnAt(lo + half) < limit)
            {
                lo += half + 1;
                count -= half + 1;
            }
            else
            {
                count = half;
            }
        }
        return lo;
    }

    /// <summary>Hints the CPU to fetch the stored bytes of weights [from, to).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Prefetch(int from, int to)
    {
        if (!System.Runtime.Intrinsics.X86.Sse.IsSupported || to <= from)
            return;
        int cw = (int)Encoding.Columns, vw = ModelEncoding.ValueBytes(Encoding.Values);
        for (long b = (long)from * cw; b < (long)to * cw; b += 64)
            System.Runtime.Intrinsics.X86.Sse.Prefetch0(Columns + b);
        for (long b = (long)from * vw; b < (long)to * vw; b += 64)
            System.Runtime.Intrinsics.X86.Sse.Prefetch0(Values + b);
    }
}

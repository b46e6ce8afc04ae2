using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Ease.Format;

/// <summary>16-bit column indices (models of at most 65,536 items), widened to int32 for the scorer.</summary>
internal static class UInt16ColumnCodec
{
    public static void Decode(SimdLevel level, ReadOnlySpan<ushort> source, Span<int> destination)
    {
        ref ushort s = ref MemoryMarshal.GetReference(source);
        ref int d = ref MemoryMarshal.GetReference(destination);
        int n = source.Length, i = 0;
        if (level == SimdLevel.Vector512)
        {
            for (; i + 32 <= n; i += 32)
            {
                (Vector512<uint> lo, Vector512<uint> hi) = Vector512.Widen(Vector512.LoadUnsafe(ref s, (nuint)i));
                lo.AsInt32().StoreUnsafe(ref d, (nuint)i);
                hi.AsInt32().StoreUnsafe(ref d, (nuint)(i + 16));
            }
        }
        else if (level == SimdLevel.Vector256)
        {
            for (; i + 16 <= n; i += 16)
            {
                (Vector256<uint> lo, Vector256<uint> hi) = Vector256.Widen(Vector256.LoadUnsafe(ref s, (nuint)i));
                lo.AsInt32().StoreUnsafe(ref d, (nuint)i);
                hi.AsInt32().StoreUnsafe(ref d, (nuint)(i + 8));
            }
        }
        for (; i < n; i++)
            Unsafe.Add(ref d, i) = Unsafe.Add(ref s, i);
    }
}

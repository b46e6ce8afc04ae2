using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Ease.Engine.Scoring;

/// <summary>
/// A dense float buffer of one score per item, 64-byte aligned and padded to a whole number of
/// 16-float blocks so the Vector512 selection needs no tail loop. The padding holds -infinity,
/// which never beats any threshold, so it can never be selected. Allocated on the pinned object
/// heap: it never moves, needs no Dispose, and costs nothing per call.
/// </summary>
internal sealed class ScoreBuffer
{
    public const int BlockFloats = 16;
    private readonly float[] _array;
    private readonly int _offset;

    public ScoreBuffer(int itemCount)
    {
        ItemCount = itemCount;
        Length = PaddedLength(itemCount);
        // 15 spare floats let the start be moved up to the next 64-byte boundary.
        _array = GC.AllocateUninitializedArray<float>(Length + BlockFloats - 1, pinned: true);
        unsafe
        {
            nint address = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_array));
            _offset = (int)(((64 - (address & 63)) & 63) / sizeof(float));
        }
        Span.Clear();
        Span[itemCount..].Fill(float.NegativeInfinity);
    }

    public int ItemCount { get; }

    /// <summary>Item count rounded up to whole 16-float blocks.</summary>
    public int Length { get; }

    public static int PaddedLength(int itemCount) => (itemCount + BlockFloats - 1) & ~(BlockFloats - 1);

    /// <summary>The first score; 64-byte aligned.</summary>
    public ref float Start
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_array), _offset);
    }

    /// <summary>All <see cref="Length"/> floats, padding included.</summary>
    public Span<float> Span => MemoryMarshal.CreateSpan(ref Start, Length);

    /// <summary>The scores of the real items (no padding).</summary>
    public Span<float> Items => MemoryMarshal.CreateSpan(ref Start, ItemCount);
}

using System.Runtime.CompilerServices;

namespace Ease.Format;

/// <summary>
/// The persisted open-addressing hash index from external item id (UTF-8) to row: slot =
/// CRC-32C(id) masked to the power-of-two capacity, linear probing, slot value row + 1.
/// </summary>
public static class ItemIdIndex
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint Hash(ReadOnlySpan<byte> utf8Id) => Crc32C.Compute(utf8Id);

    /// <summary>Builds the slot array; returns the row of a duplicate id, or -1 when all are unique.</summary>
    internal static int Build(Span<uint> slots, ReadOnlySpan<byte> idBytes, ReadOnlySpan<long> idOffsets)
    {
        slots.Clear();
        uint mask = (uint)slots.Length - 1;
        int n = idOffsets.Length - 1;
        for (int row = 0; row < n; row++)
        {
            ReadOnlySpan<byte> id = idBytes[(int)idOffsets[row]..(int)idOffsets[row + 1]];
            uint s = Hash(id) & mask;
            while (slots[(int)s] != 0)
            {
                int other = (int)slots[(int)s] - 1;
                if (id.SequenceEqual(idBytes[(int)idOffsets[other]..(int)idOffsets[other + 1]]))
                    return row;
                s = (s + 1) & mask;
            }
            slots[(int)s] = (uint)row + 1;
        }
        return -1;
    }
}

using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Ease.Format;

/// <summary>
/// CRC-32C (Castagnoli), the standard variant: initial value and final XOR 0xFFFFFFFF.
/// Hardware CRC instructions through <see cref="BitOperations.Crc32C(uint, ulong)"/>.
/// </summary>
public static class Crc32C
{
    // The 8-byte steps read machine words; the file format is little-endian and so is every
    // platform .NET runs this code on (checked once here rather than per word).
    static Crc32C()
    {
        if (!BitConverter.IsLittleEndian)
            throw new PlatformNotSupportedException("Ease model files need a little-endian machine.");
    }

    /// <summary>Starting state for incremental use with <see cref="Append"/> and <see cref="Finish"/>.</summary>
    public const uint InitialState = 0xFFFFFFFFu;

    public static uint Compute(ReadOnlySpan<byte> data) => Finish(Append(InitialState, data));

    public static uint Finish(uint state) => state ^ 0xFFFFFFFFu;

    /// <summary>Feeds bytes into a running (un-finished) state.</summary>
    public static uint Append(uint state, ReadOnlySpan<byte> data)
    {
        ref byte p = ref MemoryMarshal.GetReference(data);
        nuint length = (nuint)data.Length;
        nuint i = 0;
        // Three independent chains would hide the instruction latency, but combining them needs
        // CRC shift tables; one 8-byte chain already runs at several GB/s, which verification needs.
        for (; i + 32 <= length; i += 32)
        {
            state = BitOperations.Crc32C(state, Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref p, i)));
            state = BitOperations.Crc32C(state, Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref p, i + 8)));
            state = BitOperations.Crc32C(state, Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref p, i + 16)));
            state = BitOperations.Crc32C(state, Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref p, i + 24)));
        }
        for (; i + 8 <= length; i += 8)
            state = BitOperations.Crc32C(state, Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref p, i)));
        for (; i < length; i++)
            state = BitOperations.Crc32C(state, Unsafe.Add(ref p, i));
        return state;
    }

    /// <summary>CRC of a region larger than 2 GiB, read through a raw pointer in span-sized pieces.</summary>
    internal static unsafe uint Compute(byte* data, long length)
    {
        uint state = InitialState;
        const int Chunk = 1 << 30;
        for (long done = 0; done < length; done += Chunk)
            state = Append(state, new ReadOnlySpan<byte>(data + done, (int)Math.Min(Chunk, length - done)));
        return Finish(state);
    }
}

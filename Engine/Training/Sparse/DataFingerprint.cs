using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using Ease.Engine.Input;

namespace Ease.Engine.Training.Sparse;

/// <summary>
/// SHA-256 of the interactions as trained (ids, CSR offsets and items), in hex: shards of one
/// training carry it so that a merge can refuse parts made from different inputs.
/// </summary>
internal static class DataFingerprint
{
    public static string Compute(InteractionSet data)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> header = stackalloc byte[16];
        BitConverter.TryWriteBytes(header, data.UserCount);
        BitConverter.TryWriteBytes(header[4..], data.ItemCount);
        BitConverter.TryWriteBytes(header[8..], data.InteractionCount);
        hash.AppendData(header);
        AppendIds(hash, data.ItemIds);
        AppendIds(hash, data.UserIds);
        hash.AppendData(MemoryMarshal.AsBytes(data.UserOffsets));
        hash.AppendData(MemoryMarshal.AsBytes(data.UserItems));
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    private static void AppendIds(IncrementalHash hash, string[] ids)
    {
        byte[] buffer = new byte[1 << 16];
        int used = 0;
        foreach (string id in ids)
        {
            int max = Encoding.UTF8.GetMaxByteCount(id.Length) + 1;
            if (used + max > buffer.Length)
            {
                hash.AppendData(buffer, 0, used);
                used = 0;
                if (max > buffer.Length)
                    buffer = new byte[max];
            }
            used += Encoding.UTF8.GetBytes(id, buffer.AsSpan(used));
            buffer[used++] = 0;
        }
        hash.AppendData(buffer, 0, used);
    }
}

using System.Runtime.InteropServices;

namespace Ease.Engine.Linalg;

/// <summary>
/// Asks Linux to back a large buffer with transparent huge pages (madvise MADV_HUGEPAGE), as
/// numpy does for its large arrays. On machines where THP is in "madvise" mode this cuts the
/// first-touch page faults of an n x n matrix 512-fold and the TLB misses of the packing loops
/// that stride down its columns. A plain libc call, no native library of ours; a no-op elsewhere
/// or when the kernel refuses.
/// </summary>
internal static unsafe partial class HugePages
{
    /// <summary>Huge page size on x86-64 and arm64 Linux; buffers are aligned to it.</summary>
    public const nuint Size = 2 << 20;

    /// <summary>Buffers smaller than this stay on ordinary pages.</summary>
    public const nuint Threshold = 64 << 20;

    private const int MadvHugepage = 14;

    public static void Advise(void* start, nuint length)
    {
        if (!OperatingSystem.IsLinux() || length < Threshold)
            return;
        try
        {
            _ = Madvise(start, length, MadvHugepage);
        }
        catch (EntryPointNotFoundException)
        {
        }
        catch (DllNotFoundException)
        {
        }
    }

    [LibraryImport("libc", EntryPoint = "madvise")]
    private static partial int Madvise(void* addr, nuint length, int advice);
}

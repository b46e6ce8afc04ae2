using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Ease.Study.Deep;

/// <summary>
/// Arrays on the pinned object heap: the GEMM kernels take raw pointers, and pinning once at
/// allocation avoids a <c>fixed</c> per product and any relocation by the GC.
/// </summary>
internal static unsafe class Pinned
{
    public static float[] Floats(long length) => GC.AllocateArray<float>(checked((int)length), pinned: true);

    public static float* Ptr(float[] array) => (float*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(array));
}

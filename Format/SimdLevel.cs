using System.Runtime.Intrinsics;

namespace Ease.Format;

/// <summary>
/// Vector width used by the selection and the row decoders. The best supported one is picked at construction; tests
/// force each level in-process so every path is checked against the scalar reference on any
/// machine that supports it.
/// </summary>
internal enum SimdLevel
{
    Scalar = 0,
    Vector256 = 1,
    Vector512 = 2,
}

internal static class SimdLevels
{
    public static SimdLevel Best =>
        Vector512.IsHardwareAccelerated ? SimdLevel.Vector512 :
        Vector256.IsHardwareAccelerated ? SimdLevel.Vector256 : SimdLevel.Scalar;

    public static bool IsSupported(SimdLevel level) => level switch
    {
        SimdLevel.Scalar => true,
        SimdLevel.Vector256 => Vector256.IsHardwareAccelerated,
        SimdLevel.Vector512 => Vector512.IsHardwareAccelerated,
        _ => false,
    };
}

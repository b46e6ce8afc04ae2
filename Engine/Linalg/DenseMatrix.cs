using System.Numerics;
using System.Runtime.InteropServices;

namespace Ease.Engine.Linalg;

/// <summary>
/// Square row-major matrix in native, 64-byte aligned memory. Native because n*n exceeds the
/// 2^31 element limit of managed arrays and spans for the real workload (n ~ 38k); aligned so
/// that every row starts on a cache line, which the packing routines and micro-kernels rely on
/// for full-width vector loads.
/// </summary>
public sealed unsafe class DenseMatrix<T> : IDisposable
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private T* _data;

    /// <summary>Allocates an n x n matrix. Contents are undefined until written (call <see cref="Clear"/>).</summary>
    public DenseMatrix(int size)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        Size = size;
        Stride = ChooseStride(size);
        nuint bytes = (nuint)Stride * (nuint)Math.Max(size, 1) * (nuint)sizeof(T);
        try
        {
            // Large matrices start on a huge-page boundary so that the whole buffer can be backed by them.
            _data = (T*)NativeMemory.AlignedAlloc(bytes, bytes >= HugePages.Threshold ? HugePages.Size : 64);
            if (_data != null)
                HugePages.Advise(_data, bytes);
        }
        catch (OutOfMemoryException)
        {
            _data = null;
        }
        if (_data == null)
        {
            throw new OutOfMemoryException(
                $"DenseMatrix<{typeof(T).Name}>: could not allocate {bytes:N0} bytes ({bytes / (1024.0 * 1024 * 1024):F2} GiB) for a {size} x {size} matrix.");
        }
        BytesAllocated = (long)bytes;
    }

    /// <summary>Order of the matrix.</summary>
    public int Size { get; }

    /// <summary>Leading dimension in elements (distance between the starts of consecutive rows).</summary>
    public long Stride { get; }

    /// <summary>Bytes of native memory held by this matrix.</summary>
    public long BytesAllocated { get; }

    /// <summary>Pointer to element (0,0). Element (i,j) is at <c>Data[i * Stride + j]</c>.</summary>
    public T* Data
    {
        get
        {
            ObjectDisposedException.ThrowIf(_data == null, this);
            return _data;
        }
    }

    /// <summary>True once <see cref="Dispose"/> has run.</summary>
    public bool IsDisposed => _data == null;

    /// <summary>Row i as a span of <see cref="Size"/> elements (padding excluded).</summary>
    public Span<T> Row(int i)
    {
        if ((uint)i >= (uint)Size) throw new ArgumentOutOfRangeException(nameof(i), i, $"row index must be in [0, {Size})");
        return new Span<T>(Data + i * Stride, Size);
    }

    /// <summary>Element accessor (bounds-checked; not for hot loops).</summary>
    public ref T this[int i, int j]
    {
        get
        {
            if ((uint)i >= (uint)Size) throw new ArgumentOutOfRangeException(nameof(i));
            if ((uint)j >= (uint)Size) throw new ArgumentOutOfRangeException(nameof(j));
            return ref Data[i * Stride + j];
        }
    }

    /// <summary>Sets every element (padding included) to zero, one row at a time.</summary>
    public void Clear()
    {
        T* p = Data;
        for (int i = 0; i < Size; i++) new Span<T>(p + i * Stride, (int)Stride).Clear();
    }

    public void Dispose()
    {
        T* p = _data;
        _data = null;
        if (p != null) NativeMemory.AlignedFree(p);
        GC.SuppressFinalize(this);
    }

    ~DenseMatrix()
    {
        if (_data != null) NativeMemory.AlignedFree(_data);
    }

    /// <summary>
    /// Rows padded to a whole number of cache lines; a stride that is a multiple of 4 KiB gets one
    /// extra cache line, because walking down a column with a 4 KiB-multiple stride maps every
    /// element to the same L1 set (and triggers 4K aliasing), which would cripple the transposing
    /// pack routines. Overhead is at most 2 cache lines per row, far below the 15 % budget for n >= 4096.
    /// </summary>
    internal static long ChooseStride(int n)
    {
        long perLine = 64 / sizeof(T);
        long s = (Math.Max(n, 1) + perLine - 1) / perLine * perLine;
        if (s * sizeof(T) % 4096 == 0) s += perLine;
        return s;
    }
}

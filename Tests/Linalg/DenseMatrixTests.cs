using Ease.Engine.Linalg;

namespace Ease.Tests.Linalg;

public sealed unsafe class DenseMatrixTests
{
    [Fact]
    public void RowsAreAlignedAndIndependent()
    {
        using var m = new DenseMatrix<float>(37);
        m.Clear();
        Assert.Equal(37, m.Size);
        Assert.True(m.Stride >= 37);
        for (int i = 0; i < m.Size; i++)
        {
            Assert.Equal(0, (long)(m.Data + i * m.Stride) % 64);
            Assert.Equal(37, m.Row(i).Length);
            m.Row(i).Fill(i);
        }
        Assert.Equal(5f, m[5, 36]);
        Assert.Throws<ArgumentOutOfRangeException>(() => m.Row(37));
    }

    [Fact]
    public void StrideAvoids4KAliasingAndStaysWithinBudget()
    {
        Assert.NotEqual(0, DenseMatrix<float>.ChooseStride(4096) * 4 % 4096);
        Assert.NotEqual(0, DenseMatrix<double>.ChooseStride(4096) * 8 % 4096);
        foreach (int n in new[] { 4096, 4097, 8192, 38048 })
        {
            Assert.True(DenseMatrix<float>.ChooseStride(n) <= n * 1.01);
            Assert.True(DenseMatrix<double>.ChooseStride(n) <= n * 1.01);
        }
    }

    [Fact]
    public void DisposeIsIdempotent()
    {
        var m = new DenseMatrix<double>(10);
        m.Dispose();
        m.Dispose();
        Assert.True(m.IsDisposed);
        Assert.Throws<ObjectDisposedException>(() => m.Row(0));
    }

    [Fact]
    public void HugeAllocationFailureNamesBytes()
    {
        // 2^31-1 squared doubles is ~3.7e19 bytes: no machine has that, so this must fail cleanly.
        var ex = Assert.Throws<OutOfMemoryException>(() => new DenseMatrix<double>(int.MaxValue));
        Assert.Contains("bytes", ex.Message);
    }

    [Fact]
    public void WorkspaceStaysWithinBudgetAtN4096()
    {
        foreach (int n in new[] { 4096, 38048 })
        {
            using var ws32 = new GemmWorkspace<float>(Environment.ProcessorCount);
            using var ws64 = new GemmWorkspace<double>(Environment.ProcessorCount);
            double budget32 = 0.15 * n * (double)n * 4 - (DenseMatrix<float>.ChooseStride(n) - n) * (double)n * 4;
            double budget64 = 0.15 * n * (double)n * 8 - (DenseMatrix<double>.ChooseStride(n) - n) * (double)n * 8;
            Assert.True(ws32.BytesAllocated < budget32);
            Assert.True(ws64.BytesAllocated < budget64);
        }
    }
}

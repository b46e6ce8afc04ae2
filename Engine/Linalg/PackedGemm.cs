using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Ease.Engine.Linalg;

/// <summary>Blocking constants shared by the packing routines and the micro-kernels.</summary>
internal static class GemmBlocking
{
    /// <summary>
    /// Depth of one rank-k pass, and the row stride of a packed A micro-panel. A compile-time constant
    /// so the kernels address row i of the panel as [a + i*KC*sizeof(T)] with a folded displacement.
    /// </summary>
    public const int KC = 256;
}

/// <summary>
/// Packing buffers for <see cref="PackedGemm{T,TK}"/>, allocated once per inversion: one shared
/// KC x NCB B block (768 KB, L2-resident) plus per thread a 16 x KC A micro-panel and a C tile:
/// O(blocksize^2), independent of n.
/// </summary>
internal sealed unsafe class GemmWorkspace<T> : IDisposable where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    // KC: depth of one rank-k pass. The 12 x KC A micro-panel (12 KB fp32 / 24 KB fp64) stays in
    // the 48 KB L1 while the kernel sweeps the B block.
    // fp64 uses half the depth: its 14 x KC A panel would otherwise take 28 of the 48 KB L1 and be
    // evicted by the streaming B micro-panels.
    public static int KC => typeof(T) == typeof(double) ? GemmBlocking.KC / 2 : GemmBlocking.KC;

    // NCB: columns of the packed B block; KC x NCB = 768 KB (fp32 and fp64) sits in the 2 MB L2.
    public static int NCB => typeof(T) == typeof(float) ? 768 : 384;

    private const int MaxMr = 16;

    /// <summary>
    /// A micro-panels packed together when A is a transposed view (see <see cref="PackedGemm{T,TK}"/>):
    /// 16 panels of 14 rows read 224 contiguous elements per source row instead of 14, so the
    /// hardware prefetcher can stream them. 16 x 16 x KC fp32 = 256 KB per thread, beside the B block in L2.
    /// </summary>
    public const int APanelGroup = 16;
    private const int MaxNr = 64;
    private readonly T*[] _a;
    private readonly T*[] _c;

    public GemmWorkspace(int threads)
    {
        Threads = threads;
        Team = new ThreadTeam(threads);
        SharedB = Alloc((nuint)(KC * (NCB + MaxNr)));
        _a = new T*[threads];
        _c = new T*[threads];
        for (int t = 0; t < threads; t++)
        {
            _a[t] = Alloc((nuint)(GemmBlocking.KC * MaxMr * APanelGroup));
            _c[t] = Alloc((nuint)(MaxMr * MaxNr));
        }
        Tri = Alloc((nuint)(TriLd * TriLd));
        BytesAllocated = ((long)(KC * (NCB + MaxNr)) + (long)threads * (GemmBlocking.KC * MaxMr * APanelGroup + MaxMr * MaxNr) + TriLd * TriLd) * sizeof(T);
    }

    public int Threads { get; }

    /// <summary>Progress/cancellation of the running inversion; GEMMs report per packed block so
    /// that even the huge top-level updates (tens of seconds at n ~ 38k) produce steady progress.</summary>
    public ProgressTracker? Tracker { get; set; }

    /// <summary>Set by team member 0 before a barrier, read by all after it, so every member stops at the same block.</summary>
    internal volatile bool StopRequested;

    /// <summary>Worker team used by parallel GEMMs (member 0 is the calling thread).</summary>
    public ThreadTeam Team { get; }

    /// <summary>B block shared by the team in parallel GEMMs.</summary>
    public T* SharedB { get; private set; }

    /// <summary>Leading dimension of <see cref="Tri"/>.</summary>
    public const int TriLd = 64;

    /// <summary>Scratch for one small triangular block (up to 64 x 64), used by the recursion leaves.</summary>
    public T* Tri { get; private set; }

    public long BytesAllocated { get; }

    /// <summary>The packed-B block (one for the team: parallel and serial GEMMs never overlap).</summary>
    public T* B => SharedB;

    public T* A(int t) => _a[t];

    public T* C(int t) => _c[t];

    private static T* Alloc(nuint elements)
    {
        nuint bytes = elements * (nuint)sizeof(T);
        void* p = NativeMemory.AlignedAlloc(bytes, 64);
        if (p == null) throw new OutOfMemoryException($"GEMM packing workspace: could not allocate {bytes:N0} bytes.");
        return (T*)p;
    }

    public void Dispose()
    {
        for (int t = 0; t < Threads; t++)
        {
            if (_a[t] != null) NativeMemory.AlignedFree(_a[t]);
            if (_c[t] != null) NativeMemory.AlignedFree(_c[t]);
            _a[t] = _c[t] = null;
        }
        if (Tri != null) NativeMemory.AlignedFree(Tri);
        Tri = null;
        if (SharedB != null) NativeMemory.AlignedFree(SharedB);
        SharedB = null;
        Team.Dispose();
    }
}

internal enum GemmMode
{
    /// <summary>C += alpha A B.</summary>
    None,

    /// <summary>C += alpha A B on the lower triangle of square C only (SYRK-like).</summary>
    Lower,

    /// <summary>C = alpha A B with C aliasing A (right-multiplication in place).</summary>
    InPlaceRows,

    /// <summary>C = alpha A B with C aliasing B (left-multiplication in place).</summary>
    InPlaceCols,
}

/// <summary>
/// GotoBLAS/BLIS-style packed GEMM: C += alpha * op(A) * op(B), with C row-major (leading dim ldc)
/// and A, B addressed through arbitrary element strides so the triangular algorithms can pass
/// transposed views without copies. Element (i,p) of A is a[i*ars + p*acs]; (p,j) of B is b[p*brs + j*bcs].
/// Optional lower mode only computes register tiles that touch the lower triangle of C (SYRK);
/// tiles straddling the diagonal are computed in full, so the strictly-upper part of those tiles
/// receives values too (callers treat the upper triangle as scratch).
///
/// Loop nest (the BLIS nest mirrored, because our vector dimension is j, the contiguous one of C):
///   jc (NCB cols, B block in L2) -> pc (KC) -> pack B -> ir (MR rows: pack A micro-panel, L1) -> jr (NR) -> kernel.
/// Large GEMMs run on the workspace's <see cref="ThreadTeam"/> with a shared packed B block and
/// dynamically scheduled A micro-panels (see <see cref="Shared"/>); small ones run on the caller.
/// </summary>
internal static unsafe class PackedGemm<T, TK>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
    where TK : IMicroKernel<T>
{
    // Below this many flops a GEMM is not worth waking a second thread for.
    private const double ParallelThresholdFlops = 4e6;

    private struct Args
    {
        public nint A, B, C;
        public nint Ars, Acs, Brs, Bcs, Ldc;
        public int M, N, K;
        public T Alpha;
        public bool Lower;
        public bool Overwrite;
    }

    public static void Run(GemmWorkspace<T> ws, int threads, int m, int n, int k, T alpha,
        T* a, nint ars, nint acs, T* b, nint brs, nint bcs, T* c, nint ldc, bool lower)
        => Run(ws, threads, m, n, k, alpha, a, ars, acs, b, brs, bcs, c, ldc, lower ? GemmMode.Lower : GemmMode.None);

    /// <summary>
    /// Full form. <see cref="GemmMode.InPlaceRows"/>: C = alpha A B overwriting C, where C may alias A
    /// (C = A * B in place); valid because k fits one KC pass and n one NCB block, so each MR-row
    /// panel of A is packed (copied) before any tile of those rows is written, and threads own
    /// disjoint rows. <see cref="GemmMode.InPlaceCols"/>: the same with C aliasing B, threads owning
    /// disjoint columns and each NCB column block of B packed before it is overwritten.
    /// </summary>
    public static void Run(GemmWorkspace<T> ws, int threads, int m, int n, int k, T alpha,
        T* a, nint ars, nint acs, T* b, nint brs, nint bcs, T* c, nint ldc, GemmMode mode)
    {
        if (m <= 0 || n <= 0 || k <= 0) return;
        bool lower = mode == GemmMode.Lower;
        if (mode == GemmMode.InPlaceRows && (k > GemmWorkspace<T>.KC || n > GemmWorkspace<T>.NCB))
            throw new ArgumentException("in-place row GEMM needs k <= KC and n <= NCB");
        if (mode == GemmMode.InPlaceCols && k > GemmWorkspace<T>.KC)
            throw new ArgumentException("in-place column GEMM needs k <= KC");
        double flops = 2.0 * m * n * k * (lower ? 0.5 : 1.0);
        int parts = Math.Min(threads, ws.Threads);
        if (flops < ParallelThresholdFlops) parts = 1;
        int mr = TK.MR, nr = TK.NR;
        if (parts > 1 && Math.Max(m, n) < 2 * Math.Max(mr, nr)) parts = 1;

        var g = new Args
        {
            A = (nint)a, B = (nint)b, C = (nint)c, Ars = ars, Acs = acs, Brs = brs, Bcs = bcs, Ldc = ldc,
            M = m, N = n, K = k, Alpha = alpha, Lower = lower,
            Overwrite = mode is GemmMode.InPlaceRows or GemmMode.InPlaceCols,
        };
        if (parts == 1 || ws.Team.Size == 1)
        {
            Serial(ws, 0, g, 0, m, 0, n);
            return;
        }
        Shared(ws, g);
    }

    /// <summary>
    /// Team-parallel GEMM (BLIS-style ic/jr parallelism): for each (jc, pc) block all members pack
    /// a share of the B micro-panels into ONE shared buffer, meet at a barrier, then take work units
    /// (an A micro-panel times a column range of the block) from an atomic counter, and meet again
    /// before the buffer is repacked. Dynamic units keep both cores busy when the triangle makes
    /// panels unequal or when one thread is preempted by another process; sharing B halves the
    /// packing traffic compared with private copies.
    /// </summary>
    private static void Shared(GemmWorkspace<T> ws, Args g)
    {
        int mr = TK.MR, nr = TK.NR, kcMax = GemmWorkspace<T>.KC, ncb = GemmWorkspace<T>.NCB;
        var team = ws.Team;
        int size = team.Size;
        int nBlocksJ = (g.N + ncb - 1) / ncb, nBlocksK = (g.K + kcMax - 1) / kcMax;
        int panels = (g.M + mr - 1) / mr;
        // Column chunks per block so that there are at least ~4 units per member.
        int chunks = Math.Max(1, Math.Min((4 * size + panels - 1) / panels, (Math.Min(ncb, g.N) + nr - 1) / nr));
        // A transposed view (element (i,p) at a[i + p*acs]) packed one micro-panel at a time reads
        // 14 elements from each of KC rows far apart: latency-bound, ~15-20% slower GEMMs (lauum,
        // trmm with L^T). Packing groups of panels turns those reads into contiguous runs. Used when
        // there are enough groups to keep every member busy.
        int group = APanelGroupFor(g.M, g.Ars, g.Acs, g.Overwrite, size);
        if (group > 1) chunks = 1;
        var counters = new int[nBlocksJ * nBlocksK];
        team.Run(t => SharedWorker(ws, g, t, chunks, group, counters));
    }

    /// <summary>A micro-panels packed per work unit of a team-parallel GEMM: a group when A is a transposed view with enough rows, else 1.</summary>
    internal static int APanelGroupFor(int m, nint ars, nint acs, bool overwrite, int teamSize)
    {
        int panels = (m + TK.MR - 1) / TK.MR;
        return ars == 1 && acs != 1 && !overwrite && panels >= 8 * teamSize * GemmWorkspace<T>.APanelGroup
            ? GemmWorkspace<T>.APanelGroup : 1;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void SharedWorker(GemmWorkspace<T> ws, in Args g, int t, int chunks, int group, int[] counters)
    {
        int mr = TK.MR, nr = TK.NR, kcMax = GemmWorkspace<T>.KC, ncb = GemmWorkspace<T>.NCB;
        var team = ws.Team;
        int size = team.Size;
        int panels = (g.M + mr - 1) / mr;
        T* bp = ws.SharedB;
        {
            T* ap = ws.A(t);
            T* tmp = ws.C(t);
            T* a = (T*)g.A, b = (T*)g.B, c = (T*)g.C;
            int block = 0;
            for (int jc = 0; jc < g.N; jc += ncb)
            {
                int nc = Math.Min(ncb, g.N - jc);
                int nPanelsB = (nc + nr - 1) / nr;
                int chunkPanels = (nPanelsB + chunks - 1) / chunks;
                for (int pc = 0; pc < g.K; pc += kcMax, block++)
                {
                    int kc = Math.Min(kcMax, g.K - pc);
                    if (t == 0) ws.StopRequested = ws.Tracker?.CancellationRequested ?? false;
                    for (int q = t; q < nPanelsB; q += size)
                        PackB(b + pc * g.Brs + (jc + q * nr) * g.Bcs, g.Brs, g.Bcs, kc, Math.Min(nr, nc - q * nr), bp + (nint)q * nr * kc);
                    team.Barrier.SignalAndWait();
                    // Everyone reads the flag written before the barrier: all members leave together.
                    if (ws.StopRequested) return;
                    if (group > 1)
                    {
                        GroupedPanels(g, ap, bp, tmp, group, jc, nc, pc, kc, ref counters[block]);
                        team.Barrier.SignalAndWait();
                        if (t == 0) ws.Tracker?.AddNoThrow(BlockFlops(g, nc, kc));
                        continue;
                    }
                    int units = panels * chunks;
                    int u;
                    while ((u = Interlocked.Increment(ref counters[block]) - 1) < units)
                    {
                        int ir = (u / chunks) * mr;
                        int ch = u % chunks;
                        int jr0 = ch * chunkPanels * nr;
                        int jr1 = Math.Min(nc, jr0 + chunkPanels * nr);
                        if (jr0 >= jr1) continue;
                        MacroPanel(g, ap, bp, tmp, ir, Math.Min(mr, g.M - ir), jc, nc, pc, kc, jr0, jr1);
                    }
                    team.Barrier.SignalAndWait();
                    if (t == 0) ws.Tracker?.AddNoThrow(BlockFlops(g, nc, kc));
                }
            }
        }
    }

    /// <summary>
    /// Work units of <paramref name="group"/> A micro-panels against the whole (jc, pc) block, A a
    /// transposed view: the group is packed in one pass over its KC source rows, then each panel runs
    /// against the shared B block.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void GroupedPanels(in Args g, T* ap, T* bp, T* tmp, int group, int jc, int nc, int pc, int kc, ref int counter)
    {
        const int KC = GemmBlocking.KC;
        int mr = TK.MR;
        int rowsPerUnit = group * mr;
        int units = (g.M + rowsPerUnit - 1) / rowsPerUnit;
        int u;
        while ((u = Interlocked.Increment(ref counter) - 1) < units)
        {
            int i0 = u * rowsPerUnit;
            int rows = Math.Min(rowsPerUnit, g.M - i0);
            // Lower mode: rows above the block's first column produce no tiles.
            if (g.Lower && i0 + rows - 1 < jc) continue;
            PackATransposedGroup((T*)g.A + i0 + pc * g.Acs, g.Acs, rows, kc, g.Alpha, ap);
            for (int q = 0; q * mr < rows; q++)
                MacroPanelPacked(g, ap + (nint)q * mr * KC, bp, tmp, i0 + q * mr, Math.Min(mr, rows - q * mr), jc, nc, kc, 0, nc);
        }
    }

    /// <summary>
    /// Packs rows [0, rows) of a transposed A view (element (i,p) at src[i + p*cs]) as consecutive
    /// MR-row micro-panels in <see cref="PackA"/>'s layout; the last panel's missing rows are zeroed.
    /// Reads each source row p once, contiguously.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackATransposedGroup(T* src, nint cs, int rows, int kc, T alpha, T* dst)
    {
        const int KC = GemmBlocking.KC;
        int mr = TK.MR;
        int panels = (rows + mr - 1) / mr;
        for (int i = rows; i < panels * mr; i++) new Span<T>(dst + (nint)i * KC, kc).Clear();
        // Whole 16 x 16 (fp32) or 8 x 8 (fp64) blocks go through register transposes, ~0.25 cycles
        // per element against ~9 for the scalar gather; the row and depth remainders go scalar.
        int block = typeof(T) == typeof(float) && TransposeFloat16x16.IsSupported ? 16
            : typeof(T) == typeof(double) && TransposeDouble8x8.IsSupported ? 8 : 0;
        int rowsV = 0, kcV = 0;
        if (block > 0)
        {
            rowsV = rows / block * block;
            kcV = kc / block * block;
            if (typeof(T) == typeof(float))
                TransposeFloat16x16.Blocks((float*)src, cs, rowsV, kcV, float.CreateTruncating(alpha), (float*)dst, KC);
            else
                TransposeDouble8x8.Blocks((double*)src, cs, rowsV, kcV, double.CreateTruncating(alpha), (double*)dst, KC);
        }
        ScalarTranspose(src, 1, cs, rowsV, rows, 0, kcV, alpha, dst);
        ScalarTranspose(src, 1, cs, 0, rows, kcV, kc, alpha, dst);
    }

    /// <summary>dst[i*KC + p] = alpha * src[i*rs + p*cs] for i in [i0, i1), p in [pBegin, pEnd).</summary>
    private static void ScalarTranspose(T* src, nint rs, nint cs, int i0, int i1, int pBegin, int pEnd, T alpha, T* dst)
    {
        const int KC = GemmBlocking.KC;
        int mr = TK.MR;
        if (i0 >= i1 || pBegin >= pEnd) return;
        // Blocks of 16 source rows: each destination row then receives one full cache line per block
        // (16 consecutive p) while only one panel's 14 destination lines are live, and the 16 source
        // rows are read as 16 forward streams. (Writing all 224 destination rows per p would cycle
        // through lines 1 KB apart, which map to 4 L1 sets and thrash them.)
        for (int p0 = pBegin; p0 < pEnd; p0 += 16)
        {
            int p1 = Math.Min(pEnd, p0 + 16);
            for (int q0 = i0; q0 < i1; q0 += mr)
            {
                int q1 = Math.Min(i1, q0 + mr);
                for (int p = p0; p < p1; p++)
                {
                    T* row = src + p * cs;
                    T* d = dst + p;
                    for (int i = q0; i < q1; i++) d[(nint)i * KC] = alpha * row[i * rs];
                }
            }
        }
    }

    /// <summary>Approximate flops of one (jc, pc) block, for progress reporting.</summary>
    private static double BlockFlops(in Args g, int nc, int kc) => 2.0 * g.M * nc * kc * (g.Lower ? 0.5 : 1.0);

    /// <summary>One A micro-panel (rows ir..ir+mrr) against B micro-panels covering block columns [jr0, jr1).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    private static void MacroPanel(in Args g, T* ap, T* bp, T* tmp, int ir, int mrr, int jc, int nc, int pc, int kc, int jr0, int jr1)
    {
        // Lower mode: a panel whose last row lies left of the range's first column has no tiles; skip its packing.
        if (g.Lower && ir + mrr - 1 < jc + jr0) return;
        PackA((T*)g.A + ir * g.Ars + pc * g.Acs, g.Ars, g.Acs, mrr, kc, g.Alpha, ap);
        MacroPanelPacked(g, ap, bp, tmp, ir, mrr, jc, nc, kc, jr0, jr1);
    }

    /// <summary><see cref="MacroPanel"/> with the A micro-panel already packed at <paramref name="ap"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    private static void MacroPanelPacked(in Args g, T* ap, T* bp, T* tmp, int ir, int mrr, int jc, int nc, int kc, int jr0, int jr1)
    {
        int mr = TK.MR, nr = TK.NR;
        int jEnd = jr1;
        if (g.Lower)
        {
            // Last row of this panel is ir+mrr-1; only tiles starting at or left of it are needed.
            int lastRow = ir + mrr - 1;
            if (lastRow < jc + jr0) return;
            jEnd = Math.Min(jr1, lastRow - jc + 1);
        }
        T* crow = (T*)g.C + ir * g.Ldc + jc;
        for (int jr = jr0; jr < jEnd; jr += nr)
        {
            int nrr = Math.Min(nr, nc - jr);
            T* bpanel = bp + (nint)jr * kc;
            if (mrr == mr && nrr == nr)
            {
                TK.Run(kc, ap, bpanel, crow + jr, g.Ldc, !g.Overwrite);
            }
            else
            {
                TK.Run(kc, ap, bpanel, tmp, nr, false);
                for (int i = 0; i < mrr; i++)
                {
                    T* dst = crow + i * g.Ldc + jr;
                    T* src = tmp + i * nr;
                    if (g.Overwrite) for (int j = 0; j < nrr; j++) dst[j] = src[j];
                    else for (int j = 0; j < nrr; j++) dst[j] += src[j];
                }
            }
        }
    }

    /// <summary>Computes rows [i0,i1) x cols [j0,j1) of C on one thread with slot t's buffers.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Serial(GemmWorkspace<T> ws, int t, in Args g, int i0, int i1, int j0, int j1)
    {
        int mr = TK.MR, kcMax = GemmWorkspace<T>.KC, ncb = GemmWorkspace<T>.NCB;
        T* bp = ws.B;
        T* ap = ws.A(t);
        T* tmp = ws.C(t);
        T* a = (T*)g.A, b = (T*)g.B, c = (T*)g.C;
        for (int jc = j0; jc < j1; jc += ncb)
        {
            int nc = Math.Min(ncb, j1 - jc);
            for (int pc = 0; pc < g.K; pc += kcMax)
            {
                int kc = Math.Min(kcMax, g.K - pc);
                PackB(b + pc * g.Brs + jc * g.Bcs, g.Brs, g.Bcs, kc, nc, bp);
                for (int ir = i0; ir < i1; ir += mr)
                    MacroPanel(g, ap, bp, tmp, ir, Math.Min(mr, i1 - ir), jc, nc, pc, kc, 0, nc);
                var tracker = ws.Tracker;
                if (tracker is not null)
                {
                    tracker.AddNoThrow(BlockFlops(g, nc, kc));
                    if (tracker.CancellationRequested) return; // the caller's next progress check throws
                }
            }
        }
    }

    /// <summary>
    /// Packs an mr x kc block of A (scaled by alpha) row by row: dst[i*KC + p], rows mr..MR zeroed.
    /// Rows rather than the classic column-interleaved layout because the dominant callers (trsm and
    /// trmm panels, syrk) have row-contiguous A: packing is then a plain vector copy, which matters
    /// when N is only one or two micro-panels wide and the pack cannot be amortised.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackA(T* src, nint rs, nint cs, int mr, int kc, T alpha, T* dst)
    {
        const int KC = GemmBlocking.KC;
        int MR = TK.MR;
        for (int i = mr; i < MR; i++) new Span<T>(dst + i * KC, kc).Clear();
        if (cs == 1)
        {
            for (int i = 0; i < mr; i++)
            {
                var s = new ReadOnlySpan<T>(src + i * rs, kc);
                var d = new Span<T>(dst + i * KC, kc);
                if (alpha == T.One) s.CopyTo(d);
                else if (alpha == -T.One) TensorPrimitives.Negate(s, d);
                else TensorPrimitives.Multiply(s, alpha, d);
            }
        }
        else
        {
            // Transposed view: column p of the block is contiguous along i.
            ScalarTranspose(src, rs, cs, 0, mr, 0, kc, alpha, dst);
        }
    }

    /// <summary>Packs a kc x nc block of B into NR-wide micro-panels: panel q, element (p,j) at dst[q*NR*kc + p*NR + j].</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackB(T* src, nint rs, nint cs, int kc, int nc, T* dst)
    {
        int NR = TK.NR;
        for (int q = 0; q < nc; q += NR)
        {
            int nr = Math.Min(NR, nc - q);
            T* d = dst + (nint)q * kc;
            if (nr < NR) new Span<T>(d, NR * kc).Clear();
            if (cs == 1)
            {
                // Row p of the block is contiguous: one NR-wide copy per p.
                for (int p = 0; p < kc; p++)
                {
                    T* s = src + p * rs + q;
                    if (nr == NR) Unsafe.CopyBlockUnaligned(d + p * NR, s, (uint)(NR * sizeof(T)));
                    else for (int j = 0; j < nr; j++) d[p * NR + j] = s[j];
                }
            }
            else
            {
                // Transposed view (columns of B contiguous along p): stream each column.
                for (int j = 0; j < nr; j++)
                {
                    T* s = src + (q + j) * cs;
                    T* dd = d + j;
                    if (rs == 1) for (int p = 0; p < kc; p++) dd[p * NR] = s[p];
                    else for (int p = 0; p < kc; p++) dd[p * NR] = s[p * rs];
                }
            }
        }
    }
}

using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Ease.Format;

namespace Ease.Engine.Scoring;

/// <summary>
/// Scores a block of users together, item tile by item tile. The block's history rows are merged
/// into one ascending list of distinct rows, each with the users that hold it. For each tile of
/// items, each distinct row's segment in that tile is read (and decoded, for compact encodings)
/// once and added into the tile buffer of every user that holds the row; then each user's tile is
/// scanned by the SIMD threshold selection into that user's heap and cleared. A row shared by
/// several users of the block is read from memory once, and the scatter-adds hit tile buffers
/// that stay in L1/L2 instead of a full score vector per user.
/// </summary>
/// <remarks>
/// Every user's rows are added in ascending row order, as <see cref="Recommender"/> adds an
/// unweighted history, so each score is the same float sum and the results are bit-identical to
/// scoring the users one at a time (tested). One instance per thread.
/// </remarks>
internal sealed unsafe class UserBlockScoring
{
    /// <summary>Users per block: at most 256 (a user's index in the block travels in 8 bits).</summary>
    public const int DefaultBlockUsers = 32;

    /// <summary>Items per tile: a multiple of 64. 32 users x 2,048 items x 4 bytes = 256 KB of tiles.</summary>
    public const int DefaultTileItems = 2048;

    private readonly ModelFile _model;
    private readonly bool _float32Rows;
    private readonly int _maxUsers;
    private readonly int _tileItems;
    private readonly float[] _tileArray;
    private readonly float* _tiles;
    private readonly int[] _segmentColumns;
    private readonly float[] _segmentValues;
    private readonly int[] _userStart;
    private readonly int[] _seen;
    private readonly int[] _heapCounts;
    private int[] _userRows = new int[1024];
    private long[] _pairs = new long[1024];
    private EncodedRow[] _rows = new EncodedRow[1024];
    private int[] _positions = new int[1024];
    private int[] _holderStart = new int[1025];
    private byte[] _holders = new byte[1024];

    public UserBlockScoring(ModelFile model, int maxUsers = DefaultBlockUsers, int tileItems = DefaultTileItems)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (maxUsers < 1 || maxUsers > 256)
            throw new ArgumentOutOfRangeException(nameof(maxUsers), maxUsers, "a block holds 1 to 256 users");
        if (tileItems < 64 || tileItems % 64 != 0)
            throw new ArgumentOutOfRangeException(nameof(tileItems), tileItems, "tiles are a positive multiple of 64 items");
        _model = model;
        _float32Rows = model.HasFloat32Rows;
        _maxUsers = maxUsers;
        // No tile wider than the padded catalogue: small models get one tile.
        _tileItems = Math.Min(tileItems, (model.ItemCount + 63) & ~63);
        // Pinned and 64-byte aligned: tiles are addressed through raw pointers, never moved.
        _tileArray = GC.AllocateArray<float>(maxUsers * _tileItems + 16, pinned: true);
        nint address = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_tileArray));
        _tiles = (float*)address + ((64 - (address & 63)) & 63) / sizeof(float);
        // Pinned: the decoded segment is read through raw pointers.
        _segmentColumns = GC.AllocateArray<int>(_float32Rows ? 0 : _tileItems, pinned: true);
        _segmentValues = GC.AllocateArray<float>(_float32Rows ? 0 : _tileItems, pinned: true);
        _userStart = new int[maxUsers + 1];
        _seen = new int[maxUsers];
        _heapCounts = new int[maxUsers];
    }

    public int MaxUsers => _maxUsers;

    public int TileItems => _tileItems;

    /// <summary>Vector width of decoding and selection; tests force each one.</summary>
    internal SimdLevel Simd { get; set; } = SimdLevels.Best;

    /// <summary>
    /// Scores the users listed in <paramref name="users"/> (at most <see cref="MaxUsers"/>, each
    /// with a non-empty history of valid rows): user u's history is rows[offsets[u] .. offsets[u + 1]),
    /// its best-first results go to output[u x k ..] and their number to counts[u].
    /// </summary>
    public void Score(ReadOnlySpan<int> users, int* offsets, int* rows, ScoredItem* output, int k, int* counts, in RecommendOptions options)
    {
        int blockUsers = users.Length;
        if (blockUsers == 0)
            return;
        if (blockUsers > _maxUsers)
            throw new ArgumentException($"a block holds at most {_maxUsers} users, got {blockUsers}", nameof(users));
        int pairs = GatherSortedHistories(users, offsets, rows);
        int distinct = MergeRows(pairs);
        ItemFilter? filter = options.Filter;
        bool excludeSeen = !options.IncludeSeen;
        int n = _model.ItemCount;
        int tileItems = _tileItems;
        Array.Clear(_seen, 0, blockUsers);
        Array.Clear(_heapCounts, 0, blockUsers);

        for (int lo = 0; lo < n; lo += tileItems)
        {
            int hi = Math.Min(lo + tileItems, n);
            int padded = ScoreBuffer.PaddedLength(hi - lo);
            if (excludeSeen)
                MarkSeen(blockUsers, lo, hi);
            for (int d = 0; d < distinct; d++)
                AddSegment(d, lo, hi);
            for (int b = 0; b < blockUsers; b++)
            {
                float* tile = _tiles + (long)b * tileItems;
                // The padding past the last item must never be selected.
                for (int i = hi - lo; i < padded; i++)
                    tile[i] = float.NegativeInfinity;
                var heap = new TopKHeap(new Span<ScoredItem>(output + (long)users[b] * k, k), _heapCounts[b]);
                DenseThresholdSelection.SelectTile(Simd, ref *tile, lo, padded, filter, ref heap);
                _heapCounts[b] = heap.Count;
                new Span<float>(tile, padded).Clear();
            }
        }
        for (int b = 0; b < blockUsers; b++)
        {
            var heap = new TopKHeap(new Span<ScoredItem>(output + (long)users[b] * k, k), _heapCounts[b]);
            counts[users[b]] = heap.SortBestFirst();
        }
    }

    // Each user's rows, sorted and without repeats (a history is a set), concatenated; then one
    // (row, user) pair per entry, sorted, so that the block's distinct rows come out ascending.
    private int GatherSortedHistories(ReadOnlySpan<int> users, int* offsets, int* rows)
    {
        int total = 0;
        foreach (int u in users)
            total += offsets[u + 1] - offsets[u];
        Grow(ref _userRows, total);
        Grow(ref _pairs, total);
        int at = 0, pairs = 0;
        for (int b = 0; b < users.Length; b++)
        {
            int u = users[b];
            _userStart[b] = at;
            Span<int> mine = _userRows.AsSpan(at, offsets[u + 1] - offsets[u]);
            new ReadOnlySpan<int>(rows + offsets[u], mine.Length).CopyTo(mine);
            mine.Sort();
            int kept = 0;
            for (int i = 0; i < mine.Length; i++)
            {
                if (kept == 0 || mine[i] != mine[kept - 1])
                    mine[kept++] = mine[i];
            }
            for (int i = 0; i < kept; i++)
                _pairs[pairs++] = ((long)mine[i] << 8) | (uint)b;
            at += kept;
        }
        _userStart[users.Length] = at;
        _pairs.AsSpan(0, pairs).Sort();
        return pairs;
    }

    private int MergeRows(int pairs)
    {
        Grow(ref _rows, pairs);
        Grow(ref _positions, pairs);
        Grow(ref _holders, pairs);
        Grow(ref _holderStart, pairs + 1);
        int distinct = 0;
        long previous = -1;
        for (int p = 0; p < pairs; p++)
        {
            long row = _pairs[p] >> 8;
            if (row != previous)
            {
                _holderStart[distinct] = p;
                _rows[distinct] = _model.GetEncodedRow((int)row);
                _positions[distinct] = 0;
                distinct++;
                previous = row;
            }
            _holders[p] = (byte)_pairs[p];
        }
        _holderStart[distinct] = pairs;
        return distinct;
    }

    // Seen items are -infinity before any row is added: -infinity plus a finite weight stays
    // -infinity, so they can never be selected, as in the one-user scorer.
    private void MarkSeen(int blockUsers, int lo, int hi)
    {
        for (int b = 0; b < blockUsers; b++)
        {
            float* tile = _tiles + (long)b * _tileItems;
            int i = _userStart[b] + _seen[b], end = _userStart[b + 1];
            for (; i < end && _userRows[i] < hi; i++)
                tile[_userRows[i] - lo] = float.NegativeInfinity;
            _seen[b] = i - _userStart[b];
        }
    }

    private void AddSegment(int d, int lo, int hi)
    {
        ref EncodedRow row = ref _rows[d];
        int from = _positions[d];
        if (from == row.Length)
            return;
        int end = row.LowerBound(from, row.Length, hi);
        _positions[d] = end;
        if (end == from)
            return;
        // Fetch this row's next segment (about as long as this one) while the other rows of this
        // tile are added: many short streams defeat the hardware prefetcher.
        row.Prefetch(end, Math.Min(row.Length, end + (end - from) + 16));
        int count = end - from;
        int* columns;
        float* values;
        if (_float32Rows)
        {
            columns = (int*)row.Columns + from;
            values = (float*)row.Values + from;
        }
        else
        {
            // Decoded once, added for every holder; the segment is at most a tile long.
            row.Decode(Simd, from, _segmentColumns.AsSpan(0, count), _segmentValues.AsSpan(0, count));
            columns = (int*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_segmentColumns));
            values = (float*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_segmentValues));
        }
        for (int p = _holderStart[d]; p < _holderStart[d + 1]; p++)
        {
            // Raw pointer arithmetic: tile - lo is never dereferenced below the tile, since every
            // column of the segment is in [lo, hi).
            float* tile = _tiles + (long)_holders[p] * _tileItems - lo;
            int i = 0;
            for (; i + 4 <= count; i += 4)
            {
                tile[columns[i]] += values[i];
                tile[columns[i + 1]] += values[i + 1];
                tile[columns[i + 2]] += values[i + 2];
                tile[columns[i + 3]] += values[i + 3];
            }
            for (; i < count; i++)
                tile[columns[i]] += values[i];
        }
    }

    private static void Grow<T>(ref T[] buffer, int length)
    {
        if (buffer.Length < length)
            buffer = new T[Math.Max(length, buffer.Length * 2)];
    }
}

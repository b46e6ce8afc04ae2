using System.Diagnostics;

namespace Ease.Engine.Input;

/// <summary>
/// Collects (user, item) pairs and turns them into an <see cref="InteractionSet"/>. Pairs are kept in two flat int
/// arrays (8 bytes per pair, no per-user lists); <see cref="Build"/> sorts them with two counting-sort passes, which
/// leaves every user's items in ascending order without a comparison sort, then drops duplicates.
/// </summary>
public sealed class InteractionSetBuilder
{
    readonly IdMap _users;
    readonly IdMap _items;
    int[] _pairUsers = new int[1024];
    int[] _pairItems = new int[1024];
    double[]? _pairOrders; // order keys (--order-col), parallel to the pairs; null when there are none
    int _count;
    bool _built;

    /// <summary>Starts an empty set; with <paramref name="knownItems"/> the item indices start as that list's positions.</summary>
    /// <exception cref="ArgumentException"><paramref name="knownItems"/> contains a null or a repeated id.</exception>
    public InteractionSetBuilder(IReadOnlyList<string>? knownItems = null)
    {
        _users = new IdMap();
        _items = knownItems is null ? new IdMap() : new IdMap(knownItems);
    }

    /// <summary>Users registered so far.</summary>
    public int UserCount => _users.Count;

    /// <summary>Items registered so far (including known items that have no interactions).</summary>
    public int ItemCount => _items.Count;

    /// <summary>Pairs added so far, duplicates included.</summary>
    public long PairCount => _count;

    /// <summary>Also build each user's sequence (<see cref="InteractionSet.SequenceOf"/>): the pairs in the order
    /// added, or stably sorted by the keys given to <see cref="Add(int, int, double)"/>. Set before adding pairs.</summary>
    public bool KeepOrder { get; set; }

    internal IdMap Users => _users;
    internal IdMap Items => _items;

    // Reader statistics, carried into the built set.
    internal long SkippedRows { get; set; }
    internal long FilteredRows { get; set; }
    internal long UnknownItemInteractions { get; set; }
    internal long LinesRead { get; set; }

    /// <summary>Registers a user (even one without interactions) and returns its index.</summary>
    public int AddUser(string id) => _users.GetOrAdd(CheckId(id));

    /// <summary>Registers an item (even one without interactions) and returns its index.</summary>
    public int AddItem(string id) => _items.GetOrAdd(CheckId(id));

    /// <summary>Adds one interaction by external ids, registering unseen ids.</summary>
    public void Add(string userId, string itemId) => AddPair(AddUser(userId), AddItem(itemId));

    /// <summary>Adds one interaction by indices returned from <see cref="AddUser"/> / <see cref="AddItem"/>.</summary>
    public void Add(int user, int item)
    {
        if ((uint)user >= (uint)_users.Count)
            ThrowHelper.ThrowIndexOutOfRange(nameof(user), user, _users.Count);
        if ((uint)item >= (uint)_items.Count)
            ThrowHelper.ThrowIndexOutOfRange(nameof(item), item, _items.Count);
        AddPair(user, item);
    }

    /// <summary>Adds one interaction with its order key (a timestamp or sequence number): the user's sequence is sorted
    /// by the keys, stably, so equal keys keep the order of addition. Needs <see cref="KeepOrder"/>.</summary>
    public void Add(int user, int item, double order)
    {
        if (!KeepOrder)
            throw new InvalidOperationException("Order keys need KeepOrder.");
        if (!double.IsFinite(order))
            throw new ArgumentException($"Order key {order} is not a finite number.", nameof(order));
        Add(user, item);
        SetOrder(order);
    }

    internal void AddPair(int user, int item)
    {
        Debug.Assert(!_built);
        if (_count == _pairUsers.Length)
            Grow();
        _pairUsers[_count] = user;
        _pairItems[_count] = item;
        _count++;
    }

    /// <summary>The order key of the pair just added.</summary>
    internal void SetOrder(double order)
    {
        if (_pairOrders is null)
            _pairOrders = new double[_pairUsers.Length];
        else if (_pairOrders.Length < _pairUsers.Length)
            Array.Resize(ref _pairOrders, _pairUsers.Length);
        _pairOrders[_count - 1] = order;
    }

    void Grow()
    {
        if (_built)
            ThrowHelper.ThrowBuilderUsed();
        if (_count >= Array.MaxLength)
            ThrowHelper.ThrowTooManyInteractions(_count);
        int size = (int)Math.Min(Array.MaxLength, (long)_pairUsers.Length * 2);
        Array.Resize(ref _pairUsers, size);
        Array.Resize(ref _pairItems, size);
    }

    static string CheckId(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        if (id.Length == 0)
            throw new ArgumentException("Ids must not be empty.", nameof(id));
        return id;
    }

    /// <summary>Produces the set. The builder cannot be used afterwards (its buffers are reused).</summary>
    public InteractionSet Build()
    {
        if (_built)
            ThrowHelper.ThrowBuilderUsed();
        _built = true;

        int n = _count, userCount = _users.Count, itemCount = _items.Count;
        int[] pairUsers = _pairUsers, pairItems = _pairItems;
        _pairUsers = _pairItems = [];
        (int[] Offsets, int[] Items)? sequences = KeepOrder ? Sequences(pairUsers, pairItems, _pairOrders, n, userCount) : null;
        _pairOrders = null;

        // Pass 1: stable counting sort of the pairs by item; only the user needs storing, the item is the bucket.
        int[] itemStart = new int[itemCount + 1];
        for (int k = 0; k < n; k++)
            itemStart[pairItems[k] + 1]++;
        for (int j = 0; j < itemCount; j++)
            itemStart[j + 1] += itemStart[j];
        int[] usersByItem = new int[n];
        int[] cursor = itemStart[..^1];
        for (int k = 0; k < n; k++)
            usersByItem[cursor[pairItems[k]]++] = pairUsers[k];

        // Pass 2: stable counting sort by user, walking items in ascending order, so each user's run is sorted.
        int[] offsets = new int[userCount + 1];
        for (int k = 0; k < n; k++)
            offsets[pairUsers[k] + 1]++;
        for (int u = 0; u < userCount; u++)
            offsets[u + 1] += offsets[u];
        int[] items = pairItems; // pairItems is no longer needed; its first n slots receive the sorted items
        cursor = offsets[..^1];
        for (int j = 0; j < itemCount; j++)
        {
            for (int k = itemStart[j]; k < itemStart[j + 1]; k++)
                items[cursor[usersByItem[k]]++] = j;
        }

        // Drop repeated (user, item) pairs: within a sorted run they are adjacent.
        int write = 0;
        for (int u = 0; u < userCount; u++)
        {
            int start = offsets[u], end = offsets[u + 1];
            offsets[u] = write;
            for (int k = start; k < end; k++)
            {
                if (k == start || items[k] != items[k - 1])
                    items[write++] = items[k];
            }
        }
        offsets[userCount] = write;
        if (items.Length != write)
            Array.Resize(ref items, write);

        return new InteractionSet(_users.ToArray(), _items.ToArray(), offsets, items, sequences?.Offsets, sequences?.Items)
        {
            DuplicatePairs = n - write,
            SkippedRows = SkippedRows,
            FilteredRows = FilteredRows,
            UnknownItemInteractions = UnknownItemInteractions,
            LinesRead = LinesRead,
        };
    }

    /// <summary>Each user's pairs in the order added (a stable counting sort by user), then stably sorted by key.</summary>
    static (int[] Offsets, int[] Items) Sequences(int[] pairUsers, int[] pairItems, double[]? orders, int n, int userCount)
    {
        int[] offsets = new int[userCount + 1];
        for (int k = 0; k < n; k++)
            offsets[pairUsers[k] + 1]++;
        for (int u = 0; u < userCount; u++)
            offsets[u + 1] += offsets[u];
        int[] items = new int[n];
        double[]? keys = orders is null ? null : new double[n];
        int[] cursor = offsets[..^1];
        for (int k = 0; k < n; k++)
        {
            int at = cursor[pairUsers[k]]++;
            items[at] = pairItems[k];
            if (keys is not null)
                keys[at] = orders![k];
        }
        if (keys is not null)
        {
            double[] keyScratch = [];
            int[] itemScratch = [];
            for (int u = 0; u < userCount; u++)
                StableSort(keys.AsSpan(offsets[u], offsets[u + 1] - offsets[u]), items.AsSpan(offsets[u], offsets[u + 1] - offsets[u]), ref keyScratch, ref itemScratch);
        }
        return (offsets, items);
    }

    /// <summary>Sorts <paramref name="items"/> by <paramref name="keys"/>, equal keys in their given order (merge sort;
    /// a run already in order, the usual case for a time-ordered log, costs one pass).</summary>
    internal static void StableSort(Span<double> keys, Span<int> items, ref double[] keyScratch, ref int[] itemScratch)
    {
        int length = keys.Length;
        bool sorted = true;
        for (int i = 1; i < length && sorted; i++)
            sorted = keys[i - 1] <= keys[i];
        if (sorted)
            return;
        if (keyScratch.Length < length)
        {
            keyScratch = new double[length];
            itemScratch = new int[length];
        }
        Span<double> k2 = keyScratch.AsSpan(0, length);
        Span<int> i2 = itemScratch.AsSpan(0, length);
        // Bottom-up: runs of width w merged into the other buffer, then the buffers swap roles.
        bool inScratch = false;
        for (int width = 1; width < length; width *= 2)
        {
            Span<double> fromK = inScratch ? k2 : keys, toK = inScratch ? keys : k2;
            Span<int> fromI = inScratch ? i2 : items, toI = inScratch ? items : i2;
            for (int lo = 0; lo < length; lo += 2 * width)
            {
                int mid = Math.Min(lo + width, length), hi = Math.Min(lo + 2 * width, length);
                int a = lo, b = mid, o = lo;
                while (a < mid && b < hi)
                {
                    // Take from the left run on ties: that is what keeps equal keys in order.
                    if (fromK[b] < fromK[a]) { toK[o] = fromK[b]; toI[o++] = fromI[b++]; }
                    else { toK[o] = fromK[a]; toI[o++] = fromI[a++]; }
                }
                while (a < mid) { toK[o] = fromK[a]; toI[o++] = fromI[a++]; }
                while (b < hi) { toK[o] = fromK[b]; toI[o++] = fromI[b++]; }
            }
            inScratch = !inScratch;
        }
        if (inScratch)
        {
            k2.CopyTo(keys);
            i2.CopyTo(items);
        }
    }
}

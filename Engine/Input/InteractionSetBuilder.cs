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

    internal void AddPair(int user, int item)
    {
        Debug.Assert(!_built);
        if (_count == _pairUsers.Length)
            Grow();
        _pairUsers[_count] = user;
        _pairItems[_count] = item;
        _count++;
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

        return new InteractionSet(_users.ToArray(), _items.ToArray(), offsets, items)
        {
            DuplicatePairs = n - write,
            SkippedRows = SkippedRows,
            FilteredRows = FilteredRows,
            UnknownItemInteractions = UnknownItemInteractions,
            LinesRead = LinesRead,
        };
    }
}

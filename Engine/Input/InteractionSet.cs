namespace Ease.Engine.Input;

/// <summary>
/// A binary user x item interaction matrix with external ids, stored as CSR by user (offsets + item indices,
/// each user's items sorted ascending and distinct). The transposed CSR by item is built once, on first use.
/// Instances are immutable apart from that cache and are safe to read from several threads.
/// </summary>
public sealed class InteractionSet
{
    readonly int[] _userOffsets; // UserCount + 1 entries; user u's items are _items[_userOffsets[u].._userOffsets[u + 1]]
    readonly int[] _items;
    readonly int[]? _sequenceOffsets; // with kept order: user u's sequence is _sequenceItems[_sequenceOffsets[u].._sequenceOffsets[u + 1]]
    readonly int[]? _sequenceItems;
    ByItem? _byItem;
    int[]? _popularity;

    sealed record ByItem(int[] Offsets, int[] Users);

    internal InteractionSet(string[] userIds, string[] itemIds, int[] userOffsets, int[] items, int[]? sequenceOffsets = null, int[]? sequenceItems = null)
    {
        UserIds = userIds;
        ItemIds = itemIds;
        _userOffsets = userOffsets;
        _items = items;
        _sequenceOffsets = sequenceOffsets;
        _sequenceItems = sequenceItems;
    }

    /// <summary>Whether each user's interactions are also kept in order (<see cref="InputOptions.KeepsOrder"/>).</summary>
    public bool HasSequences => _sequenceOffsets is not null;

    /// <summary>The interactions of <paramref name="user"/> in order, oldest first, repeats included (needs
    /// <see cref="HasSequences"/>).</summary>
    public ReadOnlySpan<int> SequenceOf(int user)
    {
        if (_sequenceOffsets is null)
            throw new InvalidOperationException("This set was read without order; read it with InputOptions.KeepOrder or an OrderColumn.");
        if ((uint)user >= (uint)UserCount)
            ThrowHelper.ThrowIndexOutOfRange(nameof(user), user, UserCount);
        int start = _sequenceOffsets[user];
        return new ReadOnlySpan<int>(_sequenceItems, start, _sequenceOffsets[user + 1] - start);
    }

    /// <summary>CSR offsets of the sequences (<see cref="UserCount"/> + 1 entries); empty without <see cref="HasSequences"/>.</summary>
    public ReadOnlySpan<int> SequenceOffsets => _sequenceOffsets;

    /// <summary>All users' sequences, concatenated; empty without <see cref="HasSequences"/>.</summary>
    public ReadOnlySpan<int> SequenceItems => _sequenceItems;

    /// <summary>An empty set (no users, no items).</summary>
    public static InteractionSet Empty { get; } = new([], [], [0], []);

    /// <summary>External user ids; index = user index. Treat as read-only.</summary>
    public string[] UserIds { get; }

    /// <summary>External item ids; index = item index. Treat as read-only.</summary>
    public string[] ItemIds { get; }

    /// <summary>Number of users (rows), including users without interactions.</summary>
    public int UserCount => UserIds.Length;

    /// <summary>Number of items (columns), including known items without interactions.</summary>
    public int ItemCount => ItemIds.Length;

    /// <summary>Number of distinct (user, item) pairs.</summary>
    public long InteractionCount => _items.Length;

    /// <summary>Rows skipped as malformed (only with <see cref="InputOptions.SkipBadRows"/>).</summary>
    public long SkippedRows { get; init; }

    /// <summary>Repeated (user, item) pairs that were counted once.</summary>
    public long DuplicatePairs { get; init; }

    /// <summary>Rows dropped because their weight was below <see cref="InputOptions.MinWeight"/>.</summary>
    public long FilteredRows { get; init; }

    /// <summary>Interactions dropped because their item was not in the known-item list
    /// (<see cref="UnknownItemPolicy.Drop"/>).</summary>
    public long UnknownItemInteractions { get; init; }

    /// <summary>Lines read from the file, including the header, blank and skipped lines.</summary>
    public long LinesRead { get; init; }

    /// <summary>CSR row offsets by user (<see cref="UserCount"/> + 1 entries).</summary>
    public ReadOnlySpan<int> UserOffsets => _userOffsets;

    /// <summary>CSR column indices by user: all users' item lists, concatenated.</summary>
    public ReadOnlySpan<int> UserItems => _items;

    /// <summary>The items of <paramref name="user"/>, ascending and distinct.</summary>
    public ReadOnlySpan<int> ItemsOf(int user)
    {
        if ((uint)user >= (uint)UserCount)
            ThrowHelper.ThrowIndexOutOfRange(nameof(user), user, UserCount);
        int start = _userOffsets[user];
        return new ReadOnlySpan<int>(_items, start, _userOffsets[user + 1] - start);
    }

    /// <summary>The users of <paramref name="item"/>, ascending and distinct (builds the transposed CSR on first call).</summary>
    public ReadOnlySpan<int> UsersOf(int item)
    {
        if ((uint)item >= (uint)ItemCount)
            ThrowHelper.ThrowIndexOutOfRange(nameof(item), item, ItemCount);
        ByItem byItem = GetByItem();
        int start = byItem.Offsets[item];
        return new ReadOnlySpan<int>(byItem.Users, start, byItem.Offsets[item + 1] - start);
    }

    /// <summary>CSR row offsets by item (<see cref="ItemCount"/> + 1 entries); builds the transposed CSR on first use.</summary>
    public ReadOnlySpan<int> ItemOffsets => GetByItem().Offsets;

    /// <summary>CSR column indices by item: all items' user lists, concatenated.</summary>
    public ReadOnlySpan<int> ItemUsers => GetByItem().Users;

    /// <summary>Number of distinct users per item. Computed once; treat the array as read-only.</summary>
    public int[] ItemPopularity
    {
        get
        {
            if (_popularity is { } cached)
                return cached;
            int[] counts = new int[ItemCount];
            foreach (int item in _items)
                counts[item]++;
            return Interlocked.CompareExchange(ref _popularity, counts, null) ?? counts;
        }
    }

    /// <summary>The index of user <paramref name="id"/>, or -1. Linear scan: build a dictionary for repeated use.</summary>
    public int IndexOfUser(string id) => Array.IndexOf(UserIds, id);

    /// <summary>The index of item <paramref name="id"/>, or -1. Linear scan: build a dictionary for repeated use.</summary>
    public int IndexOfItem(string id) => Array.IndexOf(ItemIds, id);

    ByItem GetByItem()
    {
        if (_byItem is { } cached)
            return cached;

        // Counting sort by item; walking users in ascending order leaves each item's users sorted.
        int[] offsets = new int[ItemCount + 1];
        foreach (int item in _items)
            offsets[item + 1]++;
        for (int j = 0; j < ItemCount; j++)
            offsets[j + 1] += offsets[j];
        int[] users = new int[_items.Length];
        int[] cursor = offsets[..^1];
        for (int u = 0; u < UserCount; u++)
        {
            for (int k = _userOffsets[u]; k < _userOffsets[u + 1]; k++)
                users[cursor[_items[k]]++] = u;
        }
        var built = new ByItem(offsets, users);
        return Interlocked.CompareExchange(ref _byItem, built, null) ?? built;
    }

    /// <inheritdoc/>
    public override string ToString() =>
        $"{UserCount:N0} users x {ItemCount:N0} items, {InteractionCount:N0} interactions";
}

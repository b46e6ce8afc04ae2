using Ease.Engine.Input;

namespace Ease.Engine.Training.Update;

/// <summary>One user whose row changed: the items before (base indices) and after (new indices), ascending.</summary>
internal readonly record struct UserChange(int[] Before, int[] After);

/// <summary>
/// The interactions after an update: base ∪ added − removed, minus the users removed whole, with
/// the catalogue of the base (an item whose last interaction went keeps its place, with popularity
/// 0) and new items appended in the order the additions first name them. Users keep the base
/// order; users whose rows became empty leave (their ids are not kept anywhere: erasure); new users
/// follow in the additions' order. A sparse or dense retrain on the same interactions in the same
/// item order is the reference an update must equal.
/// </summary>
internal sealed class DataDelta
{
    private DataDelta(InteractionSet data, List<UserChange> changes, int newItems, long added, long removed, int removedUsers)
    {
        Data = data;
        Changes = changes;
        NewItems = newItems;
        AddedPairs = added;
        RemovedPairs = removed;
        RemovedUsers = removedUsers;
    }

    public InteractionSet Data { get; }
    public List<UserChange> Changes { get; }
    public int NewItems { get; }
    public long AddedPairs { get; }
    public long RemovedPairs { get; }
    public int RemovedUsers { get; }

    /// <param name="baseData">The state's interactions.</param>
    /// <param name="add">Additions, read against the base catalogue with new items appended.</param>
    /// <param name="addName">The additions' file, for messages.</param>
    /// <param name="remove">Removals, read against the catalogue after the additions (unknown items appended, then refused).</param>
    /// <param name="removeName">The removals' file.</param>
    /// <param name="removeUsers">Users to remove whole.</param>
    public static DataDelta Apply(InteractionSet baseData, InteractionSet? add, string addName, InteractionSet? remove, string removeName,
        IReadOnlyList<string> removeUsers)
    {
        int baseItems = baseData.ItemCount;
        string[] itemIds = add is null ? baseData.ItemIds : add.ItemIds;
        if (add is not null)
        {
            for (int i = 0; i < baseItems; i++)
            {
                if (!ReferenceEquals(itemIds[i], baseData.ItemIds[i]) && itemIds[i] != baseData.ItemIds[i])
                    throw new InvalidOperationException("the additions were not read against the base catalogue");
            }
        }
        int n = itemIds.Length;
        if (remove is not null && remove.ItemCount > n)
            throw new InvalidDataException($"{removeName}: item '{remove.ItemIds[n]}' is not in the model's catalogue; only known items can be removed");

        var userIndex = new Dictionary<string, int>(baseData.UserCount, StringComparer.Ordinal);
        for (int u = 0; u < baseData.UserCount; u++)
            userIndex[baseData.UserIds[u]] = u;

        // Rows being edited: base user index (or -1 - k for the k-th new user) -> item set.
        var edited = new Dictionary<int, SortedSet<int>>();
        var newUsers = new List<string>();
        var newUserIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        SortedSet<int> Row(int key)
        {
            if (!edited.TryGetValue(key, out SortedSet<int>? row))
            {
                row = key >= 0 ? new SortedSet<int>(baseData.ItemsOf(key).ToArray()) : [];
                edited[key] = row;
            }
            return row;
        }

        long added = 0, removed = 0;
        if (add is not null)
        {
            for (int a = 0; a < add.UserCount; a++)
            {
                ReadOnlySpan<int> items = add.ItemsOf(a);
                if (items.IsEmpty)
                    continue;
                string id = add.UserIds[a];
                if (!userIndex.TryGetValue(id, out int key))
                {
                    if (!newUserIndex.TryGetValue(id, out int k))
                    {
                        k = newUsers.Count;
                        newUsers.Add(id);
                        newUserIndex[id] = k;
                    }
                    key = -1 - k;
                }
                SortedSet<int> row = Row(key);
                foreach (int i in items)
                {
                    if (row.Add(i))
                        added++;
                }
            }
        }

        if (remove is not null)
        {
            for (int r = 0; r < remove.UserCount; r++)
            {
                ReadOnlySpan<int> items = remove.ItemsOf(r);
                if (items.IsEmpty)
                    continue;
                string id = remove.UserIds[r];
                int key;
                if (userIndex.TryGetValue(id, out int u))
                    key = u;
                else if (newUserIndex.TryGetValue(id, out int k))
                    key = -1 - k;
                else
                    throw new InvalidDataException($"{removeName}: user '{id}' is not in the model's interactions; only known users can be removed");
                SortedSet<int> row = Row(key);
                foreach (int i in items)
                {
                    if (!row.Remove(i))
                        throw new InvalidDataException($"{removeName}: user '{id}' has no interaction with item '{itemIds[i]}' to remove");
                    removed++;
                }
            }
        }

        int removedUsers = 0;
        foreach (string id in removeUsers)
        {
            int key;
            if (userIndex.TryGetValue(id, out int u))
                key = u;
            else if (newUserIndex.TryGetValue(id, out int k))
                key = -1 - k;
            else
                throw new InvalidDataException($"--remove-user: user '{id}' is not in the model's interactions");
            SortedSet<int> row = Row(key);
            removed += row.Count;
            row.Clear();
            removedUsers++;
        }

        // The new CSR, and the rows that changed.
        var changes = new List<UserChange>();
        var ids = new List<string>(baseData.UserCount + newUsers.Count);
        var offsets = new List<int>(baseData.UserCount + newUsers.Count + 1) { 0 };
        var all = new List<int>((int)Math.Min(int.MaxValue, baseData.InteractionCount + added));
        for (int u = 0; u < baseData.UserCount; u++)
        {
            ReadOnlySpan<int> before = baseData.ItemsOf(u);
            if (edited.TryGetValue(u, out SortedSet<int>? row))
            {
                int[] after = [.. row];
                if (!before.SequenceEqual(after))
                    changes.Add(new UserChange(before.ToArray(), after));
                if (after.Length == 0 && !before.IsEmpty)
                    continue;
                all.AddRange(after);
            }
            else
            {
                foreach (int i in before)
                    all.Add(i);
            }
            ids.Add(baseData.UserIds[u]);
            offsets.Add(all.Count);
        }
        for (int k = 0; k < newUsers.Count; k++)
        {
            int[] after = [.. edited[-1 - k]];
            if (after.Length == 0)
                continue;
            changes.Add(new UserChange([], after));
            all.AddRange(after);
            ids.Add(newUsers[k]);
            offsets.Add(all.Count);
        }
        var data = new InteractionSet([.. ids], itemIds, [.. offsets], [.. all]);
        return new DataDelta(data, changes, n - baseItems, added, removed, removedUsers);
    }
}

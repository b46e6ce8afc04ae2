namespace Ease.Engine.Input;

/// <summary>
/// External id string -> dense 0-based index, in first-seen order. Lookups take a span, so a row's id is only
/// turned into a string the first time it is seen (the common, repeated case allocates nothing).
/// </summary>
internal sealed class IdMap
{
    readonly Dictionary<string, int> _index;
    readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _bySpan;
    readonly List<string> _ids;

    public IdMap(int capacity = 0)
    {
        _index = new Dictionary<string, int>(capacity, StringComparer.Ordinal);
        _bySpan = _index.GetAlternateLookup<ReadOnlySpan<char>>();
        _ids = new List<string>(capacity);
    }

    /// <summary>Seeds the map with <paramref name="ids"/> as indices 0..n-1.</summary>
    public IdMap(IReadOnlyList<string> ids) : this(ids.Count)
    {
        for (int i = 0; i < ids.Count; i++)
        {
            string id = ids[i] ?? throw new ArgumentException($"Known id at index {i} is null.", nameof(ids));
            if (!_index.TryAdd(id, i))
                throw new ArgumentException($"Known id \"{id}\" appears twice (indices {_index[id]} and {i}).", nameof(ids));
            _ids.Add(id);
        }
    }

    public int Count => _ids.Count;

    public bool TryGet(ReadOnlySpan<char> id, out int index) => _bySpan.TryGetValue(id, out index);

    public int GetOrAdd(ReadOnlySpan<char> id)
    {
        if (_bySpan.TryGetValue(id, out int index))
            return index;
        return Add(id.ToString());
    }

    public int GetOrAdd(string id)
    {
        if (_index.TryGetValue(id, out int index))
            return index;
        return Add(id);
    }

    int Add(string id)
    {
        int index = _ids.Count;
        _index.Add(id, index);
        _ids.Add(id);
        return index;
    }

    public string[] ToArray() => _ids.ToArray();
}

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

    // Fast path for the very common decimal ids ("0".."16777215" written without leading zeros): a direct array
    // from number to index, filled lazily from the string map, so such ids skip decoding and string hashing.
    // Only canonical spellings use it ("007" goes through the string map), so it never conflates distinct strings.
    const int MaxCachedNumber = (1 << 24) - 1;
    int[] _byNumber = [];

    static bool TryParseCanonical(ReadOnlySpan<byte> utf8, out int number)
    {
        number = 0;
        if (utf8.IsEmpty || utf8.Length > 8 || (utf8[0] == (byte)'0' && utf8.Length > 1))
            return false;
        foreach (byte b in utf8)
        {
            uint digit = (uint)(b - '0');
            if (digit > 9)
                return false;
            number = number * 10 + (int)digit;
        }
        return number <= MaxCachedNumber;
    }

    /// <summary>Index of a UTF-8 id, adding it when <paramref name="add"/>; -1 when absent and not added.</summary>
    public int Lookup(ReadOnlySpan<byte> utf8, bool add, ref char[] scratch)
    {
        if (TryParseCanonical(utf8, out int number))
        {
            if (number < _byNumber.Length && _byNumber[number] > 0)
                return _byNumber[number] - 1; // stored as index + 1 so that 0 means "not cached"
            int index = LookupString(utf8, add, ref scratch);
            if (index >= 0)
            {
                if (number >= _byNumber.Length)
                    Array.Resize(ref _byNumber, Math.Min(MaxCachedNumber + 1, Math.Max(number + 1, _byNumber.Length * 2)));
                _byNumber[number] = index + 1;
            }
            return index;
        }
        return LookupString(utf8, add, ref scratch);
    }

    int LookupString(ReadOnlySpan<byte> utf8, bool add, ref char[] scratch)
    {
        if (scratch.Length < utf8.Length)
            scratch = new char[Math.Max(utf8.Length, scratch.Length * 2)];
        int written = System.Text.Encoding.UTF8.GetChars(utf8, scratch);
        ReadOnlySpan<char> id = scratch.AsSpan(0, written);
        if (add)
            return GetOrAdd(id);
        return TryGet(id, out int index) ? index : -1;
    }

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

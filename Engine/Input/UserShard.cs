using System.Globalization;
using System.IO.Hashing;
using System.Text;

namespace Ease.Engine.Input;

/// <summary>
/// Shard <see cref="Index"/> of <see cref="Count"/> of the users: the users whose id hashes to
/// <see cref="Index"/>, where the hash is xxHash64 (XXH64, seed 0) of the id's UTF-8 bytes and the
/// shard is that 64-bit value mod <see cref="Count"/>. <see cref="Index"/> is 0-based, written
/// <c>I/N</c> (<c>0/4</c> … <c>3/4</c>), so that N processes given I = 0 … N−1 split a user file
/// between them with no coordination: every user falls in exactly one shard, on every machine and
/// in every run. Elsewhere: <c>xxhash.xxh64_intdigest(user.encode("utf-8")) % n</c> in Python.
/// Readers take it as <see cref="InputOptions.Shard"/>. <c>default</c> is every user.
/// </summary>
public readonly record struct UserShard
{
    /// <summary>Shard <paramref name="index"/> (0-based) of <paramref name="count"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">unless 0 ≤ index &lt; count.</exception>
    public UserShard(int index, int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, count);
        Index = index;
        Count = count;
    }

    /// <summary>The shard, 0-based.</summary>
    public int Index { get; }

    /// <summary>The number of shards.</summary>
    public int Count { get; }

    /// <summary>
    /// Parses <c>I/N</c>: two whole numbers with 0 ≤ I &lt; N. Returns false for anything else
    /// (signs, blanks, I ≥ N, N &lt; 1, numbers past <see cref="int.MaxValue"/>).
    /// </summary>
    public static bool TryParse(string? text, out UserShard shard)
    {
        shard = default;
        int slash = text is null ? -1 : text.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0)
            return false;
        if (!int.TryParse(text.AsSpan(0, slash), NumberStyles.None, CultureInfo.InvariantCulture, out int index)
            || !int.TryParse(text.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int count)
            || count < 1 || index >= count)
            return false;
        shard = new UserShard(index, count);
        return true;
    }

    /// <summary>xxHash64 (seed 0) of a user id's UTF-8 bytes.</summary>
    public static ulong Hash(ReadOnlySpan<byte> utf8Id) => XxHash64.HashToUInt64(utf8Id);

    /// <summary>xxHash64 (seed 0) of the UTF-8 bytes of <paramref name="userId"/>.</summary>
    public static ulong Hash(string userId)
    {
        ArgumentNullException.ThrowIfNull(userId);
        return Hash(Encoding.UTF8.GetBytes(userId));
    }

    /// <summary>Whether the user whose id is <paramref name="utf8Id"/> (UTF-8) belongs to this shard.</summary>
    public bool Contains(ReadOnlySpan<byte> utf8Id) => Count <= 1 || (int)(Hash(utf8Id) % (ulong)Count) == Index;

    /// <summary>Whether <paramref name="userId"/> belongs to this shard.</summary>
    public bool Contains(string userId) => Count <= 1 || (int)(Hash(userId) % (ulong)Count) == Index;

    /// <summary><c>I/N</c>.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Index}/{Count}");
}

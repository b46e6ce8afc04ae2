using System.CommandLine;
using Ease.Engine.Input;

namespace Ease.Cli.Options;

/// <summary>
/// <c>--shard I/N</c> of <c>ease recommend</c>, <c>bench</c> and <c>evaluate</c> (a public contract): only the users
/// whose id falls in shard I (0-based) of N, by <see cref="UserShard"/>'s hash.
/// </summary>
public sealed class ShardOption
{
    /// <summary>The option; add it to the command.</summary>
    public Option<string?> Option { get; } = new("--shard")
    {
        Description = "Only the users of shard I of N, I = 0..N-1: those whose id's xxHash64 (UTF-8 bytes, seed 0) mod N "
            + "is I. N processes given 0/N .. N-1/N split the users between them with no coordination.",
        HelpName = "I/N",
    };

    /// <summary>The shard chosen, or null when the option is absent.</summary>
    /// <exception cref="UsageException">the value is not I/N with 0 &lt;= I &lt; N.</exception>
    public UserShard? Bind(ParseResult parse)
    {
        string? text = parse.GetValue(Option);
        if (text is null)
            return null;
        if (!UserShard.TryParse(text, out UserShard shard))
            throw new UsageException($"--shard takes I/N, shard I (0-based) of N shards with 0 <= I < N, got \"{text}\"");
        return shard;
    }
}

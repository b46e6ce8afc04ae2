namespace Ease.Engine.Input;

/// <summary>
/// How to read an interaction file. The defaults read a delimited file whose delimiter is sniffed from its first
/// line, user in column 0, item in column 1, header detected automatically; every row is one interaction.
/// </summary>
/// <remarks>
/// <para><b>Delimiter sniffing</b> (<see cref="Delimiter"/> null): the first non-blank line is searched for, in this
/// order, <c>::</c>, tab, <c>,</c>, <c>;</c>, <c>|</c>, then spaces; the first one found wins.</para>
/// <para><b>Header detection</b> (<see cref="HasHeader"/> null): the first row is a header when any column is chosen by
/// name; otherwise when some selected column (user, item, weight) holds a number in the second row but not in the
/// first (<c>userID,itemID</c> over <c>7,42</c>). A file whose ids are all non-numeric (<c>user,item</c> over
/// <c>alice,book</c>) cannot be told apart from data: pass <see cref="HasHeader"/> = true for it.</para>
/// <para><b>Fields</b> are trimmed of surrounding spaces and tabs, and one pair of surrounding double quotes is removed
/// (<c>"B0001"</c> reads as <c>B0001</c>); quoted fields containing the delimiter are not supported.</para>
/// <para><b>Adjacency</b> format ignores the column options: the first token is the user, the rest are items.</para>
/// <para><b>Parquet</b> takes the column options as delimited files do (names from the schema; indices count its
/// columns); the delimiter and header options do not apply.</para>
/// </remarks>
public sealed record InputOptions
{
    /// <summary>The <see cref="Delimiter"/> value meaning "one or more spaces or tabs".</summary>
    public const string Whitespace = " ";

    /// <summary>Row layout; <see cref="InputFormat.Delimited"/> unless asked otherwise.</summary>
    public InputFormat Format { get; init; } = InputFormat.Delimited;

    /// <summary>Field separator, possibly several characters (<c>::</c>); <see cref="Whitespace"/> for runs of
    /// spaces/tabs; null to sniff it from the first line. Use <see cref="ParseDelimiter"/> for user-typed names.</summary>
    public string? Delimiter { get; init; }

    /// <summary>Whether the first row is a header; null to detect it (see the remarks on <see cref="InputOptions"/>).</summary>
    public bool? HasHeader { get; init; }

    /// <summary>The user column: a 0-based index (<c>"0"</c>) or a header name (<c>"userID"</c>).</summary>
    public string UserColumn { get; init; } = "0";

    /// <summary>The item column: a 0-based index (<c>"1"</c>) or a header name (<c>"artistID"</c>).</summary>
    public string ItemColumn { get; init; } = "1";

    /// <summary>The weight column (rating, play count), by index or header name; null for none. When
    /// <see cref="MinWeight"/> is set and this is null, column 2 is used (MovieLens <c>user::item::rating::ts</c>).
    /// When a weight column is in use every row's weight must be a finite number.</summary>
    public string? WeightColumn { get; init; }

    /// <summary>The order column (a timestamp or a sequence number), by index or header name; null for none. Each
    /// user's interactions are then kept as a sequence sorted by it, stably: rows with equal values keep their file
    /// order. Every row's value must be a finite number. Implies <see cref="KeepOrder"/>. Not for adjacency input,
    /// whose lines are already in order.</summary>
    public string? OrderColumn { get; init; }

    /// <summary>Also keep each user's interactions as a sequence, oldest first (<see cref="InteractionSet.SequenceOf"/>):
    /// adjacency lines in their order, delimited and Parquet rows in file order or by <see cref="OrderColumn"/>.
    /// Repeats stay in the sequence; the set view still counts a pair once.</summary>
    public bool KeepOrder { get; init; }

    /// <summary>Whether sequences are kept (<see cref="KeepOrder"/>, or an <see cref="OrderColumn"/>).</summary>
    public bool KeepsOrder => KeepOrder || OrderColumn is not null;

    /// <summary>Keep only rows whose weight is &gt;= this value; the kept rows are then binarized (weight ignored).</summary>
    public double? MinWeight { get; init; }

    /// <summary>Skip malformed rows (counting them in <see cref="InteractionSet.SkippedRows"/>) instead of throwing
    /// <see cref="InputFormatException"/>.</summary>
    public bool SkipBadRows { get; init; }

    /// <summary>Read only the users of this shard (see <see cref="UserShard"/>): the rows of other users are passed
    /// over as they are read, so memory and ids are those of the shard; the whole file is still read, and its rows
    /// still checked. Null: every user.</summary>
    public UserShard? Shard { get; init; }

    /// <summary>The weight column actually in use: <see cref="WeightColumn"/>, or <c>"2"</c> when only
    /// <see cref="MinWeight"/> is given.</summary>
    public string? EffectiveWeightColumn => WeightColumn ?? (MinWeight is null ? null : "2");

    /// <summary>
    /// Turns a user-typed delimiter into the delimiter string: <c>\t</c>, <c>tab</c>, <c>tsv</c> -> tab;
    /// <c>comma</c>, <c>csv</c> -> <c>,</c>; <c>semicolon</c> -> <c>;</c>; <c>pipe</c> -> <c>|</c>;
    /// <c>space</c>, <c>spaces</c>, <c>whitespace</c>, <c>ws</c> -> <see cref="Whitespace"/>; <c>colons</c> -> <c>::</c>;
    /// <c>auto</c> -> null; anything else is taken literally (<c>::</c>, <c>,</c>, <c>||</c>).
    /// </summary>
    /// <exception cref="ArgumentException">The delimiter is empty or contains a line break.</exception>
    public static string? ParseDelimiter(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string? parsed = text.ToLowerInvariant() switch
        {
            "\\t" or "tab" or "tsv" or "\t" => "\t",
            "comma" or "csv" => ",",
            "semicolon" => ";",
            "pipe" => "|",
            "space" or "spaces" or "whitespace" or "ws" => Whitespace,
            "colons" or "doublecolon" => "::",
            "auto" => null,
            _ => text,
        };
        if (parsed is { Length: 0 } || (parsed is not null && parsed.AsSpan().ContainsAny('\r', '\n')))
            throw new ArgumentException($"Delimiter must be non-empty and on one line, got \"{text}\".", nameof(text));
        return parsed;
    }

    /// <summary>A readable name for a delimiter in messages: <c>'\t'</c>, <c>','</c>, <c>whitespace</c>.</summary>
    internal static string Describe(string delimiter) => delimiter switch
    {
        Whitespace => "whitespace",
        "\t" => "'\\t'",
        _ => $"'{delimiter}'",
    };

    /// <summary>True when <paramref name="column"/> is a 0-based index rather than a header name.</summary>
    internal static bool TryParseIndex(string column, out int index) =>
        int.TryParse(column, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out index);

    /// <summary>Checks the combination up front, so a mistake is reported before a large file is read.</summary>
    internal void Validate()
    {
        if (!Enum.IsDefined(Format))
            throw new ArgumentException($"Unknown input format {(int)Format}.", nameof(Format));
        if (Delimiter is { Length: 0 })
            throw new ArgumentException("Delimiter must not be empty (null means auto-detect).", nameof(Delimiter));
        if (MinWeight is double w && !double.IsFinite(w))
            throw new ArgumentException($"MinWeight must be a finite number, got {w}.", nameof(MinWeight));
        if (Format == InputFormat.Adjacency && MinWeight is not null)
            throw new ArgumentException("MinWeight needs a weight column, which the adjacency format does not have.", nameof(MinWeight));
        if (Format == InputFormat.Adjacency && OrderColumn is not null)
            throw new ArgumentException("--order-col is for delimited and Parquet input; adjacency lines are read in their order already.", nameof(OrderColumn));
        if (Format is InputFormat.Delimited or InputFormat.Parquet)
        {
            CheckColumn(UserColumn, nameof(UserColumn));
            CheckColumn(ItemColumn, nameof(ItemColumn));
            if (EffectiveWeightColumn is string weight)
                CheckColumn(weight, nameof(WeightColumn));
            if (string.Equals(UserColumn, ItemColumn, StringComparison.Ordinal))
                throw new ArgumentException($"UserColumn and ItemColumn are both \"{UserColumn}\".", nameof(ItemColumn));
            if (OrderColumn is string order)
            {
                CheckColumn(order, nameof(OrderColumn));
                if (string.Equals(order, UserColumn, StringComparison.Ordinal) || string.Equals(order, ItemColumn, StringComparison.Ordinal))
                    throw new ArgumentException($"OrderColumn \"{order}\" is also the user or item column.", nameof(OrderColumn));
            }
        }
    }

    void CheckColumn(string column, string name)
    {
        if (string.IsNullOrWhiteSpace(column))
            throw new ArgumentException($"{name} must be a 0-based index or a header name, got \"{column}\".", name);
        if (HasHeader == false && Format == InputFormat.Delimited && !TryParseIndex(column, out _))
            throw new ArgumentException($"{name} \"{column}\" is a header name but the file is read without a header; give a 0-based index.", name);
    }
}

namespace Ease.Engine.Input;

/// <summary>
/// Reads interaction logs (delimited rows or adjacency lines, plain or gzip) into an <see cref="InteractionSet"/>.
/// The file is streamed line by line through one pooled buffer; memory grows with the number of interactions and
/// distinct ids, not with the file size. See <see cref="InputOptions"/> for the accepted layouts.
/// </summary>
public static class InteractionReader
{
    /// <summary>Reads <paramref name="path"/>, assigning user and item indices in first-seen order.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InputFormatException">A malformed row (unless <see cref="InputOptions.SkipBadRows"/>), a header
    /// without a named column, or damaged gzip data.</exception>
    /// <exception cref="ArgumentException">Contradictory options.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="ct"/> was cancelled.</exception>
    public static InteractionSet Read(
        string path,
        InputOptions options,
        IProgress<ReadProgress>? progress = null,
        CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var builder = new InteractionSetBuilder();
        new InteractionFileParser(path, options, builder, restrictItems: false).Run(progress, ct);
        return builder.Build();
    }

    /// <summary>
    /// Reads <paramref name="path"/> against an existing item list (e.g. a model's or a training set's
    /// <see cref="InteractionSet.ItemIds"/>): item index i of the result is <paramref name="knownItems"/>[i].
    /// Items not in the list are dropped and counted (<see cref="UnknownItemPolicy.Drop"/>) or appended
    /// (<see cref="UnknownItemPolicy.Add"/>). Users are numbered afresh, in first-seen order.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="knownItems"/> has a null or repeated id, or contradictory options.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InputFormatException">See <see cref="Read(string, InputOptions, IProgress{ReadProgress}?, CancellationToken)"/>.</exception>
    public static InteractionSet Read(
        string path,
        InputOptions options,
        IReadOnlyList<string> knownItems,
        UnknownItemPolicy unknownItems,
        IProgress<ReadProgress>? progress = null,
        CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(knownItems);
        if (!Enum.IsDefined(unknownItems))
            throw new ArgumentOutOfRangeException(nameof(unknownItems), unknownItems, "Unknown UnknownItemPolicy value.");
        options.Validate();
        var builder = new InteractionSetBuilder(knownItems);
        new InteractionFileParser(path, options, builder, restrictItems: unknownItems == UnknownItemPolicy.Drop).Run(progress, ct);
        return builder.Build();
    }
}

using Ease.Engine.Input;
using Ease.Format;

namespace Ease.Cli.Commands;

/// <summary>User histories read against a model's items, gathered as CSR for the batch scorer.</summary>
public sealed class HistoryInput
{
    private HistoryInput(InteractionSet set, int[] offsets, int[] rows)
    {
        Set = set;
        Offsets = offsets;
        Rows = rows;
    }

    public InteractionSet Set { get; }
    public int[] Offsets { get; }
    public int[] Rows { get; }
    public int Users => Set.UserCount;

    /// <summary>Reads <paramref name="path"/>; items unknown to the model are dropped and counted. A model with an
    /// ordered history rule gets each user's history in order, oldest first.</summary>
    public static HistoryInput Read(ModelFile model, string path, InputOptions options)
    {
        string[] ids = ModelItemIds(model);
        InteractionSet set = InteractionReader.Read(path, ForModel(model, options), ids, UnknownItemPolicy.Drop);
        RequireUsers(set, path, options);
        return set.HasSequences
            ? new HistoryInput(set, set.SequenceOffsets.ToArray(), set.SequenceItems.ToArray())
            : new HistoryInput(set, set.UserOffsets.ToArray(), set.UserItems.ToArray());
    }

    /// <summary>The input options with the order kept when <paramref name="model"/> scores ordered histories.</summary>
    public static InputOptions ForModel(ModelFile model, InputOptions options) =>
        Engine.Scoring.HistoryWeighting.Of(model).IsOrdered ? options with { KeepOrder = true } : options;

    /// <summary>
    /// An input without users (an empty file, or every row skipped or below --min-weight) is a data
    /// error: there is nothing to score. A shard may hold no users of a file that has some.
    /// </summary>
    public static void RequireUsers(InteractionSet set, string path, InputOptions options)
    {
        if (set.UserCount == 0 && options.Shard is null)
            throw new InvalidDataException($"{path}: no users read ({set.LinesRead:N0} lines, {set.SkippedRows:N0} skipped, {set.FilteredRows:N0} below --min-weight)");
    }

    /// <summary>Training data without interactions is a data error naming the file.</summary>
    public static void RequireInteractions(InteractionSet set, string path)
    {
        if (set.InteractionCount == 0)
            throw new InvalidDataException($"{path}: no interactions read ({set.LinesRead:N0} lines, {set.SkippedRows:N0} skipped, {set.FilteredRows:N0} below --min-weight)");
    }

    public static string[] ModelItemIds(ModelFile model)
    {
        var ids = new string[model.ItemCount];
        for (int i = 0; i < ids.Length; i++)
            ids[i] = model.ItemId(i);
        return ids;
    }
}

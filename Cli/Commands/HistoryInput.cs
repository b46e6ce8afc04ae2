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

    /// <summary>Reads <paramref name="path"/>; items unknown to the model are dropped and counted.</summary>
    public static HistoryInput Read(ModelFile model, string path, InputOptions options)
    {
        string[] ids = ModelItemIds(model);
        InteractionSet set = InteractionReader.Read(path, options, ids, UnknownItemPolicy.Drop);
        return new HistoryInput(set, set.UserOffsets.ToArray(), set.UserItems.ToArray());
    }

    public static string[] ModelItemIds(ModelFile model)
    {
        var ids = new string[model.ItemCount];
        for (int i = 0; i < ids.Length; i++)
            ids[i] = model.ItemId(i);
        return ids;
    }
}

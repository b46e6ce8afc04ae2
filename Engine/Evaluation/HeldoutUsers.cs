using Ease.Engine.Input;

namespace Ease.Engine.Evaluation;

/// <summary>
/// The users an evaluation scores: every user with at least one held-out item, in held-out
/// order, with their history (joined by user id; items beyond the model's dropped) as CSR.
/// </summary>
public sealed class HeldoutUsers
{
    private HeldoutUsers(int[] heldoutIndex, int[] offsets, int[] rows)
    {
        HeldoutIndex = heldoutIndex;
        HistoryOffsets = offsets;
        HistoryRows = rows;
    }

    /// <summary>Index of each evaluated user in the held-out set.</summary>
    public int[] HeldoutIndex { get; }
    public int[] HistoryOffsets { get; }
    public int[] HistoryRows { get; }
    public int Count => HeldoutIndex.Length;

    public static HeldoutUsers Gather(InteractionSet history, InteractionSet heldout, int itemCount)
    {
        ArgumentNullException.ThrowIfNull(history);
        ArgumentNullException.ThrowIfNull(heldout);
        var historyIndex = new Dictionary<string, int>(history.UserCount, StringComparer.Ordinal);
        for (int u = 0; u < history.UserCount; u++)
            historyIndex[history.UserIds[u]] = u;
        var users = new List<int>();
        var offsets = new List<int> { 0 };
        var rows = new List<int>();
        for (int t = 0; t < heldout.UserCount; t++)
        {
            if (heldout.ItemsOf(t).IsEmpty)
                continue;
            users.Add(t);
            if (historyIndex.TryGetValue(heldout.UserIds[t], out int h))
            {
                // An ordered history (read with its order kept) goes to the scorer oldest first, repeats included.
                foreach (int item in history.HasSequences ? history.SequenceOf(h) : history.ItemsOf(h))
                {
                    if (item < itemCount)
                        rows.Add(item);
                }
            }
            offsets.Add(rows.Count);
        }
        return new HeldoutUsers([.. users], [.. offsets], [.. rows]);
    }
}

namespace Ease.Engine.Input;

/// <summary>What to do with an item id that is not in the known-item list passed to <see cref="InteractionReader"/>.</summary>
public enum UnknownItemPolicy
{
    /// <summary>Drop the interaction and count it in <see cref="InteractionSet.UnknownItemInteractions"/>.
    /// The item index space stays exactly the known list (what scoring against a trained model needs).</summary>
    Drop,

    /// <summary>Append the item after the known ones (indices keep their meaning; new items get the next indices).</summary>
    Add,
}

namespace Ease.Engine.Input;

/// <summary>The layout of an interaction file.</summary>
public enum InputFormat
{
    /// <summary>One interaction per row: delimited fields, user and item (and optionally weight) picked by column.</summary>
    Delimited,

    /// <summary>One user per row: <c>user item item ...</c>, whitespace separated (the LightGCN / BARS split layout).</summary>
    Adjacency,
}

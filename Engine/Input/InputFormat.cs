namespace Ease.Engine.Input;

/// <summary>The layout of an interaction file.</summary>
public enum InputFormat
{
    /// <summary>One interaction per row: delimited fields, user and item (and optionally weight) picked by column.</summary>
    Delimited,

    /// <summary>One user per row: <c>user item item ...</c>, whitespace separated (the LightGCN / BARS split layout).</summary>
    Adjacency,

    /// <summary>
    /// An Apache Parquet file: one interaction per row, user and item (and optionally weight) picked by column
    /// name or 0-based index as for <see cref="Delimited"/>; ids from string or integer columns, weights from
    /// number columns. Any row groups, the usual codecs (snappy, gzip, zstd, lz4, brotli) and encodings.
    /// </summary>
    Parquet,
}

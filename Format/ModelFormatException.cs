namespace Ease.Format;

/// <summary>
/// A model file is damaged, truncated, of an unknown version or otherwise not what a reader
/// expects. The message names the file, where in it the problem is, and what was expected.
/// </summary>
public sealed class ModelFormatException : Exception
{
    public ModelFormatException(string path, string where, string problem)
        : base($"{path}: {where}: {problem}")
    {
        FilePath = path;
        Where = where;
        Problem = problem;
    }

    public ModelFormatException(string message) : base(message)
    {
        FilePath = Where = Problem = string.Empty;
    }

    public ModelFormatException() : this("invalid model file") { }

    public ModelFormatException(string message, Exception inner) : base(message, inner)
    {
        FilePath = Where = Problem = string.Empty;
    }

    /// <summary>The file the problem was found in.</summary>
    public string FilePath { get; }

    /// <summary>The header field, section or byte offset the problem was found at.</summary>
    public string Where { get; }

    /// <summary>What was expected versus what was found.</summary>
    public string Problem { get; }
}

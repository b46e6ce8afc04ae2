namespace Ease.Cli;

/// <summary>Where a command writes, and the global switches.</summary>
public sealed class CliContext(TextWriter output, TextWriter error)
{
    public TextWriter Out { get; } = output;
    public TextWriter Err { get; } = error;
    public bool IsVerbose { get; set; }

    /// <summary>Whether progress may be drawn as a live bar (stderr is a terminal we own).</summary>
    public bool IsInteractive => ReferenceEquals(Err, Console.Error) && !Console.IsErrorRedirected;
}

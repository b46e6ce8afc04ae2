namespace Ease.Cli;

/// <summary>Process exit codes of `ease`.</summary>
public static class ExitCodes
{
    public const int Ok = 0;
    /// <summary>The command line was wrong: unknown verb or option, missing or invalid value.</summary>
    public const int Usage = 1;
    /// <summary>The data was wrong: a damaged model, a malformed input row, a missing file, a full disk.</summary>
    public const int Data = 2;
    /// <summary>A bug in ease itself; run with --verbose and report the stack trace.</summary>
    public const int Internal = 3;
    /// <summary>Interrupted (Ctrl+C).</summary>
    public const int Cancelled = 130;
}

/// <summary>A command-line value that parses but makes no sense (exit code 1).</summary>
public sealed class UsageException : Exception
{
    public UsageException(string message) : base(message) { }
    public UsageException() { }
    public UsageException(string message, Exception inner) : base(message, inner) { }
}

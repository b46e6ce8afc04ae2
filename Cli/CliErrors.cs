using Ease.Format;

namespace Ease.Cli;

/// <summary>Turns an exception into one clear line on stderr and an exit code.</summary>
public static class CliErrors
{
    public static int Report(Exception e, CliContext context)
    {
        if (e is AggregateException { InnerExceptions.Count: 1 } agg)
            e = agg.InnerExceptions[0];
        (int code, string message) = Classify(e);
        context.Err.WriteLine($"ease: error: {message}");
        if (context.IsVerbose)
            context.Err.WriteLine(e.ToString());
        else if (code == ExitCodes.Internal)
            context.Err.WriteLine("ease: this is a bug; run again with --verbose for the stack trace.");
        return code;
    }

    private static (int Code, string Message) Classify(Exception e) => e switch
    {
        UsageException => (ExitCodes.Usage, e.Message),
        OperationCanceledException => (ExitCodes.Cancelled, "cancelled"),
        ModelFormatException => (ExitCodes.Data, e.Message),
        FileNotFoundException f => (ExitCodes.Data, $"{f.FileName ?? "file"}: no such file"),
        DirectoryNotFoundException => (ExitCodes.Data, e.Message),
        UnauthorizedAccessException => (ExitCodes.Data, e.Message),
        IOException io when IsDiskFull(io) => (ExitCodes.Data, $"disk full: {io.Message}"),
        IOException or InvalidDataException => (ExitCodes.Data, e.Message),
        OutOfMemoryException => (ExitCodes.Data, $"out of memory: {e.Message}"),
        _ when IsDataError(e) => (ExitCodes.Data, e.Message),
        _ => (ExitCodes.Internal, $"{e.GetType().Name}: {e.Message}"),
    };

    // ENOSPC on Unix, ERROR_DISK_FULL / ERROR_HANDLE_DISK_FULL on Windows.
    private static bool IsDiskFull(IOException e) => (e.HResult & 0xFFFF) is 28 or 39 or 112;

    /// <summary>Engine exceptions that describe bad input data rather than a bug.</summary>
    private static bool IsDataError(Exception e) => e is Ease.Engine.Input.InputFormatException or Ease.Engine.Linalg.NotPositiveDefiniteException;
}

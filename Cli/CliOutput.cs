using Ease.Format;

namespace Ease.Cli;

/// <summary>
/// Files named by --output. Text outputs: "-" (or no option) is standard output, which then carries nothing
/// else; any other path is written through <see cref="AtomicOutput"/> (replaced atomically when it is a regular
/// file, written into when it is a device, FIFO or descriptor).
/// </summary>
public static class CliOutput
{
    /// <summary>The --output value that means standard output.</summary>
    public const string StandardOutput = "-";

    /// <summary>Writes a text output to <paramref name="path"/>, or to standard output for "-" or none.</summary>
    public static void WriteText(CliContext context, string? path, Action<TextWriter> write)
    {
        if (path is null or StandardOutput)
        {
            write(context.Out);
            context.Out.Flush();
            return;
        }
        if (path.Length == 0)
            throw new UsageException("--output: the path is empty (use - for standard output)");
        AtomicOutput.WriteText(path, write);
    }

    /// <summary>A model output path; "-" is refused, since a model is binary and the command reports on standard output.</summary>
    public static string ModelPath(string path, string option = "--output") =>
        path == StandardOutput
            ? throw new UsageException($"{option} -: a model cannot be written to standard output; name a file")
            : path;

    /// <summary>Creates an output folder (and its parents) unless it is there; a file in its place is a data error saying so.</summary>
    public static void Folder(string path)
    {
        if (File.Exists(path))
            throw new IOException($"{path}: is a file, not a folder");
        Directory.CreateDirectory(path);
    }
}

namespace Ease.Format;

/// <summary>
/// Opens a file to read (a model, an interaction log) with one true message for each way that can
/// fail before the first byte: nothing there, a directory there, or no permission to read it.
/// </summary>
internal static class ReadableFile
{
    /// <exception cref="FileNotFoundException">Nothing at <paramref name="path"/>.</exception>
    /// <exception cref="IOException"><paramref name="path"/> is a directory.</exception>
    /// <exception cref="UnauthorizedAccessException">No permission to read it.</exception>
    public static FileStream Open(string path, FileShare share = FileShare.Read, int bufferSize = 1, FileOptions options = FileOptions.None)
    {
        // Opening a directory fails with "access denied" on Unix: say what it is instead.
        if (Directory.Exists(path))
            throw new IOException($"{path}: is a directory, not a file");
        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, share, bufferSize, options);
        }
        catch (FileNotFoundException e)
        {
            throw new FileNotFoundException($"{path}: no such file", path, e);
        }
        catch (DirectoryNotFoundException e)
        {
            throw new FileNotFoundException($"{path}: no such file (the folder {Path.GetDirectoryName(Path.GetFullPath(path))} is not there)", path, e);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new UnauthorizedAccessException($"{path}: no permission to read it", e);
        }
    }
}

namespace Ease.Engine.Input;

/// <summary>Opens an input file for reading, with one clear error for a path that is missing or is a directory.</summary>
internal static class InputFile
{
    /// <exception cref="FileNotFoundException">Nothing at <paramref name="path"/>.</exception>
    /// <exception cref="IOException"><paramref name="path"/> is a directory.</exception>
    public static FileStream OpenRead(string path, FileOptions options = FileOptions.None, int bufferSize = 1)
    {
        if (Directory.Exists(path))
            throw new IOException($"{path}: is a directory, not a file");
        if (!File.Exists(path))
            ThrowHelper.ThrowFileNotFound(path);
        return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize, options);
    }
}

namespace Ease.Tests.Input;

/// <summary>
/// Locates the real datasets (never copied into the repository): $EASE_SHARED_DATA, else a <c>shared/data</c>
/// folder found by walking up from the test assembly (in CI <c>../shared</c> next to the repo; locally /work/shared).
/// </summary>
internal static class SharedData
{
    public static string? Root { get; } = Locate();

    static string? Locate()
    {
        string? fromEnvironment = Environment.GetEnvironmentVariable("EASE_SHARED_DATA");
        if (!string.IsNullOrEmpty(fromEnvironment))
            return Directory.Exists(fromEnvironment) ? fromEnvironment : null;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "shared", "data");
            if (Directory.Exists(candidate))
                return candidate;
        }
        return null;
    }

    /// <summary>Full path of a dataset file; only call from a <see cref="SharedDataFactAttribute"/> test.</summary>
    public static string File(string relativePath) =>
        Path.Combine(Root ?? throw new InvalidOperationException("Shared data not found."), relativePath);
}

/// <summary>A fact that is skipped (not failed) when the shared datasets, or the files it names, are absent.</summary>
public sealed class SharedDataFactAttribute : FactAttribute
{
    public SharedDataFactAttribute(params string[] requiredFiles)
    {
        if (SharedData.Root is null)
            Skip = "Shared datasets not found (set EASE_SHARED_DATA or place them in ../shared/data).";
        else if (requiredFiles.FirstOrDefault(f => !System.IO.File.Exists(Path.Combine(SharedData.Root, f))) is string missing)
            Skip = $"Shared dataset file {missing} not found under {SharedData.Root}.";
    }
}

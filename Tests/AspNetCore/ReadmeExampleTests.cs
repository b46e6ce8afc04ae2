namespace Ease.Tests.AspNetCore;

public sealed class ReadmeExampleTests
{
    [Fact]
    public void TheReadmeShowsTheCompiledExample()
    {
        string root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "Engine.sln")))
            root = Path.GetDirectoryName(root) ?? throw new InvalidOperationException("the repository root is not above the test binaries");
        string[] source = File.ReadAllLines(Path.Combine(root, "Tests", "AspNetCore", "ReadmeExample.cs"));
        int begin = Array.FindIndex(source, l => l.Trim() == "// README example begins");
        int end = Array.FindIndex(source, l => l.Trim() == "// README example ends");
        string indent = source[begin][..source[begin].IndexOf('/', StringComparison.Ordinal)];
        string example = string.Join('\n', source[(begin + 1)..end].Select(l => l.StartsWith(indent, StringComparison.Ordinal) ? l[indent.Length..] : l));
        string readme = File.ReadAllText(Path.Combine(root, "README.md")).Replace("\r\n", "\n", StringComparison.Ordinal);
        Assert.Contains("using Ease.AspNetCore;\n\n" + example + "\n", readme);
    }
}

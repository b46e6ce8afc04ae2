namespace Ease.Tests.Support;

/// <summary>Base of CLI tests that need a model: one trained from the reference fixture (λ = 10) in a fresh directory.</summary>
public abstract class ReferenceModelTests : IDisposable
{
    protected ReferenceModelTests()
    {
        Model = Dir.File("m.ease");
        var r = CliRunner.Run("train", "-i", Train, "--format", "adjacency", "-o", Model, "--lambda", "10", "-q");
        Assert.Equal(0, r.ExitCode);
    }

    protected static string Train => Path.Combine(AppContext.BaseDirectory, "fixtures", "reference-train.txt");

    protected TempDirectory Dir { get; } = new();

    protected string Model { get; }

    public void Dispose()
    {
        Dir.Dispose();
        GC.SuppressFinalize(this);
    }
}

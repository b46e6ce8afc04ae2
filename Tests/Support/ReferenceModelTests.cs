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

    /// <summary>Stored weights in the model rows of every history item of the training file, counted by id lookups.</summary>
    protected static long HistoryWeights(string modelPath)
    {
        using Ease.Format.ModelFile model = Ease.Format.ModelFile.Open(modelPath);
        long weights = 0;
        foreach (string line in File.ReadAllLines(Train))
        {
            foreach (string id in line.Split(' ').Skip(1))
            {
                if (model.TryFindItem(id, out int row))
                    weights += model.RowLength(row);
            }
        }
        return weights;
    }

    public void Dispose()
    {
        Dir.Dispose();
        GC.SuppressFinalize(this);
    }
}

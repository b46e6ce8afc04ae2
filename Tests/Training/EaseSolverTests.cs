using Ease.Engine.Input;
using Ease.Engine.Training;
using Ease.Format;
using Ease.Tests.Support;

namespace Ease.Tests.Training;

public class EaseSolverTests
{
    [Fact]
    public void SolvingAgainFromTheKeptGramEqualsAFreshTraining()
    {
        InteractionSet data = InteractionReader.Read(Path.Combine(AppContext.BaseDirectory, "fixtures", "reference-train.txt"), new InputOptions { Format = InputFormat.Adjacency });
        using var dir = new TempDirectory();
        EaseTrainer.Train(data, new TrainOptions { Lambda = 10, Precision = Precision.Float64 }, dir.File("fresh.ease"));
        using (EaseSolver solver = EaseSolver.Create(data, Precision.Float64, threads: 2, keepGram: true))
        {
            solver.Solve(1000, 0.5);
            solver.Write(dir.File("other.ease"), new TrainOptions { Lambda = 1000, Dropout = 0.5 });
            solver.Solve(10, 0);
            solver.Write(dir.File("again.ease"), new TrainOptions { Lambda = 10 });
        }
        using ModelFile fresh = ModelFile.Open(dir.File("fresh.ease"));
        using ModelFile again = ModelFile.Open(dir.File("again.ease"));
        using ModelFile other = ModelFile.Open(dir.File("other.ease"));
        Assert.Equal(fresh.NonZeroCount, again.NonZeroCount);
        bool differs = false;
        for (int r = 0; r < fresh.ItemCount; r++)
        {
            Assert.Equal(fresh.RowColumns(r).ToArray(), again.RowColumns(r).ToArray());
            Assert.Equal(fresh.RowValues(r).ToArray(), again.RowValues(r).ToArray());
            differs |= !fresh.RowValues(r).SequenceEqual(other.RowValues(r));
        }
        Assert.True(differs);
    }

    [Fact]
    public void SolvingTwiceWithoutTheKeptGramIsRefused()
    {
        InteractionSet data = InteractionReader.Read(Path.Combine(AppContext.BaseDirectory, "fixtures", "reference-train.txt"), new InputOptions { Format = InputFormat.Adjacency });
        using EaseSolver solver = EaseSolver.Create(data, Precision.Float32, threads: 1, keepGram: false);
        solver.Solve(10, 0);
        Assert.Throws<InvalidOperationException>(() => solver.Solve(20, 0));
    }
}

using System.CommandLine;

namespace Ease.Cli;

public static class Program
{
    public static int Main(string[] args)
    {
        var root = new RootCommand("ease: train, inspect and serve EASE item-item recommenders.");
        return root.Parse(args).Invoke();
    }
}

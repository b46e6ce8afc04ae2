using System.CommandLine;
using System.CommandLine.Invocation;
using System.Reflection;
using Ease.Cli.Commands;
using Ease.Cli.Serve;

namespace Ease.Cli;

/// <summary>The `ease` command line: verbs, shared options, exit codes.</summary>
public static class CliApp
{
    /// <summary>Shown with --verbose: stack traces of errors.</summary>
    public static readonly Option<bool> Verbose = new("--verbose")
    {
        Description = "Print stack traces of errors and extra diagnostics.",
        Recursive = true,
    };

    public static RootCommand BuildRoot(CliContext context)
    {
        var root = new RootCommand("ease: train, inspect and serve EASE item-item recommenders (pure C#, SIMD, memory-mapped models).");
        root.Options.Add(Verbose);
        foreach (VersionOption version in root.Options.OfType<VersionOption>())
            version.Action = new PrintVersionAction(context);
        root.Subcommands.Add(InfoCommand.Create(context));
        root.Subcommands.Add(VerifyCommand.Create(context));
        root.Subcommands.Add(TrainCommand.Create(context));
        root.Subcommands.Add(RecommendCommand.Create(context));
        root.Subcommands.Add(SimilarCommand.Create(context));
        root.Subcommands.Add(EvaluateCommand.Create(context));
        root.Subcommands.Add(BenchCommand.Create(context));
        root.Subcommands.Add(SplitCommand.Create(context));
        root.Subcommands.Add(TuneCommand.Create(context));
        root.Subcommands.Add(StudyCommand.Create(context));
        root.Subcommands.Add(PruneCommand.Create(context));
        root.Subcommands.Add(ConvertCommand.Create(context));
        root.Subcommands.Add(MergeCommand.Create(context));
        root.Subcommands.Add(UpdateCommand.Create(context));
        root.Subcommands.Add(ServeCommand.Create(context));
        root.Subcommands.Add(GenerateCommand.Create(context));
        root.Subcommands.Add(DemoCommand.Create(context, args => Run(args, context.Out, context.Err)));
        return root;
    }

    /// <summary>The version of ease: the informational version of this assembly, e.g. <c>0.1.0+commit</c>.</summary>
    public static string Version =>
        typeof(CliApp).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? typeof(CliApp).Assembly.GetName().Version?.ToString()
        ?? "unknown";

    /// <summary>`ease --version`: prints <see cref="Version"/> (not the host's, when run in-process).</summary>
    private sealed class PrintVersionAction(CliContext context) : SynchronousCommandLineAction
    {
        public override int Invoke(ParseResult parseResult)
        {
            context.Out.WriteLine(Version);
            return ExitCodes.Ok;
        }
    }

    /// <summary>Runs the CLI with the given writers; returns the process exit code.</summary>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        var context = new CliContext(stdout, stderr);
        RootCommand root = BuildRoot(context);
        ParseResult parse = root.Parse(args);
        context.IsVerbose = parse.GetValue(Verbose);
        var config = new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false };
        try
        {
            return parse.Invoke(config);
        }
        catch (Exception e)
        {
            return CliErrors.Report(e, context);
        }
    }
}

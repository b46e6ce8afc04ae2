using System.CommandLine;
using Ease.Engine.Training.Sequential;

namespace Ease.Cli.Options;

/// <summary>
/// The flags of the history rule and of the sequential family (<see cref="SequentialOptions"/>), shared by
/// <c>ease train</c> and <c>ease study --task next-item</c>.
/// </summary>
internal sealed class SequentialFlags
{
    public Option<double?> HistoryDecay { get; } = new("--history-decay") { Description = "Histories are ordered, oldest first, and the item of age a (0 = the most recent) weighs D^a when scored; stored in the model, applied by recommend, evaluate, bench and serve. For --family sequential also the inputs' decay (default 0.8); for other families the rule alone (EASE with recency-weighted histories). Default: none (histories are sets).", HelpName = "D" };

    public Option<int?> HistoryWindow { get; } = new("--history-window") { Description = "With --history-decay (or --family sequential): only the last W history items count (sequential default 50; otherwise 0 = all).", HelpName = "W" };

    public Option<double?> SetWeight { get; } = new("--set-weight") { Description = "Sequential: α, the share of the set-level objective α‖X − XB‖² against the transitions (1−α)‖Y − SB‖² (default 0.2).", HelpName = "α" };

    public Option<int?> Targets { get; } = new("--targets") { Description = "Sequential: next items each step predicts (default 3).", HelpName = "N" };

    public Option<double?> TargetDecay { get; } = new("--target-decay") { Description = "Sequential: weight δ^h of the h-th next item with --targets N > 1 (default 0.5).", HelpName = "δ" };

    public Option<bool> FreeDiagonal { get; } = new("--free-diagonal") { Description = "Sequential: solve without the constraint diag B = 0 (the diagonal is dropped afterwards)." };

    public Option[] SequentialOnly => [SetWeight, Targets, TargetDecay, FreeDiagonal];

    public void AddTo(Command command)
    {
        foreach (Option o in new Option[] { HistoryDecay, HistoryWindow, SetWeight, Targets, TargetDecay, FreeDiagonal })
            command.Options.Add(o);
    }

    /// <summary>The sequential family's parameters from the flags (defaults where unset); a usage error when out of range.</summary>
    public SequentialOptions Bind(ParseResult parse)
    {
        var s = new SequentialOptions
        {
            Decay = parse.GetValue(HistoryDecay) ?? SequentialOptions.DefaultDecay,
            Window = parse.GetValue(HistoryWindow) ?? SequentialOptions.DefaultWindow,
            SetWeight = parse.GetValue(SetWeight) ?? SequentialOptions.DefaultSetWeight,
            Targets = parse.GetValue(Targets) ?? SequentialOptions.DefaultTargets,
            TargetDecay = parse.GetValue(TargetDecay) ?? SequentialOptions.DefaultTargetDecay,
            ZeroDiagonal = !parse.GetValue(FreeDiagonal),
        };
        try { s.Validate(); }
        catch (ArgumentException e) { throw new UsageException(e.Message); }
        return s;
    }
}

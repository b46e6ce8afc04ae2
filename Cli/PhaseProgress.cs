using System.Diagnostics;
using Spectre.Console;

namespace Ease.Cli;

/// <summary>
/// Progress of long work, phase by phase. On a terminal, live bars with rate and ETA (Spectre);
/// otherwise plain lines on stderr, one when a phase starts, every ~10 s while it runs, and one
/// when it ends, so logs of batch jobs stay readable.
/// </summary>
public sealed class PhaseProgress
{
    private readonly CliContext _context;
    private readonly object _gate = new();
    private readonly Dictionary<string, ProgressTask> _tasks = [];
    private readonly Stopwatch _sinceLastLine = Stopwatch.StartNew();
    private ProgressContext? _live;
    private string? _current;
    private Stopwatch _phaseWatch = new();

    public PhaseProgress(CliContext context, bool quiet)
    {
        _context = context;
        Quiet = quiet;
    }

    public bool Quiet { get; }

    /// <summary>Runs <paramref name="work"/> with progress shown as fits the output.</summary>
    public T Run<T>(Func<PhaseProgress, T> work)
    {
        if (Quiet || !_context.IsInteractive)
            return work(this);
        T result = default!;
        AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) })
            .Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .Start(ctx =>
            {
                _live = ctx;
                result = work(this);
                lock (_gate)
                {
                    foreach (ProgressTask t in _tasks.Values)
                        t.StopTask();
                }
            });
        _live = null;
        return result;
    }

    /// <summary>Reports the fraction done of a phase; a new phase name starts a new bar or line.</summary>
    public void Report(string phase, double fraction)
    {
        if (Quiet)
            return;
        lock (_gate)
        {
            if (_live is not null)
            {
                if (!_tasks.TryGetValue(phase, out ProgressTask? task))
                {
                    if (_current is not null && _tasks.TryGetValue(_current, out ProgressTask? previous))
                    {
                        previous.Value = previous.MaxValue;
                        previous.StopTask();
                    }
                    task = _live.AddTask(phase, maxValue: 1.0);
                    _tasks[phase] = task;
                    _current = phase;
                }
                task.Value = Math.Clamp(fraction, 0, 1);
                return;
            }

            if (phase != _current)
            {
                if (_current is not null)
                    _context.Err.WriteLine($"ease: {_current}: done in {Units.Seconds(_phaseWatch.Elapsed.TotalSeconds)}");
                _current = phase;
                _phaseWatch = Stopwatch.StartNew();
                _sinceLastLine.Restart();
                _context.Err.WriteLine($"ease: {phase}: started");
            }
            else if (_sinceLastLine.Elapsed.TotalSeconds >= 10 && fraction > 0 && fraction < 1)
            {
                double elapsed = _phaseWatch.Elapsed.TotalSeconds;
                _context.Err.WriteLine($"ease: {phase}: {fraction * 100:0}% after {Units.Seconds(elapsed)}, about {Units.Seconds(elapsed / fraction - elapsed)} to go");
                _sinceLastLine.Restart();
            }
        }
    }

    /// <summary>
    /// A line of detail about a phase (e.g. one per training epoch): printed as it comes in plain
    /// mode, shown beside the phase's bar on a terminal.
    /// </summary>
    public void Detail(string phase, string text)
    {
        if (Quiet)
            return;
        lock (_gate)
        {
            if (_live is not null)
            {
                if (_tasks.TryGetValue(phase, out ProgressTask? task))
                    task.Description = $"{phase} {Markup.Escape(text)}";
                return;
            }
            _context.Err.WriteLine($"ease: {phase}: {text}");
            _sinceLastLine.Restart();
        }
    }

    /// <summary>Closes the last phase's line in plain mode.</summary>
    public void Finish()
    {
        lock (_gate)
        {
            if (_live is null && !Quiet && _current is not null)
                _context.Err.WriteLine($"ease: {_current}: done in {Units.Seconds(_phaseWatch.Elapsed.TotalSeconds)}");
            _current = null;
        }
    }
}

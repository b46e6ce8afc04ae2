namespace Ease.Engine.Linalg;

/// <summary>
/// Accumulates flops done in the current phase and forwards at most ~100 reports per phase
/// (whenever another whole percent is reached). Also the cancellation check point: every GEMM
/// and leaf call passes through <see cref="Add"/>.
/// </summary>
internal sealed class ProgressTracker
{
    private readonly IProgress<SpdInverseProgress>? _sink;
    private readonly CancellationToken _ct;
    private readonly object _gate = new();
    private string _phase = "";
    private double _total = 1;
    private double _done;
    private int _lastPercent = -1;
    private System.Runtime.ExceptionServices.ExceptionDispatchInfo? _pending;

    public ProgressTracker(IProgress<SpdInverseProgress>? sink, CancellationToken ct)
    {
        _sink = sink;
        _ct = ct;
    }

    public void Begin(string phase, double totalWork)
    {
        lock (_gate)
        {
            _phase = phase;
            _total = Math.Max(totalWork, 1);
            _done = 0;
            _lastPercent = -1;
        }
        _ct.ThrowIfCancellationRequested();
        Report(0);
    }

    public void Add(double work)
    {
        _pending?.Throw();
        _ct.ThrowIfCancellationRequested();
        if (_sink is null) return;
        double f;
        lock (_gate)
        {
            _done += work;
            f = Math.Min(1.0, _done / _total);
        }
        Report(f);
    }

    public void End()
    {
        _pending?.Throw();
        Report(1.0);
    }

    /// <summary>True once cancellation was requested (for code that must not throw, e.g. inside a thread team).</summary>
    public bool CancellationRequested => _ct.IsCancellationRequested || _pending is not null;

    /// <summary>Adds work without the cancellation check (safe inside team workers).</summary>
    public void AddNoThrow(double work)
    {
        if (_sink is null) return;
        double f;
        lock (_gate)
        {
            _done += work;
            f = Math.Min(1.0, _done / _total);
        }
        try
        {
            Report(f);
        }
        catch (Exception e)
        {
            // A throwing progress sink must not escape inside a thread team (the other members
            // would wait at a barrier forever); park it and rethrow from the next Add on the caller.
            _pending ??= System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e);
        }
    }

    private void Report(double fraction)
    {
        if (_sink is null) return;
        int pct = (int)(fraction * 100);
        string phase;
        lock (_gate)
        {
            if (pct <= _lastPercent) return;
            _lastPercent = pct;
            phase = _phase;
        }
        _sink.Report(new SpdInverseProgress(phase, fraction));
    }
}

namespace Ease.Engine.Linalg;

/// <summary>
/// A fixed team of threads that run one body concurrently (the calling thread is member 0).
/// Dedicated threads rather than Parallel.For because the GEMM workers meet at barriers:
/// Parallel.For may run both indices on one thread (e.g. under thread-pool starvation), which
/// would deadlock a barrier; a team guarantees all members are live at once.
/// </summary>
internal sealed class ThreadTeam : IDisposable
{
    private readonly Thread[] _threads;
    private readonly SemaphoreSlim[] _start;
    private readonly CountdownEvent _done;
    private Action<int>? _body;
    private Exception? _error;
    private volatile bool _stop;
    private ThreadPriority _priority = ThreadPriority.Normal;

    public ThreadTeam(int size)
    {
        Size = Math.Max(1, size);
        _threads = new Thread[Size - 1];
        _start = new SemaphoreSlim[Size - 1];
        _done = new CountdownEvent(1);
        Barrier = new Barrier(Size);
        for (int i = 0; i < _threads.Length; i++)
        {
            int id = i + 1;
            _start[i] = new SemaphoreSlim(0);
            _threads[i] = new Thread(() => Loop(id)) { IsBackground = true, Name = $"Ease.Linalg worker {id}" };
            _threads[i].Start();
        }
    }

    public int Size { get; }

    /// <summary>Barrier over all <see cref="Size"/> members, for use inside <see cref="Run"/> bodies.</summary>
    public Barrier Barrier { get; }

    /// <summary>Runs body(0..Size-1) concurrently and returns when all have finished; rethrows the first exception.</summary>
    public void Run(Action<int> body)
    {
        if (Size == 1)
        {
            body(0);
            return;
        }
        MatchCallerPriority();
        _body = body;
        _error = null;
        // A member that failed in an earlier run left the barrier (see Fail); re-admit it.
        if (Barrier.ParticipantCount < Size) Barrier.AddParticipants(Size - Barrier.ParticipantCount);
        _done.Reset(Size - 1);
        foreach (var s in _start) s.Release();
        try
        {
            body(0);
        }
        catch (Exception e)
        {
            Fail(e);
        }
        _done.Wait();
        _body = null;
        if (_error is not null) throw new AggregateException(_error);
    }

    /// <summary>
    /// Workers run at the caller's priority: a barrier makes the team as slow as its slowest member,
    /// so a caller raised above normal (BenchmarkDotNet does this) with workers left at normal
    /// priority would lose to any other busy process on the machine at every barrier.
    /// </summary>
    private void MatchCallerPriority()
    {
        var prio = Thread.CurrentThread.Priority;
        if (prio == _priority) return;
        _priority = prio;
        foreach (var t in _threads)
        {
            try
            {
                t.Priority = prio;
            }
            catch (ThreadStateException)
            {
            }
        }
    }

    /// <summary>
    /// Records the error and leaves the barrier, so members still inside the body are not left
    /// waiting for a participant that will never arrive (the run's results are discarded anyway).
    /// </summary>
    private void Fail(Exception e)
    {
        Interlocked.CompareExchange(ref _error, e, null);
        try
        {
            Barrier.RemoveParticipant();
        }
        catch (InvalidOperationException)
        {
        }
    }

    private void Loop(int id)
    {
        while (true)
        {
            _start[id - 1].Wait();
            if (_stop) return;
            try
            {
                _body!(id);
            }
            catch (Exception e)
            {
                Fail(e);
            }
            _done.Signal();
        }
    }

    public void Dispose()
    {
        if (_stop) return;
        _stop = true;
        foreach (var s in _start) s.Release();
        foreach (var t in _threads) t.Join();
        foreach (var s in _start) s.Dispose();
        _done.Dispose();
        Barrier.Dispose();
    }
}

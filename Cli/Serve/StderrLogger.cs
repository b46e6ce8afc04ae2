using Microsoft.Extensions.Logging;

namespace Ease.Cli.Serve;

/// <summary>`ease serve`'s log: one line per message on stderr, "ease: serve: [warning: |error: ]message", as the other commands write.</summary>
internal sealed class StderrLogger(TextWriter err) : ILoggerProvider, ILogger
{
    public ILogger CreateLogger(string categoryName) => this;

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information && logLevel != LogLevel.None;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (!IsEnabled(logLevel))
            return;
        string level = logLevel switch
        {
            LogLevel.Warning => "warning: ",
            LogLevel.Error or LogLevel.Critical => "error: ",
            _ => "",
        };
        err.WriteLine($"ease: serve: {level}{formatter(state, exception)}");
    }

    public void Dispose()
    {
    }
}

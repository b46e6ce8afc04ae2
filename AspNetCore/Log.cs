using Microsoft.Extensions.Logging;

namespace Ease.AspNetCore;

/// <summary>The log lines of the service (category <c>Ease.AspNetCore</c>), as source-generated logger messages.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "loaded {Model} in {Milliseconds:F0} ms: {Items:N0} items, {Weights:N0} weights{Light}")]
    public static partial void Loaded(ILogger logger, LoadedModel model, double milliseconds, int items, long weights, string light);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "reload ({Reason}): now serving {Model} (loaded in {Milliseconds:F0} ms, {Items:N0} items), was {Old}")]
    public static partial void Reloaded(ILogger logger, string reason, LoadedModel model, double milliseconds, int items, string old);

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "reload ({Reason}) refused: {Why}; still serving {Model}")]
    public static partial void ReloadRefused(ILogger logger, string reason, string why, LoadedModel model);

    [LoggerMessage(EventId = 4, Level = LogLevel.Warning, Message = "cannot watch {Path} ({Why}); relying on the poll every {Seconds:0.###} s")]
    public static partial void CannotWatch(ILogger logger, string path, string why, double seconds);

    [LoggerMessage(EventId = 5, Level = LogLevel.Error, Message = "{Type}: {Why}")]
    public static partial void RequestFailed(ILogger logger, string type, string why);
}

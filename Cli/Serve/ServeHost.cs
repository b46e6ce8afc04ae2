using Ease.AspNetCore;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Ease.Cli.Serve;

/// <summary>What `ease serve` was asked for.</summary>
internal sealed record ServeOptions
{
    public required string ModelPath { get; init; }

    /// <summary>The light model a budget scores from (--light-model), reopened with every reload of the model; or null.</summary>
    public string? LightModelPath { get; init; }
    public string Urls { get; init; } = "http://127.0.0.1:8080";
    public ServeLimits Limits { get; init; } = new();
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(1);
    /// <summary>Reload on SIGHUP (the command line; not tests).</summary>
    public bool HandleSighup { get; init; }
}

/// <summary>
/// `ease serve`: Kestrel alone with <c>AddEase</c> and
/// <see cref="EaseEndpointRouteBuilderExtensions.MapEase"/> at the root, log lines on stderr;
/// started by the command and by the tests.
/// </summary>
internal sealed class ServeHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private ServeHost(WebApplication app, EaseModelService model, IReadOnlyList<string> addresses)
    {
        _app = app;
        Model = model;
        Addresses = addresses;
    }

    public EaseModelService Model { get; }

    public ModelHolder Holder => Model.Holder ?? throw new ObjectDisposedException(nameof(ServeHost));

    /// <summary>The addresses Kestrel listens on (actual ports when 0 was asked for).</summary>
    public IReadOnlyList<string> Addresses { get; }

    /// <summary>Loads the model (throws when it is missing or damaged), then starts listening.</summary>
    public static async Task<ServeHost> StartAsync(ServeOptions options, TextWriter log, CancellationToken cancel = default)
    {
        WebApplication app = Build(options, TextWriter.Synchronized(log));
        try
        {
            // The model service starts before Kestrel: a missing or damaged model stops the start here.
            await app.StartAsync(cancel);
            string[] addresses = [.. app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? []];
            return new ServeHost(app, app.Services.GetRequiredService<EaseModelService>(), addresses);
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
    }

    private static WebApplication Build(ServeOptions options, TextWriter log)
    {
        WebApplicationBuilder builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ApplicationName = "ease" });
        builder.Services.AddRoutingCore();
        // The command owns Ctrl+C and SIGTERM; the host must not install its own handlers.
        builder.Services.AddSingleton<IHostLifetime, PassiveLifetime>();
        builder.Logging.AddProvider(new StderrLogger(log)).AddFilter((category, level) => category?.StartsWith("Ease.", StringComparison.Ordinal) == true && level >= LogLevel.Information);
        builder.WebHost.UseKestrelCore().ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Limits.MaxRequestBodySize = options.Limits.MaxBodyBytes;
        });
        // Handlers never block (parse, score and write in one short synchronous step; a reload runs
        // on the thread pool), so they may run on the socket threads: one thread hop less per request.
        builder.WebHost.UseSockets(o => o.UnsafePreferInlineScheduling = true);
        builder.WebHost.UseUrls(options.Urls);
        builder.Services.AddEase(o =>
        {
            o.ModelPath = options.ModelPath;
            o.LightModelPath = options.LightModelPath;
            o.MaxWeights = options.Limits.MaxWeights;
            o.MaxK = options.Limits.MaxK;
            o.MaxBodyBytes = options.Limits.MaxBodyBytes;
            o.MaxHistory = options.Limits.MaxHistory;
            o.MaxBatch = options.Limits.MaxBatch;
            o.PollInterval = options.PollInterval;
            o.ReloadOnSighup = options.HandleSighup;
        });

        WebApplication app = builder.Build();
        app.MapEase();
        app.MapEaseNotFound();
        return app;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private sealed class PassiveLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}

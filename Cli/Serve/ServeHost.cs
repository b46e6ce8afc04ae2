using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

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

/// <summary>Kestrel serving one model file with hot swap; started by `ease serve` and by the tests.</summary>
internal sealed class ServeHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ModelWatcher _watcher;

    private ServeHost(WebApplication app, ModelHolder holder, ModelWatcher watcher, ServeMetrics metrics, IReadOnlyList<string> addresses)
    {
        _app = app;
        Holder = holder;
        _watcher = watcher;
        Metrics = metrics;
        Addresses = addresses;
    }

    public ModelHolder Holder { get; }
    public ServeMetrics Metrics { get; }

    /// <summary>The addresses Kestrel listens on (actual ports when 0 was asked for).</summary>
    public IReadOnlyList<string> Addresses { get; }

    /// <summary>Loads the model (throws when it is missing or damaged), then starts listening.</summary>
    public static async Task<ServeHost> StartAsync(ServeOptions options, TextWriter log, CancellationToken cancel = default)
    {
        log = TextWriter.Synchronized(log);
        var metrics = new ServeMetrics();
        ModelHolder holder = ModelHolder.Open(options.ModelPath, options.LightModelPath, metrics, log);
        WebApplication? app = null;
        ModelWatcher? watcher = null;
        try
        {
            app = Build(options, holder, metrics, log);
            await app.StartAsync(cancel);
            string[] addresses = [.. app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? []];
            watcher = new ModelWatcher(holder, options.PollInterval, options.HandleSighup, log);
            return new ServeHost(app, holder, watcher, metrics, addresses);
        }
        catch
        {
            watcher?.Dispose();
            if (app is not null)
                await app.DisposeAsync();
            holder.Dispose();
            throw;
        }
    }

    private static WebApplication Build(ServeOptions options, ModelHolder holder, ServeMetrics metrics, TextWriter log)
    {
        WebApplicationBuilder builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ApplicationName = "ease" });
        builder.Services.AddRoutingCore();
        // The command owns Ctrl+C and SIGTERM; the host must not install its own handlers.
        builder.Services.AddSingleton<IHostLifetime, PassiveLifetime>();
        builder.WebHost.UseKestrelCore().ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Limits.MaxRequestBodySize = options.Limits.MaxBodyBytes;
        });
        // Handlers never block (parse, score and write in one short synchronous step; a reload runs
        // on the thread pool), so they may run on the socket threads: one thread hop less per request.
        builder.WebHost.UseSockets(o => o.UnsafePreferInlineScheduling = true);
        builder.WebHost.UseUrls(options.Urls);

        WebApplication app = builder.Build();
        var endpoints = new Endpoints(holder, metrics, options.Limits, log);
        app.MapPost("/recommend", endpoints.Recommend);
        app.MapPost("/recommend/batch", endpoints.RecommendBatch);
        app.MapGet("/similar/{id}", endpoints.Similar);
        app.MapGet("/healthz", endpoints.Healthz);
        app.MapGet("/readyz", endpoints.Readyz);
        app.MapGet("/metrics", endpoints.Metrics);
        app.MapPost("/admin/reload", endpoints.AdminReload);
        app.MapFallback(endpoints.NotFound);
        return app;
    }

    public async ValueTask DisposeAsync()
    {
        _watcher.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        Holder.Dispose();
    }

    private sealed class PassiveLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}

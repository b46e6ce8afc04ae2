using System.Diagnostics.Metrics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;

namespace Ease.AspNetCore;

/// <summary><c>builder.Services.AddEase(options => ...)</c>: an Ease model served by the app.</summary>
public static class EaseServiceCollectionExtensions
{
    /// <summary>
    /// Adds the served model (<see cref="EaseModelService"/>, opened when the host starts), its
    /// readiness check ("ease", tagged "ready"), and the <c>Ease</c> meter with OpenTelemetry's
    /// Prometheus exporter for the <c>/metrics</c> that <see cref="EaseEndpointRouteBuilderExtensions.MapEase"/> maps.
    /// </summary>
    /// <param name="services">The app's services.</param>
    /// <param name="configure">Sets the model path, the budget and the limits.</param>
    public static IServiceCollection AddEase(this IServiceCollection services, Action<EaseOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        return services.Configure(configure).AddEaseServices();
    }

    /// <summary>
    /// <see cref="AddEase(IServiceCollection, Action{EaseOptions})"/> with the options bound from a
    /// configuration section (e.g. <c>builder.Configuration.GetSection("Ease")</c>). A changed
    /// <c>ModelPath</c> in a reloaded configuration swaps that file in.
    /// </summary>
    /// <param name="services">The app's services.</param>
    /// <param name="configuration">The section holding <see cref="EaseOptions"/>' properties.</param>
    public static IServiceCollection AddEase(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return services.Configure<EaseOptions>(configuration).AddEaseServices();
    }

    private static IServiceCollection AddEaseServices(this IServiceCollection services)
    {
        services.AddMetrics();
        services.TryAddSingleton(sp => new EaseMetrics(sp.GetRequiredService<IMeterFactory>().Create(EaseMetrics.MeterName)));
        services.TryAddSingleton(sp => new EaseModelService(
            sp.GetRequiredService<IOptionsMonitor<EaseOptions>>(), sp.GetRequiredService<EaseMetrics>(), sp.GetRequiredService<ILogger<EaseModelService>>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, EaseModelService>(sp => sp.GetRequiredService<EaseModelService>()));
        services.TryAddSingleton<Endpoints>();
        services.AddHealthChecks().AddCheck<EaseReadinessCheck>(EaseReadinessCheck.Name, tags: ["ready"]);
        // Scrapes read the current values: the exporter's response cache (300 ms by default) would show stale counts.
        services.AddOpenTelemetry().WithMetrics(m => m
            .AddMeter(EaseMetrics.MeterName)
            .AddPrometheusExporter(o => o.ScrapeResponseCacheDurationMilliseconds = 0));
        return services;
    }
}

using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Ease.AspNetCore;

/// <summary><c>app.MapEase("/prefix")</c>: the endpoints of <c>ease serve</c> in the app.</summary>
public static class EaseEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps, under <paramref name="prefix"/>: <c>POST /recommend</c>, <c>POST /recommend/batch</c>,
    /// <c>GET /similar/{id}</c>, <c>GET /healthz</c>, <c>GET /readyz</c>, <c>GET /metrics</c> (Prometheus
    /// text, OpenTelemetry's exporter) and, unless <see cref="EaseOptions.MapAdminReload"/> is off,
    /// <c>POST /admin/reload</c>. The same JSON and limits as <c>ease serve</c>. Needs <c>AddEase</c>.
    /// </summary>
    /// <param name="endpoints">The app (or a route group).</param>
    /// <param name="prefix">The path the endpoints go under: "" or e.g. "/ease".</param>
    /// <returns>The route group of the endpoints, for conventions such as <c>RequireAuthorization</c>.</returns>
    public static RouteGroupBuilder MapEase(this IEndpointRouteBuilder endpoints, string prefix = "")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        Endpoints handlers = endpoints.ServiceProvider.GetService<Endpoints>()
            ?? throw new InvalidOperationException("MapEase needs builder.Services.AddEase(options => ...) first");
        RouteGroupBuilder group = endpoints.MapGroup(prefix);
        group.MapPost("/recommend", handlers.Recommend);
        group.MapPost("/recommend/batch", handlers.RecommendBatch);
        group.MapGet("/similar/{id}", handlers.Similar);
        group.MapGet("/healthz", handlers.Healthz);
        group.MapGet("/readyz", handlers.Readyz);
        group.MapPrometheusScrapingEndpoint("/metrics", meterProvider: null,
            configureBranchedPipeline: b => b.Use(next => context => handlers.Metrics(context, next)), optionsName: null);
        if (endpoints.ServiceProvider.GetRequiredService<IOptions<EaseOptions>>().Value.MapAdminReload)
            group.MapPost("/admin/reload", handlers.AdminReload);
        return group;
    }

    /// <summary>`ease serve` only: every other path gets a 404 with one JSON error line (a library must leave the app's 404s alone).</summary>
    internal static void MapEaseNotFound(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapFallback(endpoints.ServiceProvider.GetRequiredService<Endpoints>().NotFound);
}

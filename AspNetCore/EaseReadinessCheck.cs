using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Ease.AspNetCore;

/// <summary>
/// Readiness: healthy while a model is being served (its id and generation in the data), unhealthy
/// before the model is open and after the host stopped. Registered by
/// <c>AddEase</c> as "ease", tagged "ready".
/// </summary>
public sealed class EaseReadinessCheck(EaseModelService service) : IHealthCheck
{
    /// <summary>The name the check is registered under.</summary>
    public const string Name = "ease";

    /// <inheritdoc/>
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (service.ModelId is not { } id)
            return Task.FromResult(HealthCheckResult.Unhealthy("no model loaded yet"));
        var data = new Dictionary<string, object> { ["model"] = id, ["generation"] = service.Generation };
        return Task.FromResult(HealthCheckResult.Healthy($"serving {id}", data));
    }
}

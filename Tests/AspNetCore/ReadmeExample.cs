using Ease.AspNetCore;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Ease.Tests.AspNetCore;

/// <summary>
/// The README's "Add Ease to your service" example, compiled here; <see cref="ReadmeExampleTests"/>
/// checks the README shows these lines. Not run (it listens and blocks); the tests wire the same way.
/// </summary>
internal static class ReadmeExample
{
    public static void Run(string[] args)
    {
        // README example begins
        var builder = WebApplication.CreateBuilder(args);
        builder.Services.AddEase(options =>
        {
            options.ModelPath = "models/yelp.ease";   // rename a new file over it to swap models
            options.MaxK = 100;
        });
        var app = builder.Build();
        app.MapEase("/ease");            // /ease/recommend, /ease/similar/{id}, /ease/metrics, ...
        app.MapHealthChecks("/ready");   // includes Ease's readiness check
        app.Run();
        // README example ends
    }
}

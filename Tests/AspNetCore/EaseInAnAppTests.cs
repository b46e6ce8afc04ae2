using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Ease.AspNetCore;
using Ease.Engine.Scoring;
using Ease.Format;
using Ease.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Ease.Tests.AspNetCore;

/// <summary>Ease.AspNetCore in a minimal app of a user's, wired as the README shows, through the test server.</summary>
[Collection(EaseMeterCollection.Name)]
public sealed class EaseInAnAppTests : IDisposable
{
    private const int Items = 200;
    private readonly TempDirectory _dir = new();
    private readonly SparseModel _modelA = RandomModels.Create(Items, 25, seed: 21);
    private readonly SparseModel _modelB = RandomModels.Create(Items, 25, seed: 22);
    private readonly string _path;

    public EaseInAnAppTests()
    {
        _path = _dir.File("model.ease");
        _modelA.Write(_path);
    }

    public void Dispose() => _dir.Dispose();

    /// <summary>The user's app: its own endpoint and health checks, Ease under /ease.</summary>
    private static WebApplication App(Action<EaseOptions> configure, Action<WebApplicationBuilder>? more = null)
    {
        WebApplicationBuilder builder = WebApplication.CreateBuilder();
        builder.WebHost.UseTestServer();
        builder.Services.AddEase(configure);
        more?.Invoke(builder);
        WebApplication app = builder.Build();
        app.MapGet("/hello", () => "the app's own endpoint");
        app.MapEase("/ease");
        app.MapHealthChecks("/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains("ready") });
        return app;
    }

    [Fact]
    public async Task TheEndpointsServeUnderThePrefixBesideTheAppsOwn()
    {
        await using WebApplication app = App(o => o.ModelPath = _path);
        await app.StartAsync();
        HttpClient client = app.GetTestClient();

        string[] history = [_modelA.Ids[1], _modelA.Ids[7], "unknown"];
        using HttpResponseMessage response = await client.PostAsync("/ease/recommend", JsonContent.Create(new { history, k = 8 }));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using JsonDocument body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        using ModelFile model = ModelFile.Open(_path);
        var expected = new ScoredItem[8];
        int n = new Recommender(model).Recommend(history.AsSpan(), expected, out _);
        Assert.Equal(expected[..n].Select(s => model.ItemId(s.Row)), body.RootElement.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("id").GetString()));
        Assert.Equal(1, body.RootElement.GetProperty("unknown").GetInt32());
        Assert.Equal(app.Services.GetRequiredService<EaseModelService>().ModelId, body.RootElement.GetProperty("model").GetString());

        Assert.Equal("the app's own endpoint", await client.GetStringAsync("/hello"));
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/ease/similar/{_modelA.Ids[4]}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/ease/readyz")).StatusCode);
        // Ease leaves the app's other paths (and their 404s) alone.
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/recommend")).StatusCode);
        Assert.Equal("", await (await client.GetAsync("/nothing")).Content.ReadAsStringAsync());

        string metrics = await client.GetStringAsync("/ease/metrics");
        Assert.Contains("ease_requests_total{otel_scope_name=\"Ease\",route=\"recommend\"} 1\n", metrics);
        Assert.Contains("ease_recommend_unknown_ids_total{otel_scope_name=\"Ease\"} 1\n", metrics);
        Assert.Contains("# TYPE ease_request_duration_seconds histogram\n", metrics);
    }

    [Fact]
    public async Task ReadinessFollowsTheModel()
    {
        await using WebApplication app = App(o => o.ModelPath = _path);
        var check = new EaseReadinessCheck(app.Services.GetRequiredService<EaseModelService>());
        var context = new HealthCheckContext { Registration = new HealthCheckRegistration(EaseReadinessCheck.Name, check, null, null) };
        Assert.Equal(HealthStatus.Unhealthy, (await check.CheckHealthAsync(context)).Status);

        await app.StartAsync();
        HealthCheckResult ready = await check.CheckHealthAsync(context);
        Assert.Equal(HealthStatus.Healthy, ready.Status);
        Assert.Equal(app.Services.GetRequiredService<EaseModelService>().ModelId, ready.Data["model"]);
        HttpClient client = app.GetTestClient();
        Assert.Equal("Healthy", await client.GetStringAsync("/ready"));

        await app.StopAsync();
        Assert.Equal(HealthStatus.Unhealthy, (await check.CheckHealthAsync(context)).Status);
    }

    [Fact]
    public async Task AReplacedFileAndTheReloadCallSwapTheModel()
    {
        await using WebApplication app = App(o =>
        {
            o.ModelPath = _path;
            o.PollInterval = TimeSpan.FromMilliseconds(50);
        });
        await app.StartAsync();
        var service = app.Services.GetRequiredService<EaseModelService>();
        string first = service.ModelId!;
        Assert.Equal(1, service.Generation);

        string next = _dir.File("next.ease");
        _modelB.Write(next);
        File.Move(next, _path, overwrite: true);
        await ServeTestsWait.Until(() => service.Generation == 2, "the replaced file");
        Assert.NotEqual(first, service.ModelId);

        Assert.Null(service.Reload("test"));
        Assert.Equal(3, service.Generation);
        // Replaced by a rename, as writers do: the served file is mapped and is never written in place.
        File.WriteAllText(next, "not a model");
        File.Move(next, _path, overwrite: true);
        Assert.NotNull(service.Reload("test"));
        Assert.Equal(3, service.Generation);
        Assert.Equal(HttpStatusCode.OK, (await app.GetTestClient().PostAsync("/ease/recommend", JsonContent.Create(new { history = new[] { _modelB.Ids[2] } }))).StatusCode);
    }

    [Fact]
    public async Task ANewModelPathInTheConfigurationSwapsThatFileIn()
    {
        string other = _dir.File("other.ease");
        _modelB.Write(other);
        WebApplicationBuilder builder = WebApplication.CreateBuilder();
        builder.WebHost.UseTestServer();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Ease:ModelPath"] = _path, ["Ease:MaxK"] = "5" });
        builder.Services.AddEase(builder.Configuration.GetSection("Ease"));
        await using WebApplication app = builder.Build();
        app.MapEase();
        await app.StartAsync();
        var service = app.Services.GetRequiredService<EaseModelService>();
        Assert.StartsWith("model.ease@", service.ModelId);
        HttpClient client = app.GetTestClient();
        Assert.Equal(HttpStatusCode.BadRequest, (await client.PostAsync("/recommend", JsonContent.Create(new { history = Array.Empty<string>(), k = 6 }))).StatusCode);

        app.Configuration["Ease:ModelPath"] = other;
        ((IConfigurationRoot)app.Configuration).Reload();
        await ServeTestsWait.Until(() => service.Generation == 2, "the configured model");
        Assert.StartsWith("other.ease@", service.ModelId);
    }

    [Fact]
    public async Task AMissingModelOrBadOptionsStopTheStart()
    {
        await using (WebApplication missing = App(o => o.ModelPath = _dir.File("none.ease")))
            await Assert.ThrowsAsync<FileNotFoundException>(() => missing.StartAsync());
        await using WebApplication bad = App(o =>
        {
            o.ModelPath = _path;
            o.MaxK = 0;
        });
        var e = await Assert.ThrowsAsync<ArgumentException>(() => bad.StartAsync());
        Assert.Contains("EaseOptions.MaxK must be >= 1", e.Message);
    }

    [Fact]
    public async Task AdminReloadCanBeLeftUnmapped()
    {
        await using WebApplication app = App(o =>
        {
            o.ModelPath = _path;
            o.MapAdminReload = false;
        });
        await app.StartAsync();
        HttpClient client = app.GetTestClient();
        Assert.Equal(HttpStatusCode.NotFound, (await client.PostAsync("/ease/admin/reload", null)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/ease/healthz")).StatusCode);
    }

    [Fact]
    public async Task MaxBodyBytesAboveTheServersOwnCapIsHonoured()
    {
        // Kestrel caps request bodies at 30 MB unless told otherwise; the endpoints take MaxBodyBytes.
        WebApplicationBuilder builder = WebApplication.CreateBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.AddEase(o =>
        {
            o.ModelPath = _path;
            o.MaxBodyBytes = 40_000_000;
        });
        await using WebApplication app = builder.Build();
        app.MapEase("/ease");
        await app.StartAsync();
        using var client = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };
        string body = "{\"history\": [\"" + _modelA.Ids[4] + "\"]" + new string(' ', 32_000_000) + "}";
        using HttpResponseMessage ok = await client.PostAsync("/ease/recommend", new StringContent(body));
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
    }

    [Fact]
    public void MapEaseWithoutAddEaseSaysWhatIsMissing()
    {
        WebApplicationBuilder builder = WebApplication.CreateBuilder();
        builder.WebHost.UseTestServer();
        using WebApplication app = builder.Build();
        var e = Assert.Throws<InvalidOperationException>(() => app.MapEase());
        Assert.Contains("AddEase", e.Message);
    }
}

/// <summary>Hosts that export the "Ease" meter see every live meter of that name: their tests run one at a time.</summary>
[CollectionDefinition(Name)]
public sealed class EaseMeterCollection
{
    public const string Name = "Ease meter";
}

internal static class ServeTestsWait
{
    public static async Task Until(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what}");
            await Task.Delay(20);
        }
    }
}

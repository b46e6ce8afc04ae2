using System.Net;
using System.Text;
using System.Text.Json;
using Ease.AspNetCore;
using Ease.Cli.Serve;
using Ease.Tests.Support;

namespace Ease.Tests.Serve;

/// <summary>`ease serve`'s host, started in-process on a free loopback port, with a client.</summary>
internal sealed class ServerUnderTest : IAsyncDisposable
{
    private static readonly HttpClient Client = new() { Timeout = TimeSpan.FromSeconds(30) };
    private readonly LockedWriter _log;

    private ServerUnderTest(ServeHost host, LockedWriter log)
    {
        Host = host;
        _log = log;
        BaseUri = new Uri(host.Addresses.Single().Replace("[::]", "127.0.0.1", StringComparison.Ordinal));
    }

    public ServeHost Host { get; }
    public Uri BaseUri { get; }

    /// <summary>What the server wrote to its log (stderr in `ease serve`).</summary>
    public string Log => _log.ToString();

    public static async Task<ServerUnderTest> Start(string modelPath, ServeLimits? limits = null, string? lightModelPath = null)
    {
        var log = new LockedWriter();
        ServeHost host = await ServeHost.StartAsync(new ServeOptions
        {
            ModelPath = modelPath,
            LightModelPath = lightModelPath,
            Urls = "http://127.0.0.1:0",
            Limits = limits ?? new ServeLimits(),
            PollInterval = TimeSpan.FromMilliseconds(50),
        }, log);
        return new ServerUnderTest(host, log);
    }

    public async Task<(HttpStatusCode Status, JsonElement Body)> Post(string path, string json)
    {
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        using HttpResponseMessage response = await Client.PostAsync(new Uri(BaseUri, path), content);
        return (response.StatusCode, await ReadJson(response));
    }

    public async Task<(HttpStatusCode Status, JsonElement Body)> Get(string path)
    {
        using HttpResponseMessage response = await Client.GetAsync(new Uri(BaseUri, path));
        return (response.StatusCode, await ReadJson(response));
    }

    public async Task<string> GetText(string path)
    {
        using HttpResponseMessage response = await Client.GetAsync(new Uri(BaseUri, path));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    /// <summary>/metrics as lines, without the label the exporter puts on every series of the meter (otel_scope_name="Ease").</summary>
    public async Task<string[]> MetricLines() =>
        (await GetText("/metrics")).Replace("{otel_scope_name=\"Ease\"}", "", StringComparison.Ordinal)
            .Replace("otel_scope_name=\"Ease\",", "", StringComparison.Ordinal).Split('\n');

    public async Task<string> ModelId() => (await Get("/readyz")).Body.GetProperty("model").GetString()!;

    /// <summary>Polls until <paramref name="condition"/> holds (the watcher works in the background).</summary>
    public static async Task Eventually(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what}");
            await Task.Delay(20);
        }
    }

    private static async Task<JsonElement> ReadJson(HttpResponseMessage response)
    {
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using JsonDocument doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return doc.RootElement.Clone();
    }

    /// <summary>Writes <paramref name="model"/> next to <paramref name="path"/>, then renames it over (as writers do).</summary>
    public static void ReplaceByRename(string path, byte[] bytes)
    {
        string temp = path + ".next";
        File.WriteAllBytes(temp, bytes);
        File.Move(temp, path, overwrite: true);
    }

    public static byte[] Bytes(SparseModel model, TempDirectory dir, string name)
    {
        string path = dir.File(name);
        model.Write(path);
        return File.ReadAllBytes(path);
    }

    public async ValueTask DisposeAsync() => await Host.DisposeAsync();

    /// <summary>A StringWriter that can be read while the server's threads write to it.</summary>
    private sealed class LockedWriter : StringWriter
    {
        private readonly Lock _lock = new();

        public override void Write(char value)
        {
            lock (_lock) base.Write(value);
        }

        public override void Write(string? value)
        {
            lock (_lock) base.Write(value);
        }

        public override void WriteLine(string? value)
        {
            lock (_lock) base.WriteLine(value);
        }

        public override string ToString()
        {
            lock (_lock) return base.ToString();
        }
    }
}

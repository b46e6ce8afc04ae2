using System.Net;
using System.Text.Json;
using Ease.AspNetCore;
using Ease.Cli.Serve;
using Ease.Engine.Scoring;
using Ease.Format;
using Ease.Tests.Support;

namespace Ease.Tests.Serve;

/// <summary>`ease serve` over HTTP: results equal the library's, bad requests get 400s, hot swap.</summary>
[Collection(Ease.Tests.AspNetCore.EaseMeterCollection.Name)]
public sealed class ServeTests : IDisposable
{
    private const int Items = 240;
    private readonly TempDirectory _dir = new();
    private readonly SparseModel _modelA = RandomModels.Create(Items, 30, seed: 11);
    private readonly SparseModel _modelB = RandomModels.Create(Items, 30, seed: 12);
    private readonly string _path;

    public ServeTests()
    {
        _path = _dir.File("served.ease");
        _modelA.Write(_path);
    }

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task RecommendEqualsTheLibraryRecommenderAndCountsUnknownIds()
    {
        await using ServerUnderTest server = await ServerUnderTest.Start(_path);
        using ModelFile model = ModelFile.Open(_path);
        var library = new Recommender(model);
        var random = new Random(5);
        for (int user = 0; user < 30; user++)
        {
            string[] history = [.. Enumerable.Range(0, random.Next(1, 12)).Select(_ => _modelA.Ids[random.Next(Items)])];
            if (user % 3 == 0)
                history = [.. history, "no-such-item", "another \"unknown\" id"];
            int k = 1 + random.Next(30);
            var (status, body) = await server.Post("/recommend", Request(history, k));
            Assert.Equal(HttpStatusCode.OK, status);

            var expected = new ScoredItem[k];
            int n = library.Recommend(history.AsSpan(), expected, out RecommendStatus expectedStatus);
            AssertItems(model, expected.AsSpan(0, n), body);
            Assert.Equal(user % 3 == 0 ? 2 : 0, body.GetProperty("unknown").GetInt32());
            Assert.Equal(expectedStatus.UnknownIds, body.GetProperty("unknown").GetInt32());
            Assert.False(body.GetProperty("fallback").GetBoolean());
            Assert.Equal(await server.ModelId(), body.GetProperty("model").GetString());
        }
    }

    [Fact]
    public async Task AnOrderedModelTakesTheRequestHistoryOldestFirst()
    {
        // Sequences walking the cycle i0 → i1 → … → i7 → i0: the next item follows the most recent one.
        string[] lines = [.. Enumerable.Range(0, 40).Select(u => $"u{u} " + string.Join(' ', Enumerable.Range(0, 6).Select(k => $"i{(u + k) % 8}")))];
        File.WriteAllLines(_dir.File("cycle.txt"), lines);
        string path = _dir.File("sequential.ease");
        var t = CliRunner.Run("train", "-i", _dir.File("cycle.txt"), "--format", "adjacency", "--family", "sequential", "--lambda", "1", "-o", path, "-q");
        Assert.True(t.ExitCode == 0, t.Err);
        await using ServerUnderTest server = await ServerUnderTest.Start(path);
        using ModelFile model = ModelFile.Open(path);
        var library = new Recommender(model);
        foreach (string[] history in new[] { new[] { "i2", "i3", "i4" }, ["i4", "i3", "i6"] })
        {
            var (status, body) = await server.Post("/recommend", $$"""{"history": {{Json(history)}}, "k": 3}""");
            Assert.Equal(HttpStatusCode.OK, status);
            // The same as the library with the rule's weights given by hand: 0.8² 0.8 1, oldest first.
            var expected = new ScoredItem[3];
            int n = library.Recommend(history.AsSpan(), [0.64f, 0.8f, 1f], expected, out _);
            AssertItems(model, expected.AsSpan(0, n), body);
            string successor = $"i{(history[^1][1] - '0' + 1) % 8}"; // i5, then i7
            Assert.Equal(successor, body.GetProperty("items")[0].GetProperty("id").GetString());
        }
    }

    [Fact]
    public async Task WeightedHistoriesAndFiltersEqualTheLibrary()
    {
        await using ServerUnderTest server = await ServerUnderTest.Start(_path);
        using ModelFile model = ModelFile.Open(_path);
        var library = new Recommender(model);
        string[] history = [_modelA.Ids[3], _modelA.Ids[50], "ghost", _modelA.Ids[3], _modelA.Ids[99]];
        float[] weights = [1.5f, 0.25f, 9f, 2f, -0.5f];
        string[] exclude = [.. _modelA.Ids.Take(40)];
        string[] allow = [.. _modelA.Ids.Where((_, i) => i % 3 == 0), "not-an-item"];

        // Weighted, with the unknown id's weight skipped along with it.
        var (_, weighted) = await server.Post("/recommend", $$"""{"history": {{Json(history)}}, "weights": [1.5, 0.25, 9, 2, -0.5], "k": 15}""");
        var expected = new ScoredItem[15];
        int n = library.Recommend(history.AsSpan(), weights, expected, out _);
        AssertItems(model, expected.AsSpan(0, n), weighted);
        Assert.Equal(1, weighted.GetProperty("unknown").GetInt32());

        // exclude: those items never come back.
        var (_, excluded) = await server.Post("/recommend", $$"""{"history": {{Json(history)}}, "exclude": {{Json(exclude)}}, "k": 25}""");
        n = library.Recommend(history.AsSpan(), expected = new ScoredItem[25], out _, new RecommendOptions { Filter = ItemFilter.DenyIds(model, exclude) });
        AssertItems(model, expected.AsSpan(0, n), excluded);
        Assert.DoesNotContain(Ids(excluded), exclude.Contains);

        // allow (with an exclude on top): only allowed, not excluded items.
        var (_, allowed) = await server.Post("/recommend", $$"""{"history": {{Json(history)}}, "allow": {{Json(allow)}}, "exclude": ["{{_modelA.Ids[0]}}", "{{_modelA.Ids[3]}}"], "k": 25}""");
        string[] allowedIds = Ids(allowed);
        Assert.Equal(25, allowedIds.Length);
        Assert.All(allowedIds, id => Assert.True(Array.IndexOf(_modelA.Ids, id) % 3 == 0 && id != _modelA.Ids[0] && id != _modelA.Ids[3], id));
        string[] allowMinusExclude = [.. allow.Where(id => id != _modelA.Ids[0] && id != _modelA.Ids[3])];
        n = library.Recommend(history.AsSpan(), expected = new ScoredItem[25], out _, new RecommendOptions { Filter = ItemFilter.AllowIds(model, allowMinusExclude) });
        AssertItems(model, expected.AsSpan(0, n), allowed);

        // include_seen: history items may come back, as with the library's IncludeSeen.
        var (_, seen) = await server.Post("/recommend", $$"""{"history": {{Json(history)}}, "include_seen": true, "k": {{Items}}}""");
        n = library.Recommend(history.AsSpan(), expected = new ScoredItem[Items], out _, new RecommendOptions { IncludeSeen = true });
        AssertItems(model, expected.AsSpan(0, n), seen);
        Assert.Contains(_modelA.Ids[50], Ids(seen));
        var (_, unseen) = await server.Post("/recommend", $$"""{"history": {{Json(history)}}, "k": {{Items}}}""");
        Assert.DoesNotContain(Ids(unseen), history.Contains);
    }

    [Fact]
    public async Task EmptyOrUnknownHistoryFallsBackToPopularity()
    {
        await using ServerUnderTest server = await ServerUnderTest.Start(_path);
        var (_, body) = await server.Post("/recommend", """{"history": ["nobody knows this"], "k": 5}""");
        Assert.True(body.GetProperty("fallback").GetBoolean());
        Assert.Equal(1, body.GetProperty("unknown").GetInt32());
        string[] mostPopular = [.. Enumerable.Range(0, Items).OrderByDescending(i => _modelA.Popularity![i]).ThenBy(i => i).Take(5).Select(i => _modelA.Ids[i])];
        Assert.Equal(mostPopular, Ids(body));
    }

    [Fact]
    public async Task BatchEqualsSingleRequests()
    {
        await using ServerUnderTest server = await ServerUnderTest.Start(_path);
        string[] users =
        [
            $$"""{"history": ["{{_modelA.Ids[1]}}", "{{_modelA.Ids[7]}}"], "k": 4}""",
            """{"history": [], "k": 3}""",
            $$"""{"history": ["{{_modelA.Ids[2]}}", "x"], "weights": [2, 1], "exclude": ["{{_modelA.Ids[5]}}"]}""",
            $$"""{"history": ["{{_modelA.Ids[9]}}"], "include_seen": true, "allow": ["{{_modelA.Ids[9]}}", "{{_modelA.Ids[10]}}"]}""",
        ];
        var (status, batch) = await server.Post("/recommend/batch", $$"""{"users": [{{string.Join(",", users)}}]}""");
        Assert.Equal(HttpStatusCode.OK, status);
        JsonElement[] results = [.. batch.GetProperty("results").EnumerateArray()];
        Assert.Equal(users.Length, results.Length);
        for (int i = 0; i < users.Length; i++)
        {
            var (_, single) = await server.Post("/recommend", users[i]);
            Assert.Equal(single.GetProperty("items").GetRawText(), results[i].GetProperty("items").GetRawText());
            Assert.Equal(single.GetProperty("unknown").GetInt32(), results[i].GetProperty("unknown").GetInt32());
            Assert.Equal(single.GetProperty("fallback").GetBoolean(), results[i].GetProperty("fallback").GetBoolean());
        }
        Assert.Equal(await server.ModelId(), batch.GetProperty("model").GetString());
    }

    [Fact]
    public async Task SimilarReturnsTheRowsLargestWeights()
    {
        await using ServerUnderTest server = await ServerUnderTest.Start(_path);
        int row = Enumerable.Range(0, Items).First(i => _modelA.Columns[i].Length >= 8);
        string id = _modelA.Ids[row];
        var (status, body) = await server.Get($"/similar/{Uri.EscapeDataString(id)}?k=5");
        Assert.Equal(HttpStatusCode.OK, status);
        var expected = _modelA.Columns[row].Zip(_modelA.Values[row]).OrderByDescending(p => p.Second).ThenBy(p => p.First).Take(5).ToArray();
        Assert.Equal(expected.Select(p => _modelA.Ids[p.First]), Ids(body));
        Assert.Equal(expected.Select(p => p.Second), body.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("score").GetSingle()));
        Assert.Equal(Math.Min(20, _modelA.Columns[row].Length), (await server.Get($"/similar/{Uri.EscapeDataString(id)}")).Body.GetProperty("items").GetArrayLength());

        var (missing, error) = await server.Get("/similar/no-such-item");
        Assert.Equal(HttpStatusCode.NotFound, missing);
        Assert.Contains("not in the model", error.GetProperty("error").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, (await server.Get($"/similar/{Uri.EscapeDataString(id)}?k=0")).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await server.Get($"/similar/{Uri.EscapeDataString(id)}?k=abc")).Status);
    }

    [Fact]
    public async Task HealthReadinessAndMetrics()
    {
        await using ServerUnderTest server = await ServerUnderTest.Start(_path);
        var (health, healthBody) = await server.Get("/healthz");
        Assert.Equal(HttpStatusCode.OK, health);
        Assert.Equal("ok", healthBody.GetProperty("status").GetString());
        var (ready, readyBody) = await server.Get("/readyz");
        Assert.Equal(HttpStatusCode.OK, ready);
        Assert.StartsWith("served.ease@", readyBody.GetProperty("model").GetString());
        Assert.Equal(1, readyBody.GetProperty("generation").GetInt64());

        for (int i = 0; i < 3; i++)
            await server.Post("/recommend", """{"history": ["x", "y"]}""");
        await server.Post("/recommend", "{");
        string[] lines = await server.MetricLines();
        Assert.Contains("ease_requests_total{route=\"recommend\"} 4", lines);
        Assert.Contains("ease_request_errors_total{route=\"recommend\"} 1", lines);
        Assert.Contains("ease_request_duration_seconds_count{route=\"recommend\"} 4", lines);
        Assert.Contains("ease_request_duration_seconds_bucket{route=\"recommend\",le=\"+Inf\"} 4", lines);
        Assert.Contains("# TYPE ease_request_duration_seconds histogram", lines);
        Assert.Contains("ease_recommend_unknown_ids_total 6", lines);
        Assert.Contains("ease_recommend_popularity_fallbacks_total 3", lines);
        Assert.Contains("ease_model_generation 1", lines);
        Assert.Contains("ease_model_reload_refusals_total 0", lines);
        Assert.Contains(lines, l => l.StartsWith("ease_model_load_seconds ", StringComparison.Ordinal));
        Assert.Contains($"ease_model_info{{model=\"{await server.ModelId()}\"}} 1", lines);
        Assert.Contains(lines, l => l.StartsWith("ease_requests_total{route=\"readyz\"} ", StringComparison.Ordinal));
        // What a scraper reads: the exporter labels every series with the meter.
        Assert.Contains("ease_model_generation{otel_scope_name=\"Ease\"} 1", (await server.GetText("/metrics")).Split('\n'));
    }

    public static TheoryData<string, string, string> BadRequests() => new()
    {
        { "/recommend", "{", "malformed JSON" },
        { "/recommend", "not json", "malformed JSON" },
        { "/recommend", "", "malformed JSON" },
        { "/recommend", """{"history": []} {"history": []}""", "malformed JSON" },
        { "/recommend", "[1, 2]", "a request is a JSON object" },
        { "/recommend", """{"history": ["1"], "k": 0}""", "\"k\" must be a whole number from 1 to 50" },
        { "/recommend", """{"history": ["1"], "k": 51}""", "\"k\" must be a whole number from 1 to 50" },
        { "/recommend", """{"history": ["1"], "k": 2.5}""", "\"k\" must be" },
        { "/recommend", """{"history": ["1"], "k": "3"}""", "\"k\" must be" },
        { "/recommend", $$"""{"history": ["{{new string('x', 3000)}}"]}""", "over 2000 bytes" },
        { "/recommend", """{"history": ["1", "2", "3", "4", "5", "6"]}""", "more than 5 ids" },
        { "/recommend", """{"k": 3}""", "\"history\" is required" },
        { "/recommend", """{"history": "1"}""", "must be an array" },
        { "/recommend", """{"history": [["1"]]}""", "holds item ids" },
        { "/recommend", """{"history": ["1", null]}""", "holds item ids" },
        { "/recommend", """{"history": ["1", "2"], "weights": [1]}""", "give one weight per id" },
        { "/recommend", """{"history": ["1", "2"], "weights": [1, "x"]}""", "weights[1] must be a finite number" },
        { "/recommend", """{"history": ["1"], "weights": [1e39]}""", "weights[0] must be a finite number" },
        { "/recommend", """{"history": [], "bogus": 1}""", "unknown field \"bogus\"" },
        { "/recommend", """{"history": [], "include_seen": "yes"}""", "\"include_seen\" must be true or false" },
        { "/recommend", """{"history": [], "exclude": 5}""", "\"exclude\" must be an array" },
        { "/recommend/batch", """{"users": [{"history": []}, {"history": []}, {"history": []}]}""", "more than 2 users" },
        { "/recommend/batch", """{"users": [{"history": []}, {"history": [], "k": 0}]}""", "\"k\" must be" },
        { "/recommend/batch", """{"people": []}""", "a batch request is" },
        { "/recommend/batch", """{"history": []}""", "a batch request is" },
    };

    [Theory]
    [MemberData(nameof(BadRequests))]
    public async Task BadRequestsGetOneClearError(string path, string body, string message)
    {
        await using ServerUnderTest server = await ServerUnderTest.Start(_path, new ServeLimits { MaxK = 50, MaxBodyBytes = 2000, MaxHistory = 5, MaxBatch = 2 });
        var (status, error) = await server.Post(path, body);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(["error"], error.EnumerateObject().Select(p => p.Name));
        string text = error.GetProperty("error").GetString()!;
        Assert.Contains(message, text);
        Assert.DoesNotContain('\n', text);
        // The server is unharmed.
        Assert.Equal(HttpStatusCode.OK, (await server.Post(path, path == "/recommend" ? """{"history": ["1"]}""" : """{"users": [{"history": ["1"]}]}""")).Status);
    }

    [Fact]
    public async Task RenamingANewModelOverTheFileSwapsItIn()
    {
        await using ServerUnderTest server = await ServerUnderTest.Start(_path);
        string first = await server.ModelId();
        ServerUnderTest.ReplaceByRename(_path, ServerUnderTest.Bytes(_modelB, _dir, "b.ease"));
        await ServerUnderTest.Eventually(async () => await server.ModelId() != first, "the new model");

        string second = await server.ModelId();
        Assert.StartsWith("served.ease@", second);
        string[] history = [_modelB.Ids[4], _modelB.Ids[8]];
        var (_, body) = await server.Post("/recommend", Request(history, 10));
        Assert.Equal(second, body.GetProperty("model").GetString());
        using ModelFile b = ModelFile.Open(_dir.File("b.ease"));
        var expected = new ScoredItem[10];
        int n = new Recommender(b).Recommend(history.AsSpan(), expected, out _);
        AssertItems(b, expected.AsSpan(0, n), body);
        Assert.Contains("ease_model_generation 2", await server.MetricLines());
        Assert.Contains("now serving", server.Log);
    }

    [Fact]
    public async Task AReplacementWithTheOldTimeAndLengthIsStillSeen()
    {
        await using ServerUnderTest server = await ServerUnderTest.Start(_path);
        string first = await server.ModelId();
        DateTime written = File.GetLastWriteTimeUtc(_path);
        int row = Array.FindIndex(_modelA.Values, v => v.Length > 0);
        var changed = new SparseModel
        {
            Ids = _modelA.Ids,
            Columns = _modelA.Columns,
            Values = [.. _modelA.Values.Select((v, i) => i == row ? [v[0] + 1, .. v[1..]] : v)],
            Popularity = _modelA.Popularity,
            Metadata = _modelA.Metadata,
        };
        string next = _dir.File("same-size.ease");
        changed.Write(next);
        Assert.Equal(new FileInfo(_path).Length, new FileInfo(next).Length);
        File.SetLastWriteTimeUtc(next, written);
        File.Move(next, _path, overwrite: true);
        await ServerUnderTest.Eventually(async () => await server.ModelId() != first, "the new model");
    }

    [Fact]
    public async Task ADamagedReplacementIsRefusedAndTheOldModelKeepsServing()
    {
        await using ServerUnderTest server = await ServerUnderTest.Start(_path);
        string first = await server.ModelId();
        var damaged = new ModelBytes(ServerUnderTest.Bytes(_modelB, _dir, "b.ease"));
        var values = damaged.Section(SectionKind.Values);
        damaged.Bytes[values.Offset + 5] ^= 0x40; // a flipped bit: the section checksum no longer matches
        ServerUnderTest.ReplaceByRename(_path, damaged.Bytes);

        await ServerUnderTest.Eventually(async () => (await server.MetricLines()).Contains("ease_model_reload_refusals_total 1"), "the refusal");
        Assert.Equal(first, await server.ModelId());
        var (status, body) = await server.Post("/recommend", Request([_modelA.Ids[1]], 5));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(first, body.GetProperty("model").GetString());
        Assert.Contains("refused", server.Log);
        Assert.Contains("still serving", server.Log);

        // An explicit reload of the damaged file is refused too, with the reason.
        var (reloadStatus, reload) = await server.Post("/admin/reload", "");
        Assert.Equal(HttpStatusCode.Conflict, reloadStatus);
        Assert.False(reload.GetProperty("reloaded").GetBoolean());
        Assert.Contains("checksum", reload.GetProperty("error").GetString());
        Assert.Equal(first, reload.GetProperty("model").GetString());
        Assert.Contains("ease_model_reload_refusals_total 2", await server.MetricLines());

        // A good file afterwards is picked up.
        ServerUnderTest.ReplaceByRename(_path, File.ReadAllBytes(_dir.File("b.ease")));
        await ServerUnderTest.Eventually(async () => await server.ModelId() != first, "the repaired model");
    }

    [Fact]
    public async Task AdminReloadOpensTheFileAgain()
    {
        await using ServerUnderTest server = await ServerUnderTest.Start(_path);
        string id = await server.ModelId();
        var (status, body) = await server.Post("/admin/reload", "");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.True(body.GetProperty("reloaded").GetBoolean());
        Assert.Equal(id, body.GetProperty("model").GetString()); // same content, same id
        Assert.Equal(2, body.GetProperty("generation").GetInt64());
        Assert.Contains("ease_model_reloads_total 1", await server.MetricLines());
    }

    [Fact]
    public async Task RequestsDuringSwapsAllSucceedOnOneOfTheModels()
    {
        byte[] a = File.ReadAllBytes(_path), b = ServerUnderTest.Bytes(_modelB, _dir, "b.ease");
        await using ServerUnderTest server = await ServerUnderTest.Start(_path);
        string idA = await server.ModelId();
        using var stop = new CancellationTokenSource();
        var seen = new System.Collections.Concurrent.ConcurrentBag<string>();
        Task[] clients = [.. Enumerable.Range(0, 4).Select(c => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var (status, body) = await server.Post("/recommend", Request([_modelA.Ids[c], _modelA.Ids[c + 10]], 10));
                Assert.Equal(HttpStatusCode.OK, status);
                seen.Add(body.GetProperty("model").GetString()!);
            }
        }))];
        string idB = "";
        for (int swap = 0; swap < 6; swap++)
        {
            long generation = server.Host.Holder.Current.Generation;
            ServerUnderTest.ReplaceByRename(_path, swap % 2 == 0 ? b : a);
            await ServerUnderTest.Eventually(() => Task.FromResult(server.Host.Holder.Current.Generation > generation), "the swap");
            if (swap == 0)
                idB = server.Host.Holder.Current.Id;
            await Task.Delay(30);
        }
        await stop.CancelAsync();
        await Task.WhenAll(clients);
        Assert.NotEqual(idA, idB);
        Assert.Equal(idA, server.Host.Holder.Current.Id);
        Assert.Equal(new[] { idA, idB }.Order(StringComparer.Ordinal), seen.Distinct().Order(StringComparer.Ordinal));
    }

    [Fact]
    public void AModelInUseIsReleasedOnlyAfterItsLastRequest()
    {
        using var meter = new System.Diagnostics.Metrics.Meter("Ease.Tests");
        using ModelHolder holder = ModelHolder.Open(_path, null, new EaseMetrics(meter), Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        LoadedModel inFlight = holder.Acquire();
        ServerUnderTest.ReplaceByRename(_path, ServerUnderTest.Bytes(_modelB, _dir, "b.ease"));
        Assert.Null(holder.Reload("test"));
        Assert.NotSame(inFlight, holder.Current);
        Assert.Equal(2, holder.Current.Generation);

        // The request that started on the old model still scores on it.
        Recommender scorer = inFlight.RentRecommender();
        Span<ScoredItem> top = stackalloc ScoredItem[5];
        Assert.Equal(5, scorer.Recommend(new[] { _modelA.Ids[1] }.AsSpan(), top, out _));
        inFlight.Return(scorer);
        inFlight.Release();
        Assert.Throws<ObjectDisposedException>(() => inFlight.File.RowLength(0) + inFlight.File.RowColumns(0).Length);
        Assert.False(inFlight.TryAddReference());
    }

    [Fact]
    public async Task ABudgetScoresLongHistoriesFromTheLightModel()
    {
        string lightPath = _dir.File("light.ease");
        using (ModelFile served = ModelFile.Open(_path))
            Ease.Engine.Training.ModelPruner.Rewrite(served, 4, ModelEncoding.For(WeightType.Int8Scaled, Items), lightPath);
        const int Budget = 150;
        await using ServerUnderTest server = await ServerUnderTest.Start(_path, new ServeLimits { MaxWeights = Budget }, lightPath);
        using ModelFile model = ModelFile.Open(_path);
        using ModelFile light = ModelFile.Open(lightPath);
        var library = new Recommender(model, light);
        var random = new Random(8);
        int budgeted = 0;
        for (int user = 0; user < 40; user++)
        {
            string[] history = [.. Enumerable.Range(0, random.Next(1, 25)).Select(_ => _modelA.Ids[random.Next(Items)])];
            var (status, body) = await server.Post("/recommend", Request(history, 10));
            Assert.Equal(HttpStatusCode.OK, status);
            var expected = new ScoredItem[10];
            int n = library.Recommend(history.AsSpan(), expected, out RecommendStatus expectedStatus, new RecommendOptions { MaxWeights = Budget });
            AssertItems(model, expected.AsSpan(0, n), body);
            Assert.Equal(expectedStatus.WeightsBudgeted, body.GetProperty("budgeted").GetBoolean());
            budgeted += expectedStatus.WeightsBudgeted ? 1 : 0;
        }
        Assert.InRange(budgeted, 1, 39);
        Assert.Contains($"ease_recommend_budgeted_total {budgeted}", await server.MetricLines());

        // A replacement model of other items does not fit the light model: refused, the old pair keeps serving.
        string idBefore = await server.ModelId();
        ServerUnderTest.ReplaceByRename(_path, ServerUnderTest.Bytes(RandomModels.Create(Items + 3, 30, seed: 13), _dir, "other.ease"));
        Assert.NotNull(server.Host.Holder.Reload("test"));
        Assert.Equal(idBefore, await server.ModelId());
        Assert.Contains("light model has 240 items, the model 243", server.Log);
    }

    [Fact]
    public void StartupErrorsExitWithCodeTwoAndOneLine()
    {
        var missing = CliRunner.Run("serve", "--model", _dir.File("none.ease"), "--urls", "http://127.0.0.1:0");
        Assert.Equal(2, missing.ExitCode);
        Assert.StartsWith("ease: error:", Assert.Single(missing.Err.Trim().Split('\n')));

        File.WriteAllText(_dir.File("junk.ease"), "this is not a model file, just some text of a reasonable length to pass the size check");
        var damaged = CliRunner.Run("serve", "--model", _dir.File("junk.ease"), "--urls", "http://127.0.0.1:0");
        Assert.Equal(2, damaged.ExitCode);
        Assert.Contains("not an Ease model file", damaged.Err);

        Assert.Equal(1, CliRunner.Run("serve", "--model", _path, "--max-k", "0").ExitCode);
        Assert.Equal(1, CliRunner.Run("serve", "--model", _path, "--light-model", _path).ExitCode);

        string other = _dir.File("other-items.ease");
        RandomModels.Create(Items + 1, 5, seed: 3).Write(other);
        var mismatched = CliRunner.Run("serve", "--model", _path, "--max-weights", "100", "--light-model", other, "--urls", "http://127.0.0.1:0");
        Assert.Equal(2, mismatched.ExitCode);
        Assert.Contains("other-items.ease: the light model has 241 items", Assert.Single(mismatched.Err.Trim().Split('\n')));
    }

    [Fact]
    public void NonLoopbackAddressesAreNamed()
    {
        string[] urls = ["http://127.0.0.1:80", "http://localhost:1", "http://[::1]:2", "http://0.0.0.0:3", "http://*:4", "http://10.1.2.3:5", "http://[::]:6"];
        Assert.Equal(urls[3..], ListenUrls.Parse(string.Join(";", urls)).Where(u => !u.Loopback).Select(u => u.Url));
    }

    [Theory]
    [InlineData("garbage")]
    [InlineData("https://127.0.0.1:8443")]
    [InlineData("http://127.0.0.1")]
    [InlineData("http://127.0.0.1:99999")]
    [InlineData(";")]
    public void MalformedUrlsAreUsageErrors(string urls)
    {
        var r = CliRunner.Run("serve", "--model", _path, "--urls", urls);
        Assert.Equal(1, r.ExitCode);
        Assert.StartsWith("ease: error: --urls", Assert.Single(r.Err.Trim().Split('\n')));
    }

    private static string Request(string[] history, int k) => $$"""{"history": {{Json(history)}}, "k": {{k}}}""";

    private static string Json(string[] ids) => JsonSerializer.Serialize(ids);

    private static string[] Ids(JsonElement body) => [.. body.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("id").GetString()!)];

    private static void AssertItems(ModelFile model, ReadOnlySpan<ScoredItem> expected, JsonElement body)
    {
        JsonElement[] items = [.. body.GetProperty("items").EnumerateArray()];
        Assert.Equal(expected.Length, items.Length);
        for (int i = 0; i < items.Length; i++)
        {
            Assert.Equal(model.ItemId(expected[i].Row), items[i].GetProperty("id").GetString());
            Assert.Equal(expected[i].Score, items[i].GetProperty("score").GetSingle());
        }
    }
}

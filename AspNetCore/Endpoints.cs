using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.IO.Pipelines;
using System.Text.Encodings.Web;
using System.Text.Json;
using Ease.Engine.Scoring;
using Ease.Format;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;

namespace Ease.AspNetCore;

/// <summary>
/// The HTTP handlers. Bodies are read whole (up to the size limit) from the request pipe,
/// parsed with Utf8JsonReader, scored with a pooled <see cref="Recommender"/> of the current
/// model and written with Utf8JsonWriter into per-thread scratch, all in one synchronous step,
/// so a request holds its model reference only while it scores.
/// </summary>
internal sealed class Endpoints(EaseModelService service, ILogger<EaseModelService> log)
{
    private readonly EaseMetrics metrics = service.Metrics;
    private ServeLimits limits => service.Limits;

    private static readonly JsonEncodedText ItemsKey = JsonEncodedText.Encode("items");
    private static readonly JsonEncodedText IdKey = JsonEncodedText.Encode("id");
    private static readonly JsonEncodedText ScoreKey = JsonEncodedText.Encode("score");
    private static readonly JsonEncodedText UnknownKey = JsonEncodedText.Encode("unknown");
    private static readonly JsonEncodedText FallbackKey = JsonEncodedText.Encode("fallback");
    private static readonly JsonEncodedText BudgetedKey = JsonEncodedText.Encode("budgeted");
    private static readonly JsonEncodedText ModelKey = JsonEncodedText.Encode("model");
    private static readonly JsonEncodedText ResultsKey = JsonEncodedText.Encode("results");
    private static readonly JsonEncodedText ErrorKey = JsonEncodedText.Encode("error");
    private static readonly JsonEncodedText StatusKey = JsonEncodedText.Encode("status");
    private static readonly JsonEncodedText GenerationKey = JsonEncodedText.Encode("generation");
    private static readonly JsonEncodedText ReloadedKey = JsonEncodedText.Encode("reloaded");

    private const string JsonType = "application/json";

    // Per-thread scratch, used only within one synchronous step of a request.
    [ThreadStatic] private static Scratch? t_scratch;

    public Task Recommend(HttpContext context) => WithBody(context, Route.Recommend, batch: false);

    public Task RecommendBatch(HttpContext context) => WithBody(context, Route.RecommendBatch, batch: true);

    public Task Similar(HttpContext context)
    {
        long start = Stopwatch.GetTimestamp();
        Scratch s = Scratch.ForThread();
        int status;
        try
        {
            status = service.Holder is { } holder ? WriteSimilar(context, holder, s) : NotLoaded(s);
        }
        catch (BadRequestException e)
        {
            status = WriteError(s, StatusCodes.Status400BadRequest, e.Message);
        }
        return Send(context, Route.Similar, status, s, start);
    }

    public Task Healthz(HttpContext context)
    {
        long start = Stopwatch.GetTimestamp();
        Scratch s = Scratch.ForThread();
        s.Json.WriteStartObject();
        s.Json.WriteString(StatusKey, "ok");
        s.Json.WriteEndObject();
        return Send(context, Route.Healthz, StatusCodes.Status200OK, s, start);
    }

    public Task Readyz(HttpContext context)
    {
        long start = Stopwatch.GetTimestamp();
        Scratch s = Scratch.ForThread();
        if (service.Holder is not { } holder)
            return Send(context, Route.Readyz, NotLoaded(s), s, start);
        LoadedModel model = holder.Current;
        s.Json.WriteStartObject();
        s.Json.WriteString(StatusKey, "ready");
        s.Json.WriteString(ModelKey, model.JsonId);
        s.Json.WriteNumber(GenerationKey, model.Generation);
        s.Json.WriteEndObject();
        return Send(context, Route.Readyz, StatusCodes.Status200OK, s, start);
    }

    /// <summary>Times the exporter's scrape endpoint as the "metrics" route.</summary>
    public async Task Metrics(HttpContext context, RequestDelegate exporter)
    {
        long start = Stopwatch.GetTimestamp();
        await exporter(context);
        metrics.Record(Route.Metrics, context.Response.StatusCode, start);
    }

    public async Task AdminReload(HttpContext context)
    {
        long start = Stopwatch.GetTimestamp();
        if (service.Holder is not { } holder)
        {
            Scratch empty = Scratch.ForThread();
            await Send(context, Route.AdminReload, NotLoaded(empty), empty, start);
            return;
        }
        // Opening and verifying a large model takes a while: off the request thread's synchronous path.
        string? refusal = await Task.Run(() => holder.Reload("POST /admin/reload"), context.RequestAborted);
        Scratch s = Scratch.ForThread();
        s.Json.WriteStartObject();
        s.Json.WriteBoolean(ReloadedKey, refusal is null);
        if (refusal is not null)
            s.Json.WriteString(ErrorKey, refusal);
        s.Json.WriteString(ModelKey, holder.Current.JsonId);
        s.Json.WriteNumber(GenerationKey, holder.Current.Generation);
        s.Json.WriteEndObject();
        await Send(context, Route.AdminReload, refusal is null ? StatusCodes.Status200OK : StatusCodes.Status409Conflict, s, start);
    }

    public Task NotFound(HttpContext context)
    {
        long start = Stopwatch.GetTimestamp();
        Scratch s = Scratch.ForThread();
        int status = WriteError(s, StatusCodes.Status404NotFound, $"no such endpoint: {context.Request.Method} {context.Request.Path}");
        return Send(context, Route.Other, status, s, start);
    }

    private async Task WithBody(HttpContext context, Route route, bool batch)
    {
        long start = Stopwatch.GetTimestamp();
        int status;
        Scratch s;
        // The app's server may cap bodies below MaxBodyBytes (Kestrel: 30 MB): these endpoints take what the options say.
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size && size.MaxRequestBodySize != limits.MaxBodyBytes)
            size.MaxRequestBodySize = limits.MaxBodyBytes;
        PipeReader body = context.Request.BodyReader;
        if (context.Request.ContentLength > limits.MaxBodyBytes)
        {
            s = Scratch.ForThread();
            status = WriteError(s, StatusCodes.Status400BadRequest, TooLarge());
            await Send(context, route, status, s, start);
            return;
        }
        while (true)
        {
            ReadResult read;
            try
            {
                read = await body.ReadAsync(context.RequestAborted);
            }
            catch (BadHttpRequestException e)
            {
                s = Scratch.ForThread();
                status = WriteError(s, StatusCodes.Status400BadRequest, e.StatusCode == StatusCodes.Status413PayloadTooLarge ? TooLarge() : e.Message);
                break;
            }
            ReadOnlySequence<byte> buffer = read.Buffer;
            if (buffer.Length > limits.MaxBodyBytes)
            {
                body.AdvanceTo(buffer.End);
                s = Scratch.ForThread();
                status = WriteError(s, StatusCodes.Status400BadRequest, TooLarge());
                break;
            }
            if (read.IsCompleted || read.IsCanceled)
            {
                s = Scratch.ForThread();
                status = service.Holder is { } holder ? Score(holder, buffer, batch, s) : NotLoaded(s);
                body.AdvanceTo(buffer.End);
                break;
            }
            body.AdvanceTo(buffer.Start, buffer.End);
        }
        await Send(context, route, status, s, start);
    }

    private string TooLarge() => string.Create(CultureInfo.InvariantCulture, $"the request body is over {limits.MaxBodyBytes} bytes (--max-body-bytes)");

    /// <summary>Parses, scores and writes the response into the scratch; returns the status code.</summary>
    private int Score(ModelHolder holder, ReadOnlySequence<byte> body, bool batch, Scratch s)
    {
        LoadedModel model = holder.Acquire();
        Recommender recommender = model.RentRecommender();
        try
        {
            var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = 8 });
            RecommendRequest.Next(ref reader);
            Utf8JsonWriter json = s.Json;
            json.WriteStartObject();
            if (batch)
                ScoreBatch(ref reader, model, recommender, s);
            else
                ScoreUser(ref reader, model, recommender, s);
            json.WriteString(ModelKey, model.JsonId);
            json.WriteEndObject();
            if (reader.Read())
                throw new BadRequestException("malformed JSON: more after the request object");
            return StatusCodes.Status200OK;
        }
        catch (BadRequestException e)
        {
            return WriteError(s, StatusCodes.Status400BadRequest, e.Message);
        }
        catch (JsonException e)
        {
            return WriteError(s, StatusCodes.Status400BadRequest, "malformed JSON: " + e.Message);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A bug, not the client's fault: answer 500 and keep serving.
            Log.RequestFailed(log, e.GetType().Name, e.Message);
            return WriteError(s, StatusCodes.Status500InternalServerError, "internal error; see the server log");
        }
        finally
        {
            model.Return(recommender);
            model.Release();
        }
    }

    private void ScoreBatch(ref Utf8JsonReader reader, LoadedModel model, Recommender recommender, Scratch s)
    {
        const string Shape = "a batch request is {\"users\": [{\"history\": [...]}, ...]}";
        if (reader.TokenType != JsonTokenType.StartObject
            || RecommendRequest.Next(ref reader) != JsonTokenType.PropertyName || !reader.ValueTextEquals("users"u8)
            || RecommendRequest.Next(ref reader) != JsonTokenType.StartArray)
            throw new BadRequestException(Shape);
        s.Json.WriteStartArray(ResultsKey);
        int users = 0;
        while (RecommendRequest.Next(ref reader) != JsonTokenType.EndArray)
        {
            if (++users > limits.MaxBatch)
                throw new BadRequestException($"\"users\" has more than {limits.MaxBatch} users (--max-batch)");
            s.Json.WriteStartObject();
            ScoreUser(ref reader, model, recommender, s);
            s.Json.WriteEndObject();
        }
        s.Json.WriteEndArray();
        if (RecommendRequest.Next(ref reader) != JsonTokenType.EndObject)
            throw new BadRequestException(Shape);
    }

    /// <summary>Writes items, unknown and fallback of one user into the open JSON object.</summary>
    private void ScoreUser(ref Utf8JsonReader reader, LoadedModel model, Recommender recommender, Scratch s)
    {
        RecommendRequest request = s.Request;
        ModelFile file = model.File;
        request.Parse(ref reader, file, limits);
        var options = new RecommendOptions { IncludeSeen = request.IncludeSeen, Filter = request.BuildFilter(file.ItemCount), MaxWeights = limits.MaxWeights };
        Span<ScoredItem> results = s.Results(Math.Min(request.K, file.ItemCount));
        RecommendStatus status;
        int count = request.Weighted
            ? recommender.Recommend(request.Rows, request.Weights, results, out status, options)
            : recommender.Recommend(request.Rows, results, out status, options);
        metrics.Scored(request.UnknownIds, status.UsedPopularityFallback, status.WeightsBudgeted);
        WriteItems(s.Json, file, results[..count]);
        s.Json.WriteNumber(UnknownKey, request.UnknownIds);
        s.Json.WriteBoolean(FallbackKey, status.UsedPopularityFallback);
        if (limits.MaxWeights > 0)
            s.Json.WriteBoolean(BudgetedKey, status.WeightsBudgeted);
    }

    private int WriteSimilar(HttpContext context, ModelHolder holder, Scratch s)
    {
        int k = RecommendRequest.DefaultK;
        string? kText = context.Request.Query["k"];
        if (kText is not null && (!int.TryParse(kText, NumberStyles.None, CultureInfo.InvariantCulture, out k) || k < 1 || k > limits.MaxK))
            throw new BadRequestException($"k must be a whole number from 1 to {limits.MaxK} (--max-k)");
        string id = context.Request.RouteValues["id"] as string ?? "";
        LoadedModel model = holder.Acquire();
        Recommender recommender = model.RentRecommender();
        try
        {
            ModelFile file = model.File;
            if (!file.TryFindItem(id.AsSpan(), out int row))
                return WriteError(s, StatusCodes.Status404NotFound, $"item \"{id}\" is not in the model");
            Span<ScoredItem> results = s.Results(Math.Min(k, file.ItemCount));
            int count = recommender.Similar(row, results);
            s.Json.WriteStartObject();
            WriteItems(s.Json, file, results[..count]);
            s.Json.WriteString(ModelKey, model.JsonId);
            s.Json.WriteEndObject();
            return StatusCodes.Status200OK;
        }
        finally
        {
            model.Return(recommender);
            model.Release();
        }
    }

    private static void WriteItems(Utf8JsonWriter json, ModelFile file, ReadOnlySpan<ScoredItem> items)
    {
        json.WriteStartArray(ItemsKey);
        foreach (ScoredItem item in items)
        {
            json.WriteStartObject();
            json.WriteString(IdKey, file.ItemIdUtf8(item.Row));
            if (float.IsFinite(item.Score))
                json.WriteNumber(ScoreKey, item.Score);
            else
                json.WriteNull(ScoreKey); // only with extreme request weights
            json.WriteEndObject();
        }
        json.WriteEndArray();
    }

    private static int NotLoaded(Scratch s) => WriteError(s, StatusCodes.Status503ServiceUnavailable, "no model loaded yet");

    private static int WriteError(Scratch s, int status, string message)
    {
        s.Reset();
        s.Json.WriteStartObject();
        s.Json.WriteString(ErrorKey, message);
        s.Json.WriteEndObject();
        return status;
    }

    /// <summary>Copies the scratch's JSON into the response and records the request.</summary>
    private Task Send(HttpContext context, Route route, int status, Scratch s, long start)
    {
        s.Json.Flush();
        HttpResponse response = context.Response;
        response.StatusCode = status;
        response.ContentType = JsonType;
        response.ContentLength = s.Output.WrittenCount;
        response.BodyWriter.Write(s.Output.WrittenSpan);
        s.Reset();
        metrics.Record(route, status, start);
        ValueTask<FlushResult> flush = response.BodyWriter.FlushAsync(context.RequestAborted);
        return flush.IsCompletedSuccessfully ? Task.CompletedTask : flush.AsTask();
    }

    private sealed class Scratch
    {
        private const int KeepCapacity = 1 << 20;
        private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = true };

        private ScoredItem[] _results = new ScoredItem[RecommendRequest.DefaultK];

        private Scratch()
        {
            Output = new ArrayBufferWriter<byte>(4096);
            Json = new Utf8JsonWriter(Output, WriterOptions);
        }

        public ArrayBufferWriter<byte> Output { get; private set; }
        public Utf8JsonWriter Json { get; }
        public RecommendRequest Request { get; } = new();

        /// <summary>This thread's scratch, empty (also after a request that failed half-way through writing).</summary>
        public static Scratch ForThread()
        {
            Scratch s = t_scratch ??= new Scratch();
            if (s.Output.WrittenCount != 0 || s.Json.BytesPending != 0 || s.Json.CurrentDepth != 0)
                s.Reset();
            return s;
        }

        public Span<ScoredItem> Results(int k)
        {
            if (_results.Length < k)
                _results = new ScoredItem[k];
            return _results.AsSpan(0, k);
        }

        /// <summary>Empties the output (a huge batch response does not stay allocated).</summary>
        public void Reset()
        {
            if (Output.Capacity > KeepCapacity)
                Output = new ArrayBufferWriter<byte>(4096);
            else
                Output.ResetWrittenCount();
            Json.Reset(Output);
        }
    }
}

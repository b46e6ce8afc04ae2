using System.Text.Json;
using Ease.Engine.Scoring;
using Ease.Format;

namespace Ease.AspNetCore;

/// <summary>A request the client got wrong: answered with 400 and this message.</summary>
internal sealed class BadRequestException(string message) : Exception(message);

/// <summary>The request limits (command-line options of `ease serve`).</summary>
internal sealed record ServeLimits
{
    public int MaxK { get; init; } = 1000;
    public long MaxBodyBytes { get; init; } = 1 << 20;
    public int MaxHistory { get; init; } = 10_000;
    public int MaxBatch { get; init; } = 1000;

    /// <summary>The latency budget of every user's call (<see cref="RecommendOptions.MaxWeights"/>, --max-weights); 0: none.</summary>
    public int MaxWeights { get; init; }
}

/// <summary>
/// One user of a /recommend or /recommend/batch body, parsed straight from UTF-8 with ids
/// resolved to model rows (no strings). An instance is scratch reused by one thread.
/// </summary>
internal sealed class RecommendRequest
{
    public const int DefaultK = 20;

    // An id longer than this (as escaped JSON) cannot be among the model's ids (at most 4,096 UTF-8 bytes each).
    private const int MaxIdEscapedBytes = 6 * 4096;

    private static ReadOnlySpan<byte> HistoryKey => "history"u8;
    private static ReadOnlySpan<byte> WeightsKey => "weights"u8;
    private static ReadOnlySpan<byte> KKey => "k"u8;
    private static ReadOnlySpan<byte> ExcludeKey => "exclude"u8;
    private static ReadOnlySpan<byte> AllowKey => "allow"u8;
    private static ReadOnlySpan<byte> IncludeSeenKey => "include_seen"u8;

    private readonly byte[] _idBytes = new byte[MaxIdEscapedBytes];
    private int[] _history = new int[64];
    private float[] _weights = new float[64];
    private int[] _allow = new int[16];
    private int[] _exclude = new int[16];
    private int _historyCount, _weightCount, _allowCount, _excludeCount;
    private bool _hasHistory, _hasWeights, _hasAllow, _hasExclude;

    public int K { get; private set; }
    public bool IncludeSeen { get; private set; }
    public int UnknownIds { get; private set; }
    public bool Weighted => _hasWeights;

    /// <summary>Known history rows, in request order (unknown ids dropped), after <see cref="Parse"/>.</summary>
    public ReadOnlySpan<int> Rows => _history.AsSpan(0, _historyCount);

    /// <summary>The weights of <see cref="Rows"/> when <see cref="Weighted"/>.</summary>
    public ReadOnlySpan<float> Weights => _weights.AsSpan(0, _hasWeights ? _historyCount : 0);

    /// <summary>Reads one user object; the reader is on its StartObject and ends on its EndObject.</summary>
    public void Parse(ref Utf8JsonReader reader, ModelFile model, ServeLimits limits)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
            throw new BadRequestException("a request is a JSON object: {\"history\": [...], \"k\": 20}");
        _historyCount = _weightCount = _allowCount = _excludeCount = 0;
        _hasHistory = _hasWeights = _hasAllow = _hasExclude = false;
        K = DefaultK;
        IncludeSeen = false;
        while (Next(ref reader) == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals(HistoryKey))
                _hasHistory = ReadIds(ref reader, model, ref _history, out _historyCount, "history", limits.MaxHistory);
            else if (reader.ValueTextEquals(WeightsKey))
                _hasWeights = ReadWeights(ref reader, limits.MaxHistory);
            else if (reader.ValueTextEquals(KKey))
                K = ReadK(ref reader, limits.MaxK);
            else if (reader.ValueTextEquals(ExcludeKey))
                _hasExclude = ReadIds(ref reader, model, ref _exclude, out _excludeCount, "exclude", int.MaxValue);
            else if (reader.ValueTextEquals(AllowKey))
                _hasAllow = ReadIds(ref reader, model, ref _allow, out _allowCount, "allow", int.MaxValue);
            else if (reader.ValueTextEquals(IncludeSeenKey))
                IncludeSeen = Next(ref reader) switch
                {
                    JsonTokenType.True => true,
                    JsonTokenType.False => false,
                    _ => throw new BadRequestException("\"include_seen\" must be true or false"),
                };
            else
                throw new BadRequestException($"unknown field \"{reader.GetString()}\"; expected history, weights, k, exclude, allow, include_seen");
        }
        if (!_hasHistory)
            throw new BadRequestException("\"history\" is required (an array of item ids; [] for a user without one)");
        if (_hasWeights && _weightCount != _historyCount)
            throw new BadRequestException($"\"weights\" has {_weightCount} entries but \"history\" has {_historyCount}; give one weight per id");
        DropUnknown();
    }

    /// <summary>The allow/exclude filter of the request, or null when it has neither.</summary>
    public ItemFilter? BuildFilter(int itemCount)
    {
        if (_hasAllow)
        {
            ReadOnlySpan<int> allowed = _allow.AsSpan(0, _allowCount);
            if (!_hasExclude || _excludeCount == 0)
                return ItemFilter.Allow(itemCount, allowed);
            // Allowed and not excluded: drop excluded rows from the allow list.
            ItemFilter excluded = ItemFilter.Allow(itemCount, _exclude.AsSpan(0, _excludeCount));
            int kept = 0;
            foreach (int row in allowed)
            {
                if (!excluded.IsAllowed(row))
                    _allow[kept++] = row;
            }
            return ItemFilter.Allow(itemCount, _allow.AsSpan(0, kept));
        }
        return _hasExclude && _excludeCount > 0 ? ItemFilter.Deny(itemCount, _exclude.AsSpan(0, _excludeCount)) : null;
    }

    private void DropUnknown()
    {
        int known = 0;
        for (int i = 0; i < _historyCount; i++)
        {
            if (_history[i] < 0)
                continue;
            _history[known] = _history[i];
            if (_hasWeights)
                _weights[known] = _weights[i];
            known++;
        }
        UnknownIds = _historyCount - known;
        _historyCount = known;
    }

    /// <summary>An id array; unknown ids become row -1 (history) or are dropped (filters). False for null.</summary>
    private bool ReadIds(ref Utf8JsonReader reader, ModelFile model, ref int[] rows, out int count, string field, int max)
    {
        count = 0;
        JsonTokenType start = Next(ref reader);
        if (start == JsonTokenType.Null && field != "history")
            return false;
        if (start != JsonTokenType.StartArray)
            throw new BadRequestException($"\"{field}\" must be an array of item ids");
        bool keepUnknown = field == "history";
        int seen = 0;
        while (Next(ref reader) != JsonTokenType.EndArray)
        {
            if (++seen > max)
                throw new BadRequestException($"\"{field}\" has more than {max} ids (--max-history)");
            int row = FindRow(ref reader, model, field);
            if (row < 0 && !keepUnknown)
                continue;
            if (count == rows.Length)
                Array.Resize(ref rows, rows.Length * 2);
            rows[count++] = row;
        }
        return true;
    }

    private int FindRow(ref Utf8JsonReader reader, ModelFile model, string field)
    {
        ReadOnlySpan<byte> id;
        if (reader.TokenType is not (JsonTokenType.String or JsonTokenType.Number))
            throw new BadRequestException($"\"{field}\" holds item ids: strings (or numbers), got {Describe(reader.TokenType)}");
        if (!reader.HasValueSequence && !reader.ValueIsEscaped)
        {
            id = reader.ValueSpan;
        }
        else
        {
            long length = reader.HasValueSequence ? reader.ValueSequence.Length : reader.ValueSpan.Length;
            if (length > _idBytes.Length)
                return -1;
            int copied = reader.TokenType == JsonTokenType.String ? reader.CopyString(_idBytes) : CopyNumber(reader.ValueSequence);
            id = _idBytes.AsSpan(0, copied);
        }
        return model.TryFindItem(id, out int row) ? row : -1;
    }

    private int CopyNumber(System.Buffers.ReadOnlySequence<byte> number)
    {
        System.Buffers.BuffersExtensions.CopyTo(number, _idBytes);
        return (int)number.Length;
    }

    private bool ReadWeights(ref Utf8JsonReader reader, int max)
    {
        _weightCount = 0;
        JsonTokenType start = Next(ref reader);
        if (start == JsonTokenType.Null)
            return false;
        if (start != JsonTokenType.StartArray)
            throw new BadRequestException("\"weights\" must be an array of numbers");
        while (Next(ref reader) != JsonTokenType.EndArray)
        {
            if (_weightCount >= max)
                throw new BadRequestException($"\"weights\" has more than {max} entries (--max-history)");
            if (reader.TokenType != JsonTokenType.Number || !reader.TryGetSingle(out float w) || !float.IsFinite(w))
                throw new BadRequestException($"weights[{_weightCount}] must be a finite number");
            if (_weightCount == _weights.Length)
                Array.Resize(ref _weights, _weights.Length * 2);
            _weights[_weightCount++] = w;
        }
        return true;
    }

    private static int ReadK(ref Utf8JsonReader reader, int maxK)
    {
        if (Next(ref reader) != JsonTokenType.Number || !reader.TryGetInt64(out long k) || k < 1 || k > maxK)
            throw new BadRequestException($"\"k\" must be a whole number from 1 to {maxK} (--max-k)");
        return (int)k;
    }

    private static string Describe(JsonTokenType token) => token switch
    {
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "an array",
        JsonTokenType.Null => "null",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        _ => token.ToString(),
    };

    /// <summary>Advances to the next token; a body that ends early is malformed JSON.</summary>
    public static JsonTokenType Next(ref Utf8JsonReader reader)
    {
        if (!reader.Read())
            throw new BadRequestException("malformed JSON: the body ends early");
        return reader.TokenType;
    }
}

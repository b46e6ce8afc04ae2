using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Ease.Format;

namespace Ease.Engine.Scoring;

/// <summary>
/// How a model turns an ordered history (oldest first) into the weights of its rows: the entry of age a (0 for the
/// most recent) gets <see cref="Decay"/>^a, and only the last <see cref="Window"/> entries count (0: all of them).
/// A model that carries the rule in its metadata (<c>"history": {"order": "oldest first", "decay": D, "window": W}</c>,
/// written by <c>ease train --family sequential</c> or <c>--history-decay</c>) is scored this way whenever it is
/// given a history without weights; <see cref="None"/> is the set semantics of EASE.
/// </summary>
public readonly record struct HistoryWeighting(double Decay, int Window)
{
    /// <summary>No rule: a history is a set.</summary>
    public static HistoryWeighting None => default;

    /// <summary>Whether histories are read in order and weighted by position.</summary>
    public bool IsOrdered => Decay > 0;

    /// <summary>The metadata key of the rule.</summary>
    public const string MetadataKey = "history";

    /// <summary>Throws <see cref="ArgumentException"/> unless 0 &lt; decay ≤ 1 and window ≥ 0.</summary>
    public void Validate()
    {
        if (!double.IsFinite(Decay) || Decay <= 0 || Decay > 1)
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"history decay must be in (0, 1], got {Decay}"));
        if (Window < 0)
            throw new ArgumentException($"history window must be >= 0 (0: the whole history), got {Window}");
    }

    /// <summary>
    /// Fills <paramref name="weights"/> (one per history entry, oldest first) by the rule: entries older than the
    /// window get 0. Allocation-free; the weights of one age are the same float whatever the history's length.
    /// </summary>
    public void Fill(Span<float> weights)
    {
        int length = weights.Length;
        int window = Window > 0 ? Math.Min(Window, length) : length;
        weights[..(length - window)].Clear();
        double w = 1;
        for (int i = length - 1; i >= length - window; i--)
        {
            weights[i] = (float)w;
            w *= Decay;
        }
    }

    /// <summary>The rule as metadata.</summary>
    public JsonObject ToJson() => new()
    {
        ["order"] = "oldest first",
        ["decay"] = Decay,
        ["window"] = Window,
    };

    /// <summary>The rule in <paramref name="metadataJson"/> (a model's metadata), or <see cref="None"/>.</summary>
    /// <exception cref="InvalidDataException">The rule is there but malformed.</exception>
    public static HistoryWeighting FromMetadata(string metadataJson)
    {
        if (string.IsNullOrEmpty(metadataJson) || !metadataJson.Contains($"\"{MetadataKey}\"", StringComparison.Ordinal))
            return None;
        JsonNode? node;
        try { node = JsonNode.Parse(metadataJson); }
        catch (JsonException) { return None; }
        if (node is not JsonObject meta || meta[MetadataKey] is not JsonObject rule)
            return None;
        try
        {
            var parsed = new HistoryWeighting(rule["decay"]!.GetValue<double>(), rule["window"]?.GetValue<int>() ?? 0);
            parsed.Validate();
            return parsed;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or NullReferenceException or FormatException)
        {
            throw new InvalidDataException($"the model's history rule is malformed ({rule.ToJsonString()}): {e.Message}", e);
        }
    }

    /// <summary>The rule of <paramref name="model"/>, or <see cref="None"/>.</summary>
    public static HistoryWeighting Of(ModelFile model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return FromMetadata(model.MetadataJson);
    }

    /// <summary>"decay 0.8 over the last 50 items", for messages.</summary>
    public override string ToString() => !IsOrdered ? "set (no order)"
        : string.Create(CultureInfo.InvariantCulture, $"decay {Decay:0.###} per position from the most recent, {(Window > 0 ? $"last {Window} items" : "whole history")}");
}

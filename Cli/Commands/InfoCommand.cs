using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Ease.Format;

namespace Ease.Cli.Commands;

/// <summary>`ease info MODEL [--json]`: header, metadata and weight statistics of a model file.</summary>
public static class InfoCommand
{
    public static Command Create(CliContext context)
    {
        var model = new Argument<string>("MODEL") { Description = "Path of the model file." };
        var json = new Option<bool>("--json") { Description = "Print one JSON object instead of text." };
        var command = new Command("info", "Show a model file's header, metadata, size and weight statistics.") { model, json };
        command.SetAction(parse =>
        {
            string path = parse.GetValue(model)!;
            using ModelFile file = ModelFile.Open(path);
            ModelSummary summary = ModelSummary.Compute(file);
            JsonObject report = BuildReport(file, summary);
            if (parse.GetValue(json))
                context.Out.WriteLine(report.ToJsonString(JsonOutput.Compact));
            else
                WriteText(context.Out, file, summary);
            return ExitCodes.Ok;
        });
        return command;
    }

    public static JsonObject BuildReport(ModelFile file, ModelSummary s)
    {
        var sections = new JsonArray();
        foreach (SectionInfo section in file.Sections)
        {
            sections.Add(new JsonObject
            {
                ["kind"] = section.Kind,
                ["name"] = section.Name,
                ["offset"] = section.Offset,
                ["length"] = section.Length,
                ["crc32c"] = $"0x{section.Crc:X8}",
            });
        }
        return new JsonObject
        {
            ["path"] = file.FilePath,
            ["file_bytes"] = file.FileLength,
            ["format_version"] = $"{file.MajorVersion}.{file.MinorVersion}",
            ["value_type"] = file.WeightType.ToString().ToLowerInvariant(),
            ["values"] = ModelEncoding.Name(file.WeightType),
            ["column_bits"] = (int)file.Encoding.Columns * 8,
            ["bytes_per_weight"] = file.Encoding.BytesPerWeight,
            ["items"] = s.Items,
            ["nonzeros"] = s.NonZeros,
            ["density"] = s.Density,
            ["row_nnz"] = new JsonObject { ["min"] = s.RowNonZerosMin, ["median"] = s.RowNonZerosMedian, ["max"] = s.RowNonZerosMax },
            ["empty_rows"] = s.EmptyRows,
            ["negative_share"] = s.NegativeShare,
            ["has_popularity"] = file.HasPopularity,
            ["sections"] = sections,
            ["metadata"] = ParseMetadata(file.MetadataJson),
        };
    }

    private static JsonNode? ParseMetadata(string text)
    {
        if (string.IsNullOrEmpty(text))
            return null;
        try { return JsonNode.Parse(text); }
        catch (JsonException) { return JsonValue.Create(text); }
    }

    /// <summary>"sparse, 256 candidates per item (method)" from the metadata a trainer wrote; null when it names no solver.</summary>
    internal static string? SolverLine(string metadata)
    {
        if (ParseMetadata(metadata) is not JsonObject meta || meta["solver"] is not JsonObject solver || solver["kind"] is not JsonValue kind)
            return null;
        string line = kind.ToString();
        if (solver["neighbors"] is JsonValue neighbors)
            line += $", {neighbors} candidates per item";
        if (solver["method"] is JsonValue method)
            line += $" ({method})";
        return line;
    }

    private static void WriteText(TextWriter o, ModelFile f, ModelSummary s)
    {
        o.WriteLine($"model         {f.FilePath}");
        o.WriteLine($"file size     {Units.Bytes(f.FileLength)} ({f.FileLength:N0} bytes)");
        o.WriteLine($"format        v{f.MajorVersion}.{f.MinorVersion}, {f.WeightType.ToString().ToLowerInvariant()} weights");
        o.WriteLine($"encoding      {f.Encoding}");
        o.WriteLine($"items         {s.Items:N0}");
        o.WriteLine($"non-zeros     {s.NonZeros:N0} (density {s.Density * 100:0.###}%)");
        o.WriteLine($"row nnz       min {s.RowNonZerosMin:N0} / median {s.RowNonZerosMedian:N1} / max {s.RowNonZerosMax:N0} ({s.EmptyRows:N0} empty)");
        o.WriteLine($"negative      {s.NegativeShare * 100:0.0}% of weights");
        o.WriteLine($"popularity    {(f.HasPopularity ? "present" : "absent")}");
        if (SolverLine(f.MetadataJson) is { } solver)
            o.WriteLine($"solver        {solver}");
        Engine.Scoring.HistoryWeighting rule;
        try { rule = Engine.Scoring.HistoryWeighting.Of(f); }
        catch (InvalidDataException) { rule = Engine.Scoring.HistoryWeighting.None; }
        o.WriteLine($"history       {(rule.IsOrdered ? $"ordered, oldest first: {rule}" : "a set (no order)")}");
        o.WriteLine("sections");
        foreach (SectionInfo section in f.Sections)
            o.WriteLine($"  {section.Name,-14} offset {section.Offset,14:N0}  length {section.Length,14:N0}  crc32c 0x{section.Crc:X8}");
        string meta = f.MetadataJson;
        if (!string.IsNullOrEmpty(meta))
        {
            o.WriteLine("metadata");
            try
            {
                using JsonDocument doc = JsonDocument.Parse(meta);
                foreach (string line in JsonSerializer.Serialize(doc.RootElement, JsonOutput.Indented).Split('\n'))
                    o.WriteLine("  " + line.TrimEnd('\r'));
            }
            catch (JsonException)
            {
                o.WriteLine("  " + meta);
            }
        }
    }
}

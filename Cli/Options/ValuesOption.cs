using System.CommandLine;
using Ease.Format;

namespace Ease.Cli.Options;

/// <summary>`--values f32|f16|bf16|i8`: how a written model stores its weights (FORMAT.md, "Value encodings").</summary>
internal sealed class ValuesOption
{
    public ValuesOption(string defaultValue = "f32")
    {
        Option = new Option<string>("--values")
        {
            Description = "Stored weight encoding: f32 (8 bytes per weight), f16 or bf16 (4 bytes with 16-bit columns), i8 with a per-row scale (3 bytes). Compact encodings need format v1.1 readers.",
            DefaultValueFactory = _ => defaultValue,
            HelpName = "f32|f16|bf16|i8",
        };
        Option.AcceptOnlyFromAmong("f32", "f16", "bf16", "i8");
    }

    public Option<string> Option { get; }

    public WeightType Bind(ParseResult parse) =>
        ModelEncoding.TryParse(parse.GetValue(Option), out WeightType type) ? type : WeightType.Float32;
}

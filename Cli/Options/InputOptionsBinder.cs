using System.CommandLine;
using System.CommandLine.Parsing;
using Ease.Engine.Input;

namespace Ease.Cli.Options;

/// <summary>
/// The input-file options shared by <c>ease train</c>, <c>ease recommend</c> and <c>ease evaluate</c>: adds them to a
/// command and turns a parse result into <see cref="InputOptions"/>. The file itself is each verb's own option.
/// Flag names are a public contract: <c>--format</c>, <c>--delimiter</c>, <c>--header</c>/<c>--no-header</c>,
/// <c>--user-col</c>, <c>--item-col</c>, <c>--weight-col</c>, <c>--order-col</c>, <c>--min-weight</c>, <c>--skip-bad-rows</c>.
/// </summary>
public sealed class InputOptionsBinder
{
    /// <summary><c>--format delimited|adjacency|parquet</c>.</summary>
    public Option<string> Format { get; } = new("--format")
    {
        Description = "Input layout: 'delimited' (one user,item[,weight] row per interaction) or 'adjacency' "
            + "(one 'user item item ...' line per user, whitespace separated) or 'parquet' (an Apache Parquet file, "
            + "one interaction per row; columns by name or index as for delimited).",
        HelpName = "delimited|adjacency|parquet",
        DefaultValueFactory = _ => "delimited",
    };

    /// <summary><c>--delimiter STR</c>; parsed with <see cref="InputOptions.ParseDelimiter"/>.</summary>
    public Option<string?> Delimiter { get; } = new("--delimiter")
    {
        Description = "Field delimiter of a delimited file: any string (',', '::', '|'), or a name: '\\t'/tab, comma, "
            + "semicolon, pipe, space/whitespace (runs of blanks). Default: detected from the first line "
            + "('::', tab, ',', ';', '|', then spaces).",
        HelpName = "STR",
        CustomParser = ParseDelimiterToken,
    };

    /// <summary><c>--header</c>: the first row is a header.</summary>
    public Option<bool> Header { get; } = new("--header")
    {
        Description = "The first row is a header (column names). Default: detected; a header is assumed when a column "
            + "is chosen by name, or when a selected column is numeric in row 2 but not in row 1.",
    };

    /// <summary><c>--no-header</c>: the first row is data.</summary>
    public Option<bool> NoHeader { get; } = new("--no-header")
    {
        Description = "The first row is data, not a header.",
    };

    /// <summary><c>--user-col NAME|INDEX</c>.</summary>
    public Option<string> UserColumn { get; } = new("--user-col")
    {
        Description = "User id column: 0-based index or header name.",
        HelpName = "NAME|INDEX",
        DefaultValueFactory = _ => "0",
    };

    /// <summary><c>--item-col NAME|INDEX</c>.</summary>
    public Option<string> ItemColumn { get; } = new("--item-col")
    {
        Description = "Item id column: 0-based index or header name.",
        HelpName = "NAME|INDEX",
        DefaultValueFactory = _ => "1",
    };

    /// <summary><c>--weight-col NAME|INDEX</c>.</summary>
    public Option<string?> WeightColumn { get; } = new("--weight-col")
    {
        Description = "Weight column (rating, play count), 0-based index or header name; every row's weight must then "
            + "be a number. Default: none, or column 2 when --min-weight is given.",
        HelpName = "NAME|INDEX",
    };

    /// <summary><c>--order-col NAME|INDEX</c>.</summary>
    public Option<string?> OrderColumn { get; } = new("--order-col")
    {
        Description = "Order column (a timestamp or sequence number), 0-based index or header name, of delimited or "
            + "Parquet input: each user's rows are sorted by it, stably (equal values keep their file order), for the "
            + "models and evaluations that read histories in order. Adjacency lines are read in their order already.",
        HelpName = "NAME|INDEX",
    };

    /// <summary><c>--min-weight X</c>.</summary>
    public Option<double?> MinWeight { get; } = new("--min-weight")
    {
        Description = "Keep only rows whose weight is >= X (e.g. 4 for ratings of 4 and 5); the kept rows are binarized.",
        HelpName = "X",
    };

    /// <summary><c>--skip-bad-rows</c>.</summary>
    public Option<bool> SkipBadRows { get; } = new("--skip-bad-rows")
    {
        Description = "Skip malformed rows (too few fields, empty id, non-numeric weight, invalid UTF-8, lines over "
            + "1 MiB) and report how many, instead of stopping at the first one.",
    };

    /// <summary>Creates the options; call <see cref="AddTo"/> for each command that reads interaction files.</summary>
    public InputOptionsBinder()
    {
        Format.AcceptOnlyFromAmong(StringComparer.OrdinalIgnoreCase, "delimited", "adjacency", "parquet");
    }

    /// <summary>All the options, in help order.</summary>
    public IEnumerable<Option> All =>
        [Format, Delimiter, Header, NoHeader, UserColumn, ItemColumn, WeightColumn, OrderColumn, MinWeight, SkipBadRows];

    /// <summary>Adds the options to <paramref name="command"/>, with a check that --header and --no-header are not both given.</summary>
    public void AddTo(Command command)
    {
        ArgumentNullException.ThrowIfNull(command);
        foreach (Option option in All)
            command.Options.Add(option);
        command.Validators.Add(result =>
        {
            if (result.GetValue(Header) && result.GetValue(NoHeader))
                result.AddError("--header and --no-header cannot both be given.");
            if (result.GetValue(OrderColumn) is not null && string.Equals(result.GetValue(Format), "adjacency", StringComparison.OrdinalIgnoreCase))
                result.AddError("--order-col is for delimited and Parquet input; adjacency lines are read in their order already.");
        });
    }

    /// <summary>Builds the <see cref="InputOptions"/> chosen on the command line.</summary>
    public InputOptions Bind(ParseResult parseResult)
    {
        ArgumentNullException.ThrowIfNull(parseResult);
        bool? hasHeader = parseResult.GetValue(Header) ? true : parseResult.GetValue(NoHeader) ? false : null;
        return new InputOptions
        {
            Format = parseResult.GetValue(Format)?.ToLowerInvariant() switch
            {
                "adjacency" => InputFormat.Adjacency,
                "parquet" => InputFormat.Parquet,
                _ => InputFormat.Delimited,
            },
            Delimiter = parseResult.GetValue(Delimiter),
            HasHeader = hasHeader,
            UserColumn = parseResult.GetValue(UserColumn) ?? "0",
            ItemColumn = parseResult.GetValue(ItemColumn) ?? "1",
            WeightColumn = parseResult.GetValue(WeightColumn),
            OrderColumn = parseResult.GetValue(OrderColumn),
            MinWeight = parseResult.GetValue(MinWeight),
            SkipBadRows = parseResult.GetValue(SkipBadRows),
        };
    }

    static string? ParseDelimiterToken(ArgumentResult result)
    {
        if (result.Tokens.Count == 0)
            return null;
        try
        {
            return InputOptions.ParseDelimiter(result.Tokens[0].Value);
        }
        catch (ArgumentException e)
        {
            result.AddError(e.Message);
            return null;
        }
    }
}

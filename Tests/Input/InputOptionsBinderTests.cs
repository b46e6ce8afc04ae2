using System.CommandLine;
using Ease.Cli.Options;
using Ease.Engine.Input;

namespace Ease.Tests.Input;

public sealed class InputOptionsBinderTests
{
    static (InputOptions Options, ParseResult Result) Parse(params string[] args)
    {
        var binder = new InputOptionsBinder();
        var command = new RootCommand("test");
        binder.AddTo(command);
        ParseResult result = command.Parse(args);
        return (result.Errors.Count == 0 ? binder.Bind(result) : new InputOptions(), result);
    }

    [Fact]
    public void Defaults_match_input_options_defaults()
    {
        var (options, result) = Parse();
        Assert.Empty(result.Errors);
        Assert.Equal(new InputOptions(), options);
    }

    [Fact]
    public void All_flags_bind()
    {
        var (options, result) = Parse("--format", "adjacency", "--delimiter", "tab", "--header", "--user-col", "userID",
            "--item-col", "3", "--weight-col", "weight", "--min-weight", "3.5", "--skip-bad-rows");
        Assert.Empty(result.Errors);
        Assert.Equal(new InputOptions
        {
            Format = InputFormat.Adjacency, Delimiter = "\t", HasHeader = true, UserColumn = "userID", ItemColumn = "3",
            WeightColumn = "weight", MinWeight = 3.5, SkipBadRows = true,
        }, options);
    }

    [Fact]
    public void Order_col_binds_for_delimited_input_and_is_an_error_for_adjacency()
    {
        var (options, result) = Parse("--order-col", "ts");
        Assert.Empty(result.Errors);
        Assert.Equal("ts", options.OrderColumn);
        Assert.True(options.KeepsOrder);
        (_, result) = Parse("--format", "adjacency", "--order-col", "2");
        Assert.Contains(result.Errors, e => e.Message.Contains("--order-col is for delimited and Parquet input", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("\\t", "\t")]
    [InlineData("comma", ",")]
    [InlineData("::", "::")]
    [InlineData("whitespace", InputOptions.Whitespace)]
    [InlineData(";", ";")]
    public void Delimiter_names(string typed, string expected)
    {
        var (options, result) = Parse("--delimiter", typed);
        Assert.Empty(result.Errors);
        Assert.Equal(expected, options.Delimiter);
    }

    [Fact]
    public void No_header_and_conflicts()
    {
        Assert.False(Parse("--no-header").Options.HasHeader);
        Assert.NotEmpty(Parse("--header", "--no-header").Result.Errors);
        Assert.NotEmpty(Parse("--format", "xlsx").Result.Errors);
        Assert.Equal(InputFormat.Parquet, Parse("--format", "Parquet").Options.Format);
    }

    [Fact]
    public void Every_option_has_a_description()
    {
        foreach (Option option in new InputOptionsBinder().All)
            Assert.False(string.IsNullOrWhiteSpace(option.Description), option.Name);
    }
}

using Ease.Engine.Input;
using static Ease.Tests.Input.InteractionAssert;

namespace Ease.Tests.Input;

/// <summary>Each supported layout, read from small files written by the test.</summary>
public sealed class InteractionReaderFormatTests : IDisposable
{
    readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Csv_with_header_selects_columns_by_name()
    {
        string path = _dir.Write("ratings.csv", "itemId,userId,rating\nB00012345,alice,5\nB00099999,bob,3\nB00012345,bob,4\n");
        var set = InteractionReader.Read(path, new InputOptions { UserColumn = "userId", ItemColumn = "itemId" });

        Equal(set, "alice B00012345", "bob B00099999", "bob B00012345");
        Assert.Equal(["alice", "bob"], set.UserIds);
        Assert.Equal(["B00012345", "B00099999"], set.ItemIds); // first-seen order
        Assert.Equal(4, set.LinesRead);
    }

    [Fact]
    public void Header_names_match_case_insensitively_when_no_exact_match()
    {
        string path = _dir.Write("ratings.csv", "UserID,ItemID\n1,2\n");
        var set = InteractionReader.Read(path, new InputOptions { UserColumn = "userid", ItemColumn = "itemid" });
        Equal(set, "1 2");
    }

    [Fact]
    public void Tsv_by_index_detects_numeric_header()
    {
        string path = _dir.Write("user_artists.dat", "userID\tartistID\tweight\n2\t51\t13883\n2\t52\t11690\n3\t51\t1\n");
        var set = InteractionReader.Read(path, new InputOptions());

        Equal(set, "2 51", "2 52", "3 51");
        Assert.Equal([2, 1], set.ItemPopularity);
    }

    [Fact]
    public void Headerless_numeric_file_keeps_first_row()
    {
        string path = _dir.Write("plain.csv", "1,10\n2,20\n");
        Equal(InteractionReader.Read(path, new InputOptions()), "1 10", "2 20");
    }

    [Fact]
    public void Non_numeric_ids_without_header_flag_are_data()
    {
        // Auto-detection cannot tell "user,item" from data when every id is a string; --header decides.
        string path = _dir.Write("names.csv", "user,item\nalice,book\n");
        Assert.Equal(2, InteractionReader.Read(path, new InputOptions()).InteractionCount);
        Equal(InteractionReader.Read(path, new InputOptions { HasHeader = true }), "alice book");
    }

    [Fact]
    public void MovieLens_double_colon_with_min_weight()
    {
        string path = _dir.Write("ratings.dat", "1::1193::5::978300760\n1::661::3::978302109\n2::1193::4::978300275\n3::914::2::978301968\n");
        var set = InteractionReader.Read(path, new InputOptions { MinWeight = 4 }); // weight column defaults to 2

        Equal(set, "1 1193", "2 1193");
        Assert.Equal(2, set.FilteredRows);
        Assert.Equal(2, set.UserCount); // user 3 had only a filtered row
        Assert.Equal(1, set.ItemCount);
    }

    [Fact]
    public void Min_weight_with_named_weight_column()
    {
        string path = _dir.Write("plays.tsv", "user\titem\tplays\nu1\ta\t10\nu1\tb\t0.5\nu2\ta\t1e3\n");
        var set = InteractionReader.Read(path, new InputOptions { UserColumn = "user", ItemColumn = "item", WeightColumn = "plays", MinWeight = 1 });
        Equal(set, "u1 a", "u2 a");
        Assert.Equal(1, set.FilteredRows);
    }

    [Fact]
    public void Explicit_multi_character_delimiter_and_trimmed_quoted_fields()
    {
        string path = _dir.Write("odd.txt", "\"u 1\" || \"i,1\"\nu2||i2\n");
        var set = InteractionReader.Read(path, new InputOptions { Delimiter = "||", HasHeader = false });
        Equal(set, "u 1 i,1", "u2 i2");
    }

    [Fact]
    public void Whitespace_delimited_rows()
    {
        string path = _dir.Write("spaces.txt", "  7   70 \n8\t80\n");
        Equal(InteractionReader.Read(path, new InputOptions { Delimiter = InputOptions.Whitespace }), "7 70", "8 80");
    }

    [Fact]
    public void Adjacency_lines_keep_ids_as_written_and_users_without_items()
    {
        string path = _dir.Write("train.txt", "0 5 3 5\n1\n007 3\n\n0 9\n");
        var set = InteractionReader.Read(path, new InputOptions { Format = InputFormat.Adjacency });

        Assert.Equal(["0", "1", "007"], set.UserIds);
        Assert.Equal(["5", "3", "9"], set.ItemIds);
        Assert.Equal([0, 1, 2], set.ItemsOf(0).ToArray()); // indices "5"=0, "3"=1, "9"=2, ascending, once each
        Assert.True(set.ItemsOf(1).IsEmpty);
        Assert.Equal(4, set.InteractionCount);
        Assert.Equal(1, set.DuplicatePairs);
    }

    [Fact]
    public void Duplicates_count_once()
    {
        string path = _dir.Write("dups.csv", "1,2\n1,2\n1,3\n1,2\n");
        var set = InteractionReader.Read(path, new InputOptions());
        Assert.Equal(2, set.InteractionCount);
        Assert.Equal(2, set.DuplicatePairs);
        Assert.Equal([1], set.ItemPopularity[..1]);
    }

    [Fact]
    public void Gzip_is_read_transparently_and_progress_is_reported()
    {
        string path = _dir.WriteBytes("ratings.csv.gz", TempDir.Gzip("user,item\n1,10\n2,20\n2,10\n"));
        var reports = new List<ReadProgress>();
        var set = InteractionReader.Read(path, new InputOptions(), new SynchronousProgress(reports.Add));

        Equal(set, "1 10", "2 20", "2 10");
        Assert.NotEmpty(reports);
        Assert.Equal(new FileInfo(path).Length, reports[^1].TotalBytes); // compressed size
        Assert.Equal(1.0, reports[^1].Fraction);
    }

    [Fact]
    public void Crlf_line_endings_and_bom()
    {
        string path = _dir.WriteBytes("windows.csv", [0xEF, 0xBB, 0xBF, .. "userId,itemId\r\n1,10\r\n2,20\r\n"u8]);
        var set = InteractionReader.Read(path, new InputOptions { UserColumn = "userId", ItemColumn = "itemId" });
        Equal(set, "1 10", "2 20");
    }

    [Fact]
    public void Last_line_without_newline_and_utf8_ids()
    {
        string path = _dir.Write("utf8.csv", "zoë,café\nzoë,naïve");
        Equal(InteractionReader.Read(path, new InputOptions()), "zoë café", "zoë naïve");
    }

    [Fact]
    public void Empty_file_gives_empty_set()
    {
        string path = _dir.Write("empty.csv", "");
        var set = InteractionReader.Read(path, new InputOptions());
        Assert.Equal(0, set.UserCount);
        Assert.Equal(0, set.ItemCount);
        Assert.Equal(0, set.InteractionCount);

        string blank = _dir.Write("blank.txt", "\n\n  \n");
        Assert.Equal(0, InteractionReader.Read(blank, new InputOptions { Format = InputFormat.Adjacency }).UserCount);
    }

    [Fact]
    public void Header_only_file_gives_no_interactions()
    {
        string path = _dir.Write("header.csv", "userID,itemID\n");
        Assert.Equal(0, InteractionReader.Read(path, new InputOptions { UserColumn = "userID", ItemColumn = "itemID" }).InteractionCount);
    }

    [Fact]
    public void Known_items_drop_unknown_and_keep_indices()
    {
        string path = _dir.Write("test.txt", "u1 b x a\nu2 y\n");
        var set = InteractionReader.Read(path, new InputOptions { Format = InputFormat.Adjacency }, ["a", "b", "c"], UnknownItemPolicy.Drop);

        Assert.Equal(["a", "b", "c"], set.ItemIds);
        Assert.Equal([0, 1], set.ItemsOf(0).ToArray());
        Assert.Equal(["u1", "u2"], set.UserIds);
        Assert.True(set.ItemsOf(1).IsEmpty);
        Assert.Equal(2, set.UnknownItemInteractions);
    }

    [Fact]
    public void Known_items_add_unknown_after_known()
    {
        string path = _dir.Write("more.csv", "u1,z\nu1,b\n");
        var set = InteractionReader.Read(path, new InputOptions(), ["a", "b"], UnknownItemPolicy.Add);
        Assert.Equal(["a", "b", "z"], set.ItemIds);
        Assert.Equal([1, 2], set.ItemsOf(0).ToArray());
        Assert.Equal(0, set.UnknownItemInteractions);
    }

    [Fact]
    public void Numeric_ids_keep_their_spelling_and_respect_known_items()
    {
        // Decimal ids take a cached fast path; "010" and "10" must stay different ids, and unknown numbers are dropped.
        string path = _dir.Write("numeric.txt", "u 2 010 10 3 10\n");
        var set = InteractionReader.Read(path, new InputOptions { Format = InputFormat.Adjacency }, ["10", "2"], UnknownItemPolicy.Drop);
        Assert.Equal([0, 1], set.ItemsOf(0).ToArray());
        Assert.Equal(2, set.UnknownItemInteractions);

        var added = InteractionReader.Read(path, new InputOptions { Format = InputFormat.Adjacency });
        Assert.Equal(["2", "010", "10", "3"], added.ItemIds);
    }

    [Fact]
    public void Long_lines_within_limit_are_read()
    {
        // A 200 KB adjacency line spans several read buffers.
        string line = "u " + string.Join(' ', Enumerable.Range(0, 30_000));
        string path = _dir.Write("long.txt", line + "\nv 1\n");
        var set = InteractionReader.Read(path, new InputOptions { Format = InputFormat.Adjacency });
        Assert.Equal(30_001, set.InteractionCount);
    }

    [Fact]
    public void Cancellation_is_observed()
    {
        string path = _dir.Write("a.csv", "1,2\n");
        Assert.Throws<OperationCanceledException>(() => InteractionReader.Read(path, new InputOptions(), ct: new CancellationToken(canceled: true)));
    }

    /// <summary>Progress&lt;T&gt; posts to the thread pool; this one reports inline so the test sees every report.</summary>
    sealed class SynchronousProgress(Action<ReadProgress> report) : IProgress<ReadProgress>
    {
        public void Report(ReadProgress value) => report(value);
    }
}

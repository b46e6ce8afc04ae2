using Ease.Engine.Input;

namespace Ease.Tests.Input;

/// <summary>Malformed input: the right line number and a one-line message, or a count with SkipBadRows.</summary>
public sealed class InteractionReaderErrorTests : IDisposable
{
    readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    InputFormatException ReadFails(string path, InputOptions options) =>
        Assert.Throws<InputFormatException>(() => InteractionReader.Read(path, options));

    [Fact]
    public void Too_few_fields_names_line_delimiter_and_count()
    {
        string path = _dir.Write("ratings.csv", "user,item,rating\n" + string.Concat(Enumerable.Repeat("1,2,5\n", 15)) + "12,abc\n");
        var e = ReadFails(path, new InputOptions { WeightColumn = "2" });

        Assert.Equal(17, e.LineNumber);
        Assert.Equal("12,abc", e.LineText);
        Assert.Equal(path, e.Path);
        Assert.Equal("expected at least 3 fields separated by ',' but found 2", e.Reason);
        Assert.Equal($"{path}:17: expected at least 3 fields separated by ',' but found 2: \"12,abc\"", e.Message);
    }

    [Fact]
    public void Non_numeric_weight()
    {
        string path = _dir.Write("r.tsv", "1\t2\t4.5\n1\t3\tfive\n");
        var e = ReadFails(path, new InputOptions { WeightColumn = "2" });
        Assert.Equal(2, e.LineNumber);
        Assert.Equal("weight \"five\" in column 2 is not a finite number", e.Reason);
        Assert.Contains("'\\t'", ReadFails(_dir.Write("short.tsv", "1\t2\t3\n4\n"), new InputOptions { WeightColumn = "2" }).Message);
    }

    [Fact]
    public void Empty_ids()
    {
        var user = ReadFails(_dir.Write("u.csv", "1,2\n ,3\n"), new InputOptions());
        Assert.Equal((2, "empty user id in column 0"), (user.LineNumber, user.Reason));
        var item = ReadFails(_dir.Write("i.csv", "1,2\n\n3,\"\"\n"), new InputOptions());
        Assert.Equal((3, "empty item id in column 1"), (item.LineNumber, item.Reason)); // blank line 2 still counts
    }

    [Fact]
    public void Line_longer_than_one_mebibyte()
    {
        string path = _dir.Write("huge.csv", "1,2\n1," + new string('x', (1 << 20) + 10) + "\n3,4\n");
        var e = ReadFails(path, new InputOptions());
        Assert.Equal(2, e.LineNumber);
        Assert.StartsWith("line is longer than", e.Reason);
        Assert.True(e.LineText!.Length <= InputFormatException.MaxLineTextLength + 3);
        Assert.DoesNotContain('\n', e.Message);

        var skipped = InteractionReader.Read(path, new InputOptions { SkipBadRows = true });
        Assert.Equal(1, skipped.SkippedRows);
        InteractionAssert.Equal(skipped, "1 2", "3 4");
        Assert.Equal(3, skipped.LinesRead);
    }

    [Fact]
    public void Invalid_utf8()
    {
        string path = _dir.WriteBytes("bad.csv", [.. "1,2\n"u8, (byte)'3', (byte)',', 0xFF, 0xFE, (byte)'\n', .. "5,6\n"u8]);
        var e = ReadFails(path, new InputOptions());
        Assert.Equal(2, e.LineNumber);
        Assert.Equal("line is not valid UTF-8 (byte 0xFF at byte offset 2)", e.Reason);
    }

    [Fact]
    public void Skip_bad_rows_counts_every_kind()
    {
        string path = _dir.WriteBytes("mixed.csv",
        [
            .. "user,item,w\n1,a,1\n2\n,b,1\n3,c,x\n"u8,
            (byte)'4', (byte)',', 0xC3, (byte)',', (byte)'1', (byte)'\n',
            .. "5,e,2\n"u8,
        ]);
        var set = InteractionReader.Read(path, new InputOptions { WeightColumn = "w", UserColumn = "user", ItemColumn = "item", SkipBadRows = true });
        InteractionAssert.Equal(set, "1 a", "5 e");
        Assert.Equal(4, set.SkippedRows);
        Assert.Equal(7, set.LinesRead);
    }

    [Fact]
    public void Control_characters_in_row_keep_message_on_one_line()
    {
        string path = _dir.Write("ctl.csv", "1,2,3\n7\r\r,\n");
        var e = ReadFails(path, new InputOptions { WeightColumn = "2" });
        Assert.DoesNotContain('\r', e.Message);
        Assert.Contains("\\r", e.Message);
    }

    [Fact]
    public void Header_without_the_named_column()
    {
        string path = _dir.Write("h.csv", "userID,artistID\n1,2\n");
        var e = ReadFails(path, new InputOptions { UserColumn = "userID", ItemColumn = "itemID" });
        Assert.Equal(1, e.LineNumber);
        Assert.Equal("item column \"itemID\" is not in the header (columns: userID, artistID)", e.Reason);
    }

    [Fact]
    public void Undetectable_delimiter()
    {
        var e = ReadFails(_dir.Write("one.csv", "12345\n"), new InputOptions());
        Assert.Contains("--delimiter", e.Message);
    }

    [Fact]
    public void Truncated_gzip_names_the_file()
    {
        string text = string.Concat(Enumerable.Range(0, 20_000).Select(i => $"{i % 997},{i % 1009}\n"));
        byte[] gz = TempDir.Gzip(text);
        foreach (int cut in new[] { gz.Length - 4, gz.Length / 2, 10 })
        {
            string path = _dir.WriteBytes($"cut{cut}.csv.gz", gz[..cut]);
            var e = ReadFails(path, new InputOptions());
            Assert.Equal(path, e.Path);
            Assert.Contains("gzip", e.Reason);
            Assert.StartsWith(path + ":", e.Message);
        }
    }

    [Fact]
    public void Corrupt_gzip_is_an_input_format_exception()
    {
        byte[] gz = TempDir.Gzip(string.Concat(Enumerable.Range(0, 5000).Select(i => $"{i},{i * 7}\n")));
        for (int k = 20; k < 60; k++)
            gz[k] ^= 0x5A;
        string path = _dir.WriteBytes("corrupt.csv.gz", gz);
        var e = ReadFails(path, new InputOptions());
        Assert.Contains("gzip", e.Reason);
    }

    [Fact]
    public void Missing_file_is_a_clear_file_not_found()
    {
        string path = Path.Combine(_dir.Path, "nope.csv");
        var e = Assert.Throws<FileNotFoundException>(() => InteractionReader.Read(path, new InputOptions()));
        Assert.Contains("nope.csv", e.Message);
        Assert.Equal(path, e.FileName);
    }

    [Fact]
    public void Contradictory_options_are_rejected_before_reading()
    {
        string path = _dir.Write("a.csv", "1,2\n");
        Assert.Throws<ArgumentException>(() => InteractionReader.Read(path, new InputOptions { HasHeader = false, UserColumn = "user" }));
        Assert.Throws<ArgumentException>(() => InteractionReader.Read(path, new InputOptions { Format = InputFormat.Adjacency, MinWeight = 1 }));
        Assert.Throws<ArgumentException>(() => InteractionReader.Read(path, new InputOptions { UserColumn = "1", ItemColumn = "1" }));
        Assert.Throws<ArgumentException>(() => InteractionReader.Read(path, new InputOptions(), ["a", "a"], UnknownItemPolicy.Drop));
    }
}

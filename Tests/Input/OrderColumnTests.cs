using System.Globalization;
using Ease.Engine.Input;

namespace Ease.Tests.Input;

/// <summary>
/// Sequences: each user's interactions in order, by the file (adjacency, delimited) or by --order-col, sorted stably.
/// References are written by hand, or computed with LINQ's OrderBy (documented stable) over the file's rows.
/// </summary>
public sealed class OrderColumnTests : IDisposable
{
    readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    static string[] Sequence(InteractionSet set, string user)
    {
        int u = set.IndexOfUser(user);
        return [.. set.SequenceOf(u).ToArray().Select(i => set.ItemIds[i])];
    }

    [Fact]
    public void Delimited_rows_are_sorted_by_the_order_column_and_ties_keep_file_order()
    {
        string path = _dir.Write("log.csv", "user,item,ts\nu,c,30\nu,a,10\nv,x,5\nu,b,20\nu,d,20\nv,y,1\nu,e,10\n");
        var set = InteractionReader.Read(path, new InputOptions { UserColumn = "user", ItemColumn = "item", OrderColumn = "ts" });

        Assert.True(set.HasSequences);
        Assert.Equal(["a", "e", "b", "d", "c"], Sequence(set, "u")); // 10 10 20 20 30; a before e, b before d (file order)
        Assert.Equal(["y", "x"], Sequence(set, "v"));
        Assert.Equal(5, set.ItemsOf(set.IndexOfUser("u")).Length); // the set view is unchanged
    }

    [Fact]
    public void Order_column_by_index_and_real_timestamps()
    {
        string path = _dir.Write("ratings.dat", "1::10::5::978300760\n1::11::3::978300000.5\n1::12::4::978302109\n");
        var set = InteractionReader.Read(path, new InputOptions { OrderColumn = "3" });
        Assert.Equal(["11", "10", "12"], Sequence(set, "1"));
    }

    [Fact]
    public void Without_order_column_KeepOrder_keeps_file_order_and_repeats()
    {
        string path = _dir.Write("log.csv", "u,b\nu,a\nu,b\n");
        var set = InteractionReader.Read(path, new InputOptions { KeepOrder = true });
        Assert.Equal(["b", "a", "b"], Sequence(set, "u"));
        Assert.Equal(2, set.ItemsOf(0).Length);
    }

    [Fact]
    public void Adjacency_lines_keep_their_order()
    {
        string path = _dir.Write("seq.txt", "7 30 10 20\n8 5\n");
        var set = InteractionReader.Read(path, new InputOptions { Format = InputFormat.Adjacency, KeepOrder = true });
        Assert.Equal(["30", "10", "20"], Sequence(set, "7"));
        Assert.Equal(["5"], Sequence(set, "8"));
    }

    [Fact]
    public void Known_items_and_min_weight_drop_rows_from_the_sequence()
    {
        string path = _dir.Write("log.csv", "u,a,5,3\nu,zz,5,1\nu,b,1,2\nu,c,4,0\n");
        var set = InteractionReader.Read(path, new InputOptions { WeightColumn = "2", MinWeight = 4, OrderColumn = "3" },
            ["a", "b", "c"], UnknownItemPolicy.Drop);
        Assert.Equal(["c", "a"], Sequence(set, "u"));
    }

    [Fact]
    public void A_non_numeric_order_value_names_file_line_and_column()
    {
        string path = _dir.Write("log.csv", "u,a,1\nu,b,yesterday\n");
        var e = Assert.Throws<InputFormatException>(() => InteractionReader.Read(path, new InputOptions { OrderColumn = "2" }));
        Assert.Contains("log.csv", e.Message);
        Assert.Equal(2, e.LineNumber);
        Assert.Contains("order value \"yesterday\" in column 2 is not a number", e.Message);

        var skipped = InteractionReader.Read(path, new InputOptions { OrderColumn = "2", SkipBadRows = true });
        Assert.Equal(1, skipped.SkippedRows);
    }

    [Fact]
    public void Order_column_is_rejected_for_adjacency_and_when_it_is_the_user_column()
    {
        string path = _dir.Write("seq.txt", "7 30 10\n");
        Assert.Throws<ArgumentException>(() => InteractionReader.Read(path, new InputOptions { Format = InputFormat.Adjacency, OrderColumn = "1" }));
        Assert.Throws<ArgumentException>(() => InteractionReader.Read(path, new InputOptions { OrderColumn = "0" }));
    }

    [Fact]
    public void Sets_read_without_order_have_no_sequences()
    {
        string path = _dir.Write("log.csv", "u,a\n");
        var set = InteractionReader.Read(path, new InputOptions());
        Assert.False(set.HasSequences);
        Assert.Throws<InvalidOperationException>(() => set.SequenceOf(0));
    }

    [Fact]
    public void Stable_sort_matches_linq_order_by_on_random_keys()
    {
        var random = new Random(5);
        double[] scratchKeys = [];
        int[] scratchItems = [];
        foreach (int length in new[] { 0, 1, 2, 3, 7, 64, 129, 1000 })
        {
            double[] keys = [.. Enumerable.Range(0, length).Select(_ => (double)random.Next(12))];
            int[] items = [.. Enumerable.Range(0, length)];
            int[] expected = [.. items.OrderBy(i => keys[i])];
            InteractionSetBuilder.StableSort(keys, items, ref scratchKeys, ref scratchItems);
            Assert.Equal(expected, items);
            Assert.True(keys.Zip(keys.Skip(1)).All(p => p.First <= p.Second));
        }
    }

    [Fact]
    public void Parquet_order_column_gives_the_sequences_of_the_csv_sorted_stably()
    {
        string fixtures = Path.Combine(AppContext.BaseDirectory, "fixtures", "parquet");
        var options = new InputOptions { UserColumn = "user", ItemColumn = "item", OrderColumn = "rating" };
        InteractionSet parquet = InteractionReader.Read(Path.Combine(fixtures, "interactions.parquet"), options with { Format = InputFormat.Parquet });

        // Reference: the CSV's rows grouped by user, ordered by rating with LINQ (stable).
        string[][] rows = [.. File.ReadAllLines(Path.Combine(fixtures, "interactions.csv")).Skip(1).Where(l => l.Length > 0).Select(l => l.Split(','))];
        foreach (var user in rows.GroupBy(r => r[0]))
        {
            string[] expected = [.. user.OrderBy(r => double.Parse(r[2], CultureInfo.InvariantCulture)).Select(r => r[1])];
            Assert.Equal(expected, Sequence(parquet, user.Key));
        }
    }
}

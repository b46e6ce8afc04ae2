// Writes the Parquet test fixtures in fixtures/parquet/ with another Parquet writer than the one
// Ease reads with: ParquetSharp, .NET bindings of Apache Arrow's C++ Parquet library (the library
// under pyarrow). Run from the repository root:
//
//   dotnet run scripts/make_parquet_fixtures.cs
//
// interactions.csv holds the rows that interactions.parquet (string ids, float64 ratings, 3 row
// groups, snappy, dictionary pages) and interactions-typed.parquet (int64 users, int32 ratings,
// one row group, gzip, plain pages) hold as well; nulls.parquet has a null item in row 3;
// integer-ids.parquet (int32 users, int64 items) holds the rows of integer-ids.csv;
// wrong-types.parquet has a float64 user column and a string rating column; truncated.parquet is
// the first 60% of interactions.parquet's bytes.
#:package ParquetSharp@25.0.1.2
#:property ManagePackageVersionsCentrally=false
#:property TreatWarningsAsErrors=false
using System.Globalization;
using ParquetSharp;

string dir = Path.Combine("fixtures", "parquet");
Directory.CreateDirectory(dir);
var random = new Random(20);
var users = new List<long>();
var items = new List<string>();
var ratings = new List<int>();
for (int u = 0; u < 60; u++)
{
    long user = 1000 + u * 7;
    var seen = new HashSet<int>();
    int count = random.Next(3, 13);
    while (seen.Count < count)
        seen.Add(random.Next(80));
    foreach (int i in seen)
    {
        users.Add(user);
        items.Add(i % 5 == 0 ? $"ü-{i}" : $"B{i:D5}");
        ratings.Add(random.Next(1, 6));
    }
}
int n = users.Count;

File.WriteAllLines(Path.Combine(dir, "interactions.csv"),
    ["user,item,rating", .. Enumerable.Range(0, n).Select(r => string.Create(CultureInfo.InvariantCulture, $"{users[r]},{items[r]},{ratings[r]}"))]);

string[] userText = [.. users.Select(u => u.ToString(CultureInfo.InvariantCulture))];
using (var file = new ParquetFileWriter(Path.Combine(dir, "interactions.parquet"),
    [new Column<string>("user"), new Column<string>("item"), new Column<double>("rating")],
    new WriterPropertiesBuilder().Compression(Compression.Snappy).EnableDictionary().Build()))
{
    int groups = 3, size = (n + groups - 1) / groups;
    for (int start = 0; start < n; start += size)
    {
        int length = Math.Min(size, n - start);
        using RowGroupWriter group = file.AppendRowGroup();
        using (var w = group.NextColumn().LogicalWriter<string>()) w.WriteBatch(userText.AsSpan(start, length));
        using (var w = group.NextColumn().LogicalWriter<string>()) w.WriteBatch(items.GetRange(start, length).ToArray());
        using (var w = group.NextColumn().LogicalWriter<double>()) w.WriteBatch(ratings.GetRange(start, length).Select(r => (double)r).ToArray());
    }
    file.Close();
}

using (var file = new ParquetFileWriter(Path.Combine(dir, "interactions-typed.parquet"),
    [new Column<long>("user"), new Column<string>("item"), new Column<int>("rating")],
    new WriterPropertiesBuilder().Compression(Compression.Gzip).DisableDictionary().Build()))
{
    using RowGroupWriter group = file.AppendRowGroup();
    using (var w = group.NextColumn().LogicalWriter<long>()) w.WriteBatch(users.ToArray());
    using (var w = group.NextColumn().LogicalWriter<string>()) w.WriteBatch(items.ToArray());
    using (var w = group.NextColumn().LogicalWriter<int>()) w.WriteBatch(ratings.ToArray());
    file.Close();
}

using (var file = new ParquetFileWriter(Path.Combine(dir, "nulls.parquet"),
    [new Column<string>("user"), new Column<string>("item")]))
{
    using RowGroupWriter group = file.AppendRowGroup();
    using (var w = group.NextColumn().LogicalWriter<string>()) w.WriteBatch(["u1", "u1", "u2", "u2"]);
    using (var w = group.NextColumn().LogicalWriter<string>()) w.WriteBatch(["a", "b", null!, "c"]);
    file.Close();
}

using (var file = new ParquetFileWriter(Path.Combine(dir, "wrong-types.parquet"),
    [new Column<double>("user"), new Column<string>("item"), new Column<string>("rating")]))
{
    using RowGroupWriter group = file.AppendRowGroup();
    using (var w = group.NextColumn().LogicalWriter<double>()) w.WriteBatch([1.5, 2.5]);
    using (var w = group.NextColumn().LogicalWriter<string>()) w.WriteBatch(["a", "b"]);
    using (var w = group.NextColumn().LogicalWriter<string>()) w.WriteBatch(["5", "high"]);
    file.Close();
}

int[] smallUsers = [.. users.Select(u => (int)(u - 1000))];
long[] itemNumbers = [.. items.Select(i => long.Parse(i.TrimStart('B', 'ü', '-'), CultureInfo.InvariantCulture) * 1_000_003L)];
File.WriteAllLines(Path.Combine(dir, "integer-ids.csv"),
    ["user,item", .. Enumerable.Range(0, n).Select(r => string.Create(CultureInfo.InvariantCulture, $"{smallUsers[r]},{itemNumbers[r]}"))]);
using (var file = new ParquetFileWriter(Path.Combine(dir, "integer-ids.parquet"), [new Column<int>("user"), new Column<long>("item")]))
{
    using RowGroupWriter group = file.AppendRowGroup();
    using (var w = group.NextColumn().LogicalWriter<int>()) w.WriteBatch(smallUsers);
    using (var w = group.NextColumn().LogicalWriter<long>()) w.WriteBatch(itemNumbers);
    file.Close();
}

byte[] whole = File.ReadAllBytes(Path.Combine(dir, "interactions.parquet"));
File.WriteAllBytes(Path.Combine(dir, "truncated.parquet"), whole[..(whole.Length * 6 / 10)]);
Console.WriteLine($"{n} interactions; wrote {string.Join(", ", Directory.GetFiles(dir).Order().Select(f => $"{Path.GetFileName(f)} ({new FileInfo(f).Length:N0} B)"))}");

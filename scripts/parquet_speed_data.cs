// The data of scripts/parquet_read_speed.sh: N interactions (user, item) of U users over I items
// as CSV (header user,item), as Parquet with string id columns (dictionary pages, snappy) and as
// Parquet with int64 id columns (snappy); 1,048,576 rows per row group, as pyarrow writes by default.
// Written with ParquetSharp (Apache Arrow's C++ Parquet library).
//
//   dotnet run scripts/parquet_speed_data.cs -- OUT_DIR [N=10000000] [USERS=500000] [ITEMS=2000]
#:package ParquetSharp@25.0.1.2
#:property ManagePackageVersionsCentrally=false
#:property TreatWarningsAsErrors=false
using System.Globalization;
using System.Text;
using ParquetSharp;

string dir = args[0];
int n = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 10_000_000;
int userCount = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 500_000;
int itemCount = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 2_000;
Directory.CreateDirectory(dir);
var random = new Random(7);
var users = new long[n];
var items = new long[n];
for (int r = 0; r < n; r++)
{
    users[r] = (long)r * userCount / n;                      // users in blocks, as logs sorted by user are
    items[r] = (long)(itemCount * Math.Pow(random.NextDouble(), 2)); // popular items first
}

using (var csv = new StreamWriter(Path.Combine(dir, "interactions.csv"), false, new UTF8Encoding(false), 1 << 20))
{
    csv.Write("user,item\n");
    for (int r = 0; r < n; r++)
        csv.Write(string.Create(CultureInfo.InvariantCulture, $"u{users[r]},i{items[r]}\n"));
}

const int Group = 1 << 20;
using (var file = new ParquetFileWriter(Path.Combine(dir, "strings.parquet"),
    [new Column<string>("user"), new Column<string>("item")],
    new WriterPropertiesBuilder().Compression(Compression.Snappy).EnableDictionary().Build()))
{
    for (int start = 0; start < n; start += Group)
    {
        int length = Math.Min(Group, n - start);
        using RowGroupWriter group = file.AppendRowGroup();
        using (var w = group.NextColumn().LogicalWriter<string>()) w.WriteBatch(users.AsSpan(start, length).ToArray().Select(u => "u" + u.ToString(CultureInfo.InvariantCulture)).ToArray());
        using (var w = group.NextColumn().LogicalWriter<string>()) w.WriteBatch(items.AsSpan(start, length).ToArray().Select(i => "i" + i.ToString(CultureInfo.InvariantCulture)).ToArray());
    }
    file.Close();
}

using (var file = new ParquetFileWriter(Path.Combine(dir, "integers.parquet"),
    [new Column<long>("user"), new Column<long>("item")],
    new WriterPropertiesBuilder().Compression(Compression.Snappy).Build()))
{
    for (int start = 0; start < n; start += Group)
    {
        int length = Math.Min(Group, n - start);
        using RowGroupWriter group = file.AppendRowGroup();
        using (var w = group.NextColumn().LogicalWriter<long>()) w.WriteBatch(users.AsSpan(start, length));
        using (var w = group.NextColumn().LogicalWriter<long>()) w.WriteBatch(items.AsSpan(start, length));
    }
    file.Close();
}
// The CSV of the integer file's rows (ids without the u/i prefix).
using (var csv = new StreamWriter(Path.Combine(dir, "integers.csv"), false, new UTF8Encoding(false), 1 << 20))
{
    csv.Write("user,item\n");
    for (int r = 0; r < n; r++)
        csv.Write(string.Create(CultureInfo.InvariantCulture, $"{users[r]},{items[r]}\n"));
}
foreach (string f in Directory.GetFiles(dir).Order())
    Console.WriteLine($"{Path.GetFileName(f)}: {new FileInfo(f).Length / 1e6:F1} MB");

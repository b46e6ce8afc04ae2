using Ease.Format;

namespace Ease.Tests.Scoring;

/// <summary>
/// A seeded random model written to a temp file, with its B also kept dense for the reference
/// scorer. <c>negativeBias</c> shifts weights down so that most touched scores are negative and
/// untouched items (score exactly 0) have to make it into the top-k.
/// </summary>
internal sealed class RandomModel : IDisposable
{
    public RandomModel(int seed, int itemCount, double density, double negativeBias = 0, bool popularity = true, WeightType values = WeightType.Float32)
    {
        var rng = new Random(seed);
        ItemCount = itemCount;
        Dense = new float[itemCount, itemCount];
        Directory = Path.Combine(Path.GetTempPath(), "ease-scoring-tests-" + Guid.NewGuid().ToString("N")[..12]);
        System.IO.Directory.CreateDirectory(Directory);
        Path_ = Path.Combine(Directory, "model.ease");
        using (ModelFileWriter writer = ModelFileWriter.Create(Path_, itemCount, ModelEncoding.For(values, itemCount)))
        {
            var cols = new List<int>();
            var vals = new List<float>();
            for (int r = 0; r < itemCount; r++)
            {
                cols.Clear();
                vals.Clear();
                for (int c = 0; c < itemCount; c++)
                {
                    if (c == r || rng.NextDouble() >= density)
                        continue;
                    // Coarse values make exact score ties common, exercising the tie rule.
                    float v = rng.Next(4) == 0
                        ? (float)(rng.Next(-4, 5) * 0.25 - negativeBias)
                        : (float)(Gaussian(rng) - negativeBias);
                    if (v == 0)
                        v = 0.5f; // a stored weight is never exactly 0 here (Similar's reference relies on it)
                    cols.Add(c);
                    vals.Add(v);
                    Dense[r, c] = v;
                }
                writer.AppendRow(cols.ToArray(), vals.ToArray());
            }
            writer.SetItemIds(Enumerable.Range(0, itemCount).Select(Id).ToArray());
            if (popularity)
            {
                // Few distinct counts: popularity ties too.
                Popularity = Enumerable.Range(0, itemCount).Select(_ => rng.Next(0, 6)).ToArray();
                writer.SetPopularity(Popularity);
            }
            writer.Commit();
        }
        if (values != WeightType.Float32)
        {
            // The reference scores with the weights as stored, decoded by the spec alone.
            Support.SpecDecoder.Rows stored = Support.SpecDecoder.Decode(File.ReadAllBytes(Path_));
            Stored = stored;
            for (int r = 0; r < itemCount; r++)
            {
                for (int j = 0; j < stored.Columns[r].Length; j++)
                    Dense[r, stored.Columns[r][j]] = stored.Values[r][j];
            }
        }
        Model = ModelFile.Open(Path_, new ModelOpenOptions { VerifyChecksums = true });
    }

    public static string Id(int row) => "item-" + row;

    public int ItemCount { get; }
    public float[,] Dense { get; }
    public int[]? Popularity { get; }

    /// <summary>The rows as stored, for compact encodings (int8 may store a weight as exactly 0).</summary>
    public Support.SpecDecoder.Rows? Stored { get; }
    public ModelFile Model { get; }
    public string Directory { get; }
    private string Path_ { get; }

    private static double Gaussian(Random rng) =>
        Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());

    public void Dispose()
    {
        Model.Dispose();
        try { System.IO.Directory.Delete(Directory, recursive: true); }
        catch (IOException) { }
    }
}

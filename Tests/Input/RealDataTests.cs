using Ease.Engine.Input;

namespace Ease.Tests.Input;

/// <summary>Counts from shared/data/README.md, checked on the real files (skipped when they are not present).</summary>
public sealed class RealDataTests
{
    static readonly InputOptions Adjacency = new() { Format = InputFormat.Adjacency };

    [SharedDataFact("ml-1m/train.txt")]
    public void Ml1m_train()
    {
        var set = InteractionReader.Read(SharedData.File("ml-1m/train.txt"), Adjacency);
        Assert.Equal(590_733, set.InteractionCount);
        Assert.Equal(6_039, set.UserCount);
        Assert.Equal(3_583, set.ItemCount); // of the 3,628 items across train/valid/test
        Assert.Equal(0, set.DuplicatePairs);
    }

    [SharedDataFact("yelp2018/train.txt", "yelp2018/test.txt")]
    public void Yelp2018_train_and_test_against_train_items()
    {
        var train = InteractionReader.Read(SharedData.File("yelp2018/train.txt"), Adjacency);
        Assert.Equal(1_237_259, train.InteractionCount);
        Assert.Equal(31_668, train.UserCount);
        Assert.Equal(38_048, train.ItemCount); // every item appears in train in this split

        var test = InteractionReader.Read(SharedData.File("yelp2018/test.txt"), Adjacency, train.ItemIds, UnknownItemPolicy.Add);
        Assert.Equal(324_147, test.InteractionCount);
        Assert.Equal(38_048, test.ItemCount);
        Assert.Equal(31_668, test.UserCount);
    }

    [SharedDataFact("lastfm-hetrec-2k/user_artists.dat")]
    public void Lastfm_tsv_with_header()
    {
        var set = InteractionReader.Read(SharedData.File("lastfm-hetrec-2k/user_artists.dat"),
            new InputOptions { UserColumn = "userID", ItemColumn = "artistID", WeightColumn = "weight" });
        Assert.Equal(92_834, set.InteractionCount);
        Assert.Equal(1_892, set.UserCount);
        Assert.Equal(17_632, set.ItemCount);
        Assert.Equal(92_835, set.LinesRead);
    }

    [SharedDataFact("ml-1m-raw-half/ratings.dat")]
    public void MovieLens_raw_ratings()
    {
        string path = SharedData.File("ml-1m-raw-half/ratings.dat");
        var all = InteractionReader.Read(path, new InputOptions());
        Assert.Equal(487_650, all.InteractionCount);
        Assert.Equal(2_999, all.UserCount);
        Assert.Equal(3_615, all.ItemCount);

        // Binarized at rating >= 4 (the "> 3.5" of the strong-generalization protocol).
        var liked = InteractionReader.Read(path, new InputOptions { MinWeight = 4 });
        Assert.Equal(279_124, liked.InteractionCount);
        Assert.Equal(487_650 - 279_124, liked.FilteredRows);
    }
}

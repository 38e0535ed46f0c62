using Ccfs.Server.Paths;

namespace Ccfs.Server.Tests.Unit.Storage;

/// <summary>A storage path is one a file name (<c>Y:/</c> and the path, at most 1024 characters) can hold.</summary>
public sealed class StoragePathTests
{
    [Fact]
    public void A_child_is_refused_once_the_path_would_be_longer_than_a_file_name_may_hold()
    {
        var folder = StoragePath.FromCatalogKey("/" + string.Join('/', Enumerable.Repeat(new string('a', 200), 5)));
        var room = StoragePath.MaxLength - folder.Value.Length - 1;

        Assert.True(folder.TryChild(new string('b', room), out var longest));
        Assert.Equal(LogicalPath.MaxLength, ("Y:/" + longest.Value).Length);
        Assert.False(folder.TryChild(new string('b', room + 1), out _));
        Assert.Throws<ArgumentException>(() => StoragePath.FromCatalogKey(longest.CatalogKey + "b"));
    }
}

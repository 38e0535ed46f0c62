using Ccfs.Server.Catalog;

namespace Ccfs.Server.Tests.Unit.Catalog;

/// <summary>
/// <see cref="DeleteMarks"/> lets downloads skip the catalog only while the catalog was last seen without a mark and
/// this node has made none since, including one that commits while the catalog is being looked at.
/// </summary>
public sealed class DeleteMarksTests
{
    [Fact]
    public async Task Marks_may_exist_until_the_catalog_is_seen_without_one_and_again_from_this_nodes_next_mark()
    {
        var marks = new DeleteMarks();
        Assert.True(marks.MayExist);

        await marks.RefreshAsync(new Answering(any: false), CancellationToken.None);
        Assert.False(marks.MayExist);

        marks.Made();
        Assert.True(marks.MayExist);

        await marks.RefreshAsync(new Answering(any: true), CancellationToken.None);
        Assert.True(marks.MayExist);

        await marks.RefreshAsync(new Answering(any: false), CancellationToken.None);
        Assert.False(marks.MayExist);
    }

    [Fact]
    public async Task A_mark_this_node_commits_while_the_catalog_is_looked_at_is_not_forgotten()
    {
        var marks = new DeleteMarks();
        await marks.RefreshAsync(new Answering(any: false), CancellationToken.None);

        // The look found none, and the mark committed just after it: the look's answer is already old.
        await marks.RefreshAsync(new Answering(any: false, whileLooking: marks.Made), CancellationToken.None);

        Assert.True(marks.MayExist);
    }

    /// <summary>A catalog that only answers whether it holds a mark.</summary>
    private sealed class Answering(bool any, Action? whileLooking = null) : DelegatingFileCatalog(null!)
    {
        public override Task<bool> AnyDeleteMarksAsync(CancellationToken cancellationToken)
        {
            whileLooking?.Invoke();
            return Task.FromResult(any);
        }
    }
}

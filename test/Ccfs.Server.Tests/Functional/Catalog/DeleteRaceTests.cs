using Ccfs.Server.Catalog;

namespace Ccfs.Server.Tests.Functional.Catalog;

/// <summary>
/// Deletes of one file racing each other: exactly one answers 0, the others 0300011 (docs/failure-behaviour.md: a second
/// delete answers 0300011), and a delete that meets another's mark leaves the copies to it.
/// </summary>
public sealed class DeleteRaceTests
{
    [Fact]
    public async Task Eight_deletes_of_one_file_at_once_answer_0_exactly_once()
    {
        using var factory = new CcfsFactory();
        var client = factory.Signed();
        for (var round = 0; round < 20; round++)
        {
            var fileName = await client.StoreAsync(Samples.ALawOfSize(1000 + round));

            var codes = await Task.WhenAll(Enumerable.Range(0, 8).Select(async _ =>
                await CcfsAnswer.ResultCodeAsync(await Task.Run(() => client.DeleteAsync(fileName)))));

            // On a loaded machine the one delete that marked the file may meet a store or catalog timeout (503): then it
            // alone is answered so, and its retry, which takes over the mark it left, is the one 0.
            Assert.True(codes.Count(c => c is "0" or "0300503") == 1 && codes.All(c => c is "0" or "0300503" or "0300011"),
                $"round {round}: {string.Join(", ", codes)}");
            if (codes.Contains("0300503"))
            {
                Assert.Equal("0", await CcfsAnswer.ResultCodeAsync(await client.DeleteAsync(fileName)));
            }

            Assert.False(factory.HasCopy(fileName));
        }

        Assert.Empty(factory.CatalogRows());
    }

    [Fact]
    public async Task A_delete_that_meets_a_mark_no_failed_delete_here_left_answers_0300011_and_leaves_it_to_its_owner()
    {
        using var factory = new CcfsFactory();
        var fileName = await factory.Signed().StoreAsync(Samples.Sine);
        // Another delete on this node has marked the row: it is at work, or will be finished by recovery; not this call's.
        Assert.NotNull(await factory.Services.GetRequiredService<IFileCatalog>().BeginDeleteAsync(fileName[2..], "other", CancellationToken.None));

        await CcfsAnswer.AssertTripleAsync(await factory.Signed().DeleteAsync(fileName), "0300011", "The file does not exist.");
        await CcfsAnswer.AssertTripleAsync(await factory.Signed().DeleteAsync(fileName), "0300011", "The file does not exist.");
        Assert.True(factory.HasCopy(fileName));

        await factory.RecoverAsync();
        Assert.False(factory.HasCopy(fileName));
        Assert.Empty(factory.CatalogRows());
    }

    [Fact]
    public async Task A_delete_of_one_copy_another_node_marked_answers_0300011_and_leaves_it()
    {
        using var factory = new PoolFactory();
        var fileName = await factory.Signed().StoreAsync(Samples.Sine);
        Assert.Equal(CopyRemoval.Marked,
            await factory.Services.GetRequiredService<IFileCatalog>().BeginCopyDeleteAsync(fileName[2..], "256", "other", CancellationToken.None));
        await factory.Services.GetRequiredService<CatalogDatabase>().Writer.WriteAsync(async (tx, ct) =>
            await tx.ExecuteAsync("UPDATE file_copies SET owner = '0123456789ab' WHERE path = @path;", ct, ("path", fileName[2..])));

        var answer = await factory.Signed().DeleteAsync(fileName, "256");

        await CcfsAnswer.AssertTripleAsync(answer, "0300011", "The file does not exist.");
        Assert.Equal(["0", "256"], factory.LocationsHolding(fileName));
    }
}

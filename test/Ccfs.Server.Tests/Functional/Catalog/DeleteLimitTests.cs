using System.Net;
using Ccfs.Server.Observability;

namespace Ccfs.Server.Tests.Functional.Catalog;

/// <summary>
/// Deletes are bounded like uploads (<c>Ccfs:Limits:MaxConcurrentDeletes</c>, <c>DeleteQueueLength</c>): while the
/// catalog is held by another process, deletes past the slots and the queue are answered 0300503 at once and keep their
/// file, and the ones admitted finish once the catalog is free.
/// </summary>
[Trait("Catalog", "Sqlite")]
public sealed class DeleteLimitTests : IDisposable
{
    private readonly CcfsFactory _factory = CcfsFactory.With(new()
    {
        ["Ccfs:Catalog:WriteTimeout"] = "00:02:00",
        ["Ccfs:Limits:MaxConcurrentDeletes"] = "2",
        ["Ccfs:Limits:DeleteQueueLength"] = "1",
        ["Ccfs:Limits:DeleteQueueTimeout"] = "00:02:00",
        // All four deletes come from one client: with the default share, how many wait or are refused would hang on
        // whether the first was verified before the others came. The share has tests of its own.
        ["Ccfs:Limits:UnverifiedShare"] = "1",
    });

    [Fact]
    public async Task A_delete_past_the_slots_and_the_queue_is_0300503_at_once_and_keeps_its_file()
    {
        var client = _factory.Signed();
        var files = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            files.Add(await client.StoreAsync(Samples.ALawOfSize(3000 + i)));
        }

        Task<HttpResponseMessage>[] deletes;
        HttpResponseMessage refused;
        using (SqliteWriteLock.Hold(_factory))
        {
            deletes = [.. files.Select(f => client.DeleteAsync(f))];

            // Two deletes hold the slots and wait for the catalog, one waits for a slot: none of them can finish while the
            // lock is held. The fourth found no place and is answered without waiting.
            var first = await Task.WhenAny(deletes).WaitAsync(TimeSpan.FromSeconds(60));
            refused = await first;
            Assert.Equal(3, deletes.Count(d => !d.IsCompleted));
        }

        await CcfsAnswer.AssertTripleAsync(refused, "0300503", "The service is temporarily unavailable, try again later.",
            HttpStatusCode.ServiceUnavailable);
        Assert.Equal("too many deletes are in progress", CcfsAnswer.Reason(refused));
        Assert.Equal(1, _factory.Services.GetRequiredService<CcfsMetrics>().DeleteSlotRefusals.WithLabels("queue_full").Value);

        var kept = files[Array.FindIndex(deletes, d => d.IsCompleted && d.Result == refused)];
        foreach (var delete in deletes.Where(d => d.Result != refused))
        {
            await CcfsAnswer.AssertTripleAsync(await delete.WaitAsync(TimeSpan.FromSeconds(60)), "0", "success");
        }

        Assert.Equal(_factory.LocationIds, _factory.LocationsHolding(kept));
        await CcfsAnswer.AssertTripleAsync(await client.HashAsync(kept), "0", "success");
        Assert.Single(_factory.CatalogRows());
    }

    public void Dispose() => _factory.Dispose();
}

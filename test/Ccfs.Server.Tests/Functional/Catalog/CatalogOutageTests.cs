using System.Net;
using System.Text.Json;
using Ccfs.Server.Observability;

namespace Ccfs.Server.Tests.Functional.Catalog;

/// <summary>
/// While another process holds the SQLite catalog's write lock: writes wait a bounded time and are answered 503
/// (uploads, deletes, admin writes), nothing is stored or half-done, requests that need no write are served meanwhile,
/// readiness reports the catalog, and once the lock is let go the audit entries of those requests are written after all.
/// </summary>
[Trait("Catalog", "Sqlite")]
public sealed class CatalogOutageTests : IDisposable
{
    private const string Unavailable = "The service is temporarily unavailable, try again later.";
    private readonly CcfsFactory _factory = CcfsFactory.With(new() { ["Ccfs:Catalog:WriteTimeout"] = "00:00:05" });

    [Fact]
    public async Task An_upload_waits_a_bounded_time_is_503_and_stores_nothing()
    {
        var before = _factory.Snapshot();
        using (SqliteWriteLock.Hold(_factory))
        {
            var response = await _factory.Signed().UploadAsync(Samples.Sine).WaitAsync(TimeSpan.FromSeconds(60));

            await CcfsAnswer.AssertTripleAsync(response, "0300503", Unavailable, HttpStatusCode.ServiceUnavailable);
        }

        var metrics = await _factory.CreateClient().GetStringAsync("/metrics");
        Assert.Matches(@"(?m)^ccfs_catalog_unavailable_total [1-9]", metrics);
        Assert.Matches(@"(?m)^ccfs_catalog_writes_total [1-9]", metrics);

        // The staged bytes went with the refusal; the next recovery pass finds nothing to finish.
        Assert.Equal(before, _factory.Snapshot());
        Assert.Equal(0, (await _factory.RecoverAsync()).Finished);
        await CcfsAnswer.AssertTripleAsync(await _factory.Signed().UploadAsync(Samples.Sine), "0", "success");
    }

    [Fact]
    public async Task Deletes_wait_without_holding_threads_so_other_requests_are_served_and_each_is_503_and_keeps_the_file()
    {
        var client = _factory.Signed();
        var files = new List<string>();
        for (var i = 0; i < 40; i++)
        {
            files.Add(await client.StoreAsync(Samples.ALawOfSize(2000 + i)));
        }

        var before = _factory.Snapshot();
        using var http = _factory.CreateClient();
        HttpResponseMessage[] deleted;
        using (SqliteWriteLock.Hold(_factory))
        {
            var deletes = files.Select(f => client.DeleteAsync(f)).ToArray();
            await Task.Delay(200);

            // Forty deletes are waiting for the catalog; a probe and a read that need no write are still answered at once.
            using var health = await http.GetAsync("/healthz").WaitAsync(TimeSpan.FromSeconds(60));
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
            await CcfsAnswer.AssertTripleAsync(await client.HashAsync(files[0]).WaitAsync(TimeSpan.FromSeconds(60)), "0", "success");
            Assert.Contains(deletes, d => !d.IsCompleted);
            deleted = await Task.WhenAll(deletes).WaitAsync(TimeSpan.FromSeconds(120));
        }

        foreach (var response in deleted)
        {
            await CcfsAnswer.AssertTripleAsync(response, "0300503", Unavailable, HttpStatusCode.ServiceUnavailable);
            // What is true: the catalog could not mark the file, so nothing was deleted (no background promise).
            var reason = CcfsAnswer.Reason(response) ?? "";
            Assert.True(reason.EndsWith("; nothing was deleted; try again later", StringComparison.Ordinal)
                || reason.StartsWith("no delete slot came free", StringComparison.Ordinal), reason);
        }

        Assert.Equal(before, _factory.Snapshot());
    }

    [Fact]
    public async Task An_admin_write_is_503_with_a_json_body_and_changes_nothing()
    {
        using var before = await _factory.Admin().SendAsync(HttpMethod.Get, "/admin/api/parameters");
        var parameters = await before.Content.ReadAsStringAsync();
        using (SqliteWriteLock.Hold(_factory))
        {
            using var response = await _factory.Admin().AdminAsync(HttpMethod.Put, "/admin/api/parameters", new { uploadSizeLimitMb = 1 })
                .WaitAsync(TimeSpan.FromSeconds(60));

            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.Equal(TimeSpan.FromSeconds(5), response.Headers.RetryAfter?.Delta);
            var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetString();
            Assert.Contains("cannot be written now", error, StringComparison.Ordinal);
        }

        using var after = await _factory.Admin().SendAsync(HttpMethod.Get, "/admin/api/parameters");
        Assert.Equal(parameters, await after.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Readiness_commits_a_write_so_a_held_catalog_is_not_ready_and_a_free_one_is()
    {
        using var http = _factory.CreateClient();
        using (var ready = await http.GetAsync("/readyz"))
        {
            Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        }

        using (SqliteWriteLock.Hold(_factory))
        {
            using var notReady = await http.GetAsync("/readyz").WaitAsync(TimeSpan.FromSeconds(60));

            Assert.Equal(HttpStatusCode.ServiceUnavailable, notReady.StatusCode);
            var catalog = JsonDocument.Parse(await notReady.Content.ReadAsStringAsync()).RootElement.GetProperty("checks")
                .EnumerateArray().Single(c => c.GetProperty("name").GetString() == "catalog");
            Assert.Equal("Unhealthy", catalog.GetProperty("status").GetString());
            // The write waits for the lock past the readiness bound (3 s, shorter than the 5 s write timeout): /readyz answers anyway.
            Assert.Contains("did not take a write within the readiness timeout", catalog.GetProperty("description").GetString(),
                StringComparison.Ordinal);
        }

        using var readyAgain = await http.GetAsync("/readyz");
        Assert.Equal(HttpStatusCode.OK, readyAgain.StatusCode);
    }

    [Fact]
    public async Task Audit_entries_of_calls_made_while_the_catalog_is_held_are_written_once_it_is_free_and_none_is_dropped()
    {
        var fileName = await _factory.Signed().StoreAsync(Samples.Sine);
        using (SqliteWriteLock.Hold(_factory))
        {
            for (var i = 0; i < 5; i++)
            {
                await CcfsAnswer.AssertTripleAsync(await _factory.Signed().HashAsync(fileName), "0", "success");
            }

            // Long enough for the audit loop to have tried, failed and be waiting to retry.
            await Task.Delay(TimeSpan.FromSeconds(6));
        }

        using var audit = await _factory.Admin().SendAsync(HttpMethod.Get, $"/admin/api/audit?interface=getFileHash&limit=100");
        Assert.Equal(HttpStatusCode.OK, audit.StatusCode);
        var entries = JsonDocument.Parse(await audit.Content.ReadAsStringAsync()).RootElement.GetProperty("entries");
        Assert.Equal(5, entries.GetArrayLength());
        Assert.Equal(0, _factory.Services.GetRequiredService<CcfsMetrics>().AuditDropped.Value);
    }

    public void Dispose() => _factory.Dispose();
}

using System.Net;
using System.Text.Json;
using Ccfs.Server.Catalog;
using Ccfs.Server.Quotas;

namespace Ccfs.Server.Tests.Functional.Quotas;

/// <summary>
/// Retention (docs/quotas-and-retention.md): <c>retainFor</c> per VDN, pins, the preview, and the sweeper deleting
/// through the ordinary delete path (every location, catalog, audit, a <c>ccfs.file.expired</c> event), resuming a sweep
/// its owner left, and never touching pinned, young or other VDNs' files.
/// </summary>
public sealed class RetentionTests
{
    private const int OtherVdn = 55;

    [Fact]
    public async Task The_sweeper_deletes_expired_files_everywhere_and_leaves_pinned_young_and_other_vdns_files()
    {
        using var factory = CcfsFactory.With([]);
        var client = factory.Signed();
        var old = await client.StoreAsync(Samples.Sine);
        var pinned = await client.StoreAsync(Samples.Sine);
        var older = await client.StoreAsync(Samples.Sine);
        var otherVdn = await client.StoreAsync(Samples.Sine, OtherVdn);
        await PinAsync(factory, pinned, "pin", HttpStatusCode.OK);
        factory.Time.Advance(TimeSpan.FromDays(2));
        var young = await client.StoreAsync(Samples.Sine);
        // Set once the files are old, and looked at before the clock moves again (which lets the server's sweeper run).
        await QuotaTests.SetVdnAsync(factory, CcfsFactory.Vdn, new { retainFor = "1.00:00:00" });

        var preview = await PreviewAsync(factory, CcfsFactory.Vdn);
        Assert.Equal(new[] { old, older }.Order(), preview.GetProperty("files").EnumerateArray().Select(f => f.GetProperty("fileName").GetString()).Order());
        Assert.Equal(2L * Samples.Sine.Length, preview.GetProperty("bytes").GetInt64());
        var files = await FilesAsync(factory);
        Assert.True(files[pinned].GetProperty("pinned").GetBoolean());
        Assert.False(files[old].GetProperty("pinned").GetBoolean());
        Assert.True(files[young].GetProperty("expiresAt").GetDateTimeOffset() > factory.Time.GetUtcNow());

        await SweepUntilAsync(factory, () => !factory.HasCopy(old) && !factory.HasCopy(older));

        Assert.False(factory.HasCopy(old));
        Assert.False(factory.HasCopy(older));
        Assert.Null(await factory.FindAsync(old[2..]));
        Assert.True(factory.HasCopy(pinned));
        Assert.True(factory.HasCopy(young));
        Assert.True(factory.HasCopy(otherVdn));
        Assert.Equal(3, factory.CatalogRows().Count);
        Assert.Equal(2, (await QuotaTests.UsageAsync(factory, CcfsFactory.Vdn)).GetProperty("usedFiles").GetInt64());
        var expired = (await EventsAsync(factory)).Where(e => e.GetProperty("type").GetString() == EventTypes.Expired).ToList();
        Assert.Equal(new[] { old, older }.Order(), expired.Select(e => e.GetProperty("subject").GetString()).Order());
        Assert.All(expired, e => Assert.Equal(EventTypes.RetentionActor, e.GetProperty("data").GetProperty("accessKey").GetString()));
        Assert.Equal(new[] { old, older }.Order(), (await RetentionAuditAsync(factory, 2)).Order());
        Assert.DoesNotContain(factory.Logs, l => l.Category?.Contains("Retention", StringComparison.Ordinal) == true && l.Level >= LogLevel.Warning);
        Assert.Empty((await PreviewAsync(factory, CcfsFactory.Vdn)).GetProperty("files").EnumerateArray());

        await PinAsync(factory, pinned, "unpin", HttpStatusCode.OK);
        Assert.Equal([pinned], (await PreviewAsync(factory, CcfsFactory.Vdn)).GetProperty("files").EnumerateArray()
            .Select(f => f.GetProperty("fileName").GetString()));
    }

    [Fact]
    [Trait("Storage", "Disk")]
    public async Task Stored_files_behind_a_link_out_of_the_location_are_left_alone_and_the_sweep_ends()
    {
        // Only the test's sweep runs.
        using var factory = CcfsFactory.With(new() { ["Ccfs:Retention:Enabled"] = "false" });
        var files = new[] { await factory.Signed().StoreAsync(Samples.Sine), await factory.Signed().StoreAsync(Samples.Sine) };
        var outside = Path.Combine(Path.GetTempPath(), "ccfs-outside-" + Guid.NewGuid().ToString("N"));
        var folder = Path.Combine(factory.LocationRoot(), "3rdfile", "53", "thirdvoicebotfile");
        Directory.Move(folder, outside);
        Directory.CreateSymbolicLink(folder, outside);
        try
        {
            factory.Time.Advance(TimeSpan.FromDays(2));
            await QuotaTests.SetVdnAsync(factory, CcfsFactory.Vdn, new { retainFor = "1.00:00:00" });
            var before = factory.Snapshot();
            var started = factory.Time.GetUtcNow().ToUnixTimeMilliseconds();

            await RecordingRetentionTests.SweepNowAsync(factory);

            Assert.Equal(before, factory.Snapshot());
            Assert.Equal(2, (await QuotaTests.UsageAsync(factory, CcfsFactory.Vdn)).GetProperty("usedFiles").GetInt64());
            Assert.All(files, f => Assert.Contains(factory.Logs, l => l.Message.StartsWith($"Retention left {f} of VDN 53 alone", StringComparison.Ordinal)));
            var sweep = await factory.Services.GetRequiredService<RetentionStore>().SweepOfAsync(CcfsFactory.Vdn, CancellationToken.None);
            Assert.Null(sweep.ClaimedBy);
            Assert.True(sweep.LastSweptAt.ToUnixTimeMilliseconds() >= started, "the sweep ended");
        }
        finally
        {
            Directory.Delete(folder);
            Directory.Delete(outside, recursive: true);
        }
    }

    [Fact]
    public async Task A_node_with_retention_off_deletes_nothing_however_expired()
    {
        using var factory = CcfsFactory.With(new() { ["Ccfs:Parameters:RetainFor"] = "1.00:00:00", ["Ccfs:Retention:Enabled"] = "false" });
        var file = await factory.Signed().StoreAsync(Samples.Sine);

        // Two days in ticks of a minute: a sweeper that ran would have had many looks.
        for (var minute = 0; minute < 60; minute++)
        {
            factory.Time.Advance(TimeSpan.FromMinutes(48));
            await Task.Delay(10);
        }

        Assert.True(factory.HasCopy(file));
        Assert.Contains(factory.Logs, l => l.Message.StartsWith("Retention sweeps are off on this node", StringComparison.Ordinal));
        Assert.Single((await PreviewAsync(factory, CcfsFactory.Vdn)).GetProperty("files").EnumerateArray());
    }

    [Fact]
    public async Task Sweeps_start_one_interval_apart_so_a_look_a_little_early_is_the_one_that_sweeps()
    {
        // SweepInterval 1 h (the default), so the sweeper looks every minute; retainFor 30 min.
        using var factory = CcfsFactory.With(new() { ["Ccfs:Parameters:RetainFor"] = "00:30:00" });
        await WaitForStartUpSweepAsync(factory);

        var file = await factory.Signed().StoreAsync(Samples.Sine);
        // 20 s before one interval has passed since the last sweep started: within half a look, so this look sweeps.
        factory.Time.Advance(TimeSpan.FromHours(1) - TimeSpan.FromSeconds(20));

        await RecordingRetentionTests.SweepNowAsync(factory);

        Assert.False(factory.HasCopy(file));
        Assert.Null(await factory.FindAsync(file[2..]));
    }

    [Fact]
    public async Task Files_left_under_an_earlier_upload_rule_do_not_hold_up_the_sweep_of_those_under_the_rules()
    {
        using var factory = CcfsFactory.With([]);
        var client = factory.Signed();
        // More than a batch of the sweeper's, all older than the file under the rules, which retention no longer touches.
        var earlier = new List<string>();
        foreach (var wave in Enumerable.Range(0, 101).Chunk(34))
        {
            earlier.AddRange(await Task.WhenAll(wave.Select(_ => client.StoreAsync(Samples.Sine))));
        }

        var rules = new { uploadPathRule = "/prompts/%VDNNO%/bot/", downloadPathRule = "/prompts/%VDNNO%" };
        await QuotaTests.SetVdnAsync(factory, CcfsFactory.Vdn, rules);
        factory.Time.Advance(TimeSpan.FromSeconds(1));
        var current = await client.StoreAsync(Samples.Sine);
        factory.Time.Advance(TimeSpan.FromDays(2));
        await QuotaTests.SetVdnAsync(factory, CcfsFactory.Vdn, new { rules.uploadPathRule, rules.downloadPathRule, retainFor = "1.00:00:00" });

        Assert.Equal([current], (await PreviewAsync(factory, CcfsFactory.Vdn)).GetProperty("files").EnumerateArray()
            .Select(f => f.GetProperty("fileName").GetString()));
        // The file list gives an expiry only to the file the sweep will look at.
        var listed = await FilesAsync(factory);
        Assert.Equal(JsonValueKind.String, listed[current].GetProperty("expiresAt").ValueKind);
        Assert.All(earlier.Where(listed.ContainsKey), f => Assert.True(listed[f].TryGetProperty("expiresAt", out var at) is false
            || at.ValueKind == JsonValueKind.Null));
        await SweepUntilAsync(factory, () => !factory.HasCopy(current));

        Assert.All(earlier, f => Assert.True(factory.HasCopy(f)));
        Assert.Equal(earlier.Count, factory.CatalogRows().Count);
    }

    [Fact]
    public async Task A_sweep_left_by_a_node_instance_that_is_gone_is_resumed()
    {
        using var factory = CcfsFactory.With(new() { ["Ccfs:Parameters:RetainFor"] = "01:00:00" });
        var client = factory.Signed();
        var old = await client.StoreAsync(Samples.Sine);
        var store = factory.Services.GetRequiredService<RetentionStore>();
        await store.SweepOfAsync(CcfsFactory.Vdn, CancellationToken.None);
        // The server's own sweep at start-up (VDN 53 is bound to an access key) may hold it a moment, listing the location.
        for (var attempt = 0; !await store.ClaimAsync(CcfsFactory.Vdn, null, "deadinstance", CancellationToken.None); attempt++)
        {
            Assert.True(attempt < 1000, "the sweep at start-up did not end");
            await Task.Delay(10);
        }

        factory.Time.Advance(TimeSpan.FromHours(2));

        await SweepUntilAsync(factory, () => !factory.HasCopy(old));

        Assert.False(factory.HasCopy(old));
        Assert.Empty(factory.CatalogRows());
        var sweep = await store.SweepOfAsync(CcfsFactory.Vdn, CancellationToken.None);
        Assert.Null(sweep.ClaimedBy);
        Assert.Contains(factory.Logs, l => l.Message == "Resuming the retention sweep of VDN 53 left by node instance deadinstance");
    }

    [Fact]
    public async Task A_file_listed_as_expired_is_not_deleted_once_retainFor_was_raised_or_it_was_pinned()
    {
        using var factory = await QuietSweeperAsync();
        var name = await factory.Signed().StoreAsync(Samples.Sine);
        var created = factory.Time.GetUtcNow();
        factory.Time.Advance(TimeSpan.FromHours(2));
        // As a sweep listed it under retainFor 1 h: it is checked again before its delete.
        var listed = new ExpiredFile(name[2..], name, Samples.Sine.Length, created, created + TimeSpan.FromHours(1));
        var candidates = factory.Services.GetRequiredService<RetentionCandidates>();
        await QuotaTests.SetVdnAsync(factory, CcfsFactory.Vdn, new { retainFor = "01:00:00" });
        Assert.True(await candidates.StillExpiredAsync(CcfsFactory.Vdn, listed, CancellationToken.None));

        await QuotaTests.SetVdnAsync(factory, CcfsFactory.Vdn, new { retainFor = "3.00:00:00" });
        Assert.False(await candidates.StillExpiredAsync(CcfsFactory.Vdn, listed, CancellationToken.None));

        await QuotaTests.SetVdnAsync(factory, CcfsFactory.Vdn, new { retainFor = "01:00:00" });
        await PinAsync(factory, name, "pin", HttpStatusCode.OK);
        Assert.False(await candidates.StillExpiredAsync(CcfsFactory.Vdn, listed, CancellationToken.None));
        Assert.True(factory.HasCopy(name));
    }

    [Fact]
    public async Task A_file_listed_as_expired_is_not_deleted_once_a_new_file_took_its_name()
    {
        using var factory = await QuietSweeperAsync();
        var seeder = factory.Services.GetRequiredService<Ccfs.Server.Seeding.Seeder>();
        Ccfs.Server.Seeding.SeedUpload[] upload = [new(CcfsFactory.Vdn, "welcome.wav", Samples.Sine, "test")];
        var name = (await seeder.SeedAsync(upload, [], "test")).Uploads.Single().FileName;
        factory.Time.Advance(TimeSpan.FromDays(2));
        await QuotaTests.SetVdnAsync(factory, CcfsFactory.Vdn, new { retainFor = "1.00:00:00" });
        var candidates = factory.Services.GetRequiredService<RetentionCandidates>();
        var listed = Assert.Single(await candidates.NextSweepAsync(CcfsFactory.Vdn, 10, CancellationToken.None));

        // Between the sweep's listing and its delete, the file is deleted and a rehearsal seeds it again: a young file.
        using (var deleted = await factory.Signed().DeleteAsync(name))
        {
            await CcfsAnswer.AssertTripleAsync(deleted, "0", "success");
        }

        await seeder.SeedAsync(upload, [], "test");

        Assert.False(await candidates.StillExpiredAsync(CcfsFactory.Vdn, listed, CancellationToken.None));
        Assert.Empty(await candidates.NextSweepAsync(CcfsFactory.Vdn, 10, CancellationToken.None));
    }

    [Theory]
    [InlineData("/admin/api/files/pin", HttpStatusCode.BadRequest, "the fileName query parameter is missing")]
    [InlineData("/admin/api/files/pin?fileName=Y:/3rdfile/53/thirdvoicebotfile/AAAAAAAA_1.wav", HttpStatusCode.NotFound,
        "Y:/3rdfile/53/thirdvoicebotfile/AAAAAAAA_1.wav is not stored, and no location holds it as a recording under a download rule folder")]
    [InlineData("/admin/api/files/pin?fileName=Y:/voice/53/other/x.wav", HttpStatusCode.NotFound, "only those can be pinned")]
    [InlineData("/admin/api/files/unpin?fileName=Y:/voice/53/other/x.wav", HttpStatusCode.NotFound, "Y:/voice/53/other/x.wav is not stored")]
    [InlineData("/admin/api/files/unpin?fileName=Y:/../x.wav", HttpStatusCode.BadRequest, "fileName is not a stored prompt")]
    [InlineData("/admin/api/retention/preview", HttpStatusCode.BadRequest, "the vdnId query parameter is missing")]
    [InlineData("/admin/api/retention/preview?vdnId=abc", HttpStatusCode.BadRequest, "vdnId")]
    [InlineData("/admin/api/retention/preview?vdnId=53&limit=0", HttpStatusCode.BadRequest, "limit")]
    public async Task Bad_pin_and_preview_requests_get_a_clear_answer(string pathAndQuery, HttpStatusCode status, string error)
    {
        using var factory = CcfsFactory.With([]);

        using var response = await factory.Admin().SendAsync(pathAndQuery.Contains("preview", StringComparison.Ordinal) ? HttpMethod.Get : HttpMethod.Post,
            pathAndQuery);

        Assert.Equal(status, response.StatusCode);
        Assert.Contains(error, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(0, factory.CatalogCount("file_pins"));
    }

    [Fact]
    public async Task Pinning_twice_and_unpinning_an_unpinned_file_say_nothing_changed()
    {
        using var factory = CcfsFactory.With([]);
        var name = await factory.Signed().StoreAsync(Samples.Sine);

        Assert.True((await PinAsync(factory, name, "pin", HttpStatusCode.OK)).GetProperty("changed").GetBoolean());
        Assert.False((await PinAsync(factory, name, "pin", HttpStatusCode.OK)).GetProperty("changed").GetBoolean());
        Assert.True((await PinAsync(factory, name, "unpin", HttpStatusCode.OK)).GetProperty("changed").GetBoolean());
        Assert.False((await PinAsync(factory, name, "unpin", HttpStatusCode.OK)).GetProperty("changed").GetBoolean());
    }

    [Fact]
    public async Task A_deleted_files_pin_goes_with_it_so_a_file_stored_again_under_its_name_is_not_pinned()
    {
        using var factory = CcfsFactory.With([]);
        var seeder = factory.Services.GetRequiredService<Ccfs.Server.Seeding.Seeder>();
        var pins = factory.Services.GetRequiredService<RetentionStore>();
        Ccfs.Server.Seeding.SeedUpload[] upload = [new(CcfsFactory.Vdn, "welcome.wav", Samples.Sine, "test")];
        var name = (await seeder.SeedAsync(upload, [], "test")).Uploads.Single().FileName;
        await PinAsync(factory, name, "pin", HttpStatusCode.OK);
        Assert.True(await pins.IsPinnedAsync(name[2..], CancellationToken.None));

        using (var deleted = await factory.Signed().DeleteAsync(name))
        {
            await CcfsAnswer.AssertTripleAsync(deleted, "0", "success");
        }

        await seeder.SeedAsync(upload, [], "test");

        Assert.True(factory.HasCopy(name));
        Assert.False(await pins.IsPinnedAsync(name[2..], CancellationToken.None));
    }

    /// <summary>
    /// A server whose own sweeper stays out of the test: VDN 53 was swept at start-up (under a global retainFor of ten
    /// years, so nothing went) and is not due again for a week, so only the test's own calls judge its files.
    /// </summary>
    private static async Task<CcfsFactory> QuietSweeperAsync()
    {
        var factory = CcfsFactory.With(new() { ["Ccfs:Parameters:RetainFor"] = "3650.00:00:00", ["Ccfs:Retention:SweepInterval"] = "7.00:00:00" });
        await WaitForStartUpSweepAsync(factory);
        return factory;
    }

    /// <summary>Waits until the sweep the server makes of VDN 53 at start-up has ended (bounded).</summary>
    private static async Task WaitForStartUpSweepAsync(CcfsFactory factory)
    {
        var store = factory.Services.GetRequiredService<RetentionStore>();
        // The catalog keeps milliseconds.
        var startedAt = factory.Time.GetUtcNow().ToUnixTimeMilliseconds();
        for (var attempt = 0; (await store.SweepOfAsync(CcfsFactory.Vdn, CancellationToken.None)) is not { ClaimedBy: null } last
             || last.LastSweptAt.ToUnixTimeMilliseconds() < startedAt; attempt++)
        {
            Assert.True(attempt < 1000, "the sweep at start-up did not end");
            await Task.Delay(10);
        }
    }

    /// <summary>
    /// Lets the server's own sweeper run: moves the fake clock in small steps (its ticks, and the pauses between deletes,
    /// end) until <paramref name="done"/>, then until the sweep is released.
    /// </summary>
    internal static async Task SweepUntilAsync(CcfsFactory factory, Func<bool> done)
    {
        var store = factory.Services.GetRequiredService<RetentionStore>();
        for (var step = 0; step < 2000; step++)
        {
            if (done() && (await store.SweepOfAsync(CcfsFactory.Vdn, CancellationToken.None)).ClaimedBy is null)
            {
                return;
            }

            factory.Time.Advance(TimeSpan.FromMilliseconds(100));
            await Task.Delay(10);
        }

        Assert.Fail("the sweep did not finish");
    }

    /// <summary>The files of the retention audit entries, once <paramref name="count"/> are written (the trail writes in batches).</summary>
    internal static async Task<List<string?>> RetentionAuditAsync(CcfsFactory factory, int count)
    {
        for (var attempt = 0; ; attempt++)
        {
            using var audit = await factory.Admin().SendAsync(HttpMethod.Get, "/admin/api/audit?interface=retention");
            var files = JsonDocument.Parse(await audit.Content.ReadAsStringAsync()).RootElement.GetProperty("entries").EnumerateArray()
                .Select(e => e.GetProperty("file").GetString()).ToList();
            if (files.Count >= count || attempt == 100)
            {
                return files;
            }

            // The trail writes on a timer of the server's (fake) clock.
            factory.Time.Advance(TimeSpan.FromSeconds(1));
            await Task.Delay(50);
        }
    }

    internal static async Task<JsonElement> PinAsync(CcfsFactory factory, string fileName, string action, HttpStatusCode status)
    {
        using var response = await factory.Admin().SendAsync(HttpMethod.Post, $"/admin/api/files/{action}?fileName={Uri.EscapeDataString(fileName)}");
        Assert.Equal(status, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    internal static async Task<JsonElement> PreviewAsync(CcfsFactory factory, int vdn)
    {
        using var response = await factory.Admin().SendAsync(HttpMethod.Get, $"/admin/api/retention/preview?vdnId={vdn}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    private static async Task<Dictionary<string, JsonElement>> FilesAsync(CcfsFactory factory)
    {
        using var response = await factory.Admin().SendAsync(HttpMethod.Get, $"/admin/api/vdns/{CcfsFactory.Vdn}/files");
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("files").EnumerateArray()
            .ToDictionary(f => f.GetProperty("fileName").GetString()!, f => f.Clone());
    }

    internal static async Task<List<JsonElement>> EventsAsync(CcfsFactory factory)
    {
        using var feed = await factory.Admin().SendAsync(HttpMethod.Get, $"/admin/api/events?vdnId={CcfsFactory.Vdn}&after=0&limit=100");
        return [.. JsonDocument.Parse(await feed.Content.ReadAsStringAsync()).RootElement.GetProperty("events").EnumerateArray().Select(e => e.Clone())];
    }
}

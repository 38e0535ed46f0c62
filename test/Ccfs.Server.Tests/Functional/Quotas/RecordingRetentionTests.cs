using System.Net;
using Ccfs.Server.Catalog;
using Ccfs.Server.Quotas;
using Ccfs.Server.Storage;
using static Ccfs.Server.Tests.Functional.Quotas.RetentionTests;

namespace Ccfs.Server.Tests.Functional.Quotas;

/// <summary>
/// Retention of the files no catalog row lists (docs/quotas-and-retention.md): recordings the IVR writes into the
/// locations under a VDN's download rule folders, aged by their last-modified time, in CTI pool mode, on disk and in S3.
/// On disk the old recordings get an old mtime; S3 keeps its own Last-Modified, so there the server's clock moves past
/// <c>retainFor</c> after the old ones are written and before the young ones are.
/// </summary>
public sealed class RecordingRetentionTests
{
    private const string Day = "20261201";
    private static readonly TimeSpan RetainFor = TimeSpan.FromDays(1);

    [Fact]
    public async Task Expired_recordings_go_from_every_location_and_young_pinned_other_vdns_and_outside_files_stay()
    {
        using var factory = Pool();
        string[] expiring = [$"voice/53/IVRrecordFile/{Day}/093012-record.wav", $"voice/53/IVRrecordFile/{Day}/late/235959-record.wav",
            $"3rdfile/53/IVRrecordFile/{Day}/100000-record.wav"];
        var onlySecond = expiring[2];
        var pinned = $"voice/53/IVRrecordFile/{Day}/110000-record.wav";
        string[] untouched = [$"voice/55/IVRrecordFile/{Day}/093012-record.wav", $"voice/53/IVRrecordFileCopy/{Day}/093012-record.wav",
            "voice/53/093012-record.wav", $"voice/53/IVRrecordFile/{Day}/.093012-record.wav.part"];
        foreach (var path in expiring.Append(pinned).Concat(untouched))
        {
            Put(factory, path, path == onlySecond ? ["256"] : factory.LocationIds);
        }

        await AgeAsync(factory, [.. expiring, pinned, .. untouched]);
        var young = $"voice/53/IVRrecordFile/{Day}/120000-record.wav";
        Put(factory, young, factory.LocationIds);
        var prompt = await factory.Signed().StoreAsync(Samples.Sine);
        if (!TestBackends.UsesS3)
        {
            // Its copies look old, but it has a catalog row, whose age it has.
            Age(factory, prompt[3..]);
        }

        await PinAsync(factory, "Y:/" + pinned, "pin", HttpStatusCode.OK);
        await QuotaTests.SetVdnAsync(factory, CcfsFactory.Vdn, new { retainFor = "1.00:00:00" });

        var preview = await PreviewAsync(factory, CcfsFactory.Vdn);
        var listed = preview.GetProperty("files").EnumerateArray().ToList();
        Assert.Equal(expiring.Select(p => "Y:/" + p).Order(), listed.Select(f => f.GetProperty("fileName").GetString()).Order());
        Assert.All(listed, f => Assert.True(f.GetProperty("storeOnly").GetBoolean()));
        Assert.Equal(3L * Samples.Sine.Length, preview.GetProperty("bytes").GetInt64());

        await SweepNowAsync(factory);

        Assert.All(expiring, path => Assert.All(factory.LocationIds, id => Assert.Null(factory.ReadStored(path, id))));
        Assert.All(untouched.Append(pinned).Append(young), path => Assert.All(factory.LocationIds, id => Assert.NotNull(factory.ReadStored(path, id))));
        Assert.True(factory.HasCopy(prompt, "0") && factory.HasCopy(prompt, "256"));
        Assert.NotNull(await factory.FindAsync(prompt[2..]));
        Assert.DoesNotContain(await EventsAsync(factory), e => e.GetProperty("type").GetString() == EventTypes.Expired);
        Assert.Empty((await PreviewAsync(factory, CcfsFactory.Vdn)).GetProperty("files").EnumerateArray());
        var audited = await RetentionAuditAsync(factory, expiring.Length);
        Assert.All(expiring, path => Assert.Contains("Y:/" + path, audited));
        Assert.DoesNotContain("Y:/" + pinned, audited);
    }

    [Fact]
    public async Task A_recording_listed_as_expired_stays_once_a_copy_is_young_a_row_names_it_or_it_is_pinned()
    {
        using var factory = Pool();
        var path = $"voice/53/IVRrecordFile/{Day}/093012-record.wav";
        Put(factory, path, factory.LocationIds);
        await AgeAsync(factory, [path]);
        await QuotaTests.SetVdnAsync(factory, CcfsFactory.Vdn, new { retainFor = "1.00:00:00" });
        var candidates = factory.Services.GetRequiredService<RetentionCandidates>();
        var listed = Assert.Single(await candidates.NextSweepAsync(CcfsFactory.Vdn, 10, CancellationToken.None));
        Assert.True(listed.StoreOnly);
        Assert.True(await candidates.StillExpiredAsync(CcfsFactory.Vdn, listed, CancellationToken.None));

        await PinAsync(factory, "Y:/" + path, "pin", HttpStatusCode.OK);
        Assert.False(await candidates.StillExpiredAsync(CcfsFactory.Vdn, listed, CancellationToken.None));
        Assert.Empty(await candidates.NextSweepAsync(CcfsFactory.Vdn, 10, CancellationToken.None));
        await PinAsync(factory, "Y:/" + path, "unpin", HttpStatusCode.OK);

        // The IVR writes the second location's copy again: the delete would take it too, so the file is young.
        factory.DeleteStored(path, "256");
        factory.PutStored(path, Samples.Sine, "256");
        if (!TestBackends.UsesS3)
        {
            File.SetLastWriteTimeUtc(Path.Combine(factory.LocationRoot("256"), path), factory.Time.GetUtcNow().UtcDateTime);
        }

        Assert.False(await candidates.StillExpiredAsync(CcfsFactory.Vdn, listed, CancellationToken.None));
        Assert.NotNull(factory.ReadStored(path, "0"));
    }

    [Fact]
    public async Task A_vdn_that_holds_only_recordings_is_swept_under_the_global_retainFor()
    {
        // VDN 54: bound to an access key, no file in the catalog, no parameter of its own.
        using var factory = Pool(new() { ["Ccfs:Parameters:RetainFor"] = "1.00:00:00", ["Ccfs:Retention:SweepInterval"] = "00:00:01" });
        var path = $"voice/{CcfsFactory.OtherVdn}/IVRrecordFile/{Day}/093012-record.wav";
        Put(factory, path, factory.LocationIds);
        await AgeAsync(factory, [path]);
        factory.Time.Advance(TimeSpan.FromSeconds(2));

        await SweepNowAsync(factory);

        Assert.All(factory.LocationIds, id => Assert.Null(factory.ReadStored(path, id)));
    }

    [Fact]
    public async Task A_vdn_nothing_names_but_a_folder_in_a_location_is_swept_and_previewed_alike()
    {
        // VDN 77: no account, no parameter of its own, no catalog row; only its folder under /voice/ in one location.
        using var factory = Pool();
        var path = $"voice/77/IVRrecordFile/{Day}/093012-record.wav";
        // Folders that name no VDN (leading zero, not a number, hidden) are never taken for one.
        string[] untouched = [$"voice/077/IVRrecordFile/{Day}/093012-record.wav", $"voice/abc/IVRrecordFile/{Day}/093012-record.wav",
            $"voice/.77/IVRrecordFile/{Day}/093012-record.wav"];
        Put(factory, path, ["256"]);
        foreach (var other in untouched)
        {
            Put(factory, other, ["256"]);
        }

        await AgeAsync(factory, [path, .. untouched]);
        // Set once the files are old, as an operator would.
        using (var set = await factory.Admin().AdminAsync(HttpMethod.Put, "/admin/api/parameters", new { retainFor = "1.00:00:00" }))
        {
            Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        }

        var candidates = factory.Services.GetRequiredService<RetentionCandidates>();
        Assert.Equal([77], await candidates.VdnsInLocationsAsync(CancellationToken.None));
        var previewed = (await PreviewAsync(factory, 77)).GetProperty("files").EnumerateArray().Select(f => f.GetProperty("fileName").GetString());
        Assert.Equal(["Y:/" + path], previewed);

        await SweepNowAsync(factory);

        Assert.Null(factory.ReadStored(path, "256"));
        Assert.All(untouched, other => Assert.NotNull(factory.ReadStored(other, "256")));
        Assert.Empty((await PreviewAsync(factory, 77)).GetProperty("files").EnumerateArray());
    }

    [Fact]
    public async Task A_vdn_folder_in_the_root_under_a_rule_that_starts_with_the_vdn_is_swept()
    {
        // VDN 77: nothing names it; the global download rule puts each VDN's recordings in a folder in the location's root.
        using var factory = Pool();
        var path = $"77/IVRrecordFile/{Day}/093012-record.wav";
        var underNoRule = $"voice/77/IVRrecordFile/{Day}/093012-record.wav";
        Put(factory, path, ["256"]);
        Put(factory, underNoRule, ["256"]);
        await AgeAsync(factory, [path, underNoRule]);
        using (var set = await factory.Admin().AdminAsync(HttpMethod.Put, "/admin/api/parameters",
            new { retainFor = "1.00:00:00", downloadPathRule = "/%VDNNO%/IVRrecordFile" }))
        {
            Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        }

        var candidates = factory.Services.GetRequiredService<RetentionCandidates>();
        Assert.Equal([77], await candidates.VdnsInLocationsAsync(CancellationToken.None));

        await SweepNowAsync(factory);

        Assert.Null(factory.ReadStored(path, "256"));
        Assert.NotNull(factory.ReadStored(underNoRule, "256"));
    }

    [Fact]
    [Trait("Storage", "Disk")]
    public async Task A_rule_folder_reached_through_a_link_inside_the_location_is_not_swept()
    {
        // VDN 53's recording folder is a link to VDN 55's, which keeps its files forever: 53's retention must not reach them.
        using var factory = Pool();
        var theirs = $"voice/55/IVRrecordFile/{Day}/093012-record.wav";
        Put(factory, theirs, factory.LocationIds);
        await AgeAsync(factory, [theirs]);
        foreach (var id in factory.LocationIds)
        {
            Directory.CreateSymbolicLink(Path.Combine(factory.LocationRoot(id), "voice", "53"), "55");
        }

        await QuotaTests.SetVdnAsync(factory, CcfsFactory.Vdn, new { retainFor = "1.00:00:00" });

        Assert.Empty((await PreviewAsync(factory, CcfsFactory.Vdn)).GetProperty("files").EnumerateArray());
        await SweepNowAsync(factory);

        Assert.All(factory.LocationIds, id => Assert.NotNull(factory.ReadStored(theirs, id)));
        Assert.Contains(factory.Logs, l => l.Message.StartsWith("Retention does not sweep voice/53/IVRrecordFile of location", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_file_placed_in_the_upload_folder_outside_every_download_folder_can_be_pinned()
    {
        // The sweep lists the upload folder too; here no download rule covers it.
        using var factory = Pool();
        var path = "3rdfile/53/thirdvoicebotfile/placed.wav";
        Put(factory, path, factory.LocationIds);
        await AgeAsync(factory, [path]);
        await QuotaTests.SetVdnAsync(factory, CcfsFactory.Vdn, new { downloadPathRule = "/voice/%VDNNO%/IVRrecordFile", retainFor = "1.00:00:00" });
        Assert.Single((await PreviewAsync(factory, CcfsFactory.Vdn)).GetProperty("files").EnumerateArray());

        await PinAsync(factory, "Y:/" + path, "pin", HttpStatusCode.OK);

        Assert.Empty((await PreviewAsync(factory, CcfsFactory.Vdn)).GetProperty("files").EnumerateArray());
        await SweepNowAsync(factory);
        Assert.All(factory.LocationIds, id => Assert.NotNull(factory.ReadStored(path, id)));
    }

    [Fact]
    [Trait("Storage", "Disk")]
    public async Task A_pin_through_a_link_is_refused_as_the_sweep_would_not_list_that_name()
    {
        using var factory = Pool();
        var path = $"voice/53/IVRrecordFile/{Day}/093012-record.wav";
        Put(factory, path, factory.LocationIds);
        await AgeAsync(factory, [path]);
        var outside = Directory.CreateTempSubdirectory("rv-outside-").FullName;
        try
        {
            await File.WriteAllBytesAsync(Path.Combine(outside, "secret.wav"), Samples.Sine);
            foreach (var id in factory.LocationIds)
            {
                var folder = Path.Combine(factory.LocationRoot(id), "voice", "53", "IVRrecordFile");
                Directory.CreateSymbolicLink(Path.Combine(folder, "alias"), Day);
                Directory.CreateSymbolicLink(Path.Combine(folder, "out"), outside);
            }

            await QuotaTests.SetVdnAsync(factory, CcfsFactory.Vdn, new { retainFor = "1.00:00:00" });

            // The sweep lists the recording under its own name only, so a pin of the link's name would not keep it.
            foreach (var name in new[] { "alias/093012-record.wav", "out/secret.wav" })
            {
                var refused = await PinAsync(factory, "Y:/voice/53/IVRrecordFile/" + name, "pin", HttpStatusCode.BadRequest);
                Assert.Contains("leads through a link, and retention follows none", refused.GetRawText(), StringComparison.Ordinal);
            }

            Assert.Equal(0, factory.CatalogCount("file_pins"));
            Assert.Single((await PreviewAsync(factory, CcfsFactory.Vdn)).GetProperty("files").EnumerateArray());
        }
        finally
        {
            Directory.Delete(outside, recursive: true);
        }
    }

    /// <summary>CTI pool mode, locations 0 and 256, deleting as fast as the sweeper may, so a sweep needs next to no clock.</summary>
    /// <summary>
    /// A server on two locations whose own sweeper is off (<c>Ccfs:Retention:Enabled</c>): only the test's
    /// <see cref="SweepNowAsync"/> sweeps, so a tick that the test's clock sets off cannot sweep before a preview.
    /// </summary>
    private static CcfsFactory Pool(Dictionary<string, string?>? settings = null) => CcfsFactory.With(new(settings ?? [])
    {
        ["Ccfs:Locations:0:Id"] = "0",
        ["Ccfs:Locations:1:Id"] = "256",
        ["Ccfs:Retention:DeletesPerSecond"] = "10000",
        ["Ccfs:Retention:Enabled"] = "false",
    });

    /// <summary>
    /// Runs a sweep of every due VDN now, moving the clock a millisecond at a time (the pause between deletes is a tenth
    /// of one), so in S3 the recordings written after the old ones stay young through it.
    /// </summary>
    internal static async Task SweepNowAsync(CcfsFactory factory)
    {
        var sweep = factory.Services.GetRequiredService<RetentionSweeper>().SweepDueAsync(CancellationToken.None);
        for (var step = 0; !sweep.IsCompleted && step < 20_000; step++)
        {
            factory.Time.Advance(TimeSpan.FromMilliseconds(1));
            await Task.Delay(10);
        }

        await sweep;
    }

    private static void Put(CcfsFactory factory, string path, IEnumerable<string> locations)
    {
        foreach (var id in locations)
        {
            factory.PutStored(path, Samples.Sine, id);
        }
    }

    /// <summary>
    /// Makes the files placed so far older than <see cref="RetainFor"/>: on disk by their mtime; in S3 by moving the
    /// server's clock one second past the newest one's Last-Modified plus <c>retainFor</c>, once the store's clock is
    /// three seconds past that one (it keeps whole seconds), so what is written next stays young through a sweep.
    /// </summary>
    internal static async Task AgeAsync(CcfsFactory factory, IReadOnlyList<string> paths)
    {
        if (!TestBackends.UsesS3)
        {
            foreach (var path in paths)
            {
                Age(factory, path);
            }

            return;
        }

        var newest = DateTimeOffset.MinValue;
        foreach (var store in factory.Services.GetRequiredService<LocationSet>().Stores)
        {
            foreach (var path in paths)
            {
                if (await store.StatAsync(StoreByRelativePath.Path(path), CancellationToken.None) is { } stat && stat.LastModified > newest)
                {
                    newest = stat.LastModified;
                }
            }
        }

        while (DateTimeOffset.UtcNow < newest + TimeSpan.FromSeconds(3))
        {
            await Task.Delay(100);
        }

        factory.Time.SetUtcNow(newest + RetainFor + TimeSpan.FromSeconds(1));
    }

    /// <summary>Gives every disk copy of <paramref name="path"/> an mtime twice <see cref="RetainFor"/> ago.</summary>
    private static void Age(CcfsFactory factory, string path)
    {
        foreach (var id in factory.LocationIds)
        {
            var file = Path.Combine(factory.LocationRoot(id), path);
            if (File.Exists(file))
            {
                File.SetLastWriteTimeUtc(file, (factory.Time.GetUtcNow() - 2 * RetainFor).UtcDateTime);
            }
        }
    }
}

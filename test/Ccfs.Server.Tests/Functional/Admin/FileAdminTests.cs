using System.Buffers.Binary;
using System.Net;
using System.Text.Json;
using Ccfs.Audio;
using Ccfs.Protocol;

namespace Ccfs.Server.Tests.Functional.Admin;

/// <summary>The admin page's file endpoints: VDNs, listing, playback, waveform, upload with conversion, delete.</summary>
public sealed class FileAdminTests : IDisposable
{
    private const string Folder53 = "Y:/3rdfile/53/thirdvoicebotfile/";
    private readonly CcfsFactory _factory = new();

    public void Dispose() => _factory.Dispose();

    [Fact]
    public async Task The_VDN_list_shows_VDNs_with_files_and_VDNs_with_parameters_of_their_own()
    {
        await _factory.Signed().StoreAsync(Samples.Sine);
        using var put = await _factory.Admin().AdminAsync(HttpMethod.Put, "/admin/api/parameters/vdns/77", new { acceptedEncodings = "alaw,mulaw" });
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);

        var vdns = (await GetJsonAsync("/admin/api/vdns")).GetProperty("vdns").EnumerateArray().ToList();

        Assert.Equal([53, 77], vdns.Select(v => v.GetProperty("vdnId").GetInt32()));
        Assert.Equal(1, vdns[0].GetProperty("files").GetInt64());
        Assert.Equal(Samples.Sine.Length, vdns[0].GetProperty("bytes").GetInt64());
        Assert.False(vdns[0].GetProperty("hasOverrides").GetBoolean());
        Assert.Equal(0, vdns[1].GetProperty("files").GetInt64());
        Assert.True(vdns[1].GetProperty("hasOverrides").GetBoolean());
    }

    [Fact]
    public async Task Files_are_listed_newest_first_page_by_page_with_name_size_duration_creation_and_locations()
    {
        var client = _factory.Signed();
        var oldest = await client.StoreAsync(Samples.Sine);
        _factory.Time.Advance(TimeSpan.FromSeconds(1));
        // Two files of the same millisecond: the path, descending, orders them, and a page may end between them.
        var sameMoment = new[] { await client.StoreAsync(Samples.Sine), await client.StoreAsync(Samples.Sine) }.OrderDescending(StringComparer.Ordinal);
        _factory.Time.Advance(TimeSpan.FromSeconds(1));
        var newest = await client.StoreAsync(Samples.Sine);
        await client.StoreAsync(Samples.Sine, 55);

        var first = await GetJsonAsync("/admin/api/vdns/53/files?limit=2");
        var next = first.GetProperty("next").GetString();
        var second = await GetJsonAsync("/admin/api/vdns/53/files?limit=2&after=" + Uri.EscapeDataString(next!));

        var files = first.GetProperty("files").EnumerateArray().Concat(second.GetProperty("files").EnumerateArray()).ToList();
        Assert.Equal([newest, .. sameMoment, oldest], files.Select(f => f.GetProperty("fileName").GetString()));
        Assert.False(second.TryGetProperty("next", out _));
        var file = files[0];
        Assert.Equal(Samples.Sine.Length, file.GetProperty("sizeBytes").GetInt64());
        Assert.Equal((long)WaveValidator.Validate(Samples.Sine).Duration.TotalMilliseconds, file.GetProperty("durationMs").GetInt64());
        Assert.Equal("alaw", file.GetProperty("encoding").GetString());
        Assert.Equal(53, file.GetProperty("vdnId").GetInt32());
        Assert.Equal(CcfsFactory.AccessKey, file.GetProperty("accessKey").GetString());
        Assert.Equal(["0"], file.GetProperty("locations").EnumerateArray().Select(l => l.GetString()));
        Assert.True(file.GetProperty("createdAt").GetDateTimeOffset() > DateTimeOffset.UnixEpoch);
    }

    [Theory]
    [InlineData("limit=0")]
    [InlineData("limit=1001")]
    [InlineData("limit=ten")]
    public async Task A_bad_page_size_is_refused(string query)
    {
        using var response = await _factory.Admin().SendAsync(HttpMethod.Get, "/admin/api/vdns/53/files?" + query);

        await AssertErrorAsync(response, HttpStatusCode.BadRequest, "limit");
    }

    [Theory]
    [InlineData("/3rdfile/53/thirdvoicebotfile/x.wav")]
    [InlineData("soon:/3rdfile/53/thirdvoicebotfile/x.wav")]
    [InlineData("1795512345678:")]
    [InlineData("-5:/x.wav")]
    [InlineData("99999999999999999999:/x.wav")]
    public async Task An_after_that_no_page_gave_is_refused(string after)
    {
        using var response = await _factory.Admin().SendAsync(HttpMethod.Get, "/admin/api/vdns/53/files?after=" + Uri.EscapeDataString(after));

        await AssertErrorAsync(response, HttpStatusCode.BadRequest, "after must be the next of the previous page");
    }

    [Fact]
    public async Task Audio_is_the_stored_prompt_decoded_to_16_bit_PCM_sample_for_sample()
    {
        var name = await _factory.Signed().StoreAsync(Samples.Sine);

        using var response = await _factory.Admin().SendAsync(HttpMethod.Get, "/admin/api/files/audio?fileName=" + Uri.EscapeDataString(name));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("audio/wav", response.Content.Headers.ContentType?.MediaType);
        var pcm = await response.Content.ReadAsByteArrayAsync();
        Assert.True(WaveDecoder.TryOpen(new MemoryStream(pcm), out var decoder, out var reason), reason);
        Assert.Equal(WaveFormat.Pcm, decoder!.Format.FormatTag);
        Assert.Equal(16, decoder.Format.BitsPerSample);
        Assert.Equal(1, decoder.Format.Channels);
        Assert.Equal(8000, decoder.SampleRate);

        var wave = WaveValidator.Validate(Samples.Sine);
        var alaw = Samples.Sine.AsSpan((int)wave.DataOffset, (int)wave.DataLength);
        Assert.Equal(alaw.Length, decoder.FrameCount);
        for (var i = 0; i < alaw.Length; i++)
        {
            Assert.Equal(G711.ALawDecode(alaw[i]), BinaryPrimitives.ReadInt16LittleEndian(pcm.AsSpan(Pcm16Transcoder.HeaderLength + (2 * i))));
        }
    }

    [Fact]
    public async Task Peaks_are_the_requested_number_of_buckets_within_minus_one_and_one()
    {
        var name = await _factory.Signed().StoreAsync(Samples.Sine);

        var peaks = await GetJsonAsync($"/admin/api/files/peaks?points=50&fileName={Uri.EscapeDataString(name)}");

        var min = peaks.GetProperty("min").EnumerateArray().Select(v => v.GetDouble()).ToList();
        var max = peaks.GetProperty("max").EnumerateArray().Select(v => v.GetDouble()).ToList();
        Assert.Equal(50, min.Count);
        Assert.Equal(50, max.Count);
        Assert.All(min.Zip(max), p => Assert.True(p.First >= -1 && p.First <= p.Second && p.Second <= 1, $"{p.First}..{p.Second}"));
        Assert.True(max.Max() > 0.1 && min.Min() < -0.1, "a sine reaches past ±0.1");
        Assert.Equal(8000, peaks.GetProperty("sampleRate").GetInt32());
        Assert.Equal(WaveValidator.Validate(Samples.Sine).DataLength, peaks.GetProperty("frames").GetInt64());
    }

    [Theory]
    [InlineData("points=0")]
    [InlineData("points=4097")]
    [InlineData("points=many")]
    public async Task A_bad_number_of_points_is_refused(string query)
    {
        var name = await _factory.Signed().StoreAsync(Samples.Sine);

        using var response = await _factory.Admin().SendAsync(HttpMethod.Get,
            $"/admin/api/files/peaks?{query}&fileName={Uri.EscapeDataString(name)}");

        await AssertErrorAsync(response, HttpStatusCode.BadRequest, "points");
    }

    [Theory]
    [InlineData("audio")]
    [InlineData("peaks")]
    public async Task A_file_the_catalog_does_not_hold_is_404_and_a_name_no_client_could_send_is_400(string view)
    {
        var admin = _factory.Admin();
        var stored = await _factory.Signed().StoreAsync(Samples.Sine);
        foreach (var missing in new[] { Folder53 + "nothere.wav", "Y:/voice/53/IVRrecordFile/x.wav", "C" + stored[1..] })
        {
            using var response = await admin.SendAsync(HttpMethod.Get, $"/admin/api/files/{view}?fileName=" + Uri.EscapeDataString(missing));
            await AssertErrorAsync(response, HttpStatusCode.NotFound, "not stored");
        }

        foreach (var hostile in new[] { "", Folder53 + "../../../../etc/passwd", "3rdfile/53/thirdvoicebotfile/x.wav", Folder53 + "a%2Fb.wav" })
        {
            using var refused = await admin.SendAsync(HttpMethod.Get, $"/admin/api/files/{view}?fileName=" + Uri.EscapeDataString(hostile));
            await AssertErrorAsync(refused, HttpStatusCode.BadRequest, "fileName");
        }
    }

    [Fact]
    public async Task An_upload_of_PCM_at_22050_Hz_is_converted_and_stored_as_A_law_under_a_VDN_the_admin_is_not_bound_to()
    {
        var pcm = Pcm16Tone(22_050, seconds: 1.5);

        using var response = await UploadAsync(999, pcm);

        var stored = await AssertJsonAsync(response, HttpStatusCode.Created);
        var name = stored.GetProperty("fileName").GetString()!;
        Assert.StartsWith("Y:/3rdfile/999/thirdvoicebotfile/", name, StringComparison.Ordinal);
        Assert.Equal(["0"], stored.GetProperty("locationId").EnumerateArray().Select(l => l.GetString()));
        Assert.Equal("16-bit linear PCM, 22050 Hz, 1 channel", stored.GetProperty("convertedFrom").GetString());
        var bytes = _factory.ReadCopy(name)!;
        var wave = WaveValidator.Validate(bytes);
        Assert.True(wave.IsValid, wave.Reason);
        Assert.Equal(1.5, wave.Duration.TotalSeconds, 0.01);
        var record = await _factory.FindAsync(name[2..]);
        Assert.NotNull(record);
        Assert.Equal(999, record.VdnId);
        Assert.Equal(CcfsFactory.AdminAccessKey, record.AccessKey);
        Assert.Equal(bytes.Length, record.SizeBytes);
        Assert.Equal(1500, stored.GetProperty("durationMs").GetInt64());
    }

    [Fact]
    public async Task An_upload_that_is_already_an_acceptable_prompt_is_stored_byte_for_byte()
    {
        using var response = await UploadAsync(CcfsFactory.Vdn, Samples.Sine, "application/octet-stream");

        var stored = await AssertJsonAsync(response, HttpStatusCode.Created);
        Assert.False(stored.TryGetProperty("convertedFrom", out _));
        var name = stored.GetProperty("fileName").GetString()!;
        Assert.Equal(Samples.Sine, _factory.ReadCopy(name));

        // The CC-FS interfaces see the file like any other upload.
        using var hash = await _factory.Signed().HashAsync(name);
        await CcfsAnswer.AssertTripleAsync(hash, "0", "success");
    }

    [Theory]
    [InlineData("invalid", "mp3-8k.mp3")]
    [InlineData("invalid", "not-wave-form.wav")]
    [InlineData("invalid", "empty.wav")]
    [InlineData("invalid", "gsm610-8k.wav")]
    public async Task Unreadable_audio_is_refused_with_the_reason_and_nothing_is_stored(string folder, string file)
    {
        var before = _factory.Snapshot();

        using var response = await UploadAsync(CcfsFactory.Vdn, Samples.Read(folder, file));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = (await AssertJsonAsync(response, HttpStatusCode.BadRequest)).GetProperty("error").GetString();
        Assert.True(error!.Contains("could not be read", StringComparison.Ordinal) || error.Contains("empty", StringComparison.Ordinal), error);
        Assert.Equal(before, _factory.Snapshot());
    }

    [Fact]
    public async Task A_body_over_the_admin_upload_limit_is_413_and_nothing_is_stored()
    {
        using var factory = CcfsFactory.With(new() { ["Ccfs:Admin:MaxUploadMb"] = "1" });
        var before = factory.Snapshot();

        using var response = await factory.Admin().SendAsync(HttpMethod.Post, "/admin/api/vdns/53/files", Pcm16Tone(44_100, seconds: 12),
            new SignOptions { ContentType = "audio/wav", SignedHeaders = ["host"] });

        await AssertErrorAsync(response, HttpStatusCode.RequestEntityTooLarge, "limit");
        Assert.Equal(before, factory.Snapshot());
    }

    [Fact]
    public async Task A_prompt_over_the_VDN_size_limit_is_400_and_nothing_is_stored()
    {
        using var put = await _factory.Admin().AdminAsync(HttpMethod.Put, "/admin/api/parameters/vdns/53", new { uploadSizeLimitMb = 0.01m });
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        var before = _factory.Snapshot();

        using var response = await UploadAsync(CcfsFactory.Vdn, Samples.ALawOfSize(20_000));

        await AssertErrorAsync(response, HttpStatusCode.BadRequest, "over VDN 53's limit");
        Assert.Equal(before, _factory.Snapshot());
    }

    [Fact]
    public async Task A_prompt_that_would_be_over_the_VDN_size_limit_after_conversion_is_400_and_nothing_is_stored()
    {
        using var put = await _factory.Admin().AdminAsync(HttpMethod.Put, "/admin/api/parameters/vdns/53", new { uploadSizeLimitMb = 0.01m });
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        var before = _factory.Snapshot();

        // 1.5 s at 22,050 Hz: 12,000 A-law samples at 8 kHz, past 0.01 MB, though its own 66 kB passed the body limit.
        using var response = await UploadAsync(CcfsFactory.Vdn, Pcm16Tone(22_050, seconds: 1.5));

        await AssertErrorAsync(response, HttpStatusCode.BadRequest, "would be over VDN 53's limit of 10485 bytes after conversion");
        Assert.Equal(before, _factory.Snapshot());
    }

    [Fact]
    public async Task A_prompt_a_VDN_does_not_accept_even_after_conversion_is_400()
    {
        using var put = await _factory.Admin().AdminAsync(HttpMethod.Put, "/admin/api/parameters/vdns/53", new { acceptedEncodings = "mulaw" });
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        var before = _factory.Snapshot();

        using var response = await UploadAsync(CcfsFactory.Vdn, Pcm16Tone(16_000, seconds: 0.5));

        await AssertErrorAsync(response, HttpStatusCode.BadRequest, "does not accept");
        Assert.Equal(before, _factory.Snapshot());
    }

    [Fact]
    public async Task An_upload_that_is_not_audio_by_its_content_type_is_415()
    {
        using var response = await UploadAsync(CcfsFactory.Vdn, Samples.Sine, "application/json");

        await AssertErrorAsync(response, HttpStatusCode.UnsupportedMediaType, "audio/wav");
    }

    [Fact]
    public async Task A_binary_body_passes_the_signature_check_only_on_the_admin_upload()
    {
        // The same bytes, correctly signed, to deleteFile: the CC-FS rule that a body is UTF-8 still holds there.
        using var response = await _factory.Signed().PostAsync(CcfsPaths.DeleteFile, Samples.Sine);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("UTF-8", CcfsAnswer.Reason(response), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Delete_removes_the_file_from_disk_and_catalog_and_a_second_delete_is_404()
    {
        var name = await _factory.Signed().StoreAsync(Samples.Sine);
        Assert.True(_factory.HasCopy(name));

        using var deleted = await _factory.Admin().SendAsync(HttpMethod.Delete, "/admin/api/files?fileName=" + Uri.EscapeDataString(name));

        Assert.Equal(name, (await AssertJsonAsync(deleted, HttpStatusCode.OK)).GetProperty("fileName").GetString());
        Assert.False(_factory.HasCopy(name));
        Assert.Null(await _factory.FindAsync(name[2..]));
        using var again = await _factory.Admin().SendAsync(HttpMethod.Delete, "/admin/api/files?fileName=" + Uri.EscapeDataString(name));
        await AssertErrorAsync(again, HttpStatusCode.NotFound, "not stored");
    }

    [Fact]
    public async Task Delete_refuses_hostile_names_and_touches_nothing()
    {
        await _factory.Signed().StoreAsync(Samples.Sine);
        var before = _factory.Snapshot();

        foreach (var hostile in new[] { "", Folder53 + "..", Folder53 + "x/../../../catalog.db", "Y:/../catalog.db" })
        {
            using var response = await _factory.Admin().SendAsync(HttpMethod.Delete, "/admin/api/files?fileName=" + Uri.EscapeDataString(hostile));
            await AssertErrorAsync(response, HttpStatusCode.BadRequest, "fileName");
        }

        // A folder is a name the catalog never gave a file.
        using var folder = await _factory.Admin().SendAsync(HttpMethod.Delete, "/admin/api/files?fileName=" + Uri.EscapeDataString(Folder53));
        await AssertErrorAsync(folder, HttpStatusCode.NotFound, "not stored");
        Assert.Equal(before, _factory.Snapshot());
    }

    [Fact]
    public async Task A_prompt_stored_under_an_earlier_upload_rule_and_drive_letter_can_still_be_played_and_deleted_here()
    {
        var client = _factory.Signed();
        var old = await client.StoreAsync(Samples.Sine);
        using (var changed = await _factory.Admin().AdminAsync(HttpMethod.Put, "/admin/api/parameters",
            new { uploadPathRule = "/prompts/%VDNNO%/bot/", driveLetter = "Z" }))
        {
            Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        }

        // The CC-FS interfaces follow the rules in force (spec §5): for them the old name is no uploaded file's any more.
        await CcfsAnswer.AssertTripleAsync(await client.DeleteAsync(old), "0300004", "The format of fileName is incorrect.");

        using var audio = await _factory.Admin().SendAsync(HttpMethod.Get, "/admin/api/files/audio?fileName=" + Uri.EscapeDataString(old));
        Assert.Equal(HttpStatusCode.OK, audio.StatusCode);
        Assert.Equal("audio/wav", audio.Content.Headers.ContentType?.MediaType);
        var peaks = await GetJsonAsync("/admin/api/files/peaks?points=10&fileName=" + Uri.EscapeDataString(old));
        Assert.Equal(10, peaks.GetProperty("max").GetArrayLength());

        using var deleted = await _factory.Admin().SendAsync(HttpMethod.Delete, "/admin/api/files?fileName=" + Uri.EscapeDataString(old));

        Assert.Equal(old, (await AssertJsonAsync(deleted, HttpStatusCode.OK)).GetProperty("fileName").GetString());
        Assert.False(_factory.HasCopy(old));
        Assert.Null(await _factory.FindAsync(old[2..]));
    }

    private Task<HttpResponseMessage> UploadAsync(int vdn, byte[] wav, string contentType = "audio/wav") =>
        _factory.Admin().SendAsync(HttpMethod.Post, $"/admin/api/vdns/{vdn}/files", wav,
            new SignOptions { ContentType = contentType, SignedHeaders = ["host", "content-type"] });

    private async Task<JsonElement> GetJsonAsync(string pathAndQuery)
    {
        using var response = await _factory.Admin().SendAsync(HttpMethod.Get, pathAndQuery);
        return await AssertJsonAsync(response, HttpStatusCode.OK);
    }

    private static async Task<JsonElement> AssertJsonAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"{(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private static async Task AssertErrorAsync(HttpResponseMessage response, HttpStatusCode status, string mentions)
    {
        var error = (await AssertJsonAsync(response, status)).GetProperty("error").GetString();
        Assert.Contains(mentions, error, StringComparison.Ordinal);
    }

    /// <summary>A 16-bit PCM mono sine at any rate, as a desktop tool writes it.</summary>
    private static byte[] Pcm16Tone(int sampleRate, double seconds)
    {
        var samples = (int)Math.Round(sampleRate * seconds);
        var file = new byte[Pcm16Transcoder.HeaderLength + (2 * samples)];
        Pcm16Transcoder.WriteHeader(file, sampleRate, samples);
        for (var i = 0; i < samples; i++)
        {
            BinaryPrimitives.WriteInt16LittleEndian(file.AsSpan(Pcm16Transcoder.HeaderLength + (2 * i)),
                (short)(12_000 * Math.Sin(2 * Math.PI * 440 * i / sampleRate)));
        }

        return file;
    }
}

using System.Net;
using System.Text.Json;
using Ccfs.Audio;
using Microsoft.Playwright;

namespace Ccfs.Browser.Tests;

/// <summary>An operator's session on the admin page, step by step, with a screenshot of each step.</summary>
[Collection(AdminPageCollection.Name)]
public sealed class AdminPageTests(AdminPageHost host)
{
    private const double ToneSeconds = 1.5;

    [Fact]
    public async Task A_wrong_secret_key_is_refused_with_a_clear_message_and_the_right_one_signs_in()
    {
        var page = await host.OpenAsync();
        await page.FillAsync("#ak", AdminPageHost.AccessKey);
        await page.FillAsync("#sk", "not-the-secret");
        await page.ClickAsync("#signin-button");

        var error = page.Locator("#signin-error");
        await error.WaitForAsync(new() { State = WaitForSelectorState.Visible });
        Assert.Equal("Sign-in failed: the access key is unknown or the secret key is wrong.", await error.TextContentAsync());
        Assert.False(await page.Locator("#admin-view").IsVisibleAsync());
        await AdminPageHost.ScreenshotAsync(page, "01-signin-refused");

        await page.FillAsync("#ak", AdminPageHost.UserAccessKey);
        await page.FillAsync("#sk", AdminPageHost.UserSecretKey);
        await page.ClickAsync("#signin-button");
        await page.WaitForFunctionAsync("() => document.getElementById('signin-error').textContent.includes('not an administrator')");
        Assert.False(await page.Locator("#admin-view").IsVisibleAsync());

        await page.FillAsync("#ak", AdminPageHost.AccessKey);

        await page.FillAsync("#sk", AdminPageHost.SecretKey);
        await page.ClickAsync("#signin-button");
        await page.Locator("#admin-view").WaitForAsync(new() { State = WaitForSelectorState.Visible });
        Assert.False(await error.IsVisibleAsync());
        Assert.Equal(AdminPageHost.AccessKey, await page.TextContentAsync("#who"));
        await AdminPageHost.ScreenshotAsync(page, "02-signed-in");

        // The keys are kept for the tab: a reload stays signed in.
        await page.ReloadAsync();
        await page.Locator("#admin-view").WaitForAsync(new() { State = WaitForSelectorState.Visible });
    }

    [Fact]
    public async Task A_dropped_22050_Hz_PCM_file_is_listed_and_stored_as_8_kHz_A_law()
    {
        var page = await host.SignedInAsync();

        var fileName = await DropAsync(page, ToneWave.Pcm16(22_050, ToneSeconds), "tone-22050.wav");

        var row = Row(page, fileName);
        await row.WaitForAsync();
        Assert.Contains("1.50 s", await row.TextContentAsync(), StringComparison.Ordinal);
        Assert.Contains("converted from", await page.TextContentAsync("#upload-status"), StringComparison.Ordinal);
        var stored = await File.ReadAllBytesAsync(host.StoredPath(fileName));
        var wave = WaveValidator.Validate(stored, WaveEncodings.ALaw);
        Assert.True(wave.IsValid, wave.Reason);
        Assert.Equal(WaveEncodings.ALaw, wave.Encoding);
        Assert.Equal(ToneSeconds, wave.Duration.TotalSeconds, 0.01);
        await AdminPageHost.ScreenshotAsync(page, "03-uploaded");
    }

    [Fact]
    public async Task The_file_input_uploads_too_when_dragging_is_not_an_option()
    {
        var page = await host.SignedInAsync();
        await page.FillAsync("#upload-vdn", AdminPageHost.Vdn.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await page.EvalOnSelectorAsync("#upload-status", "s => { s.dataset.state = ''; }");

        await page.SetInputFilesAsync("#file-input", new FilePayload
        {
            Name = "chosen.wav",
            MimeType = "audio/wav",
            Buffer = ToneWave.Pcm16(16_000, 0.5),
        });

        await page.WaitForFunctionAsync("() => ['done', 'error'].includes(document.getElementById('upload-status').dataset.state)");
        var status = page.Locator("#upload-status");
        Assert.True(await status.GetAttributeAsync("data-state") == "done", await status.TextContentAsync());
        await Row(page, (await status.GetAttributeAsync("data-file-name"))!).WaitForAsync();
    }

    [Fact]
    public async Task Playing_a_prompt_loads_the_audio_element_with_the_file_duration_and_plays_it()
    {
        var page = await host.SignedInAsync();
        var fileName = await DropAsync(page, ToneWave.Pcm16(22_050, ToneSeconds), "play.wav");
        var expected = (await CatalogRowAsync(fileName)).GetProperty("durationMs").GetInt64() / 1000.0;

        await Row(page, fileName).Locator("button.play").ClickAsync();
        await page.WaitForFunctionAsync(
            "name => { const p = document.getElementById('player'); return p.dataset.fileName === name && p.readyState >= 1; }", fileName);

        var duration = await page.EvaluateAsync<double>("() => document.getElementById('player').duration");
        Assert.Equal(expected, duration, 0.05);
        Assert.Equal(ToneSeconds, duration, 0.05);

        // Loaded is not playing: the whole file is decodable and the playback position moves.
        await page.WaitForFunctionAsync("""
            () => {
              const p = document.getElementById('player');
              return p.readyState >= 4 && p.error === null && (p.currentTime > 0 || p.ended);
            }
            """);
        await AdminPageHost.ScreenshotAsync(page, "04-playing");
    }

    [Fact]
    public async Task Each_file_has_a_waveform_that_is_not_blank()
    {
        var page = await host.SignedInAsync();
        var fileName = await DropAsync(page, ToneWave.Pcm16(22_050, ToneSeconds), "waveform.wav");

        var canvas = Row(page, fileName).Locator("canvas.waveform");
        await canvas.WaitForAsync();
        await page.WaitForFunctionAsync(
            "name => [...document.querySelectorAll('#files-body tr')].find(r => r.dataset.fileName === name)?.querySelector('canvas')?.dataset.drawn === 'true'",
            fileName);

        // Inked pixels, by rows: a silent file would draw one line through the middle; a tone fills most of the height.
        var inkedRows = await canvas.EvaluateAsync<int>("""
            c => {
              const { data } = c.getContext('2d').getImageData(0, 0, c.width, c.height);
              let rows = 0;
              for (let y = 0; y < c.height; y++) {
                let inked = 0;
                for (let x = 0; x < c.width; x++) if (data[(y * c.width + x) * 4 + 3] > 0) inked++;
                if (inked > 0) rows++;
              }
              return rows;
            }
            """);
        var height = await canvas.EvaluateAsync<int>("c => c.height");
        Assert.True(inkedRows > height / 2, $"the waveform inks only {inkedRows} of {height} rows");
        await canvas.ScreenshotAsync(new() { Path = Path.Combine(AdminPageHost.ScreenshotFolder, "05-waveform.png") });
    }

    [Fact]
    public async Task Deleting_a_file_removes_its_row_and_its_copy_on_disk()
    {
        var page = await host.SignedInAsync();
        var fileName = await DropAsync(page, ToneWave.Pcm16(22_050, ToneSeconds), "delete-me.wav");
        Assert.True(File.Exists(host.StoredPath(fileName)));
        string? confirmation = null;
        page.Dialog += async (_, dialog) =>
        {
            confirmation = dialog.Message;
            await dialog.AcceptAsync();
        };

        await Row(page, fileName).Locator("button.delete").ClickAsync();

        await Row(page, fileName).WaitForAsync(new() { State = WaitForSelectorState.Detached });
        Assert.Contains(fileName, confirmation, StringComparison.Ordinal);
        Assert.False(File.Exists(host.StoredPath(fileName)));
        using var audio = await host.Admin.SendAsync(HttpMethod.Get, "/admin/api/files/audio?fileName=" + Uri.EscapeDataString(fileName));
        Assert.Equal(HttpStatusCode.NotFound, audio.StatusCode);
        await AdminPageHost.ScreenshotAsync(page, "06-deleted");
    }

    [Fact]
    public async Task A_parameter_changed_in_the_editor_is_obeyed_by_the_next_upload_and_an_invalid_one_shows_the_server_problems()
    {
        var page = await host.SignedInAsync();
        try
        {
            await page.ClickAsync("#tabs button[data-tab=parameters]");
            await page.SelectOptionAsync("#param-scope", "global");
            await page.FillAsync("input[name=uploadSizeLimitMb]", "6");
            await page.FillAsync("input[name=uploadPathRule]", "/prompts/%VDNNO%/edited/");
            await page.ClickAsync("#param-save");
            await page.Locator("#param-status").WaitForAsync(new() { State = WaitForSelectorState.Visible });

            var view = await ParametersAsync();
            Assert.Equal(6m, view.GetProperty("global").GetProperty("overrides").GetProperty("uploadSizeLimitMb").GetDecimal());
            Assert.Equal(6m, view.GetProperty("global").GetProperty("effective").GetProperty("uploadSizeLimitMb").GetDecimal());
            Assert.Equal("/prompts/%VDNNO%/edited/", view.GetProperty("global").GetProperty("effective").GetProperty("uploadPathRule").GetString());
            await AdminPageHost.ScreenshotAsync(page, "07-parameter-saved");

            // The next upload from the page obeys the new rule.
            await page.ClickAsync("#tabs button[data-tab=files]");
            var fileName = await DropAsync(page, ToneWave.Pcm16(16_000, 0.5), "after-the-change.wav");
            Assert.StartsWith($"Y:/prompts/{AdminPageHost.Vdn}/edited/", fileName, StringComparison.Ordinal);
            Assert.True(File.Exists(host.StoredPath(fileName)));
            await Row(page, fileName).WaitForAsync();

            await page.ClickAsync("#tabs button[data-tab=parameters]");
            await page.FillAsync("input[name=acceptedEncodings]", "ogg");
            await page.ClickAsync("#param-save");
            await page.Locator("#param-error").WaitForAsync(new() { State = WaitForSelectorState.Visible });
            Assert.Contains("HTTP 400", await page.TextContentAsync("#param-error-text"), StringComparison.Ordinal);
            Assert.True(await page.Locator("#param-problems li").CountAsync() > 0);
            Assert.Equal("alaw", (await ParametersAsync()).GetProperty("global").GetProperty("effective").GetProperty("acceptedEncodings").GetString());
            await AdminPageHost.ScreenshotAsync(page, "08-parameter-refused");
        }
        finally
        {
            using var reset = await host.Admin.AdminAsync(HttpMethod.Put, "/admin/api/parameters", new { });
            Assert.Equal(HttpStatusCode.OK, reset.StatusCode);
        }
    }

    [Fact]
    public async Task Prompt_findings_show_as_badges_with_the_level_on_the_waveform_and_the_filter_keeps_only_failing_files()
    {
        var page = await host.SignedInAsync();

        var quiet = await DropAsync(page, Samples.Read("lint", "prompt-quiet.wav"), "quiet.wav");
        Assert.Contains("failed the prompt check (quiet)", await page.TextContentAsync("#upload-status"), StringComparison.Ordinal);
        var nominal = await DropAsync(page, Samples.Read("lint", "prompt-nominal.wav"), "nominal.wav");
        Assert.Contains("passed the prompt check", await page.TextContentAsync("#upload-status"), StringComparison.Ordinal);

        var quietRow = Row(page, quiet);
        Assert.Equal("quiet", await quietRow.Locator(".badge.fail").TextContentAsync());
        Assert.Equal("pass", await Row(page, nominal).Locator(".badge.pass").TextContentAsync());
        await page.WaitForFunctionAsync(
            "name => [...document.querySelectorAll('#files-body tr')].find(r => r.dataset.fileName === name)?.querySelector('canvas')?.dataset.drawn === 'true'",
            quiet);
        var level = await quietRow.Locator("canvas.waveform").GetAttributeAsync("data-level");
        Assert.InRange(double.Parse(level!, System.Globalization.CultureInfo.InvariantCulture), -40.5, -39.5);
        await AdminPageHost.ScreenshotAsync(page, "08-prompt-quality");

        await page.CheckAsync("#failing-only");
        await Row(page, nominal).WaitForAsync(new() { State = WaitForSelectorState.Detached });
        await quietRow.WaitForAsync();
        var rowsThatPassed = await page.EvaluateAsync<int>(
            "() => [...document.querySelectorAll('#files-body tr')].filter(r => !r.querySelector('.badge.fail')).length");
        Assert.Equal(0, rowsThatPassed);

        await page.UncheckAsync("#failing-only");
        await Row(page, nominal).WaitForAsync();
    }

    private static ILocator Row(IPage page, string fileName) => page.Locator($"#files-body tr[data-file-name=\"{fileName}\"]");

    /// <summary>
    /// A real drag and drop as a browser delivers it: a DataTransfer holding a File, dispatched on the drop zone as
    /// dragenter, dragover and drop, after choosing the VDN. Returns the name the server gave the stored file.
    /// </summary>
    [Fact]
    public async Task A_vdn_shows_its_quota_bar_files_show_expiry_and_pins_and_a_full_quota_refuses_the_upload_in_words()
    {
        var vdnPath = $"/admin/api/parameters/vdns/{AdminPageHost.Vdn}";
        try
        {
            using (var vdns = await host.Admin.SendAsync(HttpMethod.Get, "/admin/api/vdns"))
            {
                var used = JsonDocument.Parse(await vdns.Content.ReadAsStringAsync()).RootElement.GetProperty("vdns").EnumerateArray()
                    .Where(v => v.GetProperty("vdnId").GetInt32() == AdminPageHost.Vdn)
                    .Select(v => v.GetProperty("quota").GetProperty("usedFiles").GetInt64()).SingleOrDefault();
                using var set = await host.Admin.AdminAsync(HttpMethod.Put, vdnPath, new { quotaFiles = used + 1, retainFor = "3.00:00:00" });
                Assert.Equal(HttpStatusCode.OK, set.StatusCode);
            }

            var page = await host.SignedInAsync();
            var fileName = await DropAsync(page, ToneWave.Pcm16(16_000, 0.5), "last-unit.wav");
            var bar = page.Locator($"#vdn-list button[data-vdn='{AdminPageHost.Vdn}'] + .quota");
            await bar.WaitForAsync();
            Assert.Equal("100", await bar.GetAttributeAsync("data-percent"));
            Assert.Contains("full", await bar.GetAttributeAsync("class"), StringComparison.Ordinal);
            Assert.Contains("expires in 3 d", await Row(page, fileName).Locator(".badge.expiring").TextContentAsync(), StringComparison.Ordinal);

            await Row(page, fileName).Locator("button.pin").ClickAsync();
            await Row(page, fileName).Locator(".badge.pinned").WaitForAsync();
            Assert.True((await CatalogRowAsync(fileName)).GetProperty("pinned").GetBoolean());
            await AdminPageHost.AssertEveryControlUsableAsync(page);

            await page.EvalOnSelectorAsync("#upload-status", "s => { s.dataset.state = ''; }");
            await page.EvalOnSelectorAsync("#drop-zone", """
                (zone, base64) => {
                  const data = new DataTransfer();
                  data.items.add(new File([Uint8Array.from(atob(base64), c => c.charCodeAt(0))], 'one-too-many.wav', { type: 'audio/wav' }));
                  for (const type of ['dragenter', 'dragover', 'drop']) zone.dispatchEvent(new DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: data }));
                }
                """, Convert.ToBase64String(ToneWave.Pcm16(16_000, 0.5)));
            await page.WaitForFunctionAsync("() => document.getElementById('upload-status').dataset.state === 'error'");
            Assert.Contains($"VDN {AdminPageHost.Vdn} is full", await page.TextContentAsync("#upload-status"), StringComparison.Ordinal);
            await AdminPageHost.ScreenshotAsync(page, "10-quota-full");
        }
        finally
        {
            using var reset = await host.Admin.SendAsync(HttpMethod.Delete, vdnPath);
            Assert.Equal(HttpStatusCode.OK, reset.StatusCode);
        }
    }

    [Fact]
    public async Task A_vdn_that_keeps_its_files_forever_shows_no_next_sweep()
    {
        var vdnPath = $"/admin/api/parameters/vdns/{AdminPageHost.Vdn}";
        try
        {
            // A quota lists the VDN; it has no retainFor, so the preview answers without one (the API leaves a null out).
            using (var set = await host.Admin.AdminAsync(HttpMethod.Put, vdnPath, new { quotaFiles = 1000 }))
            {
                Assert.Equal(HttpStatusCode.OK, set.StatusCode);
            }

            var page = await host.SignedInAsync();
            await page.RunAndWaitForResponseAsync(() => page.ClickAsync($"#vdn-list button[data-vdn='{AdminPageHost.Vdn}']"),
                r => r.Url.Contains("/admin/api/retention/preview", StringComparison.Ordinal));
            await page.WaitForFunctionAsync($"() => document.getElementById('files-title').textContent === 'Files of VDN {AdminPageHost.Vdn}'");

            Assert.True(await page.Locator("#sweep-preview").IsHiddenAsync());
            Assert.DoesNotContain("undefined", await page.TextContentAsync("#sweep-preview") ?? "", StringComparison.Ordinal);
        }
        finally
        {
            using var reset = await host.Admin.SendAsync(HttpMethod.Delete, vdnPath);
            Assert.Equal(HttpStatusCode.OK, reset.StatusCode);
        }
    }

    [Fact]
    public async Task The_next_sweep_lists_an_expired_recording_the_catalog_does_not_know_and_pinning_it_keeps_it()
    {
        var vdnPath = $"/admin/api/parameters/vdns/{AdminPageHost.Vdn}";
        var fileName = $"Y:/voice/{AdminPageHost.Vdn}/IVRrecordFile/20261201/093012-record.wav";
        var onDisk = host.StoredPath(fileName);
        Directory.CreateDirectory(Path.GetDirectoryName(onDisk)!);
        await File.WriteAllBytesAsync(onDisk, ToneWave.Pcm16(8_000, 0.5));
        File.SetLastWriteTimeUtc(onDisk, DateTime.UtcNow.AddDays(-3));
        try
        {
            using (var set = await host.Admin.AdminAsync(HttpMethod.Put, vdnPath, new { retainFor = "1.00:00:00" }))
            {
                Assert.Equal(HttpStatusCode.OK, set.StatusCode);
            }

            var page = await host.SignedInAsync();
            await page.ClickAsync($"#vdn-list button[data-vdn='{AdminPageHost.Vdn}']");
            var row = page.Locator($"#sweep-body tr[data-file-name=\"{fileName}\"]");
            await row.Locator(".badge.recording").WaitForAsync();
            Assert.Contains("keeps files for 1.00:00:00", await page.TextContentAsync("#sweep-summary"), StringComparison.Ordinal);
            await AdminPageHost.ScreenshotAsync(page, "19-next-sweep");
            await AdminPageHost.AssertEveryControlUsableAsync(page);

            await row.Locator("button.pin").ClickAsync();
            await row.WaitForAsync(new() { State = WaitForSelectorState.Detached });
            Assert.DoesNotContain(fileName, await PreviewedAsync(), StringComparer.Ordinal);
            Assert.True(File.Exists(onDisk));
        }
        finally
        {
            using (var unpin = await host.Admin.SendAsync(HttpMethod.Post, $"/admin/api/files/unpin?fileName={Uri.EscapeDataString(fileName)}"))
            {
                Assert.Equal(HttpStatusCode.OK, unpin.StatusCode);
            }

            using var reset = await host.Admin.SendAsync(HttpMethod.Delete, vdnPath);
            Assert.Equal(HttpStatusCode.OK, reset.StatusCode);
            File.Delete(onDisk);
        }
    }

    private async Task<List<string>> PreviewedAsync()
    {
        using var response = await host.Admin.SendAsync(HttpMethod.Get, $"/admin/api/retention/preview?vdnId={AdminPageHost.Vdn}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return [.. json.RootElement.GetProperty("files").EnumerateArray().Select(f => f.GetProperty("fileName").GetString()!)];
    }

    private static async Task<string> DropAsync(IPage page, byte[] wav, string name)
    {
        await page.FillAsync("#upload-vdn", AdminPageHost.Vdn.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await page.EvalOnSelectorAsync("#upload-status", "s => { s.dataset.state = ''; s.dataset.fileName = ''; }");
        await page.EvalOnSelectorAsync("#drop-zone", """
            (zone, { base64, name }) => {
              const bytes = Uint8Array.from(atob(base64), c => c.charCodeAt(0));
              const data = new DataTransfer();
              data.items.add(new File([bytes], name, { type: 'audio/wav' }));
              for (const type of ['dragenter', 'dragover', 'drop']) {
                zone.dispatchEvent(new DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: data }));
              }
            }
            """, new { base64 = Convert.ToBase64String(wav), name });
        await page.WaitForFunctionAsync("() => ['done', 'error'].includes(document.getElementById('upload-status').dataset.state)");
        var status = page.Locator("#upload-status");
        Assert.True(await status.GetAttributeAsync("data-state") == "done", await status.TextContentAsync());
        return (await status.GetAttributeAsync("data-file-name"))!;
    }

    private async Task<JsonElement> CatalogRowAsync(string fileName)
    {
        using var response = await host.Admin.SendAsync(HttpMethod.Get, $"/admin/api/vdns/{AdminPageHost.Vdn}/files?limit=1000");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.GetProperty("files").EnumerateArray().Single(f => f.GetProperty("fileName").GetString() == fileName).Clone();
    }

    private async Task<JsonElement> ParametersAsync()
    {
        using var response = await host.Admin.SendAsync(HttpMethod.Get, "/admin/api/parameters");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }
}

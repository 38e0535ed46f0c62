using System.Security.Cryptography;
using System.Text.Json;

namespace Ccfs.Cli.Tests;

/// <summary>Each command against a real server process, with the exit codes docs/cli.md documents.</summary>
public sealed class CommandTests(RunningServer server) : IClassFixture<RunningServer>, IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("ccfs-cli-work").FullName;

    [Fact]
    public async Task Upload_prints_the_stored_name_and_exits_0()
    {
        var (code, output, _) = await Cli.RunAsync(server.Environment(), "upload", TestData.Audio("valid", "alaw-8k-sine.wav"));

        Assert.Equal(ExitCodes.Success, code);
        var name = output.Trim();
        Assert.Matches("^Y:/3rdfile/53/thirdvoicebotfile/[A-Za-z0-9]{8}_[0-9]{13}\\.wav$", name);
        Assert.True(server.HasCopy(name));
    }

    [Fact]
    public async Task A_batch_with_a_refused_file_shows_every_outcome_and_exits_1()
    {
        var pattern = Path.Combine(TestData.Audio("valid"), "alaw-8k-*.wav");

        var (code, output, error) = await Cli.RunAsync(server.Environment(), "upload", pattern, TestData.Audio("invalid", "alaw-16k.wav"));

        Assert.Equal(ExitCodes.Failed, code);
        Assert.Equal(4, output.Split("thirdvoicebotfile").Length - 1);
        Assert.Contains("0300004", output, StringComparison.Ordinal);
        Assert.Contains("16000 Hz", output, StringComparison.Ordinal);
        Assert.Contains("4 uploaded, 1 failed", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_pattern_with_a_double_star_finds_prompts_in_every_subfolder_and_nothing_else()
    {
        Directory.CreateDirectory(Path.Combine(_work, "menu", "en"));
        Directory.CreateDirectory(Path.Combine(_work, "menu", "zh"));
        File.Copy(TestData.Audio("valid", "alaw-8k-sine.wav"), Path.Combine(_work, "menu", "en", "welcome.wav"));
        File.Copy(TestData.Audio("valid", "alaw-8k-with-list-chunk.wav"), Path.Combine(_work, "menu", "zh", "welcome.wav"));
        File.Copy(TestData.Audio("valid", "alaw-8k-sine.wav"), Path.Combine(_work, "menu", "notes.txt"));

        var (code, output, _) = await Cli.RunAsync(server.Environment(), "upload", "--json", Path.Combine(_work, "menu", "**", "*.wav"));

        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        var files = lines.Select(l => Path.GetRelativePath(_work, l.GetProperty("file").GetString()!).Replace('\\', '/'));
        Assert.Equal(["menu/en/welcome.wav", "menu/zh/welcome.wav"], files);
        // The server's prompt check, spelled like every other field (a full-scale sine is "loud").
        Assert.Equal("loud", lines[0].GetProperty("promptCheck").GetProperty("verdict").GetString());
        Assert.False(lines[0].GetProperty("promptCheck").GetProperty("passed").GetBoolean());
        Assert.Equal(ExitCodes.Success, code);
    }

    [Fact]
    public async Task A_batch_warns_about_each_stored_file_that_failed_the_prompt_check_and_shows_the_verdicts()
    {
        var loud = TestData.Audio("valid", "alaw-8k-sine.wav");
        var nominal = TestData.Audio("lint", "prompt-nominal.wav");

        var (code, output, error) = await Cli.RunAsync(server.Environment(), "upload", loud, nominal);

        Assert.Equal(ExitCodes.Success, code);
        Assert.Contains($"ccfs: {loud}: stored, but it failed the server's prompt check (loud); ccfs check {loud} says why", error,
            StringComparison.Ordinal);
        Assert.DoesNotContain($"{nominal}: stored", error, StringComparison.Ordinal);
        Assert.Contains("prompt check", output, StringComparison.Ordinal);
        Assert.Single(output.Split('\n'), l => l.Contains("alaw-8k-sine.wav", StringComparison.Ordinal) && l.Contains("loud", StringComparison.Ordinal));
        Assert.Single(output.Split('\n'), l => l.Contains("prompt-nominal.wav", StringComparison.Ordinal) && l.Contains("pass", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_file_that_cannot_be_read_mid_batch_is_reported_and_the_files_around_it_are_stored()
    {
        File.Copy(TestData.Audio("valid", "alaw-8k-sine.wav"), Path.Combine(_work, "a.wav"));
        File.CreateSymbolicLink(Path.Combine(_work, "b.wav"), Path.Combine(_work, "nowhere.wav"));
        File.Copy(TestData.Audio("valid", "alaw-8k-with-list-chunk.wav"), Path.Combine(_work, "c.wav"));

        var (code, output, error) = await Cli.RunAsync(server.Environment(), "upload", "--json", Path.Combine(_work, "*.wav"));

        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(["a.wav", "b.wav", "c.wav"], lines.Select(l => Path.GetFileName(l.GetProperty("file").GetString())));
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("Could not find file", lines[1].GetProperty("error").GetString(), StringComparison.Ordinal);
        foreach (var stored in new[] { lines[0], lines[2] })
        {
            Assert.Equal("0", stored.GetProperty("resultCode").GetString());
            Assert.True(server.HasCopy(stored.GetProperty("fileName").GetString()!));
        }

        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task After_an_authentication_refusal_a_batch_sends_no_more_files_and_exits_3()
    {
        var wav = TestData.Audio("valid", "alaw-8k-sine.wav");

        var (code, output, error) = await Cli.RunAsync(server.Environment(secretKey: "wrong"), "upload", wav, wav, wav);

        Assert.Equal(ExitCodes.AuthenticationRefused, code);
        Assert.Contains("401", output, StringComparison.Ordinal);
        Assert.Equal(2, output.Split("not sent").Length - 1);
        Assert.Contains("0 uploaded, 3 failed", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Json_output_has_one_object_per_file()
    {
        var (code, output, _) = await Cli.RunAsync(server.Environment(), "upload", "--json",
            TestData.Audio("valid", "alaw-8k-sine.wav"), TestData.Audio("optional", "mulaw-8k-sine.wav"));

        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(ExitCodes.Failed, code);
        Assert.Equal(["0", "0300004"], lines.Select(l => l.GetProperty("resultCode").GetString()));
        Assert.StartsWith("Y:/3rdfile/53/", lines[0].GetProperty("fileName").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Upload_with_convert_sends_a_prompt_made_from_any_wav()
    {
        var (code, output, _) = await Cli.RunAsync(server.Environment(), "upload", "--convert", TestData.Audio("invalid", "speech-pcm16-22050hz.wav"));

        Assert.Equal(ExitCodes.Success, code);
        var stored = server.ReadCopy(output.Trim())!;
        Assert.True(Ccfs.Audio.WaveValidator.Validate(stored).IsValid);
    }

    [Fact]
    public async Task Hash_compare_says_whether_the_local_file_matches()
    {
        var wav = TestData.Audio("valid", "alaw-8k-with-list-chunk.wav");
        var name = (await Cli.RunAsync(server.Environment(), "upload", wav)).Out.Trim();

        var same = await Cli.RunAsync(server.Environment(), "hash", name, "--compare", wav);
        var different = await Cli.RunAsync(server.Environment(), "hash", name, "--compare", TestData.Audio("valid", "alaw-8k-sine.wav"));

        Assert.Equal(ExitCodes.Success, same.ExitCode);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(wav))), same.Out.Trim());
        Assert.Equal(ExitCodes.HashMismatch, different.ExitCode);
        Assert.Contains("MISMATCH", different.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Hash_compare_tells_a_refusal_and_a_missing_digest_field_apart_from_a_mismatch()
    {
        var wav = TestData.Audio("valid", "alaw-8k-sine.wav");
        var name = (await Cli.RunAsync(server.Environment(), "upload", wav)).Out.Trim();

        var refused = await Cli.RunAsync(server.Environment(), "hash", "Y:/3rdfile/53/thirdvoicebotfile/AAAAAAAA_1631869974029.wav", "--compare", wav);
        var otherField = await Cli.RunAsync(server.Environment(), "hash", name, "--compare", wav, "--field", "sha256");

        Assert.Equal(ExitCodes.Failed, refused.ExitCode);
        Assert.Contains("0300011", refused.Error, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Failed, otherField.ExitCode);
        Assert.Contains("no resultData.sha256", otherField.Error, StringComparison.Ordinal);
        Assert.Equal("", otherField.Out);
    }

    [Fact]
    public async Task Download_writes_the_file_whole_and_a_failed_one_leaves_nothing()
    {
        var wav = TestData.Audio("valid", "prompt-alaw-8k-odd-length.wav");
        var name = (await Cli.RunAsync(server.Environment(), "upload", wav)).Out.Trim();
        var target = Path.Combine(_work, "copy.wav");

        var ok = await Cli.RunAsync(server.Environment(), "download", name, "-o", target);
        var missing = await Cli.RunAsync(server.Environment(), "download", "Y:/voice/53/IVRrecordFile/none.wav", "-o", Path.Combine(_work, "none.wav"));

        Assert.Equal(ExitCodes.Success, ok.ExitCode);
        Assert.Equal(await File.ReadAllBytesAsync(wav), await File.ReadAllBytesAsync(target));
        Assert.Equal(ExitCodes.Failed, missing.ExitCode);
        Assert.Contains("0300011", missing.Error, StringComparison.Ordinal);
        Assert.Equal(["copy.wav"], Directory.GetFiles(_work).Select(Path.GetFileName));
    }

    [Fact]
    public async Task Download_of_a_folder_without_o_writes_its_one_file_under_its_name_in_the_working_folder_only()
    {
        server.PutStored("voice/53/IVRrecordFile/cli-call/rec-0001.wav", Samples.Sine);
        var here = Directory.CreateDirectory(Path.Combine(_work, "here")).FullName;

        var result = await Cli.RunInAsync(here, server.Environment(), "download", "Y:/voice/53/IVRrecordFile/cli-call", "--mode", "1");

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Equal(Path.Combine(here, "rec-0001.wav"), result.Out.Trim());
        Assert.Equal(Samples.Sine, await File.ReadAllBytesAsync(Path.Combine(here, "rec-0001.wav")));
        Assert.Equal([Path.Combine(here, "rec-0001.wav")], Directory.GetFileSystemEntries(here));
        Assert.Equal([here], Directory.GetFileSystemEntries(_work));
    }

    [Fact]
    public async Task Download_into_a_folder_given_as_o_keeps_the_remote_name()
    {
        var name = (await Cli.RunAsync(server.Environment(), "upload", TestData.Audio("valid", "alaw-8k-sine.wav"))).Out.Trim();
        var into = Directory.CreateDirectory(Path.Combine(_work, "into")).FullName;

        var result = await Cli.RunInAsync(_work, server.Environment(), "download", name, "-o", "into");

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Equal([Path.Combine(into, name[(name.LastIndexOf('/') + 1)..])], Directory.GetFiles(into));
    }

    [Fact]
    public async Task Download_to_a_folder_that_does_not_exist_exits_2_with_a_message_and_sends_nothing()
    {
        var result = await Cli.RunInAsync(_work, server.Environment(), "download", "Y:/voice/53/IVRrecordFile/none.wav", "-o", "missing/x.wav");

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("does not exist", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Error, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(_work));
    }

    [Fact]
    public async Task Delete_exits_0_then_1_once_the_file_is_gone()
    {
        var name = (await Cli.RunAsync(server.Environment(), "upload", TestData.Audio("valid", "alaw-8k-sine.wav"))).Out.Trim();

        var first = await Cli.RunAsync(server.Environment(), "delete", name);
        var second = await Cli.RunAsync(server.Environment(), "delete", name);

        Assert.Equal((ExitCodes.Success, "deleted"), (first.ExitCode, first.Out.Trim()));
        Assert.Equal(ExitCodes.Failed, second.ExitCode);
        Assert.Contains("0300011 The file does not exist.", second.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Convert_writes_a_prompt_the_server_accepts()
    {
        var target = Path.Combine(_work, "prompt.wav");

        var (code, _, error) = await Cli.RunAsync(server.Environment(), "convert", TestData.Audio("invalid", "speech-pcm16-22050hz.wav"), target);
        var refused = await Cli.RunAsync(server.Environment(), "convert", TestData.Audio("invalid", "gsm610-8k.wav"), Path.Combine(_work, "gsm.wav"));

        Assert.Equal(ExitCodes.Success, code);
        Assert.Contains("22050 Hz", error, StringComparison.Ordinal);
        Assert.True(Ccfs.Audio.WaveValidator.Validate(await File.ReadAllBytesAsync(target)).IsValid);
        Assert.Equal(ExitCodes.Usage, refused.ExitCode);
        Assert.Contains("GSM 6.10", refused.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_work, "gsm.wav")));
    }

    [Fact]
    public async Task Bench_reports_throughput_and_latency_and_leaves_nothing_stored()
    {
        var (code, output, _) = await Cli.RunAsync(new Dictionary<string, string?>(server.Environment()) { ["CCFS_VDN"] = "55" },
            "bench", "--size", "20KB", "--concurrency", "2", "--requests", "6", "--duration", "60s");

        Assert.Equal(ExitCodes.Success, code);
        Assert.Contains("6 uploads of 20480 bytes sent, 2 at a time", output, StringComparison.Ordinal);
        Assert.Contains("6 stored, 0 not stored", output, StringComparison.Ordinal);
        Assert.Contains("uploads/s", output, StringComparison.Ordinal);
        Assert.Contains("latency ms: p50", output, StringComparison.Ordinal);
        Assert.DoesNotContain("not stored:", output, StringComparison.Ordinal);
        Assert.Contains("resultCodes: 0 x6", output, StringComparison.Ordinal);
        Assert.DoesNotContain(server.StoredEntries(), e => e.StartsWith("locations/0/3rdfile/55/", StringComparison.Ordinal) && !e.EndsWith('/'));
    }

    [Fact]
    public async Task A_wrong_secret_key_exits_3()
    {
        var (code, _, error) = await Cli.RunAsync(server.Environment(secretKey: "wrong"), "upload", TestData.Audio("valid", "alaw-8k-sine.wav"));

        Assert.Equal(ExitCodes.AuthenticationRefused, code);
        Assert.Contains("401", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_endpoint_that_does_not_answer_exits_4()
    {
        var environment = new Dictionary<string, string?>(server.Environment()) { ["CCFS_ENDPOINT"] = $"http://127.0.0.1:{ServerProcess.FreePort()}" };

        var (code, _, error) = await Cli.RunAsync(environment, "hash", "Y:/3rdfile/53/thirdvoicebotfile/x.wav");

        Assert.Equal(ExitCodes.Unreachable, code);
        Assert.Contains("cannot reach the endpoint", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ccfs: ccfs has no command 'uplod'; did you mean 'ccfs upload'? (ccfs --help lists the commands)", "uplod", "a.wav")]
    [InlineData("ccfs: ccfs has no command 'dowload'; did you mean 'ccfs download'? (ccfs --help lists the commands)", "dowload", "Y:/a.wav")]
    [InlineData("ccfs: ccfs has no command 'xyz' (ccfs --help lists the commands)", "xyz")]
    [InlineData("ccfs: ccfs faults has no command 'ad'; did you mean 'ccfs faults add'? (ccfs faults --help lists the commands)", "faults", "ad")]
    public async Task A_mistyped_command_is_one_line_that_suggests_the_nearest(string expected, params string[] args)
    {
        var (code, output, error) = await Cli.RunAsync(server.Environment(), args);

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Equal(expected, error.Trim());
        Assert.Empty(output);
    }

    [Theory]
    [InlineData("upload", "no-such-file.wav")]
    [InlineData("upload")]
    [InlineData("--no-such-option")]
    [InlineData("conformance", "--mode", "partial")]
    [InlineData("bench", "--size", "lots")]
    public async Task Usage_mistakes_exit_2(params string[] args)
    {
        var (code, _, _) = await Cli.RunAsync(server.Environment(), args);

        Assert.Equal(ExitCodes.Usage, code);
    }

    [Theory]
    [InlineData("""{"profiles":{"local":{"vdn":"one"}}}""", "is not valid: profiles.local.vdn has the wrong type (endpoint, accessKey, secretKey and fingerprint are strings, vdn is a number")]
    [InlineData("""{"profiles":{"local":{"vdn":1,}""", "is not valid JSON (line 1, byte")]
    public async Task A_broken_profile_file_is_named_in_its_own_terms(string json, string expected)
    {
        var profiles = Path.Combine(_work, "broken-profiles.json");
        await File.WriteAllTextAsync(profiles, json);

        var (code, _, error) = await Cli.RunAsync(new Dictionary<string, string?>(), "upload", "--profile", "local", "--profile-file", profiles,
            TestData.Audio("valid", "alaw-8k-sine.wav"));

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains($"the profile file {profiles} {expected}", error, StringComparison.Ordinal);
        Assert.DoesNotContain("System.", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_profile_supplies_the_connection()
    {
        var profiles = Path.Combine(_work, "profiles.json");
        await File.WriteAllTextAsync(profiles, JsonSerializer.Serialize(new
        {
            profiles = new Dictionary<string, object>
            {
                ["local"] = new { endpoint = server.Endpoint, accessKey = CcfsFactory.AccessKey, secretKey = CcfsFactory.SecretKey, vdn = 53 },
            },
        }));

        var (code, output, _) = await Cli.RunAsync(new Dictionary<string, string?>(), "upload", "--profile", "local", "--profile-file", profiles,
            TestData.Audio("valid", "alaw-8k-sine.wav"));
        var missing = await Cli.RunAsync(new Dictionary<string, string?>(), "upload", "--profile", "nope", "--profile-file", profiles,
            TestData.Audio("valid", "alaw-8k-sine.wav"));

        Assert.Equal(ExitCodes.Success, code);
        Assert.StartsWith("Y:/3rdfile/53/", output, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Usage, missing.ExitCode);
        Assert.Contains("no profile 'nope'", missing.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Flags_win_over_the_environment()
    {
        var environment = new Dictionary<string, string?>(server.Environment(secretKey: "wrong"));

        var (code, _, _) = await Cli.RunAsync(environment, "upload", "--secret-key", CcfsFactory.SecretKey, TestData.Audio("valid", "alaw-8k-sine.wav"));

        Assert.Equal(ExitCodes.Success, code);
    }

    public void Dispose() => Directory.Delete(_work, recursive: true);
}

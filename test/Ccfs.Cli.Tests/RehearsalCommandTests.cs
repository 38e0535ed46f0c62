using System.Text;
using System.Text.Json;
using Ccfs.Protocol;
using Ccfs.Protocol.Auth;

namespace Ccfs.Cli.Tests;

/// <summary>
/// The rehearsal commands against a real server process: <c>ccfs faults</c>, <c>ccfs journal</c>, <c>ccfs healthcheck</c>,
/// and <c>ccfs sign --explain</c> printing the very lines the server's <c>X-Ccfs-Canonical-Request</c> holds.
/// </summary>
public sealed class RehearsalCommandTests(RunningRehearsalServer server) : IClassFixture<RunningRehearsalServer>
{
    [Fact]
    public async Task A_fault_added_from_the_shell_answers_the_next_upload_then_is_listed_and_cleared()
    {
        var added = await Cli.RunAsync(server.AdminEnvironment(), "faults", "add", "--interface", "uploadFile", "--result-code", "0300503",
            "--times", "1");
        var file = TestData.Audio("valid", "alaw-8k-sine.wav");

        var upload = await Cli.RunAsync(server.Environment(), "upload", file);
        var list = await Cli.RunAsync(server.AdminEnvironment(), "faults", "list");
        var journal = await Cli.RunAsync(server.AdminEnvironment(), "journal", "--limit", "1");
        var cleared = await Cli.RunAsync(server.AdminEnvironment(), "faults", "clear");
        var again = await Cli.RunAsync(server.Environment(), "upload", file);

        Assert.Equal(ExitCodes.Success, added.ExitCode);
        var id = added.Out.Trim();
        Assert.StartsWith("f", id, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Failed, upload.ExitCode);
        Assert.Contains("0300503", upload.Error, StringComparison.Ordinal);
        Assert.Contains($"{id}\tmatch {{\"interface\":\"uploadFile\"}}", list.Out, StringComparison.Ordinal);
        Assert.Contains("fired 1\tleft 0", list.Out, StringComparison.Ordinal);
        Assert.Contains($"uploadFile 0300503 (HTTP 503)", journal.Out, StringComparison.Ordinal);
        Assert.Contains($"fault={id}", journal.Out, StringComparison.Ordinal);
        Assert.Equal("removed 1 rule(s)", cleared.Out.Trim());
        Assert.Equal(ExitCodes.Success, again.ExitCode);
    }

    [Fact]
    public async Task A_rule_without_an_action_is_bad_usage_and_a_bad_one_is_refused_with_its_problems()
    {
        var none = await Cli.RunAsync(server.AdminEnvironment(), "faults", "add", "--interface", "uploadFile");
        var bad = await Cli.RunAsync(server.AdminEnvironment(), "faults", "add", "--rule", """{"action":{"resultCode":"42"}}""");

        Assert.Equal(ExitCodes.Usage, none.ExitCode);
        Assert.Equal(ExitCodes.Failed, bad.ExitCode);
        Assert.Contains("action.resultCode '42' is not one of the documented failure codes", bad.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_whole_rule_with_rule_flags_beside_it_is_bad_usage_naming_them_and_adds_nothing()
    {
        var mixed = await Cli.RunAsync(server.AdminEnvironment(), "faults", "add", "--rule", """{"action":{"resultCode":"0300503"}}""",
            "--interface", "getFileHash", "--times", "1");
        var list = await Cli.RunAsync(server.AdminEnvironment(), "faults", "list");

        Assert.Equal(ExitCodes.Usage, mixed.ExitCode);
        Assert.Contains("--interface", mixed.Error, StringComparison.Ordinal);
        Assert.Contains("--times", mixed.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("0300503", list.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Faults_list_shows_a_rules_probability_and_seed()
    {
        var added = await Cli.RunAsync(server.AdminEnvironment(), "faults", "add", "--interface", "getFileHash", "--file-name", "never-*.wav",
            "--result-code", "0300503", "--probability", "0.25", "--seed", "7");
        var list = await Cli.RunAsync(server.AdminEnvironment(), "faults", "list");
        await Cli.RunAsync(server.AdminEnvironment(), "faults", "clear", added.Out.Trim());

        Assert.Equal(ExitCodes.Success, added.ExitCode);
        var line = Assert.Single(list.Out.Split('\n'), l => l.StartsWith(added.Out.Trim(), StringComparison.Ordinal));
        Assert.Contains("probability 0.25", line, StringComparison.Ordinal);
        Assert.Contains("seed 7", line, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("1000")]
    public async Task A_download_whose_connection_breaks_is_retried_and_written_whole_once(string dropAfter)
    {
        var wav = TestData.Audio("lint", "prompt-nominal.wav");
        var name = (await Cli.RunAsync(server.Environment(), "upload", wav)).Out.Trim();
        var folder = Directory.CreateTempSubdirectory("ccfs-cli-download").FullName;
        try
        {
            var fault = await Cli.RunAsync(server.AdminEnvironment(), "faults", "add", "--interface", "downloadFile", "--drop-after-bytes", dropAfter,
                "--times", "1");
            Assert.True(fault.ExitCode == ExitCodes.Success, fault.Error);

            var download = await Cli.RunAsync(server.Environment(), "download", name, "-o", folder + "/");

            Assert.True(download.ExitCode == ExitCodes.Success, download.Error);
            var written = Assert.Single(Directory.GetFileSystemEntries(folder));
            Assert.Equal(Path.Combine(folder, name.Split('/')[^1]), written);
            Assert.Equal(await File.ReadAllBytesAsync(wav), await File.ReadAllBytesAsync(written));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task A_delete_whose_answer_was_lost_succeeds_with_a_note_that_an_earlier_attempt_deleted_it()
    {
        var name = (await Cli.RunAsync(server.Environment(), "upload", TestData.Audio("lint", "prompt-nominal.wav"))).Out.Trim();
        var fault = await Cli.RunAsync(server.AdminEnvironment(), "faults", "add", "--interface", "deleteFile", "--drop-after-bytes", "0",
            "--times", "1");
        Assert.True(fault.ExitCode == ExitCodes.Success, fault.Error);

        var delete = await Cli.RunAsync(server.Environment(), "delete", name);
        var hash = await Cli.RunAsync(server.Environment(), "hash", name);

        Assert.True(delete.ExitCode == ExitCodes.Success, delete.Error);
        Assert.Equal("deleted", delete.Out.Trim());
        Assert.Contains("an earlier attempt most likely deleted it", delete.Error, StringComparison.Ordinal);
        Assert.Contains("0300011", hash.Error, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Failed, (await Cli.RunAsync(server.Environment(), "delete", name)).ExitCode);
    }

    [Fact]
    public async Task An_upload_whose_connection_breaks_says_the_file_may_be_stored_and_what_to_do()
    {
        var fault = await Cli.RunAsync(server.AdminEnvironment(), "faults", "add", "--interface", "uploadFile", "--drop-after-bytes", "0",
            "--times", "1");
        Assert.True(fault.ExitCode == ExitCodes.Success, fault.Error);

        var upload = await Cli.RunAsync(server.Environment(), "upload", TestData.Audio("lint", "prompt-nominal.wav"));

        Assert.Equal(ExitCodes.Unreachable, upload.ExitCode);
        Assert.Contains("the connection to the endpoint broke", upload.Error, StringComparison.Ordinal);
        Assert.Contains("it may have stored the file all the same", upload.Error, StringComparison.Ordinal);
        Assert.Contains("ccfs admin GET /admin/api/vdns/53/files", upload.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_journal_says_what_is_wrong_with_its_query()
    {
        var tooMany = await Cli.RunAsync(server.AdminEnvironment(), "journal", "--limit", "5000");
        var badVdn = await Cli.RunAsync(server.AdminEnvironment(), "journal", "--for-vdn", "0");

        Assert.Equal(ExitCodes.Usage, tooMany.ExitCode);
        Assert.Contains("--limit takes 1 to 1000", tooMany.Error, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Failed, badVdn.ExitCode);
        Assert.Contains("the query is not valid: vdnId", badVdn.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_journal_as_json_names_each_request_and_its_answer()
    {
        await Cli.RunAsync(server.Environment(), "hash", "Y:/3rdfile/53/thirdvoicebotfile/none.wav");

        var journal = await Cli.RunAsync(server.AdminEnvironment(), "journal", "--json", "--limit", "1", "--for-vdn", "53");

        Assert.Equal(ExitCodes.Success, journal.ExitCode);
        var entry = JsonDocument.Parse(journal.Out.Trim()).RootElement;
        Assert.Equal("getFileHash", entry.GetProperty("interface").GetString());
        Assert.Equal("0300011", entry.GetProperty("resultCode").GetString());
    }

    [Fact]
    public async Task Healthcheck_exits_0_for_a_ready_server_4_for_none_and_2_for_a_bad_url()
    {
        var ready = await Cli.RunAsync(server.Environment(), "healthcheck", server.Endpoint);
        var none = await Cli.RunAsync(server.Environment(), "healthcheck", $"http://127.0.0.1:{ServerProcess.FreePort()}", "--timeout", "5");
        var bad = await Cli.RunAsync(server.Environment(), "healthcheck", "ftp://x");

        Assert.Equal(ExitCodes.Success, ready.ExitCode);
        Assert.Equal(ExitCodes.Unreachable, none.ExitCode);
        Assert.Equal(ExitCodes.Usage, bad.ExitCode);
    }

    [Fact]
    public async Task Sign_explain_prints_the_lines_the_server_shows_for_the_same_request()
    {
        var body = """{"request":{"version":"2.0"},"msgBody":{"data":"UklGRg=="}}""";
        var timestamp = AuthV2Timestamp.Format(DateTimeOffset.UtcNow, milliseconds: false);
        var wrong = new Dictionary<string, string?>(server.Environment("wrong-secret"));
        string[] request = ["sign", "--query", "vdnId=53", "--body", body, "--timestamp", timestamp];
        var signed = await Cli.RunAsync(wrong, request);
        var explained = await Cli.RunAsync(wrong, [.. request, "--explain"]);
        var authorization = signed.Out.Split('\n').Single(l => l.StartsWith("Authorization: ", StringComparison.Ordinal))["Authorization: ".Length..];

        using var http = new HttpClient { BaseAddress = new Uri(server.Endpoint) };
        using var message = new HttpRequestMessage(HttpMethod.Post, CcfsPaths.UploadFile + "?vdnId=53") { Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body)) };
        message.Content.Headers.TryAddWithoutValidation("Content-Type", Ccfs.Client.CcfsClient.RequestContentType);
        message.Headers.TryAddWithoutValidation("Authorization", authorization);
        using var response = await http.SendAsync(message);
        var serverText = SignatureExplanation.FromHeaderValue(response.Headers.GetValues(SignatureExplanation.HeaderName).Single())!;

        Assert.Equal(ExitCodes.Success, explained.ExitCode);
        static string[] WithoutSkew(string text) => [.. text.Trim().Split('\n').Where(l => !l.StartsWith("clock skew:", StringComparison.Ordinal))];
        // Only the server tries the usual signer mistakes with the SK, and says so in a last line of its own.
        var tried = Assert.Single(serverText.Split('\n'), l => l.Contains("usual signer mistakes were tried", StringComparison.Ordinal));
        Assert.Equal(WithoutSkew(serverText).Where(l => l != tried), WithoutSkew(explained.Out));
        Assert.Contains(explained.Out.Split('\n'), l => l.StartsWith("clock skew:", StringComparison.Ordinal) && l.Contains("this machine's clock", StringComparison.Ordinal));
    }
}

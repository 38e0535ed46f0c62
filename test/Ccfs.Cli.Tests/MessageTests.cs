using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;

namespace Ccfs.Cli.Tests;

/// <summary>What the CLI says when something goes wrong: what happened and what to do, never .NET's own words for it.</summary>
public sealed partial class MessageTests(RunningServer server) : IClassFixture<RunningServer>, IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("ccfs-cli-messages").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    [Fact]
    public async Task An_upload_over_the_limit_is_reported_too_large_with_the_limit_not_as_an_unreachable_endpoint()
    {
        // Far over the 5 MiB default: the server answers from the headers and closes while the body is still being sent.
        var file = Path.Combine(_work, "long-prompt.wav");
        await File.WriteAllBytesAsync(file, Samples.ALawOfSize(40 * 1024 * 1024));
        var before = StoredFiles();

        var (code, output, error) = await Cli.RunAsync(server.Environment(), "upload", file);

        Assert.True(code == ExitCodes.Failed, error);
        Assert.Equal("", output);
        Assert.Contains("ccfs: 0300003 The length of data is too long.", error, StringComparison.Ordinal);
        Assert.Contains("the upload size limit is 5242880 bytes", error, StringComparison.Ordinal);
        Assert.Contains($"{file} is too large for the endpoint: it is {40 * 1024 * 1024} bytes", error, StringComparison.Ordinal);
        Assert.DoesNotContain("cannot reach", error, StringComparison.Ordinal);
        Assert.Equal(before, StoredFiles());
    }

    [Fact]
    public async Task An_upload_refused_by_a_full_quota_says_so_and_not_that_the_file_is_too_large()
    {
        var file = TestData.Audio("valid", "alaw-8k-sine.wav");
        var set = await Cli.RunAsync(server.AdminEnvironment(), "admin", "PUT", "/admin/api/parameters/vdns/55", "--data", """{"quotaFiles":0}""");
        Assert.True(set.ExitCode == ExitCodes.Success, set.Error);
        try
        {
            var (code, output, error) = await Cli.RunAsync(server.Environment(), "upload", "--vdn", "55", file);

            Assert.Equal(ExitCodes.Failed, code);
            Assert.Equal("", output);
            Assert.Contains("0300003", error, StringComparison.Ordinal);
            Assert.Contains("quota full: VDN 55 holds 0 of its 0 files (quotaFiles)", error, StringComparison.Ordinal);
            Assert.Contains($"{file} was not stored because VDN 55's quota is full; delete some of its files, or have its quotaFiles or quotaMb raised",
                error, StringComparison.Ordinal);
            Assert.DoesNotContain("too large", error, StringComparison.Ordinal);
        }
        finally
        {
            var reset = await Cli.RunAsync(server.AdminEnvironment(), "admin", "DELETE", "/admin/api/parameters/vdns/55");
            Assert.True(reset.ExitCode == ExitCodes.Success, reset.Error);
        }
    }

    [Fact]
    public async Task A_prompt_its_VDN_refuses_for_failing_the_checks_has_the_findings_and_the_fix_in_json_and_on_stderr()
    {
        var file = TestData.Audio("lint", "prompt-quiet.wav");
        var set = await Cli.RunAsync(server.AdminEnvironment(), "admin", "PUT", "/admin/api/parameters/vdns/55", "--data", """{"promptCheck":"refuse"}""");
        Assert.True(set.ExitCode == ExitCodes.Success, set.Error);
        try
        {
            var json = await Cli.RunAsync(server.Environment(), "upload", "--json", "--vdn", "55", file);
            var plain = await Cli.RunAsync(server.Environment(), "upload", "--vdn", "55", file);

            Assert.Equal(ExitCodes.Failed, json.ExitCode);
            var line = JsonDocument.Parse(json.Out.Trim()).RootElement;
            Assert.Equal("0300004", line.GetProperty("resultCode").GetString());
            Assert.Equal(JsonValueKind.Null, line.GetProperty("fileName").ValueKind);
            Assert.Equal("quiet", line.GetProperty("promptCheck").GetProperty("verdict").GetString());
            Assert.False(line.GetProperty("promptCheck").GetProperty("passed").GetBoolean());
            Assert.Contains($"ccfs convert --normalize {file} fixed.wav", line.GetProperty("advice").GetString(), StringComparison.Ordinal);
            Assert.Contains("+/- 6 dB", json.Out, StringComparison.Ordinal);
            Assert.DoesNotContain("\\u002B", json.Out, StringComparison.Ordinal);
            Assert.Equal(ExitCodes.Failed, plain.ExitCode);
            Assert.Contains($"ccfs convert --normalize {file} fixed.wav", plain.Error, StringComparison.Ordinal);
        }
        finally
        {
            var reset = await Cli.RunAsync(server.AdminEnvironment(), "admin", "DELETE", "/admin/api/parameters/vdns/55");
            Assert.True(reset.ExitCode == ExitCodes.Success, reset.Error);
        }
    }

    [Fact]
    public async Task A_refused_WAV_that_convert_would_fix_says_what_it_is_and_to_add_convert()
    {
        var file = TestData.Audio("invalid", "speech-pcm16-22050hz.wav");

        var (code, _, error) = await Cli.RunAsync(server.Environment(), "upload", file);

        Assert.Equal(ExitCodes.Failed, code);
        Assert.Contains("0300004", error, StringComparison.Ordinal);
        Assert.Contains($"{file} is 16-bit linear PCM at 22050 Hz; add --convert to convert it to A-law 8 kHz mono", error, StringComparison.Ordinal);

        var (converted, output, _) = await Cli.RunAsync(server.Environment(), "upload", "--convert", file);
        Assert.Equal(ExitCodes.Success, converted);
        Assert.StartsWith("Y:/3rdfile/53/", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_valid_prompt_refused_for_its_VDN_gets_no_advice_to_convert()
    {
        var file = TestData.Audio("valid", "alaw-8k-sine.wav");

        var (code, output, error) = await Cli.RunAsync(server.Environment(), "upload", "--vdn", "0", file);

        Assert.Equal(ExitCodes.Failed, code);
        Assert.Equal("", output);
        Assert.Contains("ccfs: 0300004 The format of vdnId is incorrect. (vdnId '0' is zero: VDNs are numbered from 1)", error, StringComparison.Ordinal);
        Assert.DoesNotContain("--convert", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_stereo_A_law_WAV_names_its_channels()
    {
        var file = TestData.Audio("invalid", "alaw-8k-stereo.wav");

        var (_, _, error) = await Cli.RunAsync(server.Environment(), "upload", file);

        Assert.Contains($"{file} is G.711 A-law at 8000 Hz, 2 channels; add --convert", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_MP3_is_named_as_one_by_upload_with_and_without_convert_and_by_convert()
    {
        var mp3 = TestData.Audio("invalid", "mp3-8k.mp3");
        var target = Path.Combine(_work, "out.wav");

        var (plain, _, plainError) = await Cli.RunAsync(server.Environment(), "upload", mp3);
        var (converting, _, convertingError) = await Cli.RunAsync(server.Environment(), "upload", "--convert", mp3);
        var (convert, _, convertError) = await Cli.RunAsync(server.Environment(), "convert", mp3, target);

        Assert.Equal(ExitCodes.Failed, plain);
        Assert.Equal(ExitCodes.Usage, converting);
        Assert.Equal(ExitCodes.Usage, convert);
        foreach (var error in new[] { plainError, convertingError, convertError })
        {
            Assert.Contains($"{mp3} is an MP3 file, not a WAV", error, StringComparison.Ordinal);
        }

        Assert.False(File.Exists(target));
        Assert.Empty(Directory.EnumerateFiles(_work));
    }

    [Fact]
    public async Task Conformance_against_an_endpoint_that_is_not_running_prints_one_message_and_exits_4()
    {
        var (code, output, error) = await Cli.RunAsync(Nowhere(), "conformance", "--mode", "full");

        Assert.Equal(ExitCodes.Unreachable, code);
        Assert.Equal("", output);
        var line = Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Matches("^ccfs: cannot reach the endpoint: Connection refused \\(127\\.0\\.0\\.1:[0-9]+\\); is the server running", line);
    }

    [Fact]
    public async Task Bench_against_an_endpoint_that_is_not_running_prints_one_message_and_exits_4()
    {
        var (code, output, error) = await Cli.RunAsync(Nowhere(), "bench", "--requests", "20", "--size", "1KB", "--concurrency", "4");

        Assert.Equal(ExitCodes.Unreachable, code);
        Assert.Equal("", output);
        Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("cannot reach the endpoint", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bench_counts_refused_uploads_by_code_and_not_as_throughput()
    {
        var (code, output, _) = await Cli.RunAsync(server.Environment(), "bench", "--size", "6MB", "--concurrency", "2", "--requests", "4",
            "--duration", "60s");

        Assert.Equal(ExitCodes.Failed, code);
        Assert.Contains("4 uploads of 6291456 bytes sent, 2 at a time", output, StringComparison.Ordinal);
        Assert.Contains("0 stored, 4 not stored", output, StringComparison.Ordinal);
        Assert.Contains("stored: none, so no throughput or latency to report", output, StringComparison.Ordinal);
        Assert.Contains("not stored: 0300003 x4", output, StringComparison.Ordinal);
        Assert.DoesNotContain("uploads/s", output, StringComparison.Ordinal);
        Assert.DoesNotContain("MB/s", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bench_shows_progress_on_the_error_stream_at_a_terminal_only()
    {
        string[] args = ["bench", "--size", "10KB", "--concurrency", "1", "--requests", "3", "--duration", "60s"];
        using var output = new StringWriter();
        using var error = new StringWriter();

        var code = await CcfsCli.RunAsync(args, new CliConsole(output, error, server.Environment(), errorIsTerminal: true));
        var (_, _, piped) = await Cli.RunAsync(server.Environment(), args);

        Assert.Equal(ExitCodes.Success, code);
        Assert.Contains("bench: sent 3, stored 3", error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("bench:", output.ToString(), StringComparison.Ordinal);
        Assert.Contains("3 stored, 0 not stored", output.ToString(), StringComparison.Ordinal);
        Assert.Equal("", piped);
    }

    [Fact]
    public async Task Failures_without_an_answer_never_show_dotnet_type_names()
    {
        await using var aborting = await FakeEndpoint.StartAsync(http =>
        {
            http.Abort();
            return Task.CompletedTask;
        });
        var tlsToPlainHttp = new Dictionary<string, string?>(server.Environment()) { ["CCFS_ENDPOINT"] = server.Endpoint.Replace("http://", "https://", StringComparison.Ordinal) };
        var sine = TestData.Audio("valid", "alaw-8k-sine.wav");

        var errors = new List<string>();
        foreach (var (environment, args) in new (Dictionary<string, string?>, string[])[]
        {
            (Nowhere(), ["upload", sine]),
            (Nowhere(), ["hash", "Y:/3rdfile/53/thirdvoicebotfile/x.wav", "--timeout", "5"]),
            (tlsToPlainHttp, ["upload", sine]),
            (aborting.Environment(), ["upload", sine]),
            (aborting.Environment(), ["delete", "Y:/3rdfile/53/thirdvoicebotfile/x.wav"]),
            (aborting.Environment(), ["bench", "--requests", "2", "--size", "1KB", "--concurrency", "1"]),
            (aborting.Environment(), ["conformance"]),
        })
        {
            var (code, output, error) = await Cli.RunAsync(environment, args);
            Assert.True(code is ExitCodes.Unreachable or ExitCodes.Failed, $"{string.Join(' ', args)}: exit {code}: {error}");
            errors.Add(output + error);
        }

        Assert.All(errors, e => Assert.DoesNotMatch(DotNetNames(), e));
        Assert.Contains("the TLS handshake failed", errors[2], StringComparison.Ordinal);
        Assert.Contains("if the endpoint serves plain HTTP, use an http:// endpoint", errors[2], StringComparison.Ordinal);
        Assert.Contains("the connection to the endpoint broke", errors[3], StringComparison.Ordinal);
        Assert.Contains("not stored: connection broke x2", errors[5], StringComparison.Ordinal);
    }

    /// <summary>An endpoint on a loopback port nothing listens on.</summary>
    private static Dictionary<string, string?> Nowhere()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return new()
        {
            ["CCFS_ENDPOINT"] = $"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}",
            ["CCFS_ACCESS_KEY"] = CcfsFactory.AccessKey,
            ["CCFS_SECRET_KEY"] = CcfsFactory.SecretKey,
            ["CCFS_VDN"] = "53",
        };
    }

    private List<string> StoredFiles() => [.. server.StoredEntries().Where(e => !e.EndsWith('/'))];

    /// <summary>A .NET type or namespace, or .NET's pointer to an inner exception.</summary>
    [GeneratedRegex(@"\b[A-Z][A-Za-z]*Exception\b|\bSystem\.[A-Z]|inner exception")]
    private static partial Regex DotNetNames();
}

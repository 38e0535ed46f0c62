using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Ccfs.Protocol;
using Ccfs.Protocol.Development;

namespace Ccfs.Server.Tests.Process;

/// <summary>
/// One development server process, started with <c>--faults</c> and <c>--seed</c>, as an integrator's CI starts it:
/// every action of a fault rule as a client meets it over a real connection (a resultCode, an HTTP status, a delay, a
/// slow answer, a dropped connection, a count, a seeded probability), an injected failure storing nothing, the seed's
/// files answering downloads and hashes, and a journal entry for every request, refused ones included.
/// </summary>
public sealed class RehearsalProcessTests(RehearsalProcessTests.Server server) : IClassFixture<RehearsalProcessTests.Server>
{
    private const string Recording = "Y:/voice/1/IVRrecordFile/20261201/20261201093012-record.wav";

    [Fact]
    public async Task The_faults_file_and_the_seed_folder_are_in_force_from_the_first_request()
    {
        var client = await server.ClientAsync();
        Assert.Contains("Seeded 1 upload(s) and 1 recording(s)", server.Process.Output, StringComparison.Ordinal);
        Assert.Contains($"Put 1 fault rule(s) from {server.FaultsFile} in force", server.Process.Output, StringComparison.Ordinal);

        using var listed = await client.AdminAsync(HttpMethod.Get, "/admin/api/faults");
        using var folder = await client.DownloadAsync("Y:/voice/1/IVRrecordFile/20261201", mode: 1);
        using var hash = await client.HashAsync("Y:/3rdfile/1/thirdvoicebotfile/welcome.wav");

        var rules = JsonDocument.Parse(await listed.Content.ReadAsStringAsync()).RootElement.GetProperty("rules");
        Assert.Equal("nobody", rules[0].GetProperty("match").GetProperty("accessKey").GetString());
        Assert.Equal(Samples.Read("valid", "prompt-alaw-8k-odd-length.wav"), await folder.Content.ReadAsByteArrayAsync());
        await CcfsAnswer.AssertTripleAsync(hash, "0", "success");
    }

    [Fact]
    public async Task An_injected_result_code_answers_the_next_n_matching_requests_and_stores_nothing()
    {
        var client = await server.ClientAsync();
        var id = await server.AddAsync(new { match = new { @interface = "uploadFile", vdnId = 1 }, action = new { resultCode = "0300503" }, times = 2 });
        var before = server.StoredFiles();

        var answers = new List<(HttpStatusCode Status, string? Fault)>();
        for (var i = 0; i < 3; i++)
        {
            using var response = await client.UploadAsync(Samples.Read("valid", "alaw-8k-sine.wav"), 1);
            answers.Add((response.StatusCode, response.Headers.TryGetValues("X-Ccfs-Fault", out var f) ? f.Single() : null));
            if (i == 1)
            {
                Assert.Equal(before, server.StoredFiles());
            }
        }

        Assert.Equal([(HttpStatusCode.ServiceUnavailable, id), (HttpStatusCode.ServiceUnavailable, id), (HttpStatusCode.OK, null)], answers);
        Assert.Equal(before.Count + 1, server.StoredFiles().Count);
    }

    [Fact]
    public async Task An_injected_http_status_is_answered_with_the_spring_body()
    {
        var id = await server.AddAsync(new { match = new { @interface = "downloadFile" }, action = new { httpStatus = 502 }, times = 1 });

        using var response = await (await server.ClientAsync()).DownloadAsync(Recording);

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal(id, response.Headers.GetValues("X-Ccfs-Fault").Single());
        Assert.Equal(502, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("status").GetInt32());
    }

    [Fact]
    public async Task A_delayed_answer_comes_after_its_delay_and_a_slow_one_at_its_rate_whole()
    {
        await server.AddAsync(new { match = new { @interface = "getFileHash" }, action = new { delayMs = 500 }, times = 1 });
        var client = await server.ClientAsync();

        var delayed = Stopwatch.StartNew();
        using (var response = await client.HashAsync("Y:/3rdfile/1/thirdvoicebotfile/welcome.wav"))
        {
            await CcfsAnswer.AssertTripleAsync(response, "0", "success");
        }

        Assert.True(delayed.Elapsed >= TimeSpan.FromMilliseconds(450), $"answered after {delayed.Elapsed}");

        var recording = Samples.Read("valid", "prompt-alaw-8k-odd-length.wav");
        await server.AddAsync(new { match = new { @interface = "downloadFile" }, action = new { bytesPerSecond = recording.Length * 2 }, times = 1 });
        var slow = Stopwatch.StartNew();
        using var download = await client.DownloadAsync(Recording);
        Assert.Equal(recording, await download.Content.ReadAsByteArrayAsync());
        Assert.True(slow.Elapsed >= TimeSpan.FromMilliseconds(400), $"{recording.Length} bytes at {recording.Length * 2} bytes/s took {slow.Elapsed}");
    }

    [Fact]
    public async Task A_dropped_connection_sends_the_headers_and_the_bytes_it_says_then_nothing()
    {
        var id = await server.AddAsync(new
        {
            match = new { @interface = "getFileHash" },
            action = new { resultCode = "0300009", dropAfterBytes = 10 },
            times = 1
        });
        var before = server.StoredFiles();
        var client = await server.ClientAsync();
        using var request = client.Build(CcfsPaths.GetFileHash,
            SignedClient.Envelope(SignedClient.MsgBody(("fileName", "Y:/3rdfile/1/thirdvoicebotfile/welcome.wav"))), new SignOptions());

        using var response = await client.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);

        Assert.Equal(id, response.Headers.GetValues("X-Ccfs-Fault").Single());
        var body = await response.Content.ReadAsStreamAsync();
        var received = new MemoryStream();
        var broke = await Record.ExceptionAsync(() => body.CopyToAsync(received));
        Assert.True(broke is IOException or HttpRequestException, $"the body ended without an error after {received.Length} bytes: {broke}");
        Assert.Equal("""{"resultCo""", System.Text.Encoding.UTF8.GetString(received.ToArray()));
        Assert.Equal(before, server.StoredFiles());
    }

    [Fact]
    public async Task A_seeded_probability_acts_on_the_same_requests_as_its_random_sequence()
    {
        await server.AddAsync(new
        {
            match = new { @interface = "getFileHash", fileName = "welcome.wav" },
            action = new { resultCode = "0300009" },
            probability = 0.3,
            seed = 42,
            times = 5
        });
        var draws = new Random(42);
        var expected = new List<bool>();
        var left = 5;
        for (var i = 0; i < 15; i++)
        {
            var fire = draws.NextDouble() < 0.3 && left > 0;
            left -= fire ? 1 : 0;
            expected.Add(fire);
        }

        var injected = new List<bool>();
        for (var i = 0; i < 15; i++)
        {
            using var response = await (await server.ClientAsync()).HashAsync("Y:/3rdfile/1/thirdvoicebotfile/welcome.wav");
            injected.Add(response.Headers.Contains("X-Ccfs-Fault"));
        }

        Assert.Equal(expected, injected);
    }

    [Fact]
    public async Task Every_request_has_a_journal_entry_refused_ones_included()
    {
        var client = await server.ClientAsync();
        var fault = await server.AddAsync(new { match = new { @interface = "deleteFile" }, action = new { resultCode = "0300011" }, times = 1 });
        using var unsigned = await client.Http.PostAsync(CcfsPaths.UploadFile + "?vdnId=1",
            new StringContent("{}", System.Text.Encoding.UTF8, "application/json"));
        using var wrong = await new SignedClient(client.Http, new(DevelopmentServer.AccessKey, "wrong"), TimeProvider.System)
            .HashAsync("Y:/3rdfile/1/thirdvoicebotfile/welcome.wav");
        using var injected = await client.DeleteAsync("Y:/3rdfile/1/thirdvoicebotfile/welcome.wav");
        using var missing = await client.HashAsync("Y:/3rdfile/1/thirdvoicebotfile/none.wav");

        using var read = await client.AdminAsync(HttpMethod.Get, "/admin/api/journal?limit=4");

        var entries = JsonDocument.Parse(await read.Content.ReadAsStringAsync()).RootElement.GetProperty("entries").EnumerateArray().ToList();
        Assert.Equal([401, 401, 200, 200], entries.Select(e => e.GetProperty("httpStatus").GetInt32()));
        Assert.Equal("MissingAuthorization: the Authorization header is missing", entries[0].GetProperty("reason").GetString());
        Assert.StartsWith("SignatureMismatch", entries[1].GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Equal(fault, entries[2].GetProperty("fault").GetString());
        Assert.Equal("0300011", entries[3].GetProperty("resultCode").GetString());
        Assert.Equal("Y:/3rdfile/1/thirdvoicebotfile/none.wav", entries[3].GetProperty("fileName").GetString());
    }

    [Fact]
    public async Task A_faults_file_on_a_server_without_fault_injection_stops_the_start()
    {
        var port = ServerProcess.FreePort();
        await using var refused = ServerProcess.Start(new Dictionary<string, string>(), "--urls", $"http://127.0.0.1:{port}",
            "--faults", server.FaultsFile, "--Ccfs:Faults:Enabled=false", $"--Ccfs:DataDir={Path.Combine(server.Work, "refused")}");

        Assert.True(await refused.WaitForExitAsync(TimeSpan.FromSeconds(60)), refused.Output);
        Assert.Equal(2, refused.ExitCode);
        Assert.Contains("Ccfs:Faults:File (--faults) is given, but fault injection is off", refused.Output, StringComparison.Ordinal);
    }

    /// <summary>The development server: no account, a loopback listener, so fault injection and reset are on by default.</summary>
    public sealed class Server : IAsyncLifetime
    {
        private ServerProcess? _process;
        private HttpClient? _http;

        public string Work { get; } = Directory.CreateTempSubdirectory("ccfs-rehearsal").FullName;

        /// <summary>The process, for the test tier's rule that every process test reaches one.</summary>
        public ServerProcess Process => _process!;

        public string FaultsFile => Path.Combine(Work, "faults.json");

        private string DataDir => Path.Combine(Work, "data");

        private Task<HttpClient>? _started;

        public Task InitializeAsync() => Task.CompletedTask;

        /// <summary>A client of the development account, once the server (started by the first test that asks) is healthy.</summary>
        public async Task<SignedClient> ClientAsync()
        {
            var http = await (_started ??= StartAsync());
            return _process!.HasExited
                ? throw new InvalidOperationException($"the server exited with {_process.ExitCode}:\n{_process.Output}")
                : new(http, new(DevelopmentServer.AccessKey, DevelopmentServer.SecretKey), TimeProvider.System);
        }

        private async Task<HttpClient> StartAsync()
        {
            File.WriteAllText(FaultsFile, """[{"match":{"accessKey":"nobody"},"action":{"resultCode":"0300503"}}]""");
            var seed = Path.Combine(Work, "seed");
            Directory.CreateDirectory(Path.Combine(seed, "uploads", "1"));
            File.Copy(TestData.Audio("valid", "alaw-8k-sine.wav"), Path.Combine(seed, "uploads", "1", "welcome.wav"));
            var recordings = Path.Combine(seed, "recordings", "voice", "1", "IVRrecordFile", "20261201");
            Directory.CreateDirectory(recordings);
            File.Copy(TestData.Audio("valid", "prompt-alaw-8k-odd-length.wav"), Path.Combine(recordings, "20261201093012-record.wav"));
            var port = ServerProcess.FreePort();
            _process = ServerProcess.Start(new Dictionary<string, string>(), "--urls", $"http://127.0.0.1:{port}", $"--Ccfs:DataDir={DataDir}",
                "--faults", FaultsFile, "--seed", seed);
            _http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(60) };
            await _process.WaitUntilHealthyAsync(_http);
            return _http;
        }

        public async Task<string> AddAsync(object rule)
        {
            using var response = await (await ClientAsync()).AdminAsync(HttpMethod.Post, "/admin/api/faults", rule);
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.Created, text);
            return JsonDocument.Parse(text).RootElement.GetProperty("id").GetString()!;
        }

        /// <summary>Every file of the one location, as paths below it.</summary>
        public IReadOnlyList<string> StoredFiles()
        {
            var root = Path.Combine(DataDir, "locations", "0");
            return [.. Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(root, f))
                .Where(f => !f.StartsWith(".ccfs", StringComparison.Ordinal)).Order(StringComparer.Ordinal)];
        }

        public async Task DisposeAsync()
        {
            _http?.Dispose();
            if (_process is not null)
            {
                await _process.DisposeAsync();
            }

            Directory.Delete(Work, recursive: true);
        }
    }
}

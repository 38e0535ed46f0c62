using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Ccfs.Audio;
using Microsoft.Data.Sqlite;
using Xunit.Abstractions;

namespace Ccfs.Server.Tests.Process;

/// <summary>
/// Uploads run against the real server process, which is killed with SIGKILL mid-stream and restarted. Whatever was
/// acknowledged survives intact; no partial file is ever visible; no catalog row lacks its file.
/// </summary>
public sealed class CrashRecoveryTests(ITestOutputHelper output) : IDisposable
{
    private const int Workers = 6;
    private const int MaxUploadsPerWorker = 150;
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "ccfs-crash", Guid.NewGuid().ToString("N"));

    private const int MaxKills = 5;

    [Fact]
    public async Task A_killed_server_restarts_with_every_acknowledged_upload_intact_and_nothing_partial()
    {
        var sent = new ConcurrentDictionary<string, bool>();
        var acknowledged = new ConcurrentDictionary<string, string>();
        var interrupted = false;

        // Kill until one kill lands while an upload is on disk but not committed (a temporary file or a pending row),
        // so recovery is shown to finish real work, not just to start on a quiet data dir.
        for (var kill = 0; kill < MaxKills && !interrupted; kill++)
        {
            interrupted = await UploadThenKillAsync(sent, acknowledged);
            await VerifyAfterRestartAsync(sent, acknowledged);
        }

        Assert.True(interrupted, $"none of {MaxKills} kills caught an upload between its first write and its commit");
    }

    /// <returns>Whether the kill left a temporary file or a pending row behind.</returns>
    private async Task<bool> UploadThenKillAsync(ConcurrentDictionary<string, bool> sent, ConcurrentDictionary<string, string> acknowledged)
    {
        var acknowledgedBefore = acknowledged.Count;
        await using (var server = StartServer(out var port))
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            await server.WaitUntilHealthyAsync(http);
            var client = new SignedClient(http, new(CcfsFactory.AccessKey, CcfsFactory.SecretKey), TimeProvider.System);
            using var stop = new CancellationTokenSource();

            var workers = Enumerable.Range(0, Workers).Select(_ => Task.Run(async () =>
            {
                for (var i = 0; i < MaxUploadsPerWorker && !stop.IsCancellationRequested; i++)
                {
                    var wav = Samples.ALawOfSize(256 * 1024 + Random.Shared.Next(1024));
                    var sha = Convert.ToHexStringLower(SHA256.HashData(wav));
                    sent[sha] = true;
                    try
                    {
                        using var response = await client.UploadAsync(wav);
                        var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
                        if (json.GetProperty("resultCode").GetString() == "0")
                        {
                            acknowledged[json.GetProperty("resultData").GetProperty("fileName").GetString()!] = sha;
                        }
                    }
                    catch (Exception e) when (e is HttpRequestException or IOException or TaskCanceledException or JsonException)
                    {
                        return;
                    }
                }
            })).ToArray();

            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (acknowledged.Count < acknowledgedBefore + 40 && DateTime.UtcNow < deadline && !workers.All(w => w.IsCompleted))
            {
                await Task.Delay(20);
            }

            // Then wait (briefly) for a moment with a temporary file on disk, and kill right then.
            var aim = DateTime.UtcNow.AddSeconds(2);
            while (DateTime.UtcNow < aim && !Directory.EnumerateFiles(Path.Combine(LocationRoot, ".ccfs-tmp")).Any())
            {
                await Task.Delay(1);
            }

            await server.KillAsync();
            stop.Cancel();
            await Task.WhenAll(workers);
        }

        Assert.True(acknowledged.Count >= acknowledgedBefore + 10,
            $"only {acknowledged.Count - acknowledgedBefore} uploads were acknowledged before the kill");
        var temporary = Directory.EnumerateFiles(Path.Combine(LocationRoot, ".ccfs-tmp")).Count();
        var pending = CatalogRows().Count(r => !r.Committed);
        output.WriteLine($"sent {sent.Count}, acknowledged {acknowledged.Count}; at the kill: {VisibleFiles().Count()} visible files, "
            + $"{temporary} temporary files, {pending} pending rows");
        foreach (var file in VisibleFiles())
        {
            // Before recovery runs, a visible file may lack its row, but it is never a fragment.
            Assert.True(sent.ContainsKey(Sha(file)), $"{file} is not a complete uploaded file");
        }

        return temporary > 0 || pending > 0;
    }

    private async Task VerifyAfterRestartAsync(ConcurrentDictionary<string, bool> sent, ConcurrentDictionary<string, string> acknowledged)
    {
        await using var restarted = StartServer(out var port);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        await restarted.WaitUntilHealthyAsync(http);

        var rows = CatalogRows();
        Assert.DoesNotContain(rows, r => !r.Committed);
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(LocationRoot, ".ccfs-tmp")));
        Assert.Equal(rows.Select(r => r.Path).Order(StringComparer.Ordinal),
            VisibleFiles().Select(f => "/" + Path.GetRelativePath(LocationRoot, f)).Order(StringComparer.Ordinal));
        foreach (var row in rows)
        {
            Assert.Equal(row.Sha256, Sha(Path.Combine(LocationRoot, row.Path[1..])));
        }

        foreach (var (fileName, sha) in acknowledged)
        {
            var row = Assert.Single(rows, r => r.FileName == fileName);
            Assert.Equal(sha, row.Sha256);
        }

        var client = new SignedClient(http, new(CcfsFactory.AccessKey, CcfsFactory.SecretKey), TimeProvider.System);
        var sine = Convert.ToHexStringLower(SHA256.HashData(Samples.Sine));
        sent[sine] = true;
        var answer = await CcfsAnswer.AssertTripleAsync(await client.UploadAsync(Samples.Sine), "0", "success");
        acknowledged[answer.GetProperty("resultData").GetProperty("fileName").GetString()!] = sine;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_dataDir, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private string LocationRoot => Path.Combine(_dataDir, "locations", "0");

    private ServerProcess StartServer(out int port)
    {
        port = ServerProcess.FreePort();
        return ServerProcess.Start(new Dictionary<string, string>
        {
            ["Ccfs__DataDir"] = _dataDir,
            ["Ccfs__Limits__MaxConcurrentUploads"] = "8",
        }.WithTestAccounts(admin: false, CcfsFactory.Vdn), "--urls", $"http://127.0.0.1:{port}");
    }

    private IEnumerable<string> VisibleFiles() =>
        Directory.Exists(LocationRoot)
            ? Directory.EnumerateFiles(LocationRoot, "*", SearchOption.AllDirectories)
                .Where(f => !Path.GetRelativePath(LocationRoot, f).StartsWith(".ccfs", StringComparison.Ordinal))
            : [];

    private static string Sha(string file)
    {
        var bytes = File.ReadAllBytes(file);
        Assert.True(WaveValidator.Validate(bytes).IsValid, $"{file} is not a valid prompt");
        return Convert.ToHexStringLower(SHA256.HashData(bytes));
    }

    private List<(string Path, string FileName, string Sha256, bool Committed)> CatalogRows()
    {
        using var connection = new SqliteConnection($"Data Source={Path.Combine(_dataDir, "catalog.db")};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT path, file_name, sha256, state FROM files;";
        using var reader = command.ExecuteReader();
        var rows = new List<(string, string, string, bool)>();
        while (reader.Read())
        {
            rows.Add((reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetInt32(3) == 1));
        }

        return rows;
    }
}

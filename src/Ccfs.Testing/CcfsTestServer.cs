using Ccfs.Client;
using Ccfs.Protocol.Development;
using Ccfs.Server;
using Ccfs.Server.Faults;
using Ccfs.Server.Hosting;
using Ccfs.Server.Observability;
using Ccfs.Server.Seeding;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Ccfs.Testing;

/// <summary>
/// A real ccfs inside the test process, for a test suite of any framework: Kestrel on a free loopback port, an ephemeral
/// data dir removed when it is disposed, and the development account (an administrator bound to VDN 1), so fault
/// rules, seeding and reset are all allowed. Its <see cref="Client"/> is signed as that account; the rehearsal tools
/// (docs/rehearsal.md) are methods, called in-process.
/// </summary>
/// <example>
/// <code>
/// await using var ccfs = await CcfsTestServer.StartAsync();
/// var stored = await ccfs.Client.UploadAsync("prompt.wav", ccfs.VdnId);
/// </code>
/// </example>
public sealed class CcfsTestServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly EphemeralDataDir _dataDir;
    private readonly HttpClient _http;

    private CcfsTestServer(WebApplication app, EphemeralDataDir dataDir, Uri baseAddress)
    {
        _app = app;
        _dataDir = dataDir;
        BaseAddress = baseAddress;
        _http = new HttpClient { BaseAddress = baseAddress };
        Client = new CcfsClient(_http, new CcfsClientOptions { Endpoint = baseAddress, AccessKey = AccessKey, SecretKey = SecretKey });
    }

    /// <summary>Where the server listens, e.g. <c>http://127.0.0.1:41234/</c>.</summary>
    public Uri BaseAddress { get; }

    public string AccessKey => DevelopmentServer.AccessKey;

    public string SecretKey => DevelopmentServer.SecretKey;

    /// <summary>The VDN the development account is bound to.</summary>
    public int VdnId => DevelopmentServer.VdnId;

    /// <summary>A client signed as the development account.</summary>
    public CcfsClient Client { get; }

    /// <summary>The server's data dir (catalog and locations), removed on dispose.</summary>
    public string DataDir => _dataDir.Path;

    /// <summary>The server's services, for what the methods here do not cover.</summary>
    public IServiceProvider Services => _app.Services;

    /// <summary>Starts a server and waits until it listens.</summary>
    /// <exception cref="InvalidOperationException">The configuration, the seed folder or the faults file has a problem; the message names it.</exception>
    public static async Task<CcfsTestServer> StartAsync(Action<CcfsTestServerOptions>? configure = null)
    {
        var options = new CcfsTestServerOptions();
        configure?.Invoke(options);
        var dataDir = EphemeralDataDir.Create();
        List<string> args = ["--urls", "http://127.0.0.1:0", $"--Ccfs:DataDir={dataDir.Path}",
            // A test server must not leave its certificate in the user's ~/.ccfs.
            "--Ccfs:Tls:ShareDevelopmentCertificate=false"];
        args.AddRange(options.Configuration.Select(c => $"--{c.Key}={c.Value}"));
        if (options.SeedFolder is { } seed)
        {
            args.Add($"--Ccfs:Seed:Folder={Path.GetFullPath(seed)}");
        }

        if (options.FaultsFile is { } faults)
        {
            args.Add($"--Ccfs:Faults:File={Path.GetFullPath(faults)}");
        }

        WebApplication app;
        try
        {
            app = await CcfsServerHost.StartAsync([.. args], dataDir, builder => builder.Logging.SetMinimumLevel(options.MinimumLogLevel));
        }
        catch (Exception e) when (e is Server.Configuration.CcfsConfigurationException or CcfsStartupException)
        {
            dataDir.Dispose();
            throw new InvalidOperationException(e.Message, e);
        }

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new CcfsTestServer(app, dataDir, new Uri(address.TrimEnd('/') + "/"));
    }

    /// <summary>Puts a fault rule in force (docs/rehearsal.md); its id is what answers it shapes carry in <c>X-Ccfs-Fault</c>.</summary>
    /// <exception cref="ArgumentException">The rule cannot act; the message names each problem.</exception>
    public FaultRuleView AddFault(FaultRuleSpec rule)
    {
        var added = Services.GetRequiredService<FaultRules>().Add(rule);
        return added.Rule?.View() ?? throw new ArgumentException(string.Join("; ", added.Problems), nameof(rule));
    }

    public IReadOnlyList<FaultRuleView> Faults => [.. Services.GetRequiredService<FaultRules>().List().Select(r => r.View())];

    public bool RemoveFault(string id) => Services.GetRequiredService<FaultRules>().Remove(id);

    public int ClearFaults() => Services.GetRequiredService<FaultRules>().Clear();

    /// <summary>The requests answered so far, oldest first, each with how and why (docs/rehearsal.md#the-request-journal).</summary>
    /// <param name="after">Only entries after this id (the last one seen).</param>
    public IReadOnlyList<JournalEntry> Journal(long? after = null, string? accessKey = null, int? vdnId = null) =>
        Services.GetRequiredService<RequestJournal>().Read(after ?? 0, RequestJournal.MaxPage, accessKey, vdnId).Entries;

    /// <summary>Seeds a folder as <c>--seed</c> does: <c>uploads/{vdn}/*</c> and <c>recordings/{path}</c>.</summary>
    /// <exception cref="InvalidOperationException">A file cannot be seeded; nothing was.</exception>
    public Task<SeedReport> SeedAsync(string folder)
    {
        var (uploads, recordings) = SeedFolder.Read(Path.GetFullPath(folder), Services.GetRequiredService<Server.Configuration.CcfsSettings>().Parameters.DriveLetter);
        return SeedAsync(uploads, recordings);
    }

    /// <summary>Stores <paramref name="wav"/> as uploadFile would for <paramref name="vdnId"/>, under <paramref name="name"/>.</summary>
    public async Task<SeededFile> SeedUploadAsync(int vdnId, string name, byte[] wav) =>
        (await SeedAsync([new SeedUpload(vdnId, name, wav, name)], [])).Uploads[0];

    /// <summary>Writes a recording where the IVR would, e.g. <c>Y:/voice/1/IVRrecordFile/20261201/093012-record.wav</c>.</summary>
    public async Task<SeededFile> SeedRecordingAsync(string filePath, byte[] content) =>
        (await SeedAsync([], [new SeedRecording(filePath, content, filePath)])).Recordings[0];

    /// <summary>Forgets every file and empties every location, so the next test starts from nothing.</summary>
    public Task<ResetReport> ResetAsync() => Services.GetRequiredService<RehearsalReset>().ResetAsync(AccessKey);

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        _dataDir.Dispose();
    }

    private async Task<SeedReport> SeedAsync(IReadOnlyList<SeedUpload> uploads, IReadOnlyList<SeedRecording> recordings)
    {
        var report = await Services.GetRequiredService<Seeder>().SeedAsync(uploads, recordings, AccessKey);
        return report.Problems.Count > 0 ? throw new InvalidOperationException("nothing was seeded: " + string.Join("; ", report.Problems)) : report;
    }
}

using Ccfs.Protocol.Development;

namespace Ccfs.Tests;

/// <summary>
/// A development server over HTTPS on loopback, started in a folder of its own (its data in ./ccfs-data) with a home of
/// its own (where it shares its certificate as ~/.ccfs/dev-certificate.pem). Test projects make it an xUnit fixture by
/// deriving from it with <c>IAsyncLifetime</c>, whose two methods it has.
/// </summary>
public class DevelopmentHttpsServer
{
    private ServerProcess? _process;

    public string Work { get; } = Directory.CreateTempSubdirectory("ccfs-devcert").FullName;

    public string Home => Path.Combine(Work, "home");

    public string DataDir => Path.Combine(Work, "ccfs-data");

    public string Endpoint { get; } = $"https://127.0.0.1:{ServerProcess.FreePort()}";

    public string SharedCertificate => Path.Combine(Home, ".ccfs", "dev-certificate.pem");

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Home);
        _process = ServerProcess.Start(new Dictionary<string, string> { ["Ccfs__DataDir"] = DataDir, ["HOME"] = Home }, "--urls", Endpoint);
        using var handler = new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, _, _, _) => true };
        using var http = new HttpClient(handler) { BaseAddress = new Uri(Endpoint) };
        await _process.WaitUntilHealthyAsync(http);
        // The server shares its certificate once its listener is bound, a moment after /healthz may first answer.
        for (var attempt = 0; attempt < 100 && DevelopmentCertificateFile.Read(SharedCertificate).Count == 0; attempt++)
        {
            await Task.Delay(100);
        }
    }

    public async Task DisposeAsync()
    {
        await _process!.DisposeAsync();
        Directory.Delete(Work, recursive: true);
    }
}

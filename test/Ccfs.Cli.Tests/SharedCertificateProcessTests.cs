using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Ccfs.Protocol.Development;

namespace Ccfs.Cli.Tests;

/// <summary>
/// <c>~/.ccfs/dev-certificate.pem</c> is written only by a server whose listener is bound, and never loses the
/// certificate of another server that still runs: a second server that cannot take the port, or one that runs beside
/// the first and stops, leaves <c>ccfs</c> trusting the first.
/// </summary>
public sealed class SharedCertificateProcessTests(DevelopmentServerFixture first) : IClassFixture<DevelopmentServerFixture>, IDisposable
{
    private static readonly string Wav = TestData.Audio("valid", "alaw-8k-sine.wav");
    private readonly string _work = Directory.CreateTempSubdirectory("ccfs-second").FullName;

    [Fact]
    public async Task A_second_server_that_cannot_take_the_port_leaves_the_first_one_trusted()
    {
        var secondDataDir = Path.Combine(_work, "ccfs-data");
        await using var second = ServerProcess.Start(new Dictionary<string, string> { ["Ccfs__DataDir"] = secondDataDir, ["HOME"] = first.Home },
            "--urls", first.Endpoint);

        Assert.True(await second.WaitForExitAsync(TimeSpan.FromSeconds(60)), second.Output);
        Assert.Equal(2, second.ExitCode);
        Assert.Contains("is already in use", second.Output, StringComparison.Ordinal);
        // It got as far as making a certificate of its own, which it would have shared before binding the port.
        Assert.NotEqual(await FingerprintAsync(first.DataDir), await FingerprintAsync(secondDataDir));
        Assert.Equal([await FingerprintAsync(first.DataDir)], DevelopmentCertificateFile.Read(first.SharedCertificate).Select(c => c.Sha256));
        var upload = await Cli.RunInAsync(_work, Environment(first.Endpoint), "upload", Wav);
        Assert.True(upload.ExitCode == ExitCodes.Success, upload.Error);
    }

    [Fact]
    public async Task A_second_server_beside_the_first_is_trusted_too_and_withdraws_its_certificate_when_it_stops()
    {
        var secondDataDir = Path.Combine(_work, "ccfs-data");
        var secondEndpoint = $"https://127.0.0.1:{ServerProcess.FreePort()}";
        await using var second = ServerProcess.Start(new Dictionary<string, string> { ["Ccfs__DataDir"] = secondDataDir, ["HOME"] = first.Home },
            "--urls", secondEndpoint);
        using (var handler = new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, _, _, _) => true })
        using (var http = new HttpClient(handler) { BaseAddress = new Uri(secondEndpoint) })
        {
            await second.WaitUntilHealthyAsync(http);
        }

        // Written after the listener is bound; the health check can answer a moment before that callback has run.
        await WaitUntilSharedAsync(2);
        var toFirst = await Cli.RunInAsync(_work, Environment(first.Endpoint), "upload", Wav);
        var toSecond = await Cli.RunInAsync(_work, Environment(secondEndpoint), "upload", Wav);
        await second.TerminateAsync();
        Assert.True(await second.WaitForExitAsync(TimeSpan.FromSeconds(60)), second.Output);
        var afterwards = await Cli.RunInAsync(_work, Environment(first.Endpoint), "upload", Wav);

        Assert.True(toFirst.ExitCode == ExitCodes.Success, toFirst.Error);
        Assert.True(toSecond.ExitCode == ExitCodes.Success, toSecond.Error);
        Assert.True(afterwards.ExitCode == ExitCodes.Success, afterwards.Error);
        var left = Assert.Single(DevelopmentCertificateFile.Read(first.SharedCertificate));
        Assert.Equal(await FingerprintAsync(first.DataDir), left.Sha256);
    }

    public void Dispose() => Directory.Delete(_work, recursive: true);

    private Dictionary<string, string?> Environment(string endpoint) => new() { ["CCFS_ENDPOINT"] = endpoint, ["HOME"] = first.Home };

    private async Task WaitUntilSharedAsync(int certificates)
    {
        for (var attempt = 0; attempt < 100 && DevelopmentCertificateFile.Read(first.SharedCertificate).Count < certificates; attempt++)
        {
            await Task.Delay(100);
        }
    }

    private static async Task<string> FingerprintAsync(string dataDir)
    {
        using var certificate = X509Certificate2.CreateFromPem(await File.ReadAllTextAsync(Path.Combine(dataDir, "tls", "ccfs-selfsigned.pem")));
        return Convert.ToHexString(certificate.GetCertHash(HashAlgorithmName.SHA256));
    }
}

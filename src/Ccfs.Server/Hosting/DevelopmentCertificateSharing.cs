using System.Security.Cryptography.X509Certificates;
using Ccfs.Protocol.Development;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Ccfs.Server.Hosting;

/// <summary>
/// Adds a loopback-only server's generated certificate to <c>~/.ccfs/dev-certificate.pem</c>, where <c>ccfs</c> and the
/// SDK's development preset find and trust it, and removes it when the server stops. It is added only once Kestrel has
/// bound the listeners: a server that cannot start (its port is taken) must not replace the certificate of the one
/// that holds the port. The file keeps every live server's certificate (<see cref="DevelopmentCertificateFile"/>).
/// </summary>
public static partial class DevelopmentCertificateSharing
{
    public static void ShareOnceListening(IServiceProvider services, X509Certificate2 certificate, ILogger log)
    {
        if (DevelopmentCertificateFile.PathIn() is not { } path)
        {
            return;
        }

        var lifetime = services.GetRequiredService<IHostApplicationLifetime>();
        DevelopmentCertificateOwner? owner = null;
        lifetime.ApplicationStarted.Register(() =>
        {
            var addresses = services.GetService<IServer>()?.Features.Get<IServerAddressesFeature>()?.Addresses.ToList() ?? [];
            var self = DevelopmentCertificateOwner.Current(addresses);
            if (Try(log, path, () => DevelopmentCertificateFile.Share(path, certificate.ExportCertificatePem(), self)))
            {
                owner = self;
                LogShared(log, path);
            }
        });
        lifetime.ApplicationStopped.Register(() =>
        {
            if (owner is { } self)
            {
                Try(log, path, () => DevelopmentCertificateFile.Withdraw(path, self));
            }
        });
    }

    /// <summary>A home that cannot be written (a service account) only costs clients the convenience.</summary>
    private static bool Try(ILogger log, string path, Action change)
    {
        try
        {
            change();
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            LogNotShared(log, path, e.Message);
            return false;
        }
    }

    [LoggerMessage(LogLevel.Information, "ccfs clients on this machine trust this certificate through {SharedPath}")]
    private static partial void LogShared(ILogger logger, string sharedPath);

    [LoggerMessage(LogLevel.Warning, "{SharedPath} could not be written ({Reason}); ccfs clients need --fingerprint to trust this server")]
    private static partial void LogNotShared(ILogger logger, string sharedPath, string reason);
}

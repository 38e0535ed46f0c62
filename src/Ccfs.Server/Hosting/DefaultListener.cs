using System.Net;
using Ccfs.Server.Configuration;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Ccfs.Server.Hosting;

/// <summary>The listener a server gets when none is configured, and the development certificate it serves.</summary>
public static class DefaultListener
{
    /// <summary>With no listener configured: HTTPS on 127.0.0.1:8443 with the generated self-signed certificate.</summary>
    public static void Configure(IConfiguration configuration, KestrelServerOptions kestrel)
    {
        var plan = ListenerPlan.From(configuration);
        ConfiguredCertificates.Log(configuration,
            kestrel.ApplicationServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(SelfSignedCertificate).FullName!));
        if (!plan.NeedsHttpsCertificate || configuration.GetSection("Kestrel:Certificates:Default").Exists())
        {
            return;
        }

        var dataDir = Path.GetFullPath(configuration[$"{CcfsOptions.Section}:DataDir"] is { Length: > 0 } dir ? dir : new CcfsOptions().DataDir);
        // This runs while the host is built, before the start-up checks: an unusable folder must still be one line.
        StartupCheck.RequireWritableFolder(dataDir, "Ccfs:DataDir");
        System.Security.Cryptography.X509Certificates.X509Certificate2 certificate;
        try
        {
            certificate = SelfSignedCertificate.LoadOrCreate(dataDir);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException)
        {
            throw new CcfsStartupException($"the TLS certificate in {Path.Combine(dataDir, "tls")} cannot be read or created: {e.Message}", e);
        }

        var log = kestrel.ApplicationServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(SelfSignedCertificate).FullName!);
        SelfSignedCertificate.LogInUse(log, SelfSignedCertificate.PemPathIn(dataDir), SelfSignedCertificate.Fingerprint(certificate));
        if (plan.NonLoopbackUrls.Count == 0 && !string.Equals(configuration[$"{CcfsOptions.Section}:Tls:ShareDevelopmentCertificate"], "false", StringComparison.OrdinalIgnoreCase))
        {
            // A server only this machine can reach is a development server: clients here may trust its certificate.
            DevelopmentCertificateSharing.ShareOnceListening(kestrel.ApplicationServices, certificate, log);
        }

        kestrel.ConfigureHttpsDefaults(https => https.ServerCertificate ??= certificate);
        if (plan.UseDefaultHttps)
        {
            kestrel.Listen(IPAddress.Loopback, ListenerPlan.DefaultHttpsPort, listen => listen.UseHttps(certificate));
        }
    }
}

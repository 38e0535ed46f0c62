using Ccfs.Client;
using Ccfs.Protocol.Development;

namespace Ccfs.Cli;

/// <summary>
/// The certificates of ccfs development servers on this machine, which <c>ccfs</c> trusts for a loopback <c>https</c>
/// endpoint without <c>--insecure</c> or <c>--fingerprint</c> (the SDK's <see cref="CcfsClientOptions.TrustDevelopmentCertificates"/>):
/// <c>~/.ccfs/dev-certificate.pem</c> (every loopback-only server running here, <c>ccfs serve</c> included) and
/// <c>./ccfs-data/tls/ccfs-selfsigned.pem</c> (a server started in this folder). Trusted by SHA-256 only, so any other
/// certificate the machine does not trust is still refused, and the refusal says which option to use.
/// </summary>
public static class DevelopmentCertificate
{
    /// <summary>The files to look in, from the home and the folder this command runs in.</summary>
    public static IReadOnlyList<string> Files(CliConsole console) => DevelopmentTrust.DefaultFiles(
        console.Environment.GetValueOrDefault("HOME") ?? Environment.GetFolderPath(Environment.SpecialFolder.UserProfile),
        console.WorkingDirectory);

    /// <summary>A refused certificate, with the command-line options that would trust the right one.</summary>
    public static string Explain(CcfsCertificateException refused)
    {
        var presented = refused.PresentedSha256 is { } sha ? $" (SHA-256 {DevelopmentCertificateFile.WithColons(sha)})" : "";
        if (refused.PinnedSha256 is { } pinned)
        {
            return $"the server's TLS certificate{presented} is not the one --fingerprint names (SHA-256 "
                + $"{DevelopmentCertificateFile.WithColons(pinned)}); if the server made a new certificate, pass the fingerprint it printed";
        }

        return refused.DevelopmentCertificates switch
        {
            null => $"cannot reach the endpoint: the server's TLS certificate{presented} is not trusted: pass --fingerprint with the "
                + "SHA-256 the server printed, or --insecure for a development server",
            [] => $"the server's TLS certificate{presented} is not trusted: no ccfs development server on this machine has shared its "
                + "certificate in ~/.ccfs/dev-certificate.pem, and this machine does not trust it. Pass --fingerprint with the SHA-256 "
                + "the server printed (or --insecure for a development server)",
            var development => $"the server's TLS certificate{presented} is not trusted: it is not the development certificate "
                + string.Join(" or ", development.Select(c => $"in {c.Path} (SHA-256 {DevelopmentCertificateFile.WithColons(c.Sha256)})"))
                + ", and this machine does not trust it. If the server uses another data dir, pass --fingerprint with the SHA-256 it printed",
        };
    }
}

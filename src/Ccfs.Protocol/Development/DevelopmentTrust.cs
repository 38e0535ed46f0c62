namespace Ccfs.Protocol.Development;

/// <summary>
/// Where a client on this machine finds the certificates of local development servers: the shared
/// <c>~/.ccfs/dev-certificate.pem</c>, and <c>./ccfs-data/tls/ccfs-selfsigned.pem</c> of the folder it runs in (a server
/// started there with its default data dir). Used for <c>https</c> endpoints on loopback only, and by SHA-256 only.
/// </summary>
public static class DevelopmentTrust
{
    /// <summary>The PEM files to read, in order: the shared file in <paramref name="home"/>, then the working folder's.</summary>
    public static IReadOnlyList<string> DefaultFiles(string? home = null, string? workingDirectory = null)
    {
        var files = new List<string> { Path.Combine(workingDirectory ?? Directory.GetCurrentDirectory(), "ccfs-data", "tls", "ccfs-selfsigned.pem") };
        if (DevelopmentCertificateFile.PathIn(home) is { } shared)
        {
            files.Insert(0, shared);
        }

        return files;
    }

    /// <summary>Every certificate in <paramref name="files"/>, each fingerprint once, with the first file that holds it.</summary>
    public static IReadOnlyList<SharedCertificate> Find(IEnumerable<string> files) =>
        [.. files.SelectMany(DevelopmentCertificateFile.Read).DistinctBy(c => c.Sha256)];
}

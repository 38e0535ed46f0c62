using System.Security.Cryptography;
using System.Text;

namespace Ccfs.Protocol.Development;

/// <summary>One certificate in the shared file: where it was read, its SHA-256 (upper-case hex) and, if named, its server.</summary>
public sealed record SharedCertificate(string Path, string Sha256, string Pem, DevelopmentCertificateOwner? Owner);

/// <summary>
/// <c>~/.ccfs/dev-certificate.pem</c>: the certificates (never keys) of the development servers running on this machine
/// for this user, each under the line naming its server. Clients on the machine trust a loopback server by these
/// (by SHA-256 only). A server adds its certificate once its listener is bound and removes it when it stops; it keeps
/// the certificates of every other server still running, so starting a second server, or failing to, never takes
/// trust away from the first. Entries of servers that died unannounced are dropped by the next writer.
/// </summary>
public static class DevelopmentCertificateFile
{
    /// <summary>The file in <paramref name="home"/> (the user's home when null); null when there is no home.</summary>
    public static string? PathIn(string? home = null)
    {
        home ??= Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        return string.IsNullOrEmpty(home) ? null : System.IO.Path.Combine(home, ".ccfs", "dev-certificate.pem");
    }

    /// <summary>Every certificate in the file, or none when it is missing or unreadable.</summary>
    public static IReadOnlyList<SharedCertificate> Read(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }

        return Parse(path, text);
    }

    /// <summary>
    /// Adds <paramref name="certificatePem"/> under <paramref name="owner"/>, keeping the certificates of every other
    /// live server and dropping those of servers that are gone (and this process's earlier entry).
    /// </summary>
    public static void Share(string path, string certificatePem, DevelopmentCertificateOwner owner) =>
        Rewrite(path, kept => [.. kept, new SharedCertificate(path, Sha256Of(certificatePem) ?? "", certificatePem.Trim(), owner)], owner);

    /// <summary>Removes this process's certificate, keeping every other live server's; the file goes when none is left.</summary>
    public static void Withdraw(string path, DevelopmentCertificateOwner owner) => Rewrite(path, kept => kept, owner);

    /// <summary>The SHA-256 of the first certificate in a PEM text, as upper-case hex; null when there is none.</summary>
    public static string? Sha256Of(string pem)
    {
        if (!PemEncoding.TryFind(pem, out var fields) || pem[fields.Label] != "CERTIFICATE")
        {
            return null;
        }

        var der = new byte[fields.DecodedDataLength];
        return Convert.TryFromBase64Chars(pem.AsSpan()[fields.Base64Data], der, out var written)
            ? Convert.ToHexString(SHA256.HashData(der.AsSpan(0, written)))
            : null;
    }

    /// <summary>The fingerprint as <c>AB:CD:…</c>, the form servers print and <c>openssl x509 -fingerprint -sha256</c> shows.</summary>
    public static string WithColons(string hex) =>
        string.Join(':', Enumerable.Range(0, hex.Length / 2).Select(i => hex.Substring(i * 2, 2)));

    private static List<SharedCertificate> Parse(string path, string text)
    {
        var found = new List<SharedCertificate>();
        var offset = 0;
        while (PemEncoding.TryFind(text.AsSpan(offset), out var fields))
        {
            var location = fields.Location;
            var block = text.Substring(offset + location.Start.Value, location.End.Value - location.Start.Value);
            var before = text[..(offset + location.Start.Value)].TrimEnd('\r', '\n');
            var ownerLine = before[(before.LastIndexOf('\n') + 1)..];
            if (text.AsSpan(offset)[fields.Label].SequenceEqual("CERTIFICATE") && Sha256Of(block) is { } sha256)
            {
                found.Add(new SharedCertificate(path, sha256, block, DevelopmentCertificateOwner.Parse(ownerLine.Trim())));
            }

            offset += location.End.Value;
        }

        return found;
    }

    /// <summary>Read, change and replace the file whole, under a lock so two servers starting at once both stay in it.</summary>
    private static void Rewrite(string path, Func<List<SharedCertificate>, List<SharedCertificate>> change, DevelopmentCertificateOwner self)
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        using var gate = Lock(path + ".lock");
        var kept = Read(path).Where(c => c.Owner is { } owner && !owner.IsSameProcess(self) && owner.IsAlive()).ToList();
        var entries = change(kept);
        var text = new StringBuilder();
        foreach (var entry in entries.DistinctBy(e => (e.Sha256, e.Owner?.ProcessId)))
        {
            text.Append(entry.Owner?.Header).Append('\n').Append(entry.Pem.Trim()).Append('\n');
        }

        if (text.Length == 0)
        {
            File.Delete(path);
            return;
        }

        var temporary = $"{path}.{Guid.NewGuid():N}.tmp";
        try
        {
            File.WriteAllText(temporary, text.ToString());
            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    /// <summary>An exclusive lock file (flock on Unix), waited for a few seconds at most.</summary>
    private static FileStream Lock(string path)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (attempt < 50)
            {
                Thread.Sleep(100);
            }
        }
    }
}

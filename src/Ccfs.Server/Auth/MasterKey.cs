using System.Security.Cryptography;
using Ccfs.Server.Configuration;
using Ccfs.Server.Hosting;
using Ccfs.Server.Storage;
using Ccfs.Server.Storage.Disk;

namespace Ccfs.Server.Auth;

/// <summary>
/// Seals secret keys for the catalog with AES-256-GCM. The access key is the associated data, so a sealed secret
/// copied onto another account's row does not open. Safe from any thread: account reloads, webhook deliveries and the
/// admin API use it at once, and <see cref="AesGcm"/> is not thread-safe, so each use holds a lock (a few microseconds).
/// </summary>
public sealed class MasterKey : IDisposable
{
    public const string FileName = "master.key";
    private const int KeyBytes = 32;
    private const int NonceBytes = 12;
    private const int TagBytes = 16;

    private readonly AesGcm _aes;
    private readonly Lock _lock = new();

    public MasterKey(byte[] key)
    {
        _aes = new AesGcm(key, TagBytes);
        CryptographicOperations.ZeroMemory(key);
    }

    /// <summary>The configured key, or the one in the data dir's key file, created (mode 0600) on first use.</summary>
    public static MasterKey Load(CcfsSettings settings)
    {
        if (settings.Security.MasterKey is { Length: > 0 } configured && TryDecode(configured, out var key))
        {
            return new MasterKey(key);
        }

        var path = Path.Combine(settings.DataDir, FileName);
        if (Directory.Exists(path))
        {
            throw new CcfsStartupException($"{path} is a folder, not the master key file");
        }

        string text;
        try
        {
            Directory.CreateDirectory(settings.DataDir);
            if (!File.Exists(path))
            {
                CreateKeyFile(path);
            }

            RefuseIfOthersCanReach(path);
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CcfsStartupException($"the master key file {path} cannot be read or created: {e.Message}", e);
        }

        if (!TryDecode(text.Trim(), out key))
        {
            throw new CcfsConfigurationException([$"{path} does not hold the Base64 form of a 32-byte key"]);
        }

        return new MasterKey(key);
    }

    /// <summary>
    /// Written whole to a private temporary file, then linked into place without replacing: a node starting beside
    /// another never reads a half-written key, and the first key created is the one every node uses.
    /// </summary>
    private static void CreateKeyFile(string path)
    {
        var temporary = $"{path}.{Guid.NewGuid():N}.tmp";
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        try
        {
            using (var stream = new FileStream(temporary, options))
            {
                stream.Write(System.Text.Encoding.ASCII.GetBytes(Convert.ToBase64String(RandomNumberGenerator.GetBytes(KeyBytes)) + "\n"));
                stream.Flush(flushToDisk: true);
            }

            // False when another node on the same data dir created it first; then everyone uses theirs.
            NewFile.TryLink(temporary, path);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    /// <summary>
    /// The key opens every secret in the catalog, so a key file others may read (or replace) stops the server rather
    /// than being quietly repaired: whoever loosened it should know the key may have been copied.
    /// </summary>
    private static void RefuseIfOthersCanReach(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        const UnixFileMode others = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
            | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;
        var mode = File.GetUnixFileMode(path);
        if ((mode & others) != 0)
        {
            throw new CcfsConfigurationException([$"{path} has mode {Convert.ToString((int)mode, 8).PadLeft(4, '0')}, so users other than "
                + $"its owner can reach the key that opens every secret key in the catalog; it must be 0600. If no one else "
                + $"could have copied it, run `chmod 600 {path}` and start again; otherwise rotate every catalog account's secret"]);
        }
    }

    public static bool TryDecode(string text, out byte[] key)
    {
        key = new byte[KeyBytes];
        return Convert.TryFromBase64String(text.Trim(), key, out var written) && written == KeyBytes;
    }

    /// <summary>nonce ‖ ciphertext ‖ tag.</summary>
    public byte[] Seal(string accessKey, string secretKey)
    {
        var plain = System.Text.Encoding.UTF8.GetBytes(secretKey);
        var sealedBytes = new byte[NonceBytes + plain.Length + TagBytes];
        var nonce = sealedBytes.AsSpan(0, NonceBytes);
        RandomNumberGenerator.Fill(nonce);
        lock (_lock)
        {
            _aes.Encrypt(nonce, plain, sealedBytes.AsSpan(NonceBytes, plain.Length), sealedBytes.AsSpan(NonceBytes + plain.Length),
                System.Text.Encoding.UTF8.GetBytes(accessKey));
        }

        CryptographicOperations.ZeroMemory(plain);
        return sealedBytes;
    }

    /// <summary>The secret, or null if the bytes were sealed under another key or for another account.</summary>
    public string? Open(string accessKey, ReadOnlySpan<byte> sealedBytes)
    {
        if (sealedBytes.Length < NonceBytes + TagBytes)
        {
            return null;
        }

        var length = sealedBytes.Length - NonceBytes - TagBytes;
        var plain = new byte[length];
        try
        {
            lock (_lock)
            {
                _aes.Decrypt(sealedBytes[..NonceBytes], sealedBytes.Slice(NonceBytes, length), sealedBytes[^TagBytes..], plain,
                    System.Text.Encoding.UTF8.GetBytes(accessKey));
            }

            return System.Text.Encoding.UTF8.GetString(plain);
        }
        catch (AuthenticationTagMismatchException)
        {
            return null;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plain);
        }
    }

    public void Dispose() => _aes.Dispose();
}

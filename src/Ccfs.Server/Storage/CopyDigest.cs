using System.Buffers;
using System.Security.Cryptography;

namespace Ccfs.Server.Storage;

/// <summary>What one streamed pass over a stored copy found: its length, its SHA-256 and, if asked, another digest.</summary>
/// <param name="Sha256">Lower-case hex, as the catalog keeps it.</param>
/// <param name="Digest">Lower-case hex of the other algorithm; the SHA-256 again when that was the one asked for.</param>
public readonly record struct CopyDigest(long Length, string Sha256, string Digest)
{
    private const int BufferSize = 64 * 1024;

    /// <summary>
    /// Reads <paramref name="content"/> to its end once, through a pooled buffer, so a copy of any size is checked in
    /// bounded memory. SHA-256 is always computed: it is what the catalog records, so corruption can be told.
    /// </summary>
    public static async Task<CopyDigest> ComputeAsync(Stream content, HashAlgorithmName other, CancellationToken cancellationToken)
    {
        using var sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using var second = other == HashAlgorithmName.SHA256 ? null : IncrementalHash.CreateHash(other);
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        var length = 0L;
        try
        {
            int read;
            while ((read = await content.ReadAsync(buffer.AsMemory(0, BufferSize), cancellationToken)) > 0)
            {
                sha256.AppendData(buffer, 0, read);
                second?.AppendData(buffer, 0, read);
                length += read;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        var sha256Hex = Convert.ToHexStringLower(sha256.GetHashAndReset());
        return new CopyDigest(length, sha256Hex, second is null ? sha256Hex : Convert.ToHexStringLower(second.GetHashAndReset()));
    }
}

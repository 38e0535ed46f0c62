using System.Security.Cryptography;
using System.Text;

namespace Ccfs.Protocol.Auth;

/// <summary>
/// The second auth-v2 HMAC, fed incrementally: the canonical head, then the body percent-encoded chunk by chunk,
/// so a 5 MB upload never becomes a 15 MB string.
/// </summary>
public sealed class CanonicalRequestHmac : IDisposable
{
    private const int ChunkSize = 8192;
    private readonly IncrementalHash _hmac;

    /// <param name="signingKeyHex">The 64-character hex signing key; its ASCII bytes are the HMAC key.</param>
    /// <param name="head">The canonical request up to the body (<see cref="CanonicalRequest.Head"/>).</param>
    public CanonicalRequestHmac(string signingKeyHex, string head)
    {
        _hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, Encoding.UTF8.GetBytes(signingKeyHex));
        _hmac.AppendData(Encoding.UTF8.GetBytes(head));
    }

    public void AppendBody(ReadOnlySpan<byte> body)
    {
        Span<byte> chunk = stackalloc byte[ChunkSize];
        while (!body.IsEmpty)
        {
            PercentEncoding.Encode(body, chunk, out var consumed, out var written);
            _hmac.AppendData(chunk[..written]);
            body = body[consumed..];
        }
    }

    /// <summary>Writes the signature as 64 lower-case hex ASCII bytes.</summary>
    public void Complete(Span<byte> lowerHex)
    {
        Span<byte> mac = stackalloc byte[32];
        _hmac.GetHashAndReset(mac);
        Hex.WriteLower(mac, lowerHex);
    }

    public string Complete()
    {
        Span<byte> hex = stackalloc byte[64];
        Complete(hex);
        return Encoding.ASCII.GetString(hex);
    }

    public void Dispose() => _hmac.Dispose();
}

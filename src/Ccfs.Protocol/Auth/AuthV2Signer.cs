namespace Ccfs.Protocol.Auth;

/// <summary>Produces auth-v2 Authorization values, as Huawei's Java demo does (spec §2.7, §2.8).</summary>
public static class AuthV2Signer
{
    /// <summary>Signs a request whose whole body is at hand.</summary>
    public static string Sign(RequestToSign request, AccessKeyCredential credential, string timestamp, ReadOnlySpan<byte> body)
    {
        using var signing = Begin(request, credential, timestamp);
        signing.AppendBody(body);
        return signing.Complete();
    }

    /// <summary>Starts a signature whose body is fed in chunks, for bodies streamed from a file.</summary>
    public static AuthV2Signing Begin(RequestToSign request, AccessKeyCredential credential, string timestamp)
    {
        var signedHeaderList = CanonicalRequest.SignedHeaderList(request.Headers.Select(h => h.Key));
        var prefix = SigningKey.Prefix(credential.AccessKey, timestamp, signedHeaderList);
        var head = CanonicalRequest.Head(request.Method, request.Path, CanonicalRequest.Query(request.Query),
            signedHeaderList, CanonicalRequest.Headers(request.Headers));
        return new AuthV2Signing(prefix, head, SigningKey.Derive(credential.SecretKey, prefix));
    }
}

/// <summary>A signature in progress; <see cref="Complete"/> gives the Authorization header value.</summary>
public sealed class AuthV2Signing : IDisposable
{
    private readonly CanonicalRequestHmac _hmac;

    internal AuthV2Signing(string authStringPrefix, string canonicalHead, string signingKey)
    {
        AuthStringPrefix = authStringPrefix;
        CanonicalHead = canonicalHead;
        SigningKeyHex = signingKey;
        _hmac = new CanonicalRequestHmac(signingKey, canonicalHead);
    }

    public string AuthStringPrefix { get; }

    /// <summary>The canonical request up to the body, for debugging integrations.</summary>
    public string CanonicalHead { get; }

    public string SigningKeyHex { get; }

    public void AppendBody(ReadOnlySpan<byte> chunk) => _hmac.AppendBody(chunk);

    public string Complete() => AuthStringPrefix + "/" + _hmac.Complete();

    public void Dispose() => _hmac.Dispose();
}

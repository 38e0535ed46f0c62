using System.Text;
using Ccfs.Audio;
using Ccfs.Protocol;
using Ccfs.Protocol.Auth;

namespace Ccfs.Benchmarks;

/// <summary>A signed upload request of a given file size, as the server receives it.</summary>
public sealed class UploadFixture
{
    public static readonly DateTimeOffset SignedAt = new(2026, 11, 24, 8, 0, 0, TimeSpan.Zero);

    public UploadFixture(int fileBytes)
    {
        File = ALaw(fileBytes);
        Body = Encoding.UTF8.GetBytes($$$"""{"request":{"version":"2.0"},"msgBody":{"data":"{{{Convert.ToBase64String(File)}}}"}}""");
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            ["content-length"] = Body.Length.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["content-type"] = CcfsPaths.JsonContentType,
            ["host"] = "127.0.0.1:8443",
        };
        Query = [new("vdnId", "53")];
        var authorization = AuthV2Signer.Sign(
            new RequestToSign { Method = "POST", Path = CcfsPaths.UploadFile, Query = Query, Headers = [.. headers] },
            Credential, AuthV2Timestamp.Format(SignedAt), Body);
        AuthorizationHeader.TryParse(authorization, out var header, out _);
        Header = header!;
        Request = new ReceivedRequest
        {
            Method = "POST",
            RawPath = CcfsPaths.UploadFile,
            Query = Query,
            GetHeader = name => headers.GetValueOrDefault(name),
        };
    }

    public static AccessKeyCredential Credential { get; } = new("bench-ak", "bench-sk-0123456789");

    public byte[] File { get; }

    public byte[] Body { get; }

    public IReadOnlyList<KeyValuePair<string, string>> Query { get; }

    public AuthorizationHeader Header { get; }

    public ReceivedRequest Request { get; }

    public static byte[] ALaw(int totalBytes)
    {
        var samples = new byte[totalBytes - WaveWriter.ALawHeaderLength];
        new Random(42).NextBytes(samples);
        return WaveWriter.ALaw(samples);
    }
}

/// <summary>A clock stopped at the moment the fixture was signed.</summary>
public sealed class FixedTime(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}

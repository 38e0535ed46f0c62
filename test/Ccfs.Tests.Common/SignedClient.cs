using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using Ccfs.Protocol;
using Ccfs.Protocol.Auth;

namespace Ccfs.Tests;

/// <summary>How a test wants a request signed, and what it changes after signing to make it lie.</summary>
public sealed record SignOptions
{
    public IReadOnlyList<string> SignedHeaders { get; init; } = ["content-length", "content-type", "host"];

    public string ContentType { get; init; } = CcfsPaths.JsonContentType;

    /// <summary>Sign at exactly this time; the same request signed twice at one <c>At</c> is a replay.</summary>
    public DateTimeOffset? At { get; init; }

    /// <summary>False signs with whole seconds, as Huawei's Java demo does.</summary>
    public bool Milliseconds { get; init; } = true;

    public AccessKeyCredential? Credential { get; init; }

    /// <summary>Signs this query instead of the one sent.</summary>
    public string? SignedQuery { get; init; }

    /// <summary>Signs this body instead of the one sent.</summary>
    public byte[]? SignedBody { get; init; }

    /// <summary>Rewrites the Authorization value before sending.</summary>
    public Func<string, string>? Authorization { get; init; }

    public Action<HttpRequestMessage>? AfterSigning { get; init; }
}

/// <summary>An HTTP client that signs like a CC-FS integrator, with the same Ccfs.Protocol signer the SDK uses.</summary>
public sealed class SignedClient(HttpClient http, AccessKeyCredential credential, TimeProvider time)
{
    private static long _sequence;

    public HttpClient Http { get; } = http;

    public static byte[] Envelope(string msgBody) =>
        Encoding.UTF8.GetBytes($$"""{"request":{"version":"2.0"},"msgBody":{{msgBody}}}""");

    public static byte[] UploadBody(byte[] wav) => Envelope($$"""{"data":"{{Convert.ToBase64String(wav)}}"}""");

    public Task<HttpResponseMessage> UploadAsync(byte[] wav, int vdnId = CcfsFactory.Vdn, SignOptions? options = null) =>
        PostAsync($"{CcfsPaths.UploadFile}?vdnId={vdnId}", UploadBody(wav), options);

    /// <summary>Uploads and returns the stored file's name, failing the test unless the answer is a success.</summary>
    public async Task<string> StoreAsync(byte[] wav, int vdnId = CcfsFactory.Vdn)
    {
        using var response = await UploadAsync(wav, vdnId);
        var json = await CcfsAnswer.AssertTripleAsync(response, "0", "success");
        return json.GetProperty("resultData").GetProperty("fileName").GetString()!;
    }

    public Task<HttpResponseMessage> DeleteAsync(string fileName, object? locationId = null, SignOptions? options = null) =>
        PostAsync(CcfsPaths.DeleteFile, Envelope(MsgBody(("fileName", fileName), ("locationId", locationId))), options);

    public Task<HttpResponseMessage> HashAsync(string fileName, object? locationId = null, SignOptions? options = null) =>
        PostAsync(CcfsPaths.GetFileHash, Envelope(MsgBody(("fileName", fileName), ("locationId", locationId))), options);

    public Task<HttpResponseMessage> DownloadAsync(string filePath, object? mode = null, SignOptions? options = null) =>
        PostAsync(CcfsPaths.DownloadFile, Envelope(MsgBody(("filePath", filePath), ("mode", mode))), options);

    /// <summary>A msgBody object of the given members, leaving out those whose value is null.</summary>
    public static string MsgBody(params (string Name, object? Value)[] members) =>
        System.Text.Json.JsonSerializer.Serialize(members.Where(m => m.Value is not null).ToDictionary(m => m.Name, m => m.Value));

    public Task<HttpResponseMessage> PostAsync(string pathAndQuery, byte[] body, SignOptions? options = null) =>
        Http.SendAsync(Build(pathAndQuery, body, options ?? new SignOptions()));

    /// <summary>A signed request of any method; without a body only <c>host</c> is signed.</summary>
    public Task<HttpResponseMessage> SendAsync(HttpMethod method, string pathAndQuery, byte[]? body = null, SignOptions? options = null) =>
        Http.SendAsync(Build(pathAndQuery, body, options ?? (body is null ? new SignOptions { SignedHeaders = ["host"] } : new SignOptions()), method));

    /// <summary>A signed admin API request with <paramref name="json"/> serialised as its body.</summary>
    public Task<HttpResponseMessage> AdminAsync(HttpMethod method, string pathAndQuery, object? json = null) =>
        SendAsync(method, pathAndQuery, json is null ? null : System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(json,
            new System.Text.Json.JsonSerializerOptions(System.Text.Json.JsonSerializerDefaults.Web)));

    public HttpRequestMessage Build(string pathAndQuery, byte[]? body, SignOptions options, HttpMethod? method = null)
    {
        var request = new HttpRequestMessage(method ?? HttpMethod.Post, pathAndQuery);
        if (body is not null)
        {
            request.Content = new ByteArrayContent(body);
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(options.ContentType);
        }

        var uri = new Uri(Http.BaseAddress!, pathAndQuery);
        var signedBody = options.SignedBody ?? body ?? [];
        var headers = options.SignedHeaders.Select(name => new KeyValuePair<string, string>(name, name switch
        {
            "host" => uri.Authority,
            "content-length" => (body?.Length ?? 0).ToString(CultureInfo.InvariantCulture),
            "content-type" => request.Content!.Headers.ContentType!.ToString(),
            _ => string.Join(',', request.Headers.GetValues(name)),
        })).ToArray();
        var toSign = new RequestToSign
        {
            Method = request.Method.Method,
            Path = uri.AbsolutePath,
            Query = FormQuery.Parse(options.SignedQuery ?? uri.Query),
            Headers = headers,
        };
        var timestamp = AuthV2Timestamp.Format(options.At ?? Now(), options.Milliseconds);
        var authorization = AuthV2Signer.Sign(toSign, options.Credential ?? credential, timestamp, signedBody);
        request.Headers.TryAddWithoutValidation("Authorization", options.Authorization?.Invoke(authorization) ?? authorization);
        options.AfterSigning?.Invoke(request);
        return request;
    }

    /// <summary>
    /// The clock plus a few milliseconds that differ from one request to the next, as a real client's clock moves between
    /// two requests: the factories' clock is fake and stands still, and the server refuses an admin request signed twice.
    /// </summary>
    private DateTimeOffset Now() => time.GetUtcNow().AddMilliseconds(Interlocked.Increment(ref _sequence) % 10_000);
}

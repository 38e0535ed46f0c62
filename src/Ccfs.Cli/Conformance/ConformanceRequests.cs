using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Ccfs.Protocol;
using Ccfs.Protocol.Auth;

namespace Ccfs.Cli.Conformance;

/// <summary>How a check wants its request signed, or deliberately mis-signed.</summary>
public sealed record Signing
{
    public IReadOnlyList<string> SignedHeaders { get; init; } = ["content-length", "content-type", "host"];

    public TimeSpan ClockOffset { get; init; }

    public string? SecretKey { get; init; }

    /// <summary>Sign this body instead of the one sent.</summary>
    public byte[]? SignedBody { get; init; }

    /// <summary>Rewrites the Authorization value; returning null sends none.</summary>
    public Func<string, string?>? Authorization { get; init; }
}

/// <summary>An answer as a check sees it: the status, and the CC-FS triple when there is one.</summary>
public sealed record RawAnswer(int Status, string? ContentType, byte[] Body)
{
    private JsonElement? Json
    {
        get
        {
            try
            {
                return JsonDocument.Parse(Body).RootElement;
            }
            catch (JsonException)
            {
                return null;
            }
        }
    }

    public string? ResultCode => Json is { ValueKind: JsonValueKind.Object } j && j.TryGetProperty("resultCode", out var c) ? c.GetString() : null;

    public string? ResultDesc => Json is { ValueKind: JsonValueKind.Object } j && j.TryGetProperty("resultDesc", out var d) ? d.GetString() : null;

    public JsonElement? ResultData => Json is { ValueKind: JsonValueKind.Object } j && j.TryGetProperty("resultData", out var d) ? d : null;

    public int? SpringStatus => Json is { ValueKind: JsonValueKind.Object } j && j.TryGetProperty("status", out var s)
        && s.ValueKind == JsonValueKind.Number ? s.GetInt32() : null;

    public override string ToString() =>
        $"HTTP {Status}" + (ResultCode is null ? "" : $", resultCode {ResultCode} ({ResultDesc})");
}

/// <summary>Sends signed CC-FS requests with full control over the signature, for the conformance checks.</summary>
public sealed class ConformanceRequests(HttpClient http, ConnectionSettings settings)
{
    public static byte[] Envelope(string msgBody, string version = "2.0") =>
        Encoding.UTF8.GetBytes($$"""{"request":{"version":"{{version}}"},"msgBody":{{msgBody}}}""");

    public static string MsgBody(params (string Name, object? Value)[] members) =>
        JsonSerializer.Serialize(members.Where(m => m.Value is not null).ToDictionary(m => m.Name, m => m.Value));

    public Task<RawAnswer> UploadAsync(byte[] wav, int vdn, Signing? signing = null) =>
        PostAsync($"{CcfsPaths.UploadFile}?vdnId={vdn}", Envelope(MsgBody(("data", Convert.ToBase64String(wav)))), signing);

    public async Task<RawAnswer> PostAsync(string pathAndQuery, byte[] body, Signing? signing = null)
    {
        signing ??= new Signing();
        var uri = new Uri(settings.Endpoint, pathAndQuery);
        using var request = new HttpRequestMessage(HttpMethod.Post, uri) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(CcfsPaths.JsonContentType);
        request.Headers.Host = uri.Authority;
        var headers = signing.SignedHeaders.Select(name => new KeyValuePair<string, string>(name, name switch
        {
            "host" => uri.Authority,
            "content-length" => body.Length.ToString(CultureInfo.InvariantCulture),
            "content-type" => request.Content.Headers.ContentType.ToString(),
            _ => throw new ArgumentException($"no value for header '{name}'"),
        })).ToArray();
        var toSign = new RequestToSign { Method = "POST", Path = uri.AbsolutePath, Query = FormQuery.Parse(uri.Query), Headers = headers };
        var timestamp = AuthV2Timestamp.Format(DateTimeOffset.UtcNow + signing.ClockOffset);
        var authorization = AuthV2Signer.Sign(toSign, new AccessKeyCredential(settings.AccessKey, signing.SecretKey ?? settings.SecretKey),
            timestamp, signing.SignedBody ?? body);
        if ((signing.Authorization is null ? authorization : signing.Authorization(authorization)) is { } value)
        {
            request.Headers.TryAddWithoutValidation("Authorization", value);
        }

        using var response = await http.SendAsync(request);
        return new RawAnswer((int)response.StatusCode, response.Content.Headers.ContentType?.ToString(),
            await response.Content.ReadAsByteArrayAsync());
    }
}

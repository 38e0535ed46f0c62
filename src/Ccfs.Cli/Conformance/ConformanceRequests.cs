using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Ccfs.Protocol;
using Ccfs.Protocol.Auth;
using Ccfs.Protocol.Wire;

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

/// <summary>
/// An answer as a check sees it: the status, and the CC-FS triple when there is one. Members of the wrong JSON type
/// read as absent, so a malformed answer fails a check instead of stopping the suite.
/// </summary>
public sealed record RawAnswer(int Status, string? ContentType, byte[] Body, string? Reason = null)
{
    private readonly Lazy<JsonElement?> _json = new(() => Parse(Body));

    /// <summary><c>resultCode</c> when it is a String, as CC-FS sends it; null when absent or of another type.</summary>
    public string? ResultCode => Text(WireNames.ResultCode);

    public string? ResultDesc => Text(WireNames.ResultDesc);

    public JsonElement? ResultData => Member(WireNames.ResultData);

    public int? SpringStatus => Member("status") is { ValueKind: JsonValueKind.Number } s && s.TryGetInt32(out var status) ? status : null;

    /// <summary>A string member of <paramref name="json"/>; null when it is absent or not a String.</summary>
    public static string? Text(JsonElement? json, string name) =>
        json is { ValueKind: JsonValueKind.Object } o && o.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    /// <summary>The triple's members as sent, so a number where a string belongs shows (<c>resultCode 0</c>, not <c>"0"</c>).</summary>
    public override string ToString()
    {
        var code = Member(WireNames.ResultCode);
        if (code is null)
        {
            return $"HTTP {Status}";
        }

        var kind = code.Value.ValueKind == JsonValueKind.String ? "" : $" (a {code.Value.ValueKind}, not a String)";
        var description = Member(WireNames.ResultDesc) is { } d ? $", resultDesc {Shorten(d.GetRawText())}" : "";
        return $"HTTP {Status}, resultCode {Shorten(code.Value.GetRawText())}{kind}{description}";
    }

    private string? Text(string name) => Text(_json.Value, name);

    private JsonElement? Member(string name) =>
        _json.Value is { ValueKind: JsonValueKind.Object } j && j.TryGetProperty(name, out var value) ? value : null;

    private static string Shorten(string text) => text.Length <= 120 ? text : text[..120] + "…";

    private static JsonElement? Parse(byte[] body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

/// <summary>Sends signed CC-FS requests with full control over the signature, for the conformance checks.</summary>
public sealed class ConformanceRequests(HttpClient http, ConnectionSettings settings)
{
    private const int FlowControlTries = 10;
    private static readonly TimeSpan FlowControlPause = TimeSpan.FromSeconds(1);

    /// <summary>The CC-FS request envelope; a null <paramref name="version"/> leaves <c>request</c> empty.</summary>
    public static byte[] Envelope(string msgBody, string? version = "2.0") =>
        Encoding.UTF8.GetBytes((version is null ? """{"request":{}""" : $$"""{"request":{"version":"{{version}}"}""") + $$""","msgBody":{{msgBody}}}""");

    public static string MsgBody(params (string Name, object? Value)[] members) =>
        JsonSerializer.Serialize(members.Where(m => m.Value is not null).ToDictionary(m => m.Name, m => m.Value));

    public Task<RawAnswer> UploadAsync(byte[] wav, int vdn, Signing? signing = null) =>
        PostAsync($"{CcfsPaths.UploadFile}?vdnId={vdn}", Envelope(MsgBody(("data", Convert.ToBase64String(wav)))), signing);

    /// <summary>
    /// Sends a request, signed afresh for each try. A flow-control answer (0300008, 0300009) says "slow down", not
    /// anything a check asserts, so the request waits out the window and is tried again a bounded number of times.
    /// </summary>
    public async Task<RawAnswer> PostAsync(string pathAndQuery, byte[] body, Signing? signing = null)
    {
        for (var attempt = 1; ; attempt++)
        {
            var answer = await SendAsync(pathAndQuery, body, signing ?? new Signing());
            if (attempt == FlowControlTries || answer.Status != 200
                || answer.ResultCode is not (ResultCodes.DownloadFlowControl or ResultCodes.QueryFlowControl))
            {
                return answer;
            }

            await Task.Delay(FlowControlPause);
        }
    }

    private async Task<RawAnswer> SendAsync(string pathAndQuery, byte[] body, Signing signing)
    {
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
        var answer = new RawAnswer((int)response.StatusCode, response.Content.Headers.ContentType?.ToString(),
            await response.Content.ReadAsByteArrayAsync(),
            response.Headers.TryGetValues("X-Ccfs-Reason", out var reason) ? string.Join(' ', reason) : null);

        // CC-FS answers 403 to an address it locked after repeated authentication failures (spec §2.10); no check expects it.
        return answer.Status == 403 ? throw new AddressLockedException(answer) : answer;
    }
}

/// <summary>The endpoint refused this client's address (HTTP 403): nothing more can be checked until the lock ends.</summary>
public sealed class AddressLockedException(RawAnswer answer)
    : Exception($"the endpoint answered HTTP 403{(answer.Reason is null ? "" : $" ({answer.Reason})")}: it locked this client's address, "
        + "most likely after repeated authentication failures");

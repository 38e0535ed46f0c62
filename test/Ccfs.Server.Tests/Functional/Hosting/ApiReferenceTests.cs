using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Ccfs.Protocol;

using Ccfs.Server.Tests.Unit.Docs;

namespace Ccfs.Server.Tests.Functional.Hosting;

/// <summary>
/// The auth-v2 description in the OpenAPI document is enough to sign with: a signer written from its three steps alone,
/// without Ccfs.Protocol, is accepted by the server.
/// </summary>
public sealed class ApiReferenceTests
{
    [Fact]
    public async Task A_signer_written_from_the_auth_v2_description_alone_is_accepted()
    {
        using var factory = new CcfsFactory();
        var http = factory.CreateClient();
        var description = JsonDocument.Parse(await http.GetStringAsync("/openapi/v1.json")).RootElement
            .GetProperty("components").GetProperty("securitySchemes").GetProperty("auth-v2").GetProperty("description").GetString()!;
        // The steps below follow these sentences; should the description say otherwise, this test no longer shows it true.
        Assert.Contains("signingKey = lower-case hex of HMAC-SHA256(key: the SK, message: `auth-v2/{AK}/{timestamp}/{signedHeaders}`)",
            description, StringComparison.Ordinal);
        Assert.Contains("and last encode(body): the body's own bytes, exactly as sent (not a hash of them)", description, StringComparison.Ordinal);
        Assert.Contains("signature = lower-case hex of HMAC-SHA256(key: the 64 characters of signingKey as ASCII", description, StringComparison.Ordinal);
        Assert.DoesNotContain("body's SHA-256", description, StringComparison.Ordinal);

        var body = SignedClient.UploadBody(WorkedExampleTests.TinyWav());
        // Spelled as TestServer passes it on (it re-spells the form without the space).
        const string contentType = "application/json; charset=UTF-8";
        var timestamp = factory.Time.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        var prefix = $"auth-v2/{CcfsFactory.AccessKey}/{timestamp}/content-length;content-type;host";
        var signingKey = Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(CcfsFactory.SecretKey), Encoding.ASCII.GetBytes(prefix)));
        var canonical = string.Join('\n',
            "POST",
            CcfsPaths.UploadFile,
            $"vdnId={CcfsFactory.Vdn}",
            "content-length;content-type;host",
            "content-length:" + Encode(Encoding.ASCII.GetBytes(body.Length.ToString(CultureInfo.InvariantCulture))),
            "content-type:" + Encode(Encoding.ASCII.GetBytes(contentType)),
            "host:" + Encode(Encoding.ASCII.GetBytes("localhost")),
            Encode(body));
        var signature = Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.ASCII.GetBytes(signingKey), Encoding.ASCII.GetBytes(canonical)));
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{CcfsPaths.UploadFile}?vdnId={CcfsFactory.Vdn}") { Content = new ByteArrayContent(body) };
        request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        request.Headers.Host = "localhost";
        request.Headers.TryAddWithoutValidation("Authorization", $"{prefix}/{signature}");

        using var answer = await http.SendAsync(request);

        Assert.True(answer.IsSuccessStatusCode, $"{(int)answer.StatusCode} {string.Join(' ', answer.Headers.TryGetValues("X-Ccfs-Reason", out var why) ? why : [])}");
        Assert.Equal("0", await CcfsAnswer.ResultCodeAsync(answer));
    }

    /// <summary>Every byte outside A-Z a-z 0-9 - . _ ~ as %XX, upper-case hex, as the description says.</summary>
    private static string Encode(byte[] bytes)
    {
        var text = new StringBuilder(bytes.Length * 3);
        foreach (var b in bytes)
        {
            if (b is (>= (byte)'A' and <= (byte)'Z') or (>= (byte)'a' and <= (byte)'z') or (>= (byte)'0' and <= (byte)'9')
                or (byte)'-' or (byte)'.' or (byte)'_' or (byte)'~')
            {
                text.Append((char)b);
            }
            else
            {
                text.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
            }
        }

        return text.ToString();
    }
}

using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Ccfs.Protocol;
using Ccfs.Protocol.Auth;

namespace Ccfs.Server.Tests.Functional.Auth;

/// <summary>
/// A dozen signatures that go wrong the ways integrations do. For each, the client's own explanation (what
/// <c>ccfs sign --explain</c> prints, made here by a signer with that very bug) and the server's
/// <c>X-Ccfs-Canonical-Request</c> differ first at the line that names the bug; with a wrong secret key they do not differ.
/// </summary>
public sealed class SignatureDiagnosticsTests : IClassFixture<CcfsFactory>
{
    private const string Path = CcfsPaths.UploadFile;
    /// <summary>As HttpClient sends it, whatever it was given: a space after the ';'.</summary>
    private const string ContentType = "application/json; charset=UTF-8";

    private static readonly byte[] Body = Encoding.UTF8.GetBytes("""{"request": {"version":"2.0"}, "msgBody": {"data":"UklGRg=="}}""");

    private readonly CcfsFactory _factory;

    public SignatureDiagnosticsTests(CcfsFactory factory) => _factory = factory;

    /// <summary>What the client computed, as a buggy signer would: each case changes one thing.</summary>
    private sealed record ClientView(string Method, string Path, string? QueryLine, IReadOnlyList<(string Name, string Value)> Headers,
        byte[] Body, string Timestamp, string SecretKey)
    {
        public string? EncodedBody { get; init; }

        public Func<string, string> EncodeValue { get; init; } = PercentEncoding.Encode;

        public string Head => string.Join('\n', new[] { Method, Path, QueryLine, "content-length;content-type;host" }.OfType<string>()
            .Concat(Headers.Select(h => h.Name + ":" + EncodeValue(h.Value)))) + "\n";

        public string Prefix => SigningKey.Prefix(CcfsFactory.AccessKey, Timestamp, "content-length;content-type;host");
    }

    public static TheoryData<string> Cases() =>
    [
        "wrong secret key", "body changed after signing", "header name not lower-cased", "extra space in a header value",
        "query not sorted", "wrong host", "timestamp in milliseconds signed in seconds", "proxy re-encodes +", "method in lower case",
        "path rewritten by a proxy", "body percent-encoded with +", "content-length signed wrong", "query sent but not signed",
    ];

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task The_explanation_shows_the_line_where_the_client_and_the_server_differ(string bug)
    {
        var now = _factory.Time.GetUtcNow();
        var seconds = AuthV2Timestamp.Format(now, milliseconds: false);
        var sent = (Method: "POST", Target: Path + "?vdnId=53", ContentType, Body, Timestamp: seconds);
        var client = new ClientView("POST", Path, "vdnId=53",
            [("content-length", Body.Length.ToString(CultureInfo.InvariantCulture)), ("content-type", ContentType), ("host", "localhost")],
            Body, seconds, CcfsFactory.SecretKey);
        string? expected;
        switch (bug)
        {
            case "wrong secret key":
                client = client with { SecretKey = "wrong" };
                expected = null;
                break;
            case "body changed after signing":
                sent.Body = Encoding.UTF8.GetBytes("""{"request": {"version":"2.0"}, "msgBody": {"data":"UklGRh=="}}""");
                expected = "(body: ";
                break;
            case "header name not lower-cased":
                client = client with { Headers = [client.Headers[0], ("Content-Type", ContentType), client.Headers[2]] };
                expected = "content-type:";
                break;
            case "extra space in a header value":
                // The signer signed the value it set; the HTTP library sent it with a space it added.
                client = client with { Headers = [client.Headers[0], ("content-type", "application/json;charset=UTF-8"), client.Headers[2]] };
                expected = "content-type:";
                break;
            case "query not sorted":
                sent.Target = Path + "?vdnId=53&a=1";
                client = client with { QueryLine = "vdnId=53&a=1" };
                expected = "a=1&vdnId=53";
                break;
            case "wrong host":
                client = client with { Headers = [client.Headers[0], client.Headers[1], ("host", "ccfs.example.com:8443")] };
                expected = "host:";
                break;
            case "timestamp in milliseconds signed in seconds":
                sent.Timestamp = AuthV2Timestamp.Format(now.AddMilliseconds(123 - now.Millisecond), milliseconds: true);
                expected = "timestamp: ";
                break;
            case "proxy re-encodes +":
                sent.Target = Path + "?vdnId=53&tag=a+b";
                client = client with { QueryLine = "tag=a%2Bb&vdnId=53" };
                expected = "tag=a%20b&vdnId=53";
                break;
            case "method in lower case":
                client = client with { Method = "post" };
                expected = "POST";
                break;
            case "path rewritten by a proxy":
                client = client with { Path = "/CCFS/resource/ccfs/ivr/upload" };
                expected = Path;
                break;
            case "body percent-encoded with +":
                client = client with { EncodedBody = PercentEncoding.Encode(Encoding.UTF8.GetString(Body)).Replace("%20", "+", StringComparison.Ordinal) };
                expected = "(body: ";
                break;
            case "content-length signed wrong":
                client = client with { Headers = [("content-length", "999"), client.Headers[1], client.Headers[2]] };
                expected = "content-length:";
                break;
            case "query sent but not signed":
                client = client with { QueryLine = "" };
                expected = "vdnId=53";
                break;
            default:
                throw new ArgumentException(bug);
        }

        var (server, _) = await SendAsync(sent.Method, sent.Target, sent.ContentType, sent.Body, sent.Timestamp, client);
        var clientText = Explain(client, now);

        var difference = FirstDifference(clientText, server);

        if (expected is null)
        {
            Assert.True(difference is null, $"a wrong secret key leaves every line alike, but: {difference}\n--- server\n{server}");
            Assert.Contains("if all match, the SK differs", server, StringComparison.Ordinal);
            Assert.Contains("usual signer mistakes were tried with this account's SK and none gives your signature", server, StringComparison.Ordinal);
        }
        else
        {
            Assert.True(difference?.StartsWith(expected, StringComparison.Ordinal) == true,
                $"{bug}: first difference '{difference}', expected a line starting '{expected}'\n--- client\n{clientText}\n--- server\n{server}");
        }
    }

    [Fact]
    public async Task Without_diagnostics_a_mismatch_carries_no_explanation()
    {
        using var factory = CcfsFactory.With(new() { ["Ccfs:Auth:Diagnostics"] = "false" });

        using var response = await factory.Signed(CcfsFactory.AccessKey, "wrong").UploadAsync(Samples.Read("valid", "alaw-8k-sine.wav"));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.False(response.Headers.Contains(SignatureExplanation.HeaderName));
        // Only the note on the address's lock follows; nothing of the canonical request.
        Assert.StartsWith("the signature does not match (99999 more such failures from this address: ", CcfsAnswer.Reason(response), StringComparison.Ordinal);
        Assert.DoesNotContain(";", CcfsAnswer.Reason(response), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_explanation_header_is_base64_of_at_most_its_bound_and_leaves_the_body_as_cc_fs_sends_it()
    {
        using var response = await _factory.Signed(CcfsFactory.AccessKey, "wrong").UploadAsync(Samples.Read("valid", "alaw-8k-sine.wav"));

        var value = Assert.Single(response.Headers.GetValues(SignatureExplanation.HeaderName));
        Assert.True(value.Length <= (SignatureExplanation.MaxLength * 3 + 3) / 3 * 4 * 2, $"{value.Length} characters");
        Assert.NotNull(SignatureExplanation.FromHeaderValue(value));
        await CcfsAnswer.AssertSpringAsync(response, HttpStatusCode.Unauthorized, Path);
    }

    [Theory]
    [InlineData("extra space in a header value", "without the space the HTTP library puts after ';'")]
    [InlineData("body percent-encoded with +", "Java's URLEncoder")]
    [InlineData("content-type without its charset", "Content-Type without its parameters")]
    public async Task The_answer_names_the_signer_slip_the_signature_matches_and_nothing_is_stored(string bug, string named)
    {
        var seconds = AuthV2Timestamp.Format(_factory.Time.GetUtcNow(), milliseconds: false);
        var wave = Samples.Read("valid", "alaw-8k-sine.wav");
        var body = Encoding.UTF8.GetBytes("{\"request\": {\"version\":\"2.0\"}, \"msgBody\": {\"data\":\"" + Convert.ToBase64String(wave) + "\"}}");
        var length = ("content-length", body.Length.ToString(CultureInfo.InvariantCulture));
        var client = new ClientView("POST", Path, "vdnId=53", [length, ("content-type", ContentType), ("host", "localhost")], body, seconds,
            CcfsFactory.SecretKey);
        client = bug switch
        {
            "extra space in a header value" => client with { Headers = [length, ("content-type", "application/json;charset=UTF-8"), ("host", "localhost")] },
            "body percent-encoded with +" => client with
            {
                EncodedBody = PlusForSpace(Encoding.UTF8.GetString(body)),
                EncodeValue = PlusForSpace,
            },
            _ => client with { Headers = [length, ("content-type", "application/json"), ("host", "localhost")] },
        };
        var before = _factory.Snapshot();

        var (_, reason) = await SendAsync("POST", Path + "?vdnId=53", ContentType, body, seconds, client);

        Assert.StartsWith("the signature does not match, but it is the one a signer that ", reason, StringComparison.Ordinal);
        Assert.Contains(named, reason, StringComparison.Ordinal);
        Assert.Equal(before, _factory.Snapshot());
    }

    /// <summary>What a signer that uses Java's URLEncoder and forgets the fix-ups after it writes for a text without '*' or '~'.</summary>
    private static string PlusForSpace(string text) => PercentEncoding.Encode(text).Replace("%20", "+", StringComparison.Ordinal);

    private async Task<(string Explanation, string Reason)> SendAsync(string method, string target, string contentType, byte[] body, string timestamp,
        ClientView client)
    {
        var canonical = client.Head + (client.EncodedBody ?? PercentEncoding.Encode(Encoding.UTF8.GetString(client.Body)));
        var signingKey = SigningKey.Derive(client.SecretKey, client.Prefix);
        var signature = Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.ASCII.GetBytes(signingKey), Encoding.UTF8.GetBytes(canonical)));
        using var request = new HttpRequestMessage(new HttpMethod(method), target) { Content = new ByteArrayContent(body) };
        request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        request.Headers.TryAddWithoutValidation("Authorization",
            $"auth-v2/{CcfsFactory.AccessKey}/{timestamp}/content-length;content-type;host/{signature}");
        using var response = await _factory.CreateClient().SendAsync(request);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        return (SignatureExplanation.FromHeaderValue(Assert.Single(response.Headers.GetValues(SignatureExplanation.HeaderName)))!,
            CcfsAnswer.Reason(response)!);
    }

    /// <summary>The client's explanation, as its own signer sees the request it signed.</summary>
    private static string Explain(ClientView client, DateTimeOffset now)
    {
        var text = SignatureExplanation.Describe([new CanonicalForm(SignatureExplanation.WithQueryLine, client.Head)], client.Body,
            [.. client.Headers.Select(h => new KeyValuePair<string, string>(h.Name, h.Value))], client.Timestamp, (now, "this machine's clock"),
            null, client.Prefix);
        if (client.EncodedBody is { } encoded)
        {
            var bodyLine = SignatureExplanation.BodyLine(client.Body);
            var wrong = bodyLine[..bodyLine.LastIndexOf("sha256 ", StringComparison.Ordinal)] + "sha256 "
                + Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes(encoded))) + ")";
            text = text.Replace(bodyLine, wrong, StringComparison.Ordinal);
        }

        return text;
    }

    /// <summary>
    /// The first line of the server's first canonical form, its signed headers, its timestamp or its prefix that is not
    /// the client's line in the same place, as a diff of the two would show; null when none differs.
    /// </summary>
    private static string? FirstDifference(string client, string server)
    {
        var clientSections = Sections(client);
        var serverSections = Sections(server);
        foreach (var (name, serverLines) in serverSections)
        {
            var key = name.StartsWith("# canonical request", StringComparison.Ordinal) ? "# canonical request" : name;
            if (key == "# canonical request" && name.Contains("without", StringComparison.Ordinal))
            {
                continue;
            }

            var clientLines = clientSections.FirstOrDefault(s => s.Name.StartsWith(key, StringComparison.Ordinal)).Lines ?? [];
            for (var i = 0; i < serverLines.Count; i++)
            {
                if (serverLines[i].StartsWith("clock skew:", StringComparison.Ordinal))
                {
                    continue;
                }

                if (i >= clientLines.Count || clientLines[i] != serverLines[i])
                {
                    return serverLines[i];
                }
            }
        }

        return null;
    }

    private static List<(string Name, List<string> Lines)> Sections(string text)
    {
        var sections = new List<(string Name, List<string> Lines)>();
        foreach (var line in text.Split('\n'))
        {
            if (line.StartsWith("# ", StringComparison.Ordinal))
            {
                sections.Add((line, []));
            }
            else
            {
                sections[^1].Lines.Add(line);
            }
        }

        return sections;
    }
}

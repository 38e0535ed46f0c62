using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Ccfs.Protocol.Auth;
using Microsoft.Extensions.Time.Testing;

namespace Ccfs.Protocol.Tests;

/// <summary>
/// A signature made by a slipped signer is refused, and the refusal names the slip. Each slipped signature is made
/// here from the canonical text auth-v2 signs, changed as the slipped signer changes it, not with the verifier's code.
/// </summary>
public sealed class SignerSlipTests
{
    private const string AccessKey = "AK0123456789ABCDEFGH";
    private const string SecretKey = "sk-9f8e7d6c5b4a3928";
    private const string Timestamp = "2026-12-07T10:00:00.000Z";
    private const string Path = "/CCFS/resource/ccfs/uploadFile";
    private const string Host = "127.0.0.1:8443";
    private const string ContentType = "application/json;charset=UTF-8";

    /// <summary>A space, '/', '*', '~' and '(' in the body, so every encoding slip changes what is signed.</summary>
    private static readonly byte[] Body = Encoding.UTF8.GetBytes("""{"request": {"version": "2.0"}, "msgBody": {"data": "UklG+/x~*", "note": "(a)"}}""");

    private static readonly KeyValuePair<string, string>[] Query = [new("vdnId", "1")];

    [Theory]
    [InlineData("URLEncoder")]
    [InlineData("which keeps '/'")]
    [InlineData("quote_plus")]
    [InlineData("encodeURIComponent")]
    [InlineData("lower case")]
    [InlineData("ends the canonical request with a line break")]
    [InlineData("CRLF")]
    [InlineData("leaves the body out")]
    [InlineData("runs the body on")]
    [InlineData("does not percent-encode the body")]
    [InlineData("does not percent-encode header values")]
    [InlineData("32 raw bytes")]
    [InlineData("upper-case hex")]
    [InlineData("with the SK itself")]
    public void A_signature_made_with_a_slip_is_refused_and_the_slip_named(string slip)
    {
        var standard = CanonicalText(Query, Headers(Host, ContentType));
        var (text, key) = slip switch
        {
            "URLEncoder" => (UrlEncoderSpelling(standard), HexKey()),
            "which keeps '/'" => (standard.Replace("%2F", "/", StringComparison.Ordinal), HexKey()),
            "quote_plus" => (standard.Replace("%20", "+", StringComparison.Ordinal), HexKey()),
            "encodeURIComponent" => (Regex.Replace(standard, "%2[1789A]", m => Uri.UnescapeDataString(m.Value)), HexKey()),
            "lower case" => (Regex.Replace(standard, "%[0-9A-F]{2}", m => m.Value.ToLowerInvariant()), HexKey()),
            "ends the canonical request with a line break" => (standard + "\n", HexKey()),
            "CRLF" => (standard.Replace("\n", "\r\n", StringComparison.Ordinal), HexKey()),
            "leaves the body out" => (Head(standard), HexKey()),
            "runs the body on" => (Head(standard).TrimEnd('\n') + EncodedBody(standard), HexKey()),
            "does not percent-encode the body" => (Head(standard) + Encoding.UTF8.GetString(Body), HexKey()),
            "does not percent-encode header values" => ($"POST\n{Path}\nvdnId=1\ncontent-type;host\ncontent-type:{ContentType}\nhost:{Host}\n"
                + EncodedBody(standard), HexKey()),
            "32 raw bytes" => (standard, SigningKeyBytes()),
            "upper-case hex" => (standard, Encoding.ASCII.GetBytes(Convert.ToHexString(SigningKeyBytes()))),
            "with the SK itself" => (standard, Encoding.UTF8.GetBytes(SecretKey)),
            _ => throw new ArgumentOutOfRangeException(nameof(slip)),
        };

        var result = Verify(Authorization("content-type;host", text, key), Query, Headers(Host, ContentType), Body);

        Assert.Equal(AuthV2Failure.SignatureMismatch, result.Failure);
        Assert.NotNull(result.Slip);
        Assert.Contains(slip, result.Slip.Does + " " + result.Slip.Fix, StringComparison.Ordinal);
        Assert.Contains(result.Slip.Fix, result.Detail, StringComparison.Ordinal);
        Assert.Contains("\n#   " + result.Slip.Does + "\n# fix: " + result.Slip.Fix + "\n", result.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void Signing_the_content_type_before_the_library_added_its_charset_is_named()
    {
        var signedText = CanonicalText(Query, Headers(Host, "application/json"));

        var result = Verify(Authorization("content-type;host", signedText, HexKey()), Query, Headers(Host, "application/json; charset=utf-8"), Body);

        Assert.Contains("Content-Type without its parameters", result.Slip?.Does, StringComparison.Ordinal);
    }

    [Fact]
    public void Signing_the_host_without_its_port_is_named()
    {
        var signedText = CanonicalText(Query, Headers("127.0.0.1", ContentType));

        var result = Verify(Authorization("content-type;host", signedText, HexKey()), Query, Headers(Host, ContentType), Body);

        Assert.Contains("host without its port", result.Slip?.Does, StringComparison.Ordinal);
    }

    [Fact]
    public void Signing_the_host_with_the_default_port_the_library_left_out_is_named()
    {
        var signedText = CanonicalText(Query, Headers("ccfs.example.com:443", ContentType));

        var result = Verify(Authorization("content-type;host", signedText, HexKey()), Query, Headers("ccfs.example.com", ContentType), Body);

        Assert.Contains("host with a port the HTTP library left out", result.Slip?.Does, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("URLEncoder")]
    [InlineData("quote_plus")]
    public void A_plus_for_a_space_on_a_request_where_the_two_encoders_write_alike_names_both(string signer)
    {
        // Spaces, but no '*' or '~', where Java's URLEncoder and Python's quote_plus differ: their bytes are the same.
        var body = Encoding.UTF8.GetBytes("""{"request": {"version": "2.0"}, "msgBody": {"fileName": "Y:/3rdfile/1/a b.wav"}}""");
        var standard = CanonicalText(Query, Headers(Host, ContentType), body);
        var text = signer == "URLEncoder" ? UrlEncoderSpelling(standard) : standard.Replace("%20", "+", StringComparison.Ordinal);

        var result = Verify(Authorization("content-type;host", text, HexKey()), Query, Headers(Host, ContentType), body);

        Assert.NotNull(result.Slip);
        Assert.Contains("Java's URLEncoder or Python's urllib.parse.quote_plus", result.Slip.Does, StringComparison.Ordinal);
        Assert.Contains("quote(value, safe='')", result.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void An_encoding_slip_is_not_tried_on_a_request_it_would_sign_alike()
    {
        // No byte of this request is written otherwise by quote, quote_plus or encodeURIComponent than by auth-v2.
        var body = "{}"u8.ToArray();
        var headers = Headers(Host, "text");
        var alike = Verify(Authorization("content-type;host", CanonicalText(Query, headers, body) + "x", HexKey()), Query, headers, body);
        var spelledOtherwise = Verify(Authorization("content-type;host", CanonicalText(Query, headers) + "x", HexKey()), Query, headers, Body);

        Assert.Null(alike.Slip);
        Assert.Null(spelledOtherwise.Slip);
        Assert.True(Tried(spelledOtherwise) >= Tried(alike) + 3, $"{Tried(alike)} tried on the plain request, {Tried(spelledOtherwise)} on the other");
    }

    [Fact]
    public void Header_lines_left_unsorted_are_named()
    {
        var text = $"POST\n{Path}\nvdnId=1\nhost;content-type\nhost:{PercentEncoding.Encode(Host)}\ncontent-type:{PercentEncoding.Encode(ContentType)}\n"
            + EncodedBody(CanonicalText(Query, Headers(Host, ContentType)));

        var result = Verify(Authorization("host;content-type", text, HexKey("host;content-type")), Query, Headers(Host, ContentType), Body);

        Assert.Contains("does not sort the canonical header lines", result.Slip?.Does, StringComparison.Ordinal);
    }

    [Fact]
    public void An_empty_query_line_without_a_query_is_named()
    {
        var standard = CanonicalText([], Headers(Host, ContentType));
        var text = standard.Insert(standard.IndexOf('\n', "POST\n".Length) + 1, "\n");

        var result = Verify(Authorization("content-type;host", text, HexKey()), [], Headers(Host, ContentType), Body);

        Assert.Contains("empty query line", result.Slip?.Does, StringComparison.Ordinal);
    }

    [Fact]
    public void A_signature_made_with_another_secret_key_names_no_slip_and_says_what_was_tried()
    {
        var key = Encoding.ASCII.GetBytes(Convert.ToHexStringLower(HMACSHA256.HashData("another-sk"u8.ToArray(), Encoding.UTF8.GetBytes(Prefix("content-type;host")))));

        var result = Verify(Authorization("content-type;host", CanonicalText(Query, Headers(Host, ContentType)), key), Query, Headers(Host, ContentType), Body);

        Assert.Equal(AuthV2Failure.SignatureMismatch, result.Failure);
        Assert.Null(result.Slip);
        Assert.StartsWith("the signature does not match; X-Ccfs-Canonical-Request", result.Detail, StringComparison.Ordinal);
        Assert.Matches(@"# \d+ usual signer mistakes were tried with this account's SK and none gives your signature$", result.Explanation);
    }

    [Fact]
    public void A_body_too_large_for_every_slip_has_the_likeliest_tried_and_says_how_many_were_left()
    {
        var body = new byte[(int)SignerSlips.MaxBodyBytes / 2 + 1];
        body.AsSpan().Fill((byte)'A');
        var signedText = CanonicalText(Query, Headers(Host, "application/json"), body);

        var matched = Verify(Authorization("content-type;host", signedText, HexKey()), Query, Headers(Host, "application/json; charset=utf-8"), body);
        var unmatched = Verify(Authorization("content-type;host", signedText + "x", HexKey()), Query, Headers(Host, "application/json; charset=utf-8"), body);

        Assert.Contains("Content-Type without its parameters", matched.Slip?.Does, StringComparison.Ordinal);
        Assert.Null(unmatched.Slip);
        var counts = Assert.Single(Regex.Matches(unmatched.Explanation!,
            @"# (\d+) usual signer mistakes were tried with this account's SK and none gives your signature; (\d+) more were not tried, as the body is large"));
        Assert.InRange(int.Parse(counts.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture), 1, SignerSlips.All.Count - 1);
    }

    [Fact]
    public void The_verifier_without_diagnostics_tries_no_slip()
    {
        var text = CanonicalText(Query, Headers(Host, ContentType)) + "\n";

        var result = Verify(Authorization("content-type;host", text, HexKey()), Query, Headers(Host, ContentType), Body, diagnostics: false);

        Assert.Equal(AuthV2Failure.SignatureMismatch, result.Failure);
        Assert.Null(result.Slip);
        Assert.Equal("the signature does not match", result.Detail);
    }

    private static int Tried(AuthV2Verification result) => int.Parse(
        Regex.Match(result.Explanation!, @"# (\d+) usual signer mistakes were tried").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);

    private static KeyValuePair<string, string>[] Headers(string host, string contentType) => [new("host", host), new("content-type", contentType)];

    private static string Prefix(string signedHeaders) => $"auth-v2/{AccessKey}/{Timestamp}/{signedHeaders}";

    private static byte[] SigningKeyBytes(string signedHeaders = "content-type;host") =>
        HMACSHA256.HashData(Encoding.UTF8.GetBytes(SecretKey), Encoding.UTF8.GetBytes(Prefix(signedHeaders)));

    private static byte[] HexKey(string signedHeaders = "content-type;host") =>
        Encoding.ASCII.GetBytes(Convert.ToHexStringLower(SigningKeyBytes(signedHeaders)));

    /// <summary>The whole text auth-v2 signs for the request, made by the signer that matches Huawei's vectors.</summary>
    private static string CanonicalText(KeyValuePair<string, string>[] query, KeyValuePair<string, string>[] headers, byte[]? body = null)
    {
        using var signing = AuthV2Signer.Begin(new RequestToSign { Method = "POST", Path = Path, Query = query, Headers = headers },
            new AccessKeyCredential(AccessKey, SecretKey), Timestamp);
        return CanonicalRequest.Build(signing.CanonicalHead, body ?? Body);
    }

    private static string Head(string canonicalText) => canonicalText[..(canonicalText.LastIndexOf('\n') + 1)];

    private static string EncodedBody(string canonicalText) => canonicalText[(canonicalText.LastIndexOf('\n') + 1)..];

    private static string UrlEncoderSpelling(string canonicalText) =>
        canonicalText.Replace("%20", "+", StringComparison.Ordinal).Replace("%2A", "*", StringComparison.Ordinal)
            .Replace("~", "%7E", StringComparison.Ordinal);

    private static string Authorization(string signedHeaders, string text, byte[] key) =>
        Prefix(signedHeaders) + "/" + Convert.ToHexStringLower(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(text)));

    private static AuthV2Verification Verify(string authorization, KeyValuePair<string, string>[] query, KeyValuePair<string, string>[] headers,
        byte[] body, bool diagnostics = true)
    {
        Assert.True(AuthorizationHeader.TryParse(authorization, out var header, out var error), error);
        var verifier = new AuthV2Verifier(new AuthV2VerifierOptions { Diagnostics = diagnostics },
            new FakeTimeProvider(DateTimeOffset.Parse(Timestamp, System.Globalization.CultureInfo.InvariantCulture)));
        var received = new ReceivedRequest
        {
            Method = "POST",
            RawPath = Path,
            Query = query,
            GetHeader = name => headers.FirstOrDefault(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)).Value,
        };
        return verifier.Verify(header!, [SecretKey], received, body);
    }
}

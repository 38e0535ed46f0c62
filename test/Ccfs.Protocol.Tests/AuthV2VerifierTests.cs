using System.Text;
using Ccfs.Protocol.Auth;
using Microsoft.Extensions.Time.Testing;

namespace Ccfs.Protocol.Tests;

public sealed class AuthV2VerifierTests
{
    public static TheoryData<string> VectorNames() => [.. AuthV2VectorFile.Vectors.Select(v => v.Name)];

    [Theory]
    [MemberData(nameof(VectorNames))]
    public void Every_vector_verifies_strictly(string name)
    {
        var v = AuthV2VectorFile.Named(name);

        var result = Verify(v, v.Authorization);

        Assert.True(result.Succeeded, result.Detail);
        Assert.Equal(AuthV2Variant.Strict, result.Variant);
    }

    [Theory]
    [InlineData("V6-empty-query-line")]
    [InlineData("V6-base64")]
    public void Community_port_signatures_are_rejected(string name)
    {
        var negative = AuthV2VectorFile.Negative.Single(n => n.Name == name);
        var v = AuthV2VectorFile.Named(negative.BasedOn);

        var result = Verify(v, negative.Authorization);

        Assert.False(result.Succeeded);
    }

    [Fact]
    public void The_base64_form_of_the_right_digest_is_refused_even_when_it_parses()
    {
        // The V6 Base64 signature has '/' in it, so it fails the 5-part split; the same digest in Base64 without a
        // '/' must still fail, because only 64 hex characters are a signature: the header is malformed, whatever the key.
        var v = AuthV2VectorFile.Named("V6");
        var hex = v.Authorization[(v.Authorization.LastIndexOf('/') + 1)..];
        var base64 = Convert.ToBase64String(Convert.FromHexString(hex)).Replace('/', '_');
        var prefix = v.Authorization[..v.Authorization.LastIndexOf('/')];

        var result = Verify(v, prefix + "/" + base64);

        Assert.Equal(AuthV2Failure.MalformedAuthorization, result.Failure);
        Assert.Equal("the signature is not 64 hexadecimal characters", result.Detail);
    }

    [Fact]
    public void The_screen_passes_a_header_that_could_be_valid_without_the_body_or_the_secret()
    {
        var v = AuthV2VectorFile.Named("V3");
        var zeroes = v.Authorization[..(v.Authorization.LastIndexOf('/') + 1)] + new string('0', 64);

        var screened = Verifier(At(v)).Screen(Header(zeroes), Received(v).GetHeader);

        Assert.True(screened.Succeeded, screened.Detail);
    }

    [Theory]
    [InlineData("timestamp outside the window", AuthV2Failure.ClockSkew)]
    [InlineData("timestamp unreadable", AuthV2Failure.InvalidTimestamp)]
    [InlineData("host not signed", AuthV2Failure.HostNotSigned)]
    [InlineData("signed header absent", AuthV2Failure.SignedHeaderMissing)]
    [InlineData("signature not hexadecimal", AuthV2Failure.MalformedAuthorization)]
    public void The_screen_refuses_what_no_body_could_make_valid_as_verifying_would(string flaw, AuthV2Failure failure)
    {
        var v = AuthV2VectorFile.Named("V3");
        var authorization = v.Authorization;
        var now = At(v);
        var getHeader = Received(v).GetHeader;
        switch (flaw)
        {
            case "timestamp outside the window":
                now = now.AddMinutes(16);
                break;
            case "timestamp unreadable":
                authorization = authorization.Replace(v.Timestamp, "2021-08-31 09:38:50", StringComparison.Ordinal);
                break;
            case "host not signed":
                authorization = authorization.Replace("/content-length;content-type;host/", "/content-length;content-type/", StringComparison.Ordinal);
                break;
            case "signed header absent":
                getHeader = name => name == "content-type" ? null : Received(v).GetHeader(name);
                break;
            case "signature not hexadecimal":
                authorization = authorization[..(authorization.LastIndexOf('/') + 1)] + new string('z', 64);
                break;
        }

        var screened = Verifier(now).Screen(Header(authorization), getHeader);
        var verified = Verifier(now).Verify(Header(authorization), [v.SecretKey], new ReceivedRequest
        {
            Method = v.Method,
            RawPath = v.Path,
            Query = [.. v.Query],
            GetHeader = getHeader,
        }, Encoding.UTF8.GetBytes(v.Body));

        Assert.Equal(failure, screened.Failure);
        Assert.Equal(screened, verified);
    }

    [Fact]
    public void A_signature_without_the_query_line_passes_only_through_the_compatibility_retry()
    {
        var negative = AuthV2VectorFile.Negative.Single(n => n.Name == "V7b-no-query-line");
        var v = AuthV2VectorFile.Named(negative.BasedOn);

        var lenient = Verify(v, negative.Authorization);
        var strict = Verify(v, negative.Authorization, o => o.RetryWithoutQueryLine = false);

        Assert.True(lenient.Succeeded, lenient.Detail);
        Assert.Equal(AuthV2Variant.WithoutQueryLine, lenient.Variant);
        Assert.Equal(AuthV2Failure.SignatureMismatch, strict.Failure);
    }

    [Fact]
    public void Upper_case_hex_is_accepted()
    {
        var v = AuthV2VectorFile.Named("V3");
        var cut = v.Authorization.LastIndexOf('/');

        var result = Verify(v, v.Authorization[..cut] + v.Authorization[cut..].ToUpperInvariant());

        Assert.True(result.Succeeded, result.Detail);
    }

    [Fact]
    public void A_tampered_body_is_refused()
    {
        var v = AuthV2VectorFile.Named("V3");

        var result = Verify(v with { Body = v.Body.Replace("8fSsBaEb", "8fSsBaEc", StringComparison.Ordinal) }, v.Authorization);

        Assert.Equal(AuthV2Failure.SignatureMismatch, result.Failure);
    }

    [Fact]
    public void A_tampered_query_is_refused_even_with_the_compatibility_retry()
    {
        var v = AuthV2VectorFile.Named("V1");

        var result = Verify(v with { Query = new() { ["vdnId"] = "54" } }, v.Authorization);

        Assert.Equal(AuthV2Failure.SignatureMismatch, result.Failure);
    }

    [Fact]
    public void A_tampered_signed_header_is_refused()
    {
        var v = AuthV2VectorFile.Named("V3");
        var headers = new Dictionary<string, string>(v.SignedHeaders) { ["host"] = "10.22.26.181:28081" };

        var result = Verify(v with { SignedHeaders = headers }, v.Authorization);

        Assert.Equal(AuthV2Failure.SignatureMismatch, result.Failure);
    }

    [Fact]
    public void A_wrong_secret_key_is_refused()
    {
        var v = AuthV2VectorFile.Named("V1");

        var result = Verify(v, v.Authorization, secretKeys: ["not-the-secret"]);

        Assert.Equal(AuthV2Failure.SignatureMismatch, result.Failure);
    }

    [Fact]
    public void During_a_rotation_either_secret_key_verifies()
    {
        var v = AuthV2VectorFile.Named("V1");

        var result = Verify(v, v.Authorization, secretKeys: ["the-new-secret", v.SecretKey]);

        Assert.True(result.Succeeded);
        Assert.Equal(1, result.SecretKeyIndex);
    }

    [Theory]
    [InlineData(-15 * 60, true)]
    [InlineData(15 * 60, true)]
    [InlineData(-15 * 60 - 1, false)]
    [InlineData(15 * 60 + 1, false)]
    public void The_timestamp_must_fall_within_the_clock_skew_window(int serverOffsetSeconds, bool accepted)
    {
        var v = AuthV2VectorFile.Named("V6");
        AuthV2Timestamp.TryParse(v.Timestamp, out var signedAt);

        var result = Verify(v, v.Authorization, now: signedAt.AddSeconds(serverOffsetSeconds));

        Assert.Equal(accepted, result.Succeeded);
        if (!accepted)
        {
            Assert.Equal(AuthV2Failure.ClockSkew, result.Failure);
        }
    }

    [Theory]
    [InlineData(8 * 3600 + 12, "about 8 h: was local time sent as UTC with Z")]
    [InlineData(-12 * 3600, "about 12 h")]
    [InlineData(3 * 3600 + 40 * 60, null)]
    public void A_skew_of_whole_hours_suggests_the_timestamp_was_written_in_local_time(int serverOffsetSeconds, string? hint)
    {
        var v = AuthV2VectorFile.Named("V6");
        AuthV2Timestamp.TryParse(v.Timestamp, out var signedAt);

        var result = Verify(v, v.Authorization, now: signedAt.AddSeconds(serverOffsetSeconds));

        Assert.Equal(AuthV2Failure.ClockSkew, result.Failure);
        if (hint is null)
        {
            Assert.DoesNotContain(" h:", result.Detail, StringComparison.Ordinal);
        }
        else
        {
            Assert.Contains(hint, result.Detail, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_signature_that_does_not_cover_host_is_refused()
    {
        var v = AuthV2VectorFile.Named("V3");
        var headers = v.SignedHeaders.Where(h => h.Key != "host").ToDictionary();
        var signed = v with { SignedHeaders = headers };
        var authorization = AuthV2Signer.Sign(AuthV2SignerTests.ToRequest(signed), new(v.AccessKey, v.SecretKey), v.Timestamp,
            Encoding.UTF8.GetBytes(v.Body));

        var result = Verify(signed, authorization);
        var lenient = Verify(signed, authorization, o => o.RequireHostSigned = false);

        Assert.Equal(AuthV2Failure.HostNotSigned, result.Failure);
        Assert.True(lenient.Succeeded, lenient.Detail);
    }

    [Fact]
    public void A_signed_header_missing_from_the_request_is_refused()
    {
        var v = AuthV2VectorFile.Named("V3");
        var request = Received(v);
        var withoutType = new ReceivedRequest
        {
            Method = request.Method,
            RawPath = request.RawPath,
            Query = request.Query,
            GetHeader = name => name == "content-type" ? null : request.GetHeader(name),
        };

        var result = Verifier(At(v)).Verify(Header(v.Authorization), [v.SecretKey], withoutType, Encoding.UTF8.GetBytes(v.Body));

        Assert.Equal(AuthV2Failure.SignedHeaderMissing, result.Failure);
        Assert.Contains("content-type", result.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_body_that_is_not_utf8_is_refused()
    {
        var v = AuthV2VectorFile.Named("V1");
        byte[] body = [.. Encoding.UTF8.GetBytes(v.Body), 0xC3];

        var result = Verifier(At(v)).Verify(Header(v.Authorization), [v.SecretKey], Received(v), body);

        Assert.Equal(AuthV2Failure.BodyNotUtf8, result.Failure);
    }

    [Fact]
    public void A_binary_body_is_accepted_only_when_the_request_says_so_and_its_bytes_are_still_signed()
    {
        var v = AuthV2VectorFile.Named("V1");
        byte[] body = [0x52, 0x49, 0x46, 0x46, 0xFF, 0x00, 0xC3, 0x80, 0x9F];
        var request = new RequestToSign
        {
            Method = v.Method,
            Path = v.Path,
            Query = [.. v.Query],
            Headers = [.. v.SignedHeaders],
        };
        var authorization = AuthV2Signer.Sign(request, new AccessKeyCredential(v.AccessKey, v.SecretKey), v.Timestamp, body);
        var binary = new ReceivedRequest
        {
            Method = v.Method,
            RawPath = v.Path,
            Query = [.. v.Query],
            GetHeader = name => v.SignedHeaders.GetValueOrDefault(name),
            BinaryBody = true,
        };

        Assert.Equal(AuthV2Failure.BodyNotUtf8, Verifier(At(v)).Verify(Header(authorization), [v.SecretKey], Received(v), body).Failure);
        Assert.True(Verifier(At(v)).Verify(Header(authorization), [v.SecretKey], binary, body).Succeeded);
        byte[] altered = [.. body[..^1], 0x9E];
        Assert.Equal(AuthV2Failure.SignatureMismatch, Verifier(At(v)).Verify(Header(authorization), [v.SecretKey], binary, altered).Failure);
    }

    [Fact]
    public void Verifying_a_5_MB_body_never_copies_it()
    {
        var v = AuthV2VectorFile.Named("V1");
        var body = Encoding.UTF8.GetBytes("{\"request\":{\"version\":\"2.0\"},\"msgBody\":{\"data\":\""
            + string.Concat(Enumerable.Repeat("UklG+Rg\\/=", 512 * 1024)) + "\"}}");
        var authorization = AuthV2Signer.Sign(AuthV2SignerTests.ToRequest(v), new(v.AccessKey, v.SecretKey), v.Timestamp, body);
        var verifier = Verifier(At(v));
        var header = Header(authorization);
        var request = Received(v);
        // Both paths run once first, so what runs once per process (type set-up, the JIT) is not counted.
        Assert.True(verifier.Verify(header, [v.SecretKey], request, body).Succeeded);
        Assert.False(verifier.Verify(header, ["another-secret"], request, body).Succeeded);

        var before = GC.GetAllocatedBytesForCurrentThread();
        var accepted = verifier.Verify(header, [v.SecretKey], request, body);
        var refused = verifier.Verify(header, ["another-secret"], request, body);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.True(accepted.Succeeded, accepted.Detail);
        Assert.Equal(AuthV2Failure.SignatureMismatch, refused.Failure);
        // Percent-encoding into a string would take three times the body; the verifier streams it into the HMAC.
        Assert.True(allocated < 64 * 1024, $"two verifications of a {body.Length}-byte body allocated {allocated} bytes");
    }

    [Fact]
    public void An_unparseable_timestamp_is_refused()
    {
        var v = AuthV2VectorFile.Named("V1");

        var result = Verify(v, v.Authorization.Replace("2021-08-31T09:38:50Z", "2021-08-31 09:38:50", StringComparison.Ordinal));

        Assert.Equal(AuthV2Failure.InvalidTimestamp, result.Failure);
    }

    [Fact]
    public void A_mismatch_explains_the_canonical_request_it_computed_in_each_form_it_tried()
    {
        var v = AuthV2VectorFile.Named("V1");

        var result = Verify(v, v.Authorization, secretKeys: ["wrong"]);

        Assert.Contains(SignatureExplanation.HeaderName, result.Detail, StringComparison.Ordinal);
        var lines = result.Explanation!.Split('\n');
        Assert.Equal(["# " + SignatureExplanation.WithQueryLine, "POST", "/CCFS/resource/ccfs/ivr/uploadFile", "vdnId=53", "host"], lines[..5]);
        Assert.Contains("# " + SignatureExplanation.WithoutQueryLine, lines);
        Assert.Contains(SignatureExplanation.BodyLine(Encoding.UTF8.GetBytes(v.Body)), lines);
        Assert.Contains(lines, l => l.StartsWith("timestamp: " + v.Timestamp + ", read as ", StringComparison.Ordinal));
        Assert.Contains(AuthorizationHeaderPrefix(v), lines);
        Assert.DoesNotContain(v.SecretKey, result.Explanation, StringComparison.Ordinal);
        Assert.DoesNotContain(v.Authorization[(v.Authorization.LastIndexOf('/') + 1)..], result.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_diagnostics_a_mismatch_says_only_that()
    {
        var v = AuthV2VectorFile.Named("V1");

        var result = Verify(v, v.Authorization, o => o.Diagnostics = false, secretKeys: ["wrong"]);

        Assert.Equal(AuthV2Failure.SignatureMismatch, result.Failure);
        Assert.Equal("the signature does not match", result.Detail);
        Assert.Null(result.Explanation);
    }

    [Fact]
    public void The_explanation_stays_within_its_bound_however_long_the_request()
    {
        var v = AuthV2VectorFile.Named("V1");
        var longPath = "/" + new string('p', 5000);
        var forms = SignatureExplanation.Forms("POST", longPath, "a=" + new string('q', 5000), "host", "host:" + new string('h', 5000));

        var text = SignatureExplanation.Describe(forms, new byte[10], [new("host", new string('h', 5000))], v.Timestamp,
            (At(v), "the server's clock"), TimeSpan.FromMinutes(15), "auth-v2/ak/" + v.Timestamp + "/host");

        Assert.True(text.Length <= SignatureExplanation.MaxLength, $"{text.Length} characters");
        Assert.Contains("…(+4801 characters)", text, StringComparison.Ordinal);
        Assert.Equal(text, SignatureExplanation.FromHeaderValue(SignatureExplanation.ToHeaderValue(text)));
    }

    private static string AuthorizationHeaderPrefix(AuthV2Vector v) => v.Authorization[..v.Authorization.LastIndexOf('/')];

    internal static AuthV2Verification Verify(AuthV2Vector v, string authorization, Action<AuthV2VerifierOptions>? configure = null,
        string[]? secretKeys = null, DateTimeOffset? now = null)
    {
        if (!AuthorizationHeader.TryParse(authorization, out var header, out var error))
        {
            return AuthV2Verification.Fail(AuthV2Failure.MalformedAuthorization, error);
        }

        var options = new AuthV2VerifierOptions();
        configure?.Invoke(options);
        return new AuthV2Verifier(options, new FakeTimeProvider(now ?? At(v)))
            .Verify(header!, secretKeys ?? [v.SecretKey], Received(v), Encoding.UTF8.GetBytes(v.Body));
    }

    private static AuthV2Verifier Verifier(DateTimeOffset now) => new(new AuthV2VerifierOptions(), new FakeTimeProvider(now));

    private static AuthorizationHeader Header(string value)
    {
        Assert.True(AuthorizationHeader.TryParse(value, out var header, out var error), error);
        return header!;
    }

    private static DateTimeOffset At(AuthV2Vector v)
    {
        Assert.True(AuthV2Timestamp.TryParse(v.Timestamp, out var t));
        return t;
    }

    private static ReceivedRequest Received(AuthV2Vector v)
    {
        var headers = new Dictionary<string, string>(v.SignedHeaders, StringComparer.OrdinalIgnoreCase);
        return new ReceivedRequest
        {
            Method = v.Method,
            RawPath = v.Path,
            Query = [.. v.Query],
            GetHeader = name => headers.GetValueOrDefault(name),
        };
    }
}

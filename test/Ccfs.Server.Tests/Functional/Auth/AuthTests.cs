using System.Net;
using Ccfs.Protocol;

namespace Ccfs.Server.Tests.Functional.Auth;

/// <summary>Each way a signature can be wrong is refused with 401 and the Spring body, and stores nothing.</summary>
public sealed class AuthTests(CcfsFactory factory) : IClassFixture<CcfsFactory>
{
    private const string Upload = CcfsPaths.UploadFile + "?vdnId=53";

    /// <summary>Each refusal with the words its X-Ccfs-Reason must hold, so a case cannot pass for an unrelated reason.</summary>
    public static TheoryData<string, string> Refusals() => new()
    {
        { "no authorization", "the Authorization header is missing" },
        { "tampered body", "the signature does not match" },
        { "tampered query", "the signature does not match" },
        { "query changed to another bound vdn", "the signature does not match" },
        { "tampered signed header", "the signature does not match" },
        { "wrong secret key", "the signature does not match" },
        { "unknown access key", "access key 'nobody' is unknown" },
        { "timestamp 16 minutes old", "s away from server time" },
        { "timestamp 16 minutes ahead", "s away from server time" },
        { "host not signed", "host is not among the signed headers" },
        { "base64 signature", "" },
        { "base64 signature with a slash", "'/'-separated parts, 5 expected" },
        { "base64 signature without slashes", "the signature is not 64 hexadecimal characters" },
        { "truncated signature", "the signature is not 64 hexadecimal characters" },
        { "not auth-v2", "does not start with auth-v2" },
        { "body not utf-8", "the body is not valid UTF-8" },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task A_bad_signature_is_401_and_stores_nothing(string refusal, string reason)
    {
        var before = factory.Snapshot();
        var now = factory.Time.GetUtcNow();
        var body = SignedClient.UploadBody(Samples.Sine);
        var path = Upload;
        var options = new SignOptions();
        switch (refusal)
        {
            case "no authorization":
                options = options with { AfterSigning = r => r.Headers.Authorization = null };
                break;
            case "tampered body":
                options = options with { SignedBody = SignedClient.UploadBody(Samples.Read("valid", "alaw-8k-extensible.wav")) };
                break;
            case "tampered query":
                path = Upload + "&tag=b";
                options = options with { SignedQuery = "?vdnId=53&tag=a" };
                break;
            case "query changed to another bound vdn":
                path = CcfsPaths.UploadFile + "?vdnId=55";
                options = options with { SignedQuery = "?vdnId=53" };
                break;
            case "tampered signed header":
                options = options with
                {
                    AfterSigning = r => r.Content!.Headers.ContentType = new("application/json") { CharSet = "utf-8" },
                };
                break;
            case "wrong secret key":
                options = options with { Credential = new(CcfsFactory.AccessKey, "not-the-secret") };
                break;
            case "unknown access key":
                options = options with { Credential = new("nobody", CcfsFactory.SecretKey) };
                break;
            case "timestamp 16 minutes old":
                options = options with { At = now.AddMinutes(-16) };
                break;
            case "timestamp 16 minutes ahead":
                options = options with { At = now.AddMinutes(16) };
                break;
            case "host not signed":
                options = options with { SignedHeaders = ["content-length", "content-type"] };
                break;
            case "base64 signature":
                // The Base64 form of the correct signature: which rule refuses it depends on whether it holds a '/'.
                options = options with
                {
                    Authorization = a => WithSignature(a, s =>
                    {
                        var base64 = Convert.ToBase64String(Convert.FromHexString(s));
                        reason = base64.Contains('/', StringComparison.Ordinal)
                            ? "'/'-separated parts, 5 expected"
                            : "the signature is not 64 hexadecimal characters";
                        return base64;
                    }),
                };
                break;
            case "base64 signature with a slash":
                // Base64 of a random signature holds a '/' only now and then; the first byte 0xFF always gives one.
                options = options with { Authorization = a => WithSignature(a, s => Convert.ToBase64String([0xFF, .. Convert.FromHexString(s)[1..]])) };
                break;
            case "base64 signature without slashes":
                options = options with
                {
                    Authorization = a => WithSignature(a, s => Convert.ToBase64String(Convert.FromHexString(s)).Replace('/', '_')),
                };
                break;
            case "truncated signature":
                options = options with { Authorization = a => a[..^1] };
                break;
            case "not auth-v2":
                options = options with { Authorization = a => "auth-v3" + a["auth-v2".Length..] };
                break;
            case "body not utf-8":
                body = [.. body[..^2], 0xFF, .. body[^2..]];
                break;
        }

        var response = await factory.Signed().PostAsync(path, body, options);

        await CcfsAnswer.AssertSpringAsync(response, HttpStatusCode.Unauthorized, CcfsPaths.UploadFile);
        Assert.Equal("application/json;charset=UTF-8", response.Content.Headers.ContentType!.ToString().Replace(" ", "", StringComparison.Ordinal));
        Assert.Contains(reason, CcfsAnswer.Reason(response), StringComparison.Ordinal);
        Assert.Equal(before, factory.Snapshot());
    }

    [Fact]
    public async Task A_vdn_not_bound_to_the_account_is_401()
    {
        var before = factory.Snapshot();

        var response = await factory.Signed().UploadAsync(Samples.Sine, vdnId: CcfsFactory.OtherVdn);
        var otherAccount = await factory.Signed(CcfsFactory.OtherAccessKey, CcfsFactory.OtherSecretKey).UploadAsync(Samples.Sine);

        await CcfsAnswer.AssertSpringAsync(response, HttpStatusCode.Unauthorized, CcfsPaths.UploadFile);
        Assert.Contains("not bound to VDN 54", CcfsAnswer.Reason(response), StringComparison.Ordinal);
        await CcfsAnswer.AssertSpringAsync(otherAccount, HttpStatusCode.Unauthorized, CcfsPaths.UploadFile);
        Assert.Equal(before, factory.Snapshot());
    }

    [Theory]
    [InlineData(-14 * 60)]
    [InlineData(14 * 60)]
    public async Task A_timestamp_inside_the_window_is_accepted(int offsetSeconds)
    {
        var response = await factory.Signed().UploadAsync(Samples.Sine, options: new() { At = factory.Time.GetUtcNow().AddSeconds(offsetSeconds) });

        await CcfsAnswer.AssertTripleAsync(response, "0", "success");
    }

    [Theory]
    [InlineData("host")]
    [InlineData("content-type;host")]
    [InlineData("content-length;content-type;host")]
    public async Task Any_signed_header_set_that_covers_host_is_accepted(string signedHeaders)
    {
        var response = await factory.Signed().UploadAsync(Samples.Sine, options: new() { SignedHeaders = signedHeaders.Split(';') });

        await CcfsAnswer.AssertTripleAsync(response, "0", "success");
    }

    [Fact]
    public async Task Seconds_precision_timestamps_like_the_java_demo_are_accepted()
    {
        var response = await factory.Signed().UploadAsync(Samples.Sine, options: new() { Milliseconds = false });

        await CcfsAnswer.AssertTripleAsync(response, "0", "success");
    }

    [Fact]
    public async Task A_client_that_leaves_the_query_out_of_its_signature_is_accepted_by_the_compatibility_retry_and_logged()
    {
        using var fresh = new CcfsFactory();

        var strict = await fresh.Signed().UploadAsync(Samples.Sine);
        var response = await fresh.Signed().UploadAsync(Samples.Sine, options: new() { SignedQuery = "" });

        await CcfsAnswer.AssertTripleAsync(strict, "0", "success");
        await CcfsAnswer.AssertTripleAsync(response, "0", "success");
        var matched = Assert.Single(fresh.Logs, l => l.Message.Contains("matched the compatibility form", StringComparison.Ordinal));
        Assert.Contains("WithoutQueryLine", matched.Message, StringComparison.Ordinal);
        Assert.Contains(CcfsFactory.AccessKey, matched.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_compatibility_retry_can_be_switched_off()
    {
        using var strict = CcfsFactory.With(new() { ["Ccfs:Auth:RetryWithoutQueryLine"] = "false" });

        var response = await strict.Signed().UploadAsync(Samples.Sine, options: new() { SignedQuery = "" });
        var signedQuery = await strict.Signed().UploadAsync(Samples.Sine);

        await CcfsAnswer.AssertSpringAsync(response, HttpStatusCode.Unauthorized, CcfsPaths.UploadFile);
        await CcfsAnswer.AssertTripleAsync(signedQuery, "0", "success");
    }

    private static string WithSignature(string authorization, Func<string, string> transform)
    {
        var cut = authorization.LastIndexOf('/');
        return authorization[..(cut + 1)] + transform(authorization[(cut + 1)..]);
    }
}

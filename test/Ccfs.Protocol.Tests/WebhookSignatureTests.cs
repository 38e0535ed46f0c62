using System.Text;
using Ccfs.Protocol.Webhooks;

namespace Ccfs.Protocol.Tests;

/// <summary>The Standard Webhooks signature against the specification's published example, and what verification refuses.</summary>
public sealed class WebhookSignatureTests
{
    // The example of the Standard Webhooks reference libraries' tests.
    private const string Secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    private const string Id = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    private const long Timestamp = 1614265330;
    private static readonly byte[] Payload = Encoding.UTF8.GetBytes("{\"test\": 2432232314}");
    private const string Expected = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

    private static byte[] Key => WebhookSignature.TryReadKey(Secret, out var key) ? key : throw new InvalidOperationException();

    [Fact]
    public void The_published_example_signs_as_published()
    {
        Assert.Equal(Expected, WebhookSignature.Sign(Key, Id, Timestamp, Payload));
        Assert.True(WebhookSignature.TryReadKey(Secret["whsec_".Length..], out var bare));
        Assert.Equal(Key, bare);
    }

    [Fact]
    public void Verification_accepts_the_right_signature_among_several_and_refuses_the_rest()
    {
        var at = DateTimeOffset.FromUnixTimeSeconds(Timestamp);
        var tolerance = WebhookSignature.DefaultTolerance;
        var ts = Timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture);

        Assert.Equal(WebhookVerification.Valid, WebhookSignature.Verify(Key, Id, ts, Expected, Payload, at, tolerance));
        Assert.Equal(WebhookVerification.Valid,
            WebhookSignature.Verify(Key, Id, ts, "v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc= " + Expected, Payload, at, tolerance));
        Assert.Equal(WebhookVerification.Mismatch, WebhookSignature.Verify(Key, Id, ts, Expected, [.. Payload, (byte)' '], at, tolerance));
        Assert.Equal(WebhookVerification.Mismatch, WebhookSignature.Verify(Key, "msg_other", ts, Expected, Payload, at, tolerance));
        Assert.Equal(WebhookVerification.Mismatch, WebhookSignature.Verify(Key, Id, ts, "v2," + Expected[3..], Payload, at, tolerance));
        Assert.Equal(WebhookVerification.OutsideTolerance,
            WebhookSignature.Verify(Key, Id, ts, Expected, Payload, at.AddMinutes(6), tolerance));
        Assert.Equal(WebhookVerification.BadTimestamp, WebhookSignature.Verify(Key, Id, "soon", Expected, Payload, at, tolerance));
        Assert.Equal(WebhookVerification.MissingHeaders, WebhookSignature.Verify(Key, null, ts, Expected, Payload, at, tolerance));
    }

    [Fact]
    public void New_secrets_carry_32_random_bytes_and_bad_ones_are_refused()
    {
        var secret = WebhookSignature.NewSecret();
        Assert.StartsWith("whsec_", secret, StringComparison.Ordinal);
        Assert.True(WebhookSignature.TryReadKey(secret, out var key));
        Assert.Equal(32, key.Length);
        Assert.NotEqual(secret, WebhookSignature.NewSecret());
        Assert.False(WebhookSignature.TryReadKey("whsec_not base64!", out _));
        Assert.False(WebhookSignature.TryReadKey("whsec_AAAA", out _));
    }
}

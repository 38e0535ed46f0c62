using Ccfs.Protocol.Auth;

namespace Ccfs.Protocol.Tests;

public sealed class AuthV2TimestampTests
{
    [Theory]
    [InlineData("2021-08-31T09:38:50Z", 0)]
    [InlineData("2021-08-31T09:38:50.8Z", 8_000_000)]
    [InlineData("2021-08-31T09:38:50.872Z", 8_720_000)]
    [InlineData("2021-08-31T09:38:50.8720001Z", 8_720_001)]
    [InlineData("2021-08-31T09:38:50.872000199Z", 8_720_001)]
    public void Accepts_seconds_and_1_to_9_fractional_digits(string text, long fractionTicks)
    {
        Assert.True(AuthV2Timestamp.TryParse(text, out var t));
        Assert.Equal(new DateTimeOffset(2021, 8, 31, 9, 38, 50, TimeSpan.Zero).AddTicks(fractionTicks), t);
    }

    [Theory]
    [InlineData("")]
    [InlineData("2021-08-31T09:38:50")]
    [InlineData("2021-08-31T09:38:50+00:00")]
    [InlineData("2021-08-31 09:38:50Z")]
    [InlineData("2021-08-31T09:38:50.Z")]
    [InlineData("2021-08-31T09:38:50.1234567890Z")]
    [InlineData("2021-02-30T09:38:50Z")]
    [InlineData("2021-13-01T09:38:50Z")]
    [InlineData("2021-08-31T24:00:00Z")]
    [InlineData("2021-08-31T09:60:00Z")]
    [InlineData("0000-08-31T09:38:50Z")]
    [InlineData("2021-08-3aT09:38:50Z")]
    [InlineData("2021-08-31T09:38:50.87aZ")]
    public void Refuses_anything_else(string text)
    {
        Assert.False(AuthV2Timestamp.TryParse(text, out _));
    }
}

using Ccfs.Protocol.Auth;

namespace Ccfs.Protocol.Tests;

public sealed class AuthorizationHeaderTests
{
    [Fact]
    public void Parses_the_five_parts()
    {
        Assert.True(AuthorizationHeader.TryParse("auth-v2/ak/2021-08-31T09:38:50.872Z/content-length;content-type;host/abc", out var h, out _));

        Assert.Equal("ak", h!.AccessKey);
        Assert.Equal("2021-08-31T09:38:50.872Z", h.Timestamp);
        Assert.Equal(["content-length", "content-type", "host"], h.SignedHeaderNames);
        Assert.Equal("abc", h.Signature);
        Assert.Equal("auth-v2/ak/2021-08-31T09:38:50.872Z/content-length;content-type;host", h.AuthStringPrefix);
    }

    [Fact]
    public void Tolerates_the_space_of_the_documented_example()
    {
        Assert.True(AuthorizationHeader.TryParse("auth-v2/taikang/2018-07-02T02:42:49Z/content-length;content-type;host /7a8f", out var h, out _));

        Assert.Equal("content-length;content-type;host", h!.SignedHeaders);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("Bearer abc")]
    [InlineData("auth-v1/ak/2021-08-31T09:38:50Z/host/abc")]
    [InlineData("AUTH-V2/ak/2021-08-31T09:38:50Z/host/abc")]
    [InlineData("auth-v2/ak/2021-08-31T09:38:50Z/host")]
    [InlineData("auth-v2/ak/2021-08-31T09:38:50Z/host/ab/cd")]
    [InlineData("auth-v2//2021-08-31T09:38:50Z/host/abc")]
    [InlineData("auth-v2/ak/2021-08-31T09:38:50Z//abc")]
    [InlineData("auth-v2/ak/2021-08-31T09:38:50Z/host;;content-type/abc")]
    [InlineData("auth-v2/ak/2021-08-31T09:38:50Z/host;HOST/abc")]
    public void Refuses_malformed_values(string? value)
    {
        Assert.False(AuthorizationHeader.TryParse(value, out var header, out var error));
        Assert.Null(header);
        Assert.NotEmpty(error);
    }

    [Fact]
    public void Bounds_the_number_of_signed_headers()
    {
        var names = string.Join(';', Enumerable.Range(0, AuthorizationHeader.MaxSignedHeaders + 1).Select(i => $"h{i}"));

        Assert.False(AuthorizationHeader.TryParse($"auth-v2/ak/2021-08-31T09:38:50Z/{names}/abc", out _, out _));
    }
}

using Ccfs.Server.Auth;
using Microsoft.AspNetCore.Http.Features;

namespace Ccfs.Server.Tests.Unit.Auth;

/// <summary>Signatures cover the path exactly as sent; Kestrel's decoded <c>Request.Path</c> would break them.</summary>
public sealed class RawPathTests
{
    [Theory]
    [InlineData("/CCFS/resource/ccfs/ivr/upload%46ile?vdnId=53", "/CCFS/resource/ccfs/ivr/upload%46ile")]
    [InlineData("/CCFS/resource/ccfs/ivr/uploadFile", "/CCFS/resource/ccfs/ivr/uploadFile")]
    [InlineData("/a%2Fb?x=%2F", "/a%2Fb")]
    [InlineData("http://10.22.26.181:28080/CCFS/resource/ccfs/ivr/deleteFile?x=1", "/CCFS/resource/ccfs/ivr/deleteFile")]
    public void The_raw_target_is_used_up_to_the_query(string rawTarget, string expected)
    {
        var http = new DefaultHttpContext();
        http.Features.Get<IHttpRequestFeature>()!.RawTarget = rawTarget;
        http.Request.Path = "/decoded/path";

        Assert.Equal(expected, RequestAuthenticator.RawPath(http));
    }

    [Fact]
    public void Without_a_raw_target_the_path_is_re_encoded()
    {
        var http = new DefaultHttpContext();
        http.Features.Get<IHttpRequestFeature>()!.RawTarget = "";
        http.Request.Path = "/CCFS/resource/ccfs/ivr/uploadFile";

        Assert.Equal("/CCFS/resource/ccfs/ivr/uploadFile", RequestAuthenticator.RawPath(http));
    }
}

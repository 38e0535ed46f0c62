using Ccfs.Server.Paths;

namespace Ccfs.Server.Tests.Unit.Paths;

/// <summary>
/// Two VDNs' folders must never be one inside the other, or one VDN's files would be the other's to download and to sweep:
/// <see cref="PathRule.CanNestWith"/> says when two rules could give two different VDNs such folders.
/// </summary>
public sealed class PathRuleNestingTests
{
    [Theory]
    // VDN 3's own rule puts its folder inside VDN 1's under the global rule.
    [InlineData("/voice/1/IVRrecordFile/%VDNNO%", 3, "/voice/%VDNNO%/IVRrecordFile", null, true)]
    // ... but not inside its own.
    [InlineData("/voice/3/IVRrecordFile/%VDNNO%", 3, "/voice/%VDNNO%/IVRrecordFile", 3, false)]
    // A folder above every VDN's folder of a rule holds them all.
    [InlineData("/voice/%VDNNO%", 3, "/voice/3/%VDNNO%", null, true)]
    // Shared rules that could nest for two VDNs: /voice/1 holds /voice/1/7.
    [InlineData("/voice/%VDNNO%", null, "/voice/1/%VDNNO%", null, true)]
    // The VDN in the same place: nested, they would be one VDN's.
    [InlineData("/3rdfile/%VDNNO%/thirdvoicebotfile", null, "/3rdfile/%VDNNO%/IVRrecordFile", null, false)]
    [InlineData("/voice/%VDNNO%", null, "/voice/%VDNNO%/IVRrecordFile", null, false)]
    // Different folders, or a segment that cannot be a VDN where the other names one.
    [InlineData("/voice/%VDNNO%/IVRrecordFile", null, "/3rdfile/%VDNNO%/IVRrecordFile", null, false)]
    [InlineData("/%VDNNO%/IVRrecordFile", null, "/3rdfile/%VDNNO%/thirdvoicebotfile", null, false)]
    [InlineData("/%VDNNO%/rec", null, "/053/%VDNNO%", null, false)]
    // Two fixed VDNs: only their own numbers count.
    [InlineData("/voice/1/%VDNNO%", 3, "/voice/%VDNNO%", 1, true)]
    [InlineData("/voice/1/%VDNNO%", 3, "/voice/%VDNNO%", 2, false)]
    public void Rules_nest_exactly_when_two_different_vdns_could_get_folders_one_inside_the_other(string rule, int? vdn, string other,
        int? otherVdn, bool nests)
    {
        Assert.True(PathRule.TryParse(rule, out var first, out _));
        Assert.True(PathRule.TryParse(other, out var second, out _));

        Assert.Equal(nests, first!.CanNestWith(vdn, second!, otherVdn));
        Assert.Equal(nests, second!.CanNestWith(otherVdn, first, vdn));
    }
}

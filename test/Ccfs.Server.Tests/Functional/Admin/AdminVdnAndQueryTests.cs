using System.Net;
using System.Text.Json;

namespace Ccfs.Server.Tests.Functional.Admin;

/// <summary>
/// A VDN has one spelling in the admin API, as in the interfaces and in folders (<c>53</c>, never <c>053</c> or
/// <c>+53</c>), in a route as in a query; and a query parameter given twice is refused rather than read as its first
/// value. Each refusal is a 400 that says why, and changes nothing.
/// </summary>
public sealed class AdminVdnAndQueryTests
{
    public static TheoryData<string, string, string> Refused => new()
    {
        { "PUT", "/admin/api/parameters/vdns/053", "'053' is not a VDN number" },
        { "PUT", "/admin/api/parameters/vdns/+53", "'+53' is not a VDN number" },
        { "PUT", "/admin/api/parameters/vdns/0", "'0' is not a VDN number" },
        { "DELETE", "/admin/api/parameters/vdns/053", "'053' is not a VDN number" },
        { "DELETE", "/admin/api/parameters/vdns/-1", "'-1' is not a VDN number" },
        { "GET", "/admin/api/vdns/053/files", "'053' is not a VDN number" },
        { "GET", "/admin/api/vdns/abc/files", "'abc' is not a VDN number" },
        { "POST", "/admin/api/vdns/2147483648/files", "'2147483648' is not a VDN number" },
        { "GET", "/admin/api/retention/preview?vdnId=053", "vdnId is not a VDN number" },
        { "GET", "/admin/api/events?vdnId=053", "vdnId is not a VDN number" },
        { "GET", "/admin/api/journal?vdnId=053", "vdnId is not a VDN number" },
        { "GET", "/admin/api/events?vdnId=53&vdnId=54", "the query parameter 'vdnId' is given more than once" },
        { "POST", "/admin/api/files/pin?fileName=Y:/a.wav&fileName=Y:/b.wav", "the query parameter 'fileName' is given more than once" },
        { "PUT", "/admin/api/parameters?x=1&x=1", "the query parameter 'x' is given more than once" },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public async Task A_vdn_spelt_otherwise_or_a_query_parameter_given_twice_is_refused_and_changes_nothing(string method, string pathAndQuery,
        string error)
    {
        using var factory = CcfsFactory.With([]);
        var before = factory.Snapshot();
        var pins = factory.CatalogCount("file_pins");

        using var response = await factory.Admin().AdminAsync(new HttpMethod(method), pathAndQuery, method == "PUT" ? new { quotaFiles = 1 } : null);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var answer = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        var said = answer.GetProperty("error").GetString() + string.Join("; ", answer.TryGetProperty("problems", out var problems)
            ? problems.EnumerateArray().Select(p => p.GetString()) : []);
        Assert.Contains(error, said, StringComparison.Ordinal);
        Assert.Equal(before, factory.Snapshot());
        Assert.Equal(pins, factory.CatalogCount("file_pins"));
        using var parameters = await factory.Admin().AdminAsync(HttpMethod.Get, "/admin/api/parameters");
        Assert.DoesNotContain("quotaFiles\":1", await parameters.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_vdn_in_its_one_spelling_is_taken_in_a_route_and_a_query()
    {
        using var factory = CcfsFactory.With([]);

        using var set = await factory.Admin().AdminAsync(HttpMethod.Put, "/admin/api/parameters/vdns/2147483647", new { quotaFiles = 5 });
        using var files = await factory.Admin().AdminAsync(HttpMethod.Get, "/admin/api/vdns/53/files");
        using var preview = await factory.Admin().AdminAsync(HttpMethod.Get, "/admin/api/retention/preview?vdnId=53");

        Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        Assert.Equal(HttpStatusCode.OK, files.StatusCode);
        Assert.Equal(HttpStatusCode.OK, preview.StatusCode);
    }
}

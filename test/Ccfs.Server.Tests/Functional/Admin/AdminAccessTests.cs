using System.Net;
using Microsoft.AspNetCore.Routing;

namespace Ccfs.Server.Tests.Functional.Admin;

/// <summary>
/// Nothing under /admin/api answers anyone but a signed admin account: every endpoint, found by routing. Every refusal
/// is audited: the first of each kind from an address as itself, the rest of its minute in one entry with their count.
/// </summary>
public sealed class AdminAccessTests(CcfsFactory factory) : IClassFixture<CcfsFactory>
{
    private static readonly string[] CallerNames = ["unsigned", "non-admin", "wrong secret of the admin", "unknown key"];

    public static TheoryData<string> Callers => [.. CallerNames];

    [Fact]
    public async Task A_body_of_another_type_is_401_before_its_type_is_judged_when_the_caller_is_not_an_admin()
    {
        var withBodies = AdminEndpoints().Where(e => e.Method is "POST" or "PUT" or "PATCH").ToList();
        Assert.True(withBodies.Count >= 4, $"only {withBodies.Count} admin endpoints take a body");

        foreach (var (method, path) in withBodies)
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = new StringContent("{}", null, "text/plain") };
            using var response = await factory.CreateClient().SendAsync(request);

            Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{method} {path}: {(int)response.StatusCode}");
        }
    }

    [Theory]
    [MemberData(nameof(Callers))]
    public async Task Every_admin_endpoint_answers_401_to_anyone_but_a_signed_admin(string caller)
    {
        var endpoints = AdminEndpoints();
        Assert.True(endpoints.Count >= 4, $"only {endpoints.Count} admin endpoints were found");
        var before = factory.Snapshot();
        var parametersBefore = await ParametersAsync();
        var lastAudited = (await AuditAsync()).FirstOrDefault().Id;

        // Each caller from an address of its own, so its refusals are its own tally.
        var from = "198.51.100." + (40 + Array.IndexOf(CallerNames, caller)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        foreach (var (method, path) in endpoints)
        {
            var body = method == "GET" || method == "DELETE" ? null : "{}"u8.ToArray();
            var options = (body is null ? new SignOptions { SignedHeaders = ["host"] } : new SignOptions()) with
            {
                AfterSigning = r => r.Headers.Add(CcfsFactory.ClientIpHeader, from),
            };
            using var unsigned = new HttpRequestMessage(new HttpMethod(method), path) { Content = body is null ? null : new ByteArrayContent(body) };
            unsigned.Headers.Add(CcfsFactory.ClientIpHeader, from);
            using var response = caller switch
            {
                "unsigned" => await factory.CreateClient().SendAsync(unsigned),
                "non-admin" => await factory.Signed().SendAsync(new HttpMethod(method), path, body, options),
                "wrong secret of the admin" => await factory.Signed(CcfsFactory.AdminAccessKey, "not-the-secret").SendAsync(new HttpMethod(method), path,
                    body, options),
                _ => await factory.Signed("nobody", "nothing").SendAsync(new HttpMethod(method), path, body, options),
            };

            Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{method} {path} answered {(int)response.StatusCode} to {caller}");
            await CcfsAnswer.AssertSpringAsync(response, HttpStatusCode.Unauthorized, path.Split('?')[0]);
        }

        Assert.Equal(before, factory.Snapshot());
        Assert.Equal(parametersBefore, await ParametersAsync());

        // The refusals of the minute are reported once it ends; entries are written once answered, so poll a bounded number of times.
        factory.Time.Advance(Ccfs.Server.Observability.RefusalDigest.Window);
        factory.Services.GetRequiredService<Ccfs.Server.Observability.RefusalDigest>().ReportEnded();
        var refusals = new List<(long Id, string Interface, string ResultCode, long Repeats)>();
        for (var i = 0; i < 200 && refusals.Sum(r => r.Repeats) < endpoints.Count; i++)
        {
            await Task.Delay(i == 0 ? 0 : 25);
            refusals = [.. (await AuditAsync(from)).Where(e => e.Id > lastAudited)];
        }

        Assert.Equal(endpoints.Count, refusals.Sum(r => r.Repeats));
        Assert.InRange(refusals.Count, 1, 2);
        Assert.All(refusals, e => Assert.Equal("401", e.ResultCode));
        Assert.All(refusals, e => Assert.StartsWith("admin:", e.Interface, StringComparison.Ordinal));
        Assert.DoesNotContain(refusals, e => e.Interface == "admin:unknown");
    }

    [Fact]
    public async Task A_non_admin_is_told_why()
    {
        using var response = await factory.Signed().SendAsync(HttpMethod.Get, "/admin/api/parameters");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("not an administrator", CcfsAnswer.Reason(response), StringComparison.Ordinal);
    }

    private async Task<string> ParametersAsync()
    {
        using var response = await factory.Admin().SendAsync(HttpMethod.Get, "/admin/api/parameters");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    /// <summary>The newest audit entries, newest first.</summary>
    private async Task<List<(long Id, string Interface, string ResultCode, long Repeats)>> AuditAsync(string? from = null)
    {
        using var response = await factory.Admin().SendAsync(HttpMethod.Get, "/admin/api/audit?limit=1000");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return [.. json.RootElement.GetProperty("entries").EnumerateArray()
            .Where(e => from is null || e.GetProperty("clientIp").GetString() == from)
            .Select(e => (e.GetProperty("id").GetInt64(), e.GetProperty("interface").GetString()!, e.GetProperty("resultCode").GetString()!,
                e.GetProperty("repeats").GetInt64()))];
    }

    /// <summary>Each admin route with its parameters filled in (1 for numbers, x otherwise).</summary>
    private List<(string Method, string Path)> AdminEndpoints()
    {
        var sources = factory.Services.GetRequiredService<IEnumerable<EndpointDataSource>>();
        return [.. sources.SelectMany(s => s.Endpoints).OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.StartsWith("/admin/api", StringComparison.Ordinal) == true)
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["GET"]).Select(m => (m, Fill(e.RoutePattern))))];
    }

    private static string Fill(Microsoft.AspNetCore.Routing.Patterns.RoutePattern pattern) =>
        "/" + string.Join('/', pattern.PathSegments.Select(segment => string.Concat(segment.Parts.Select(part => part switch
        {
            Microsoft.AspNetCore.Routing.Patterns.RoutePatternLiteralPart literal => literal.Content,
            Microsoft.AspNetCore.Routing.Patterns.RoutePatternParameterPart parameter =>
                parameter.ParameterPolicies.Any(p => p.Content == "int" || p.Content == "long") ? "1" : "x",
            _ => "",
        }))));
}

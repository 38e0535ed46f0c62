using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Xunit.Abstractions;

namespace Ccfs.Server.Tests.Process;

/// <summary>
/// Quotas on two nodes sharing a PostgreSQL catalog: a quota set through one node is in force on the other (the change
/// is announced), and 64 uploads sent at once to both nodes against a quota with room for 10 store exactly 10.
/// </summary>
public sealed class TwoNodeQuotaProcessTests(TwoNodeCluster cluster, ITestOutputHelper output) : IClassFixture<TwoNodeCluster>
{
    [Fact]
    public async Task Sixty_four_uploads_to_two_nodes_with_room_for_ten_store_exactly_ten()
    {
        await cluster.EnsureRunningAsync();
        var a = TwoNodeCluster.Signed(cluster.A.Http);
        var b = TwoNodeCluster.Signed(cluster.B.Http);
        for (var i = 0; i < 2; i++)
        {
            await a.StoreAsync(Samples.Sine);
        }

        using (var set = await TwoNodeCluster.Admin(cluster.A.Http).AdminAsync(HttpMethod.Put, $"/admin/api/parameters/vdns/{CcfsFactory.Vdn}",
            new { quotaFiles = 12 }))
        {
            Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        }

        var seen = Stopwatch.StartNew();
        while (await QuotaFilesAsync(cluster.B.Http) != 12)
        {
            Assert.True(seen.Elapsed < TimeSpan.FromSeconds(30), "node B never saw the quota set through node A");
            await Task.Delay(20);
        }

        output.WriteLine($"node B had the quota set through node A after {seen.ElapsedMilliseconds} ms");

        var codes = await Task.WhenAll(Enumerable.Range(0, 64).Select(async i =>
        {
            using var answer = await (i % 2 == 0 ? a : b).UploadAsync(Samples.Sine);
            Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
            return JsonDocument.Parse(await answer.Content.ReadAsStringAsync()).RootElement.GetProperty("resultCode").GetString();
        }));

        Assert.Equal(10, codes.Count(c => c == "0"));
        Assert.Equal(54, codes.Count(c => c == "0300003"));
        Assert.Equal(12, (await cluster.FileRowsAsync()).Count(r => r.Path.StartsWith($"/3rdfile/{CcfsFactory.Vdn}/", StringComparison.Ordinal)));
        Assert.Equal(12, await UsedFilesAsync(cluster.B.Http));
    }

    private static async Task<JsonElement> VdnAsync(HttpClient http)
    {
        using var response = await TwoNodeCluster.Admin(http).SendAsync(HttpMethod.Get, "/admin/api/vdns");
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("vdns").EnumerateArray()
            .Single(v => v.GetProperty("vdnId").GetInt32() == CcfsFactory.Vdn).GetProperty("quota").Clone();
    }

    private static async Task<long?> QuotaFilesAsync(HttpClient http) =>
        (await VdnAsync(http)).TryGetProperty("quotaFiles", out var files) ? files.GetInt64() : null;

    private static async Task<long> UsedFilesAsync(HttpClient http) => (await VdnAsync(http)).GetProperty("usedFiles").GetInt64();
}

using System.Text.Json;

namespace Ccfs.Browser.Tests;

/// <summary>The page's WebCrypto signer against every positive vector of spec/auth-v2-vectors.json, in Chromium.</summary>
[Collection(AdminPageCollection.Name)]
public sealed class SignerVectorTests(AdminPageHost host)
{
    [Fact]
    public async Task The_page_signer_reproduces_every_positive_auth_v2_vector()
    {
        using var vectors = JsonDocument.Parse(await File.ReadAllTextAsync(TestData.AuthV2Vectors));
        var positive = vectors.RootElement.GetProperty("vectors");
        var page = await host.OpenAsync();

        var results = await page.EvaluateAsync<JsonElement>("""
            async (vectorsJson) => {
              const { sign } = await import('/admin/signer.js');
              const out = [];
              for (const v of JSON.parse(vectorsJson)) {
                const r = await sign({
                  accessKey: v.accessKey, secretKey: v.secretKey, timestamp: v.timestamp, method: v.method, path: v.path,
                  query: v.query, headers: Object.entries(v.signedHeaders), body: v.body ?? '',
                });
                out.push({ name: v.name, signingKey: r.signingKey, authorization: r.authorization,
                  canonicalRequest: new TextDecoder().decode(r.canonicalRequest) });
              }
              return out;
            }
            """, positive.GetRawText());

        Assert.True(positive.GetArrayLength() >= 7);
        Assert.Equal(positive.GetArrayLength(), results.GetArrayLength());
        foreach (var (expected, actual) in positive.EnumerateArray().Zip(results.EnumerateArray()))
        {
            var name = expected.GetProperty("name").GetString();
            Assert.Equal(name, actual.GetProperty("name").GetString());
            Assert.True(expected.GetProperty("canonicalRequest").GetString() == actual.GetProperty("canonicalRequest").GetString(),
                $"{name}: canonical request\n{actual.GetProperty("canonicalRequest").GetString()}");
            Assert.True(expected.GetProperty("signingKey").GetString() == actual.GetProperty("signingKey").GetString(), $"{name}: signing key");
            Assert.True(expected.GetProperty("authorization").GetString() == actual.GetProperty("authorization").GetString(), $"{name}: authorization");
        }
    }
}

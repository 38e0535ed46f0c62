using System.Net;
using System.Text.Json;

namespace Ccfs.Tests;

/// <summary>Reads and checks the two answer shapes: the CC-FS triple and the Spring error body.</summary>
public static class CcfsAnswer
{
    public static async Task<JsonElement> AssertTripleAsync(HttpResponseMessage response, string resultCode, string resultDesc,
        HttpStatusCode status = HttpStatusCode.OK)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"HTTP {(int)response.StatusCode}, {status} expected: {text} (X-Ccfs-Reason: {Reason(response)})");
        Assert.Equal("application/json;charset=UTF-8", response.Content.Headers.ContentType?.ToString().Replace(" ", "", StringComparison.Ordinal));
        var json = JsonDocument.Parse(text).RootElement;
        Assert.Equal(resultCode, json.GetProperty("resultCode").GetString());
        Assert.Equal(resultDesc, json.GetProperty("resultDesc").GetString());
        if (resultCode != "0")
        {
            Assert.Equal(JsonValueKind.String, json.GetProperty("resultData").ValueKind);
            Assert.Equal("", json.GetProperty("resultData").GetString());
        }

        return json;
    }

    public static async Task AssertSpringAsync(HttpResponseMessage response, HttpStatusCode status, string path)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"HTTP {(int)response.StatusCode}, {status} expected: {text}");
        var json = JsonDocument.Parse(text).RootElement;
        Assert.Equal((int)status, json.GetProperty("status").GetInt32());
        Assert.Equal(ReasonPhrase(status), json.GetProperty("error").GetString());
        Assert.Equal("No message available", json.GetProperty("message").GetString());
        Assert.Equal(path, json.GetProperty("path").GetString());
        Assert.True(json.GetProperty("timestamp").GetInt64() > 1_500_000_000_000);
    }

    /// <summary>The answer's resultCode alone, for a test that accepts more than one.</summary>
    public static async Task<string> ResultCodeAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("resultCode").GetString()!;

    public static string? Reason(HttpResponseMessage response) =>
        response.Headers.TryGetValues("X-Ccfs-Reason", out var values) ? values.Single() : null;

    private static string ReasonPhrase(HttpStatusCode status) => status switch
    {
        HttpStatusCode.Unauthorized => "Unauthorized",
        HttpStatusCode.Forbidden => "Forbidden",
        HttpStatusCode.NotFound => "Not Found",
        HttpStatusCode.MethodNotAllowed => "Method Not Allowed",
        HttpStatusCode.BadRequest => "Bad Request",
        HttpStatusCode.UnsupportedMediaType => "Unsupported Media Type",
        _ => status.ToString(),
    };
}

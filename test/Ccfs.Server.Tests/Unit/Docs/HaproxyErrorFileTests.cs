using System.Text;
using System.Text.Json;
using Ccfs.Protocol;

namespace Ccfs.Server.Tests.Unit.Docs;

/// <summary>The error files deploy/haproxy.cfg answers with are whole HTTP answers in CC-FS's shape (served: HaproxyAnswerTests).</summary>
public sealed class HaproxyErrorFileTests
{
    [Theory]
    [InlineData("haproxy-502.http", 502)]
    [InlineData("haproxy-503.http", 503)]
    [InlineData("haproxy-504.http", 504)]
    public void Every_error_file_is_a_whole_http_answer_whose_content_length_is_its_body(string file, int status)
    {
        var text = File.ReadAllText(Path.Combine(TestData.RepositoryRoot, "deploy", file));
        var (head, body) = text.Split("\n\n", 2) is [var h, var b] ? (h, b) : throw new InvalidOperationException($"{file} has no empty line");
        var lines = head.Split('\n');

        Assert.StartsWith($"HTTP/1.0 {status} ", lines[0], StringComparison.Ordinal);
        Assert.Contains("Content-Type: " + CcfsPaths.JsonContentType, lines);
        Assert.Contains($"Content-Length: {Encoding.UTF8.GetByteCount(body)}", lines);
        Assert.Equal(ResultCodes.ServiceUnavailable, JsonDocument.Parse(body).RootElement.GetProperty("resultCode").GetString());
    }
}

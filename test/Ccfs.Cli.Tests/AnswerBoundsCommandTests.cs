using System.Text;
using Microsoft.AspNetCore.Http;

namespace Ccfs.Cli.Tests;

/// <summary>The CLI reads only so much of an answer: an endless body fails with exit 4 rather than filling memory.</summary>
public sealed class AnswerBoundsCommandTests
{
    [Fact]
    public async Task Events_tail_against_an_endless_answer_exits_4_once_it_passes_the_limit()
    {
        await using var endpoint = await FakeEndpoint.StartAsync(async http =>
        {
            http.Response.ContentType = "application/json";
            await http.Response.WriteAsync("""{"next":1,"events":[""");
            var chunk = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("{},", 256 * 1024)));
            // Bounded, but past the limit: 3 × 256 Ki × 128 bytes.
            for (var i = 0; i < 128 && !http.RequestAborted.IsCancellationRequested; i++)
            {
                await http.Response.Body.WriteAsync(chunk, http.RequestAborted);
            }
        });

        var result = await Cli.RunAsync(endpoint.Environment(), "events", "tail");

        Assert.Equal(ExitCodes.Unreachable, result.ExitCode);
        Assert.Contains($"larger than {ConnectionSettings.MaxAnswerBytes / 1024 / 1024} MiB", result.Error, StringComparison.Ordinal);
    }
}

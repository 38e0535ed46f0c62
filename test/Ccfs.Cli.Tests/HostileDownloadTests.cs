using Microsoft.AspNetCore.Http;

namespace Ccfs.Cli.Tests;

/// <summary>
/// <c>ccfs download</c> against endpoints that answer anything but a file: the existing target keeps its bytes, no
/// temporary file is left, and the exit code says what came back.
/// </summary>
public sealed class HostileDownloadTests : IDisposable
{
    private const string FileName = "Y:/3rdfile/53/thirdvoicebotfile/AAAAAAAA_1631869974029.wav";
    private static readonly byte[] Existing = [.. "the file that was there before"u8];
    private readonly string _work = Directory.CreateTempSubdirectory("ccfs-hostile-download-").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    public static TheoryData<string, string?, string, int> NotFiles => new()
    {
        { """{"resultCode":"0","resultDesc":"success","resultData":""}""", "application/json;charset=UTF-8", "without the file", ExitCodes.Unreachable },
        { "<html><body><h1>502 Bad Gateway</h1><hr>nginx</body></html>", "text/html", "text/html", ExitCodes.Unreachable },
        { """{"resultCode":"0300011","resultDesc":"file does not exist","resultData":""}""", null, "0300011", ExitCodes.Failed },
    };

    [Theory]
    [MemberData(nameof(NotFiles))]
    public async Task An_answer_that_is_not_a_file_leaves_the_existing_target_as_it_was(string body, string? contentType, string said, int exitCode)
    {
        await using var endpoint = await FakeEndpoint.StartAsync(http =>
        {
            if (contentType is not null)
            {
                http.Response.ContentType = contentType;
            }

            return http.Response.WriteAsync(body);
        });
        var target = Path.Combine(_work, "prompt.wav");
        await File.WriteAllBytesAsync(target, Existing);

        var result = await Cli.RunAsync(endpoint.Environment(), "download", FileName, "-o", target);

        Assert.Equal(exitCode, result.ExitCode);
        Assert.Contains(said, result.Error, StringComparison.Ordinal);
        Assert.Equal("", result.Out);
        Assert.Equal(Existing, await File.ReadAllBytesAsync(target));
        Assert.Equal([target], Directory.GetFileSystemEntries(_work));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_file_larger_than_max_bytes_is_not_written_and_the_message_names_the_flag_that_lets_it_through(bool announced)
    {
        var file = Enumerable.Repeat((byte)'R', 3000).ToArray();
        await using var endpoint = await FakeEndpoint.StartAsync(http =>
        {
            http.Response.ContentType = "audio/wav";
            if (announced)
            {
                http.Response.ContentLength = file.Length;
            }

            return http.Response.Body.WriteAsync(file).AsTask();
        });
        var target = Path.Combine(_work, "recording.wav");
        await File.WriteAllBytesAsync(target, Existing);

        var refused = await Cli.RunAsync(endpoint.Environment(), "download", FileName, "-o", target, "--max-bytes", "2KB");
        var unbounded = await Cli.RunAsync(endpoint.Environment(), "download", FileName, "-o", target, "--max-bytes", "none");

        Assert.Equal(ExitCodes.Unreachable, refused.ExitCode);
        Assert.Contains("larger than --max-bytes, 2048 bytes", refused.Error, StringComparison.Ordinal);
        Assert.Contains("pass a larger --max-bytes", refused.Error, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Success, unbounded.ExitCode);
        Assert.Equal(file, await File.ReadAllBytesAsync(target));
        Assert.Equal([target], Directory.GetFileSystemEntries(_work));
    }

    [Fact]
    public async Task A_max_bytes_that_is_not_a_size_is_a_usage_error()
    {
        var result = await Cli.RunAsync(new Dictionary<string, string?>(), "download", FileName, "--max-bytes", "lots");

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("'lots' is not a size", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_file_whose_body_stops_exits_4_after_four_attempts_of_timeout_seconds_each_and_leaves_the_target()
    {
        var requests = 0;
        await using var endpoint = await FakeEndpoint.StartAsync(async http =>
        {
            Interlocked.Increment(ref requests);
            http.Response.ContentType = "Application/Octet-stream;charset=UTF-8";
            http.Response.ContentLength = 1000;
            await http.Response.Body.WriteAsync(new byte[10]);
            await http.Response.Body.FlushAsync();
            await Task.Delay(TimeSpan.FromSeconds(60), http.RequestAborted);
        });
        var target = Path.Combine(_work, "prompt.wav");
        await File.WriteAllBytesAsync(target, Existing);

        var result = await Cli.RunAsync(endpoint.Environment(), "download", FileName, "-o", target, "--timeout", "1");

        Assert.Equal(ExitCodes.Unreachable, result.ExitCode);
        Assert.Contains("did not answer in time (--timeout)", result.Error, StringComparison.Ordinal);
        Assert.Equal(4, requests);
        Assert.Equal(Existing, await File.ReadAllBytesAsync(target));
        Assert.Equal([target], Directory.GetFileSystemEntries(_work));
    }

    [Fact]
    public async Task A_download_interrupted_while_it_waits_says_so_rather_than_blaming_the_timeout()
    {
        var waiting = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var endpoint = await FakeEndpoint.StartAsync(async http =>
        {
            waiting.TrySetResult();
            await Task.Delay(TimeSpan.FromSeconds(60), http.RequestAborted);
        });
        var target = Path.Combine(_work, "prompt.wav");
        await File.WriteAllBytesAsync(target, Existing);
        using var interrupt = new CancellationTokenSource();

        var running = Cli.RunInAsync(null, endpoint.Environment(), interrupt.Token, "download", FileName, "-o", target, "--timeout", "100");
        await waiting.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await interrupt.CancelAsync();
        var result = await running;

        Assert.Equal(ExitCodes.Interrupted, result.ExitCode);
        Assert.Contains("interrupted", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("--timeout", result.Error, StringComparison.Ordinal);
        Assert.Equal(Existing, await File.ReadAllBytesAsync(target));
        Assert.Equal([target], Directory.GetFileSystemEntries(_work));
    }
}

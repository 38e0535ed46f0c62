using System.Collections.Concurrent;
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Ccfs.Audio;
using Ccfs.Client;
using Polly.Timeout;

namespace Ccfs.Cli.Commands;

/// <summary>
/// <c>ccfs bench</c>: a load of signed uploads, a fixed number at a time, for a duration or a count. Prints
/// throughput, latency percentiles and the resultCodes seen, then deletes what it stored unless told to keep it.
/// </summary>
internal static class BenchCommand
{
    public static Command Create(ConnectionOptions connection, CliConsole console)
    {
        var size = new Option<string>("--size") { Description = "Size of each uploaded WAV (e.g. 100KB, 1MB; binary units)", DefaultValueFactory = _ => "1MB" };
        var concurrency = new Option<int>("--concurrency") { Description = "Uploads in flight at once", DefaultValueFactory = _ => 8 };
        var duration = new Option<string>("--duration") { Description = "How long to keep uploading (e.g. 20s, 2m)", DefaultValueFactory = _ => "20s" };
        var requests = new Option<int?>("--requests") { Description = "Stop after this many uploads, even before the duration ends" };
        var keep = new Option<bool>("--keep") { Description = "Keep the uploaded files instead of deleting them afterwards" };
        var command = new Command("bench", "Measure upload throughput and latency against an endpoint")
        {
            size, concurrency, duration, requests, keep,
        };
        command.SetAction((parse, cancellation) => CcfsCli.GuardAsync(console, async () =>
        {
            var settings = connection.Resolve(parse, console);
            var bytes = Units.ParseSize(parse.GetValue(size)!);
            var workers = parse.GetValue(concurrency);
            if (workers < 1 || bytes < WaveWriter.ALawHeaderLength + 2 || bytes > int.MaxValue)
            {
                throw new UsageException("--concurrency must be at least 1 and --size between 60 B and 2 GB");
            }

            var wav = Prompt((int)bytes);
            var handler = settings.CreateHandler();
            handler.MaxConnectionsPerServer = workers;
            using var http = new HttpClient(handler) { BaseAddress = settings.Endpoint, Timeout = settings.Timeout };
            var client = new CcfsClient(http, settings.ClientOptions());
            var run = await RunAsync(client, wav, settings.Vdn, workers, Units.ParseDuration(parse.GetValue(duration)!),
                parse.GetValue(requests) ?? int.MaxValue, cancellation);
            await PrintAsync(console, run, wav.Length, workers);
            if (!parse.GetValue(keep))
            {
                await DeleteAsync(console, client, run.Stored, workers);
            }

            return run.Codes.Keys.All(code => code == "0") ? ExitCodes.Success : ExitCodes.Failed;
        }));
        return command;
    }

    private sealed record Run(List<double> Latencies, ConcurrentDictionary<string, int> Codes, ConcurrentBag<string> Stored, TimeSpan Elapsed);

    private static async Task<Run> RunAsync(CcfsClient client, byte[] wav, int vdn, int workers, TimeSpan duration, int maximum,
        CancellationToken cancellation)
    {
        var latencies = new List<double>();
        var codes = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        var stored = new ConcurrentBag<string>();
        var started = 0;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, workers).Select(async _ =>
        {
            while (clock.Elapsed < duration && Interlocked.Increment(ref started) <= maximum && !cancellation.IsCancellationRequested)
            {
                var begin = Stopwatch.GetTimestamp();
                string code;
                try
                {
                    var response = await client.UploadAsync(new MemoryStream(wav, writable: false), vdn, cancellation);
                    code = response.ResultCode;
                    if (response.Data is { } data)
                    {
                        stored.Add(data.FileName);
                    }
                }
                catch (Exception e) when (!cancellation.IsCancellationRequested && ErrorCode(e) is { } error)
                {
                    code = error;
                }

                var elapsed = Stopwatch.GetElapsedTime(begin).TotalMilliseconds;
                lock (latencies)
                {
                    latencies.Add(elapsed);
                }

                codes.AddOrUpdate(code, 1, (_, n) => n + 1);
            }
        }));
        return new Run(latencies, codes, stored, clock.Elapsed);
    }

    /// <summary>A failed upload as the report counts it beside the resultCodes; null for what no load should meet.</summary>
    private static string? ErrorCode(Exception e) => e switch
    {
        CcfsRequestException request => $"HTTP {request.Status}",
        TaskCanceledException or TimeoutRejectedException => "timeout",
        HttpRequestException or IOException => e.GetType().Name,
        _ => null,
    };

    /// <summary>Deletes what the run stored; one that cannot be deleted is named, not a reason to stop.</summary>
    private static async Task DeleteAsync(CliConsole console, CcfsClient client, IEnumerable<string> stored, int workers)
    {
        var left = new ConcurrentBag<string>();
        await Parallel.ForEachAsync(stored, new ParallelOptions { MaxDegreeOfParallelism = workers }, async (name, token) =>
        {
            try
            {
                if (!(await client.DeleteAsync(name, cancellationToken: token)).IsSuccess)
                {
                    left.Add(name);
                }
            }
            catch (Exception e) when (ErrorCode(e) is not null)
            {
                left.Add(name);
            }
        });
        if (!left.IsEmpty)
        {
            await console.Error.WriteLineAsync($"{left.Count} stored files could not be deleted: {string.Join(", ", left)}");
        }
    }

    private static async Task PrintAsync(CliConsole console, Run run, int bytes, int workers)
    {
        var latencies = run.Latencies.Order().ToList();
        double Percentile(double p) => latencies.Count == 0 ? 0 : latencies[Math.Min(latencies.Count - 1, (int)Math.Ceiling(p * latencies.Count) - 1)];
        var seconds = run.Elapsed.TotalSeconds;
        await console.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"{latencies.Count} uploads of {bytes} bytes, {workers} at a time, in {seconds:F2} s: "
            + $"{latencies.Count / seconds:F1} uploads/s, {latencies.Count * (double)bytes / seconds / 1e6:F1} MB/s"));
        await console.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"latency ms: p50 {Percentile(0.50):F0}, p90 {Percentile(0.90):F0}, p99 {Percentile(0.99):F0}, max {(latencies.Count == 0 ? 0 : latencies[^1]):F0}"));
        await console.Out.WriteLineAsync("resultCodes: " + string.Join(", ",
            run.Codes.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => $"{c.Key} x{c.Value}")));
    }

    /// <summary>An A-law WAV of exactly the asked size (one byte more if that leaves odd data), of random samples.</summary>
    private static byte[] Prompt(int bytes)
    {
        var samples = new byte[bytes - WaveWriter.ALawHeaderLength];
        Random.Shared.NextBytes(samples);
        return WaveWriter.ALaw(samples);
    }
}

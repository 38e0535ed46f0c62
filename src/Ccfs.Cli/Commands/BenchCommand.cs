using System.Collections.Concurrent;
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Ccfs.Audio;
using Ccfs.Client;
using Ccfs.Protocol;
using Spectre.Console;

namespace Ccfs.Cli.Commands;

/// <summary>
/// <c>ccfs bench</c>: a load of signed uploads, a fixed number at a time, for a duration or a count. Prints the
/// throughput and latency of the uploads stored, the refusals by resultCode, then deletes what it stored unless told to
/// keep it. At a terminal, a progress bar on the error stream shows the run as it goes.
/// </summary>
internal static class BenchCommand
{
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromMilliseconds(250);

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
            var load = new Load(client, wav, settings.Vdn, workers, Units.ParseDuration(parse.GetValue(duration)!),
                parse.GetValue(requests) ?? int.MaxValue);
            var run = console.ErrorIsTerminal ? await RunWithProgressAsync(console, load, cancellation) : await load.RunAsync(cancellation);
            await PrintAsync(console, run, wav.Length, workers);
            if (!parse.GetValue(keep))
            {
                await DeleteAsync(console, client, run.Stored, workers);
            }

            return run.Codes.Keys.All(code => code == ResultCodes.Success) ? ExitCodes.Success : ExitCodes.Failed;
        }));
        return command;
    }

    /// <param name="Latencies">Milliseconds of the uploads that were stored (resultCode 0).</param>
    /// <param name="Codes">Every answer by resultCode, and every failure without one by <see cref="Failure.Label"/>.</param>
    private sealed record Run(List<double> Latencies, IReadOnlyDictionary<string, int> Codes, ConcurrentBag<string> Stored, TimeSpan Elapsed)
    {
        public int Sent => Codes.Values.Sum();
    }

    /// <summary>The uploads of one run: a fixed number in flight, until the duration ends or the count is reached.</summary>
    private sealed class Load(CcfsClient client, byte[] wav, int vdn, int workers, TimeSpan duration, int maximum)
    {
        private readonly List<double> _latencies = [];
        private readonly ConcurrentDictionary<string, int> _codes = new(StringComparer.Ordinal);
        private readonly ConcurrentBag<string> _stored = [];
        private readonly Stopwatch _clock = new();
        private int _started;
        private int _answered;

        public int Sent => _codes.Values.Sum();

        public int StoredCount => _stored.Count;

        /// <summary>How far the run is, from 0 to 1: by time, or by count when a count was asked for and comes first.</summary>
        public double Done => Math.Min(1, Math.Max(_clock.Elapsed / duration, maximum == int.MaxValue ? 0 : Sent / (double)maximum));

        public async Task<Run> RunAsync(CancellationToken cancellation)
        {
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
            Exception? unreachable = null;
            _clock.Start();
            await Task.WhenAll(Enumerable.Range(0, workers).Select(async _ =>
            {
                while (_clock.Elapsed < duration && Interlocked.Increment(ref _started) <= maximum && !stop.IsCancellationRequested)
                {
                    var begin = Stopwatch.GetTimestamp();
                    string code;
                    try
                    {
                        var response = await client.UploadAsync(new MemoryStream(wav, writable: false), vdn, stop.Token);
                        code = response.ResultCode;
                        Interlocked.Increment(ref _answered);
                        if (response.Data is { } data)
                        {
                            _stored.Add(data.FileName);
                            lock (_latencies)
                            {
                                _latencies.Add(Stopwatch.GetElapsedTime(begin).TotalMilliseconds);
                            }
                        }
                    }
                    catch (Exception e) when (Failure.IsUnreachable(e) && Volatile.Read(ref _answered) == 0)
                    {
                        // Nothing has ever answered: the endpoint is not there, and a report of refusals would mislead.
                        Interlocked.CompareExchange(ref unreachable, e, null);
                        await stop.CancelAsync();
                        return;
                    }
                    catch (OperationCanceledException) when (stop.IsCancellationRequested && !cancellation.IsCancellationRequested)
                    {
                        return; // another worker found the endpoint unreachable
                    }
                    catch (Exception e) when (!stop.IsCancellationRequested && Failure.Label(e) is { } label)
                    {
                        code = label;
                    }

                    _codes.AddOrUpdate(code, 1, (_, n) => n + 1);
                }
            }));
            _clock.Stop();
            if (unreachable is not null)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(unreachable);
            }

            return new Run(_latencies, _codes, _stored, _clock.Elapsed);
        }
    }

    /// <summary>Runs the load under a progress bar on the error stream, which a person at a terminal watches.</summary>
    private static async Task<Run> RunWithProgressAsync(CliConsole console, Load load, CancellationToken cancellation)
    {
        Run? run = null;
        await console.Progress.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .StartAsync(async context =>
            {
                var task = context.AddTask("bench", maxValue: 1);
                var running = load.RunAsync(cancellation);
                while (await Task.WhenAny(running, Task.Delay(ProgressInterval, CancellationToken.None)) != running)
                {
                    Show(task, load);
                }

                run = await running;
                Show(task, load);
                task.Value = 1;
            });
        return run!;

        static void Show(ProgressTask task, Load load)
        {
            task.Description = Markup.Escape($"bench: sent {load.Sent}, stored {load.StoredCount}");
            task.Value = load.Done;
        }
    }

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
            catch (Exception e) when (Failure.Label(e) is not null)
            {
                left.Add(name);
            }
        });
        if (!left.IsEmpty)
        {
            await console.Error.WriteLineAsync($"{left.Count} stored files could not be deleted: {string.Join(", ", left)}");
        }
    }

    /// <summary>
    /// Throughput and latency count stored uploads only: a refusal (too large, wrong format, flow control) is answered
    /// from far less work, and counting it would report a speed no upload reached. Refusals are counted by code.
    /// </summary>
    private static async Task PrintAsync(CliConsole console, Run run, int bytes, int workers)
    {
        var latencies = run.Latencies.Order().ToList();
        double Percentile(double p) => latencies[Math.Min(latencies.Count - 1, (int)Math.Ceiling(p * latencies.Count) - 1)];
        var seconds = run.Elapsed.TotalSeconds;
        var stored = latencies.Count;
        await console.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"{run.Sent} uploads of {bytes} bytes sent, {workers} at a time, in {seconds:F2} s: {stored} stored, {run.Sent - stored} not stored"));
        if (stored > 0)
        {
            await console.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"stored: {stored / seconds:F1} uploads/s, {stored * (double)bytes / seconds / 1e6:F1} MB/s; "
                + $"latency ms: p50 {Percentile(0.50):F0}, p90 {Percentile(0.90):F0}, p99 {Percentile(0.99):F0}, max {latencies[^1]:F0}"));
        }
        else
        {
            await console.Out.WriteLineAsync("stored: none, so no throughput or latency to report");
        }

        var notStored = run.Codes.Where(c => c.Key != ResultCodes.Success).OrderBy(c => c.Key, StringComparer.Ordinal).ToList();
        if (notStored.Count > 0)
        {
            await console.Out.WriteLineAsync("not stored: " + string.Join(", ", notStored.Select(c => $"{c.Key} x{c.Value}")));
        }

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

using System.Collections.Concurrent;
using System.Globalization;
using Ccfs.Server.Audit;

namespace Ccfs.Server.Observability;

/// <summary>
/// Keeps repeated authentication refusals (401, 403) from filling the log and the audit trail: per client address and
/// kind of refusal, the first in each <see cref="Window"/> is logged and audited as itself, and the rest are counted and
/// reported together, in one log line and one audit entry (with its <c>repeats</c>), when the window ends. So refusals
/// add at most two log lines and two audit rows per address, kind and minute, however fast they come; past
/// <see cref="MaxTracked"/> addresses, new ones share one tally (address <c>*</c>). Metrics still count every one.
/// </summary>
public sealed partial class RefusalDigest(TimeProvider time, AuditTrail audit, ILogger<RefusalDigest> logger) : BackgroundService
{
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    public const int MaxTracked = 10_000;

    private const string Overflow = "*";

    private readonly ConcurrentDictionary<(string Address, int Status, string Reason), Tally> _tallies = new();

    /// <summary>True when this refusal is logged and audited as itself; false when it is only counted, for the window's summary.</summary>
    public bool Admit(InterfaceCall call, int status, string reason)
    {
        var now = time.GetUtcNow();
        while (true)
        {
            var key = (call.ClientAddress, status, reason);
            if (!_tallies.TryGetValue(key, out var tally))
            {
                if (_tallies.Count >= MaxTracked)
                {
                    key = (Overflow, status, reason);
                }

                tally = _tallies.GetOrAdd(key, _ => new Tally());
            }

            lock (tally)
            {
                if (tally.Retired)
                {
                    continue;
                }

                var windowEnded = tally.Started is not { } started || now - started >= Window;
                if (windowEnded)
                {
                    Report(key, tally, now);
                    tally.Started = now;
                }

                if (windowEnded && key.Item1 != Overflow)
                {
                    return true;
                }

                tally.Suppressed++;
                tally.Last = call;
                return false;
            }
        }
    }

    /// <summary>Reports every window that has ended, so a client that went quiet still has its count written.</summary>
    public void ReportEnded()
    {
        var now = time.GetUtcNow();
        foreach (var (key, tally) in _tallies)
        {
            lock (tally)
            {
                if (tally.Started is { } started && now - started >= Window)
                {
                    Report(key, tally, now);
                    tally.Retired = true;
                    _tallies.TryRemove(new KeyValuePair<(string, int, string), Tally>(key, tally));
                }
            }
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Window / 4, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                ReportEnded();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        ReportEnded();
        foreach (var (key, tally) in _tallies)
        {
            lock (tally)
            {
                Report(key, tally, time.GetUtcNow());
            }
        }
    }

    /// <summary>Called under the tally's lock: writes the count of refusals not reported singly since the window began.</summary>
    private void Report((string Address, int Status, string Reason) key, Tally tally, DateTimeOffset now)
    {
        if (tally.Suppressed == 0 || tally.Last is not { } last)
        {
            return;
        }

        LogRepeated(logger, tally.Suppressed, key.Address, key.Status, key.Reason, tally.Started!.Value);
        audit.RecordRepeats(last, key.Address, key.Status.ToString(CultureInfo.InvariantCulture), tally.Suppressed, now);
        tally.Suppressed = 0;
        tally.Last = null;
    }

    [LoggerMessage(LogLevel.Information, "Refused {Count} more request(s) from {ClientIp} with HTTP {Status} ({Reason}) since {Since:o}; "
        + "each kind of refusal is logged once per address and minute")]
    private static partial void LogRepeated(ILogger logger, long count, string clientIp, int status, string reason, DateTimeOffset since);

    private sealed class Tally
    {
        public DateTimeOffset? Started { get; set; }

        /// <summary>Removed from the tallies: a refusal that finds it takes a new one.</summary>
        public bool Retired { get; set; }

        public long Suppressed { get; set; }

        public InterfaceCall? Last { get; set; }
    }
}

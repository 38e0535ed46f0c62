using Ccfs.Server.Catalog;
using Ccfs.Server.Observability;
using Ccfs.Server.Parameters;
using Prometheus;

namespace Ccfs.Server.Quotas;

/// <summary>
/// Quotas in the server's registry: uploads refused for a full quota, and per VDN its usage and its quotas, read from
/// the catalog at each scrape (so every node reports the cluster's one truth). A scrape waits for that read at most
/// <see cref="ScrapeWait"/>: with the catalog slow or frozen it answers at once with the last values, and
/// <c>ccfs_vdn_usage_age_seconds</c> says how old they are, so every other metric stays readable during the incident.
/// </summary>
public sealed class QuotaMetrics
{
    public static readonly TimeSpan ScrapeWait = TimeSpan.FromSeconds(1);

    private readonly Lock _lock = new();
    private readonly IFileCatalog _catalog;
    private readonly IParameterSource _parameters;
    private readonly TimeProvider _time;
    private Task _reading = Task.CompletedTask;
    private long _readAt;
    private readonly Gauge _usedFiles;
    private readonly Gauge _usedBytes;
    private readonly Gauge _quotaFiles;
    private readonly Gauge _quotaBytes;
    private HashSet<string> _seen = [];

    public QuotaMetrics(CcfsMetrics metrics, IFileCatalog catalog, IParameterSource parameters, TimeProvider time)
    {
        _catalog = catalog;
        _parameters = parameters;
        _time = time;
        _readAt = time.GetTimestamp();
        var factory = Metrics.WithCustomRegistry(metrics.Registry);
        Refusals = factory.CreateCounter("ccfs_quota_refusals_total", "Uploads refused because their VDN's quota was full, by VDN and limit (files, bytes)",
            "vdn", "limit");
        Expired = factory.CreateCounter("ccfs_retention_deleted_total", "Files the retention sweeper deleted, by VDN", "vdn");
        _usedFiles = factory.CreateGauge("ccfs_vdn_used_files", "Files a VDN holds as its quota counts them (stored and being uploaded)", "vdn");
        _usedBytes = factory.CreateGauge("ccfs_vdn_used_bytes", "Bytes of the files a VDN holds as its quota counts them", "vdn");
        _quotaFiles = factory.CreateGauge("ccfs_vdn_quota_files", "A VDN's quotaFiles; absent when unlimited", "vdn");
        _quotaBytes = factory.CreateGauge("ccfs_vdn_quota_bytes", "A VDN's quotaMb in bytes; absent when unlimited", "vdn");
        var age = factory.CreateGauge("ccfs_vdn_usage_age_seconds",
            "Seconds since the ccfs_vdn_* gauges were last read from the catalog: they keep their last values while it is out of reach");
        metrics.Registry.AddBeforeCollectCallback(async cancellationToken =>
        {
            Task reading;
            lock (_lock)
            {
                // One read at a time: scrapes during a frozen catalog wait for the one under way, not for one each.
                reading = _reading = _reading.IsCompleted ? ReadAsync() : _reading;
            }

            await Task.WhenAny(reading, Task.Delay(ScrapeWait, _time, cancellationToken));
            age.Set(_time.GetElapsedTime(Interlocked.Read(ref _readAt)).TotalSeconds);
        });
    }

    public Counter Refusals { get; }

    public Counter Expired { get; }

    private async Task ReadAsync()
    {
        await Task.Yield();
        try
        {
            Observe(await _catalog.ListUsageAsync(CancellationToken.None), _parameters);
            Interlocked.Exchange(ref _readAt, _time.GetTimestamp());
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The catalog is away: the gauges keep their last values, and their age grows; /readyz reports the catalog.
        }
    }

    private void Observe(IReadOnlyList<VdnUsage> usage, IParameterSource parameters)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var vdn in usage)
        {
            var label = vdn.VdnId.ToString(System.Globalization.CultureInfo.InvariantCulture);
            seen.Add(label);
            _usedFiles.WithLabels(label).Set(vdn.Files);
            _usedBytes.WithLabels(label).Set(vdn.Bytes);
            var quota = parameters.For(vdn.VdnId).Quota;
            Set(_quotaFiles, label, quota.MaxFiles);
            Set(_quotaBytes, label, quota.MaxBytes);
        }

        foreach (var gone in _seen.Except(seen))
        {
            foreach (var gauge in new[] { _usedFiles, _usedBytes, _quotaFiles, _quotaBytes })
            {
                gauge.RemoveLabelled(gone);
            }
        }

        _seen = seen;
    }

    private static void Set(Gauge gauge, string label, long? value)
    {
        if (value is { } v)
        {
            gauge.WithLabels(label).Set(v);
        }
        else
        {
            gauge.RemoveLabelled(label);
        }
    }
}

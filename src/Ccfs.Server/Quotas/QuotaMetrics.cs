using Ccfs.Server.Catalog;
using Ccfs.Server.Observability;
using Ccfs.Server.Parameters;
using Prometheus;

namespace Ccfs.Server.Quotas;

/// <summary>
/// Quotas in the server's registry: uploads refused for a full quota, and per VDN its usage and its quotas, read from
/// the catalog at each scrape (so every node reports the cluster's one truth).
/// </summary>
public sealed class QuotaMetrics
{
    private readonly Gauge _usedFiles;
    private readonly Gauge _usedBytes;
    private readonly Gauge _quotaFiles;
    private readonly Gauge _quotaBytes;
    private HashSet<string> _seen = [];

    public QuotaMetrics(CcfsMetrics metrics, IFileCatalog catalog, IParameterSource parameters)
    {
        var factory = Metrics.WithCustomRegistry(metrics.Registry);
        Refusals = factory.CreateCounter("ccfs_quota_refusals_total", "Uploads refused because their VDN's quota was full, by VDN and limit (files, bytes)",
            "vdn", "limit");
        Expired = factory.CreateCounter("ccfs_retention_deleted_total", "Files the retention sweeper deleted, by VDN", "vdn");
        _usedFiles = factory.CreateGauge("ccfs_vdn_used_files", "Files a VDN holds as its quota counts them (stored and being uploaded)", "vdn");
        _usedBytes = factory.CreateGauge("ccfs_vdn_used_bytes", "Bytes of the files a VDN holds as its quota counts them", "vdn");
        _quotaFiles = factory.CreateGauge("ccfs_vdn_quota_files", "A VDN's quotaFiles; absent when unlimited", "vdn");
        _quotaBytes = factory.CreateGauge("ccfs_vdn_quota_bytes", "A VDN's quotaMb in bytes; absent when unlimited", "vdn");
        metrics.Registry.AddBeforeCollectCallback(async cancellationToken =>
        {
            try
            {
                Observe(await catalog.ListUsageAsync(cancellationToken), parameters);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // A scrape while the catalog is away keeps the last values; /readyz reports the catalog.
            }
        });
    }

    public Counter Refusals { get; }

    public Counter Expired { get; }

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

using Ccfs.Server.Audit;
using Ccfs.Server.Catalog;
using Ccfs.Server.Catalog.Sqlite;
using Ccfs.Server.Configuration;
using Ccfs.Server.Observability;
using Microsoft.Extensions.Logging.Abstractions;

namespace Ccfs.Server.Tests.Unit.Audit;

/// <summary>The audit queue is bounded: what does not fit is dropped, and counted where an operator will see it.</summary>
public sealed class AuditQueueTests
{
    [Fact]
    public void An_entry_the_full_queue_cannot_take_is_counted_in_ccfs_audit_dropped_total()
    {
        var settings = CcfsSettings.Load(new ConfigurationBuilder().Build());
        var metrics = new CcfsMetrics();
        // Not started: nothing drains the queue, as when the catalog cannot be written.
        var trail = new AuditTrail(new AuditStore(new SqliteProvider(Path.Combine(Path.GetTempPath(), "never-opened.db")).Database), settings,
            TimeProvider.System, metrics, NullLogger<AuditTrail>.Instance);
        var call = new InterfaceCall("uploadFile", "127.0.0.1", DateTimeOffset.UtcNow);

        for (var i = 0; i < AuditTrail.Capacity; i++)
        {
            trail.Record(call, "0");
        }

        Assert.Equal(0, metrics.AuditDropped.Value);
        trail.Record(call, "0");
        trail.Record(call, "0");
        Assert.Equal(2, metrics.AuditDropped.Value);
    }
}

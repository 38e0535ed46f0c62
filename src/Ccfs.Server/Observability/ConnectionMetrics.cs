using System.Diagnostics.Metrics;
using Ccfs.Server.Lifecycle;

namespace Ccfs.Server.Observability;

/// <summary>
/// Kestrel's own connection counts, this server's only, in the Prometheus registry: <c>ccfs_connections</c> open now and
/// <c>ccfs_connections_rejected_total</c> closed at once because <c>Ccfs:Limits:MaxConnections</c> was reached.
/// </summary>
public sealed class ConnectionMetrics : IHostedService, IDisposable
{
    private const string KestrelMeter = "Microsoft.AspNetCore.Server.Kestrel";

    private readonly MeterListener _listener = new();

    public ConnectionMetrics(CcfsMetrics metrics, IMeterFactory meters)
    {
        var factory = Prometheus.Metrics.WithCustomRegistry(metrics.Registry);
        var open = factory.CreateGauge("ccfs_connections", "Client connections open now (each listener admits up to Ccfs:Limits:MaxConnections)");
        var rejected = factory.CreateCounter("ccfs_connections_rejected_total", "Connections closed at once because Ccfs:Limits:MaxConnections was reached");
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            // Only this host's Kestrel: its meter comes from this host's factory.
            if (instrument.Meter.Name == KestrelMeter && ReferenceEquals(instrument.Meter.Scope, meters)
                && instrument.Name is "kestrel.active_connections" or "kestrel.rejected_connections")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, _, _) =>
        {
            if (instrument.Name == "kestrel.rejected_connections")
            {
                rejected.Inc(value);
            }
            else if (value >= 0)
            {
                open.Inc(value);
            }
            else
            {
                open.Dec(-value);
            }
        });
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _listener.Start();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose() => _listener.Dispose();
}

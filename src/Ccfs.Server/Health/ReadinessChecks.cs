using System.Text.Json;
using Ccfs.Server.Catalog;
using Ccfs.Server.Storage;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Ccfs.Server.Health;

/// <summary>The catalog's files can be written (checked first: a write to an unwritable SQLite file could kill the process), and it takes a durable write now.</summary>
public sealed class CatalogHealthCheck(CatalogProvider provider, IFileCatalog catalog) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            provider.CheckWritable();
            await catalog.ProbeWriteAsync(cancellationToken).WaitAsync(cancellationToken);
            return HealthCheckResult.Healthy();
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy("the catalog did not take a write within the readiness timeout (Ccfs:Limits:ReadinessTimeout)");
        }
        catch (Exception e)
        {
            return HealthCheckResult.Unhealthy("the catalog cannot be written: " + e.Message);
        }
    }
}

/// <summary>
/// The location takes a file now. A disk location with less room left than one upload of the global size limit is
/// <c>Degraded</c>: still ready (smaller files fit, and deletes free space), but named, before uploads start failing.
/// </summary>
public sealed class LocationHealthCheck(IFileStore store, Parameters.IParameterSource parameters) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await store.CheckWritableAsync(cancellationToken).WaitAsync(cancellationToken);
            var limit = parameters.Global.UploadSizeLimitBytes;
            if (store is Storage.Disk.DiskFileStore disk && Storage.Disk.DiskSpace.FreeBytes(disk.Root) is { } free && free < limit)
            {
                return HealthCheckResult.Degraded($"location {store.LocationId} has {free} bytes free, less than one upload of the size "
                    + $"limit ({limit} bytes): uploads will soon fail with 0300503");
            }

            return HealthCheckResult.Healthy();
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy($"location {store.LocationId} did not take a write within the readiness timeout "
                + "(Ccfs:Limits:ReadinessTimeout)");
        }
        catch (Exception e)
        {
            return HealthCheckResult.Unhealthy($"location {store.LocationId} cannot be written: {e.Message}");
        }
    }
}

public static class ReadinessReport
{
    public const string Tag = "ready";

    /// <summary>Writes each check's status, so an operator sees which location or the catalog is the problem.</summary>
    public static Task WriteAsync(HttpContext http, HealthReport report)
    {
        http.Response.ContentType = "application/json";
        return JsonSerializer.SerializeAsync(http.Response.Body, new
        {
            status = report.Status.ToString(),
            checks = report.Entries.Select(e => new { name = e.Key, status = e.Value.Status.ToString(), description = e.Value.Description }),
        });
    }
}

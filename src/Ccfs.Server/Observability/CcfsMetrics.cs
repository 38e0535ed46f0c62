using Ccfs.Protocol;
using Prometheus;

namespace Ccfs.Server.Observability;

/// <summary>
/// The server's Prometheus metrics, in a registry of its own (so two servers in one process, as in the tests, do not
/// share counters), exposed at <c>/metrics</c>.
/// </summary>
public sealed class CcfsMetrics
{
    public CcfsMetrics()
    {
        Registry = Metrics.NewCustomRegistry();
        var factory = Metrics.WithCustomRegistry(Registry);
        Requests = factory.CreateCounter("ccfs_requests_total", "CC-FS interface requests by interface and resultCode (or HTTP status)",
            "interface", "result_code");
        AuthRejections = factory.CreateCounter("ccfs_auth_rejections_total", "Requests refused with 401 or 403, by reason", "reason");
        BytesStored = factory.CreateCounter("ccfs_bytes_stored_total", "Bytes written to locations by acknowledged uploads (every copy)");
        UploadDuration = factory.CreateHistogram("ccfs_upload_duration_seconds", "Time to answer an upload, waiting for a slot included",
            new HistogramConfiguration
            {
                LabelNames = ["outcome"],
                Buckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
            });
        UploadsInFlight = factory.CreateGauge("ccfs_uploads_in_flight", "Uploads holding one of the Ccfs:Limits:MaxConcurrentUploads slots now");
        UploadsQueued = factory.CreateGauge("ccfs_uploads_queued", "Uploads waiting for a slot now");
        UploadSlotRefusals = factory.CreateCounter("ccfs_upload_slot_refusals_total",
            "Uploads answered 0300503 without a slot: queue_full (every slot and queue place taken) or queue_timeout "
            + "(no slot came free within Ccfs:Limits:UploadQueueTimeout)", "reason");
        DeletesInFlight = factory.CreateGauge("ccfs_deletes_in_flight", "Deletes holding one of the Ccfs:Limits:MaxConcurrentDeletes slots now");
        DeletesQueued = factory.CreateGauge("ccfs_deletes_queued", "Deletes waiting for a slot now");
        DeleteSlotRefusals = factory.CreateCounter("ccfs_delete_slot_refusals_total",
            "Deletes answered 0300503 without a slot: queue_full or queue_timeout (Ccfs:Limits:DeleteQueueTimeout)", "reason");
        ConnectionsRefusedPerAddress = factory.CreateCounter("ccfs_connections_refused_per_address_total",
            "Connections closed at once because their client address already held Ccfs:Limits:MaxConnectionsPerAddress connections");
        PlainHttpOnTlsPort = factory.CreateCounter("ccfs_plain_http_on_tls_port_total",
            "Connections to an HTTPS port that opened with a plain HTTP request, answered 400 'send it to https://'");
        SlowBodies = factory.CreateCounter("ccfs_request_bodies_too_slow_total",
            "Requests dropped because their body arrived slower than Ccfs:Limits:MinRequestBodyRate");
        LockedAddresses = factory.CreateGauge("ccfs_ip_locked_addresses", "Client addresses locked now after repeated authentication failures");
        IpLocks = factory.CreateCounter("ccfs_ip_locks_total", "Times a client address was locked");
        PromptChecks = factory.CreateCounter("ccfs_prompt_checks_total",
            "Prompt-quality checks of uploads, by check (level, clipping, ...) and outcome (pass, fail, not-applicable)", "check", "outcome");
        IntegrityProblems = factory.CreateCounter("ccfs_integrity_problems_total", "Stored copies found corrupt or missing", "location", "kind");
        S3HedgedReads = factory.CreateCounter("ccfs_s3_reads_hedged_total",
            "Reads from an S3 location (HEAD, GET, listing) sent a second time because the first had no answer within a third of S3:Timeout",
            "location", "operation");
        _catalogBatches = factory.CreateCounter("ccfs_catalog_batches_total",
            "Catalog transactions committed; ccfs_catalog_writes_total divided by this is the group-commit factor");
        _catalogWrites = factory.CreateCounter("ccfs_catalog_writes_total", "Catalog writes committed (uploads, deletes, audit, changes)");
        _catalogUnavailable = factory.CreateCounter("ccfs_catalog_unavailable_total",
            "Catalog writes answered as unavailable (503): the database held by another process, unreachable, or slower than Ccfs:Catalog:WriteTimeout");
        AuditDropped = factory.CreateCounter("ccfs_audit_dropped_total", "Audit entries not recorded because the audit queue was full");
        ReceiveBlocksAllocated = factory.CreateCounter("ccfs_receive_blocks_allocated_total",
            "64 KiB blocks allocated for Kestrel's connection buffers; a steady rise under steady load means the pools keep too few");
        ReceiveBlocksInUse = factory.CreateGauge("ccfs_receive_blocks_in_use",
            "64 KiB blocks Kestrel holds now: connections with bytes received but not yet read, or not yet sent");
        factory.CreateGauge("ccfs_build_info", "The ccfs version this process runs (always 1)", "version", "commit")
            .WithLabels(CcfsVersion.Version, CcfsVersion.Commit ?? "").Set(1);

        // The process as a whole: memory, CPU, GC, and the managed bytes allocated so far, from which a load script
        // derives allocation per request without attaching a profiler.
        DotNetStats.Register(Registry);
        var allocated = factory.CreateCounter("dotnet_gc_allocated_bytes_total", "Managed bytes allocated by the process since it started");
        Registry.AddBeforeCollectCallback(() => allocated.IncTo(GC.GetTotalAllocatedBytes()));
    }

    private readonly Counter _catalogBatches;
    private readonly Counter _catalogWrites;
    private readonly Counter _catalogUnavailable;

    public CollectorRegistry Registry { get; }

    /// <summary>Reads the catalog writer's counters at each scrape.</summary>
    public void ObserveCatalog(Catalog.CatalogWriter writer) => Registry.AddBeforeCollectCallback(() =>
    {
        _catalogBatches.IncTo(writer.Batches);
        _catalogWrites.IncTo(writer.Writes);
        _catalogUnavailable.IncTo(writer.Unavailable);
    });

    public Counter Requests { get; }

    public Counter AuthRejections { get; }

    public Counter BytesStored { get; }

    public Histogram UploadDuration { get; }

    public Gauge UploadsInFlight { get; }

    public Gauge UploadsQueued { get; }

    public Counter UploadSlotRefusals { get; }

    public Gauge DeletesInFlight { get; }

    public Gauge DeletesQueued { get; }

    /// <summary>Connections closed at once because their address already held its share (<c>Ccfs:Limits:MaxConnectionsPerAddress</c>).</summary>
    public Counter ConnectionsRefusedPerAddress { get; }

    public Counter DeleteSlotRefusals { get; }

    /// <summary>Connections to an HTTPS port that opened with a plain HTTP request (<see cref="Http.PlainHttpOnTlsPort"/>).</summary>
    public Counter PlainHttpOnTlsPort { get; }

    public Counter SlowBodies { get; }

    public Gauge LockedAddresses { get; }

    public Counter IpLocks { get; }

    public Counter IntegrityProblems { get; }

    public Counter S3HedgedReads { get; }

    public Counter PromptChecks { get; }

    public Counter AuditDropped { get; }

    public Counter ReceiveBlocksAllocated { get; }

    public Gauge ReceiveBlocksInUse { get; }
}

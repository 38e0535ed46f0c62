namespace Ccfs.Server.Configuration;

/// <summary>
/// The <c>Ccfs</c> configuration section as bound from appsettings, environment variables (<c>Ccfs__…</c>) or the
/// command line. Unknown keys are an error, so a typo never silently falls back to a default.
/// </summary>
public sealed class CcfsOptions
{
    public const string Section = "Ccfs";

    public string DataDir { get; set; } = "./ccfs-data";

    public List<AccountOptions> Accounts { get; set; } = [];

    public ParameterOptions Parameters { get; set; } = new();

    public List<LocationOptions> Locations { get; set; } = [];

    public AuthOptions Auth { get; set; } = new();

    public LimitOptions Limits { get; set; } = new();

    public CompatibilityOptions Compatibility { get; set; } = new();

    public AdminOptions Admin { get; set; } = new();

    public SecurityOptions Security { get; set; } = new();

    public LogOptions Log { get; set; } = new();

    public TlsOptions Tls { get; set; } = new();

    public CatalogOptions Catalog { get; set; } = new();

    public NodeOptions Node { get; set; } = new();

    public Events.EventOptions Events { get; set; } = new();

    public Quotas.RetentionOptions Retention { get; set; } = new();

    public FaultOptions Faults { get; set; } = new();

    public JournalOptions Journal { get; set; } = new();

    public SeedOptions Seed { get; set; } = new();
}

/// <summary>Fault injection (docs/rehearsal.md): answers that rehearse what breaks voicebots in production.</summary>
public sealed class FaultOptions
{
    /// <summary>Fault rules may be added and act; null: exactly in the development setup (no account, every listener on loopback).</summary>
    public bool? Enabled { get; set; }

    /// <summary>A JSON file of rules put in force at start (<c>--faults</c>).</summary>
    public string? File { get; set; }
}

/// <summary>The request journal: the last requests and how each was answered, in memory (<c>GET /admin/api/journal</c>).</summary>
public sealed class JournalOptions
{
    /// <summary>How many requests the journal keeps; 0 keeps none.</summary>
    public int Size { get; set; } = 1000;
}

/// <summary>Files placed at start as if uploaded, and recordings as the IVR writes them (<c>--seed</c>).</summary>
public sealed class SeedOptions
{
    /// <summary>The seed folder: <c>uploads/{vdn}/*.wav</c> and <c>recordings/{path under a download rule}</c>.</summary>
    public string? Folder { get; set; }
}

/// <summary>Where the catalog (file rows, accounts, parameters, audit) lives, and how its writer behaves.</summary>
public sealed class CatalogOptions
{
    public const string Sqlite = "Sqlite";
    public const string Postgres = "Postgres";

    /// <summary><c>Sqlite</c> (the default: <c>{DataDir}/catalog.db</c>, one process) or <c>Postgres</c> (shared by many nodes).</summary>
    public string Provider { get; set; } = Sqlite;

    /// <summary>The Npgsql connection string, for <c>Postgres</c>.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>How long a catalog write may wait (queued, or for a database another process holds) before it is answered 503.</summary>
    public TimeSpan WriteTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How often a node finishes work left unfinished by node instances that are gone or requests that gave up.</summary>
    public TimeSpan RecoveryInterval { get; set; } = TimeSpan.FromSeconds(30);
}

/// <summary>This node in a deployment of several.</summary>
public sealed class NodeOptions
{
    /// <summary>A name for logs and the node list; by default the host name.</summary>
    public string? Name { get; set; }

    /// <summary>With a shared (PostgreSQL) catalog: a node that has not renewed its lease for this long counts as gone.</summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(15);
}

public sealed class AccountOptions
{
    public string? AccessKey { get; set; }

    public string? SecretKey { get; set; }

    /// <summary>A second secret key that also signs while clients move to <see cref="SecretKey"/>: a rotation without a gap.</summary>
    public string? PreviousSecretKey { get; set; }

    public List<int> VdnIds { get; set; } = [];

    /// <summary>May use the administration API (<c>/admin</c>).</summary>
    public bool Admin { get; set; }
}

/// <summary>The CC-FS system parameters of spec §5, as configured defaults.</summary>
public sealed class ParameterOptions
{
    public decimal UploadSizeLimitMb { get; set; } = 5;

    public string UploadPathRule { get; set; } = "/3rdfile/%VDNNO%/thirdvoicebotfile/";

    public string DownloadPathRule { get; set; } =
        "/voice/%VDNNO%/IVRrecordFile;/3rdfile/%VDNNO%/IVRrecordFile;/3rdfile/%VDNNO%/thirdvoicebotfile";

    public string DriveLetter { get; set; } = "Y";

    public string AcceptedEncodings { get; set; } = "alaw";

    /// <summary>
    /// What an upload's prompt-quality findings do (docs/prompt-quality.md): <c>off</c> (not measured), <c>warn</c> (stored,
    /// findings recorded) or <c>refuse</c> (a failed check answers 0300004 and nothing is stored).
    /// </summary>
    public string PromptCheck { get; set; } = "warn";

    /// <summary>The active speech level a prompt should have (ITU-T P.56), in dBov.</summary>
    public decimal PromptLevelDbov { get; set; } = -26;

    /// <summary>How far from <see cref="PromptLevelDbov"/> the level may be, in dB.</summary>
    public decimal PromptLevelToleranceDb { get; set; } = 6;

    /// <summary>How many clipped runs (3 or more samples at the format's extreme code) a prompt may have.</summary>
    public int PromptMaxClippedRuns { get; set; }

    /// <summary>The largest DC offset, as a percentage of full scale.</summary>
    public decimal PromptMaxDcOffsetPercent { get; set; } = 1;

    /// <summary>The longest silence before the speech, in seconds.</summary>
    public decimal PromptMaxHeadSilenceSeconds { get; set; } = 1;

    /// <summary>The longest silence after the speech, in seconds.</summary>
    public decimal PromptMaxTailSilenceSeconds { get; set; } = 1;

    /// <summary>The most a VDN may hold, in MiB of stored WAV (docs/quotas-and-retention.md); null: unlimited.</summary>
    public decimal? QuotaMb { get; set; }

    /// <summary>The most files a VDN may hold; null: unlimited.</summary>
    public long? QuotaFiles { get; set; }

    /// <summary>How long a VDN's files are kept before the retention sweeper deletes them; null: forever.</summary>
    public TimeSpan? RetainFor { get; set; }
}

public sealed class LocationOptions
{
    public const string Disk = "Disk";
    public const string S3Kind = "S3";

    public string? Id { get; set; }

    /// <summary><c>Disk</c> (the default: a folder, local or a shared file system) or <c>S3</c> (a bucket of an S3-compatible store).</summary>
    public string Kind { get; set; } = Disk;

    /// <summary>For <c>Disk</c>: the folder holding this location's files; by default <c>{DataDir}/locations/{Id}</c>.</summary>
    public string? Path { get; set; }

    /// <summary>For <c>S3</c>: the store, bucket and credentials.</summary>
    public S3LocationOptions? S3 { get; set; }
}

/// <summary>Where an <c>S3</c> location keeps its objects (Ceph RGW, Huawei OBS, MinIO, AWS S3, ...).</summary>
public sealed class S3LocationOptions
{
    /// <summary>The store's endpoint, such as <c>http://127.0.0.1:7480</c> or <c>https://obs.cn-north-4.myhuaweicloud.com</c>.</summary>
    public string? ServiceUrl { get; set; }

    public string? Bucket { get; set; }

    /// <summary>A key prefix ending in '/', such as <c>ccfs/</c>, so several deployments can share a bucket; empty by default.</summary>
    public string? Prefix { get; set; }

    public string? AccessKey { get; set; }

    public string? SecretKey { get; set; }

    /// <summary>The region requests are signed for.</summary>
    public string Region { get; set; } = "us-east-1";

    /// <summary>Addresses the bucket in the path (<c>http://host/bucket/key</c>) rather than in the host name, as most private stores need.</summary>
    public bool ForcePathStyle { get; set; } = true;

    /// <summary>
    /// How long one operation on the store may take, retries included, and how long a download may wait for the next
    /// bytes; past it the request is answered 503.
    /// </summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);
}

public sealed class AuthOptions
{
    public TimeSpan MaxClockSkew { get; set; } = TimeSpan.FromMinutes(15);

    public bool RequireHostSigned { get; set; } = true;

    public bool RetryWithoutQueryLine { get; set; } = true;

    /// <summary>
    /// Refuse (401) a CC-FS request whose signature was accepted before, within the clock window. Off by default: a
    /// CC-FS client may retry a request verbatim, and with this on its retry is refused. The admin API always refuses
    /// replayed writes.
    /// </summary>
    public bool RejectReplays { get; set; }

    /// <summary>
    /// A signature that does not match is answered with <c>X-Ccfs-Canonical-Request</c>: what ccfs computed, to compare
    /// line by line with the client's (<c>ccfs sign --explain</c>). It shows only what the caller sent.
    /// </summary>
    public bool Diagnostics { get; set; } = true;

    public IpLockOptions IpLock { get; set; } = new();

    /// <summary>A header such as <c>X-Forwarded-For</c> that carries the client IP when behind the NSLB.</summary>
    public string? TrustedProxyHeader { get; set; }

    /// <summary>Proxy addresses whose <see cref="TrustedProxyHeader"/> is believed; loopback when empty.</summary>
    public List<string> TrustedProxies { get; set; } = [];
}

public sealed class IpLockOptions
{
    public int MaxFailures { get; set; } = 10;

    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(5);

    public TimeSpan LockDuration { get; set; } = TimeSpan.FromMinutes(10);
}

public sealed class LimitOptions
{
    /// <summary>Uploads processed at once; each holds its body in memory, so this bounds upload memory.</summary>
    public int MaxConcurrentUploads { get; set; } = 4;

    /// <summary>Uploads that may wait for a slot before the server answers 0300503.</summary>
    public int UploadQueueLength { get; set; } = 128;

    /// <summary>How long an upload waits in the queue for a slot before it is answered 0300503 with Retry-After.</summary>
    public TimeSpan UploadQueueTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>deleteFile requests (and admin deletes) processed at once.</summary>
    public int MaxConcurrentDeletes { get; set; } = 16;

    /// <summary>Deletes that may wait for a slot before the server answers 0300503.</summary>
    public int DeleteQueueLength { get; set; } = 128;

    /// <summary>How long a delete waits in the queue for a slot before it is answered 0300503 with Retry-After.</summary>
    public TimeSpan DeleteQueueTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The fraction of the upload (or delete) slots, and of their queue, that requests of one client address, or of one
    /// access key, may hold before their signature is verified (at least one slot). Access keys travel in clear, so until
    /// a body is read and its signature checked, anyone may claim any key: this bounds what they can hold.
    /// </summary>
    public double UnverifiedShare { get; set; } = 0.5;

    /// <summary>
    /// Bytes per second below which a request body, averaged since it began, is too slow: the request is dropped, so a
    /// client trickling a body cannot hold an upload slot for hours. 0 turns the check off.
    /// </summary>
    public int MinRequestBodyRate { get; set; } = 16 * 1024;

    /// <summary>How long a body may arrive slower than <see cref="MinRequestBodyRate"/> before the rate is enforced.</summary>
    public TimeSpan MinRequestBodyRateGracePeriod { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Open client connections per listener (and, separately, upgraded ones); past it a new connection is closed at once.
    /// Null means 4096. A value the process's file-descriptor limit (RLIMIT_NOFILE) cannot hold, with 512 descriptors
    /// kept for the server and one more per connection for the file it may be sending, is lowered with a warning, so
    /// connections can never take the descriptors files and the catalog need.
    /// </summary>
    public int? MaxConnections { get; set; }

    /// <summary>
    /// Connections one client address may hold on a listener; past it a new one is closed at once. Null means a quarter of
    /// the listener's connection limit. Trusted proxies (<c>Ccfs:Auth:TrustedProxies</c>) are exempt.
    /// </summary>
    public int? MaxConnectionsPerAddress { get; set; }

    /// <summary>
    /// How long each readiness check (the catalog's write probe, each location's) may take before <c>/readyz</c> counts it
    /// as failed: a catalog or a store that is frozen rather than down must not hang the load balancer's probe.
    /// </summary>
    public TimeSpan ReadinessTimeout { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>How long a connection may sit idle between requests (HTTP/1.1 keep-alive, HTTP/2 without streams).</summary>
    public TimeSpan KeepAliveTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How long a client may take to send a request's headers.</summary>
    public TimeSpan RequestHeadersTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How long a stopping server waits for requests in flight (uploads above all) to finish.</summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>downloadFile requests per access key and window; past it, 0300008.</summary>
    public FlowControlOptions Download { get; set; } = new() { PermitLimit = 20 };

    /// <summary>getFileHash requests per access key and window; past it, 0300009.</summary>
    public FlowControlOptions Hash { get; set; } = new() { PermitLimit = 50 };
}

public sealed class FlowControlOptions
{
    public int PermitLimit { get; set; }

    public TimeSpan Window { get; set; } = TimeSpan.FromSeconds(1);
}

public sealed class CompatibilityOptions
{
    /// <summary>Also serve upload at <c>/ivr/upload</c>, the path of the documentation's example (spec §6 Q1).</summary>
    public bool UploadAlias { get; set; } = true;

    /// <summary>The resultDesc of a success (spec §6 Q2).</summary>
    public string SuccessDescription { get; set; } = "success";

    /// <summary>
    /// resultDesc texts by resultCode, replacing the CC-FS table's wording (spec §3: "make the texts configurable");
    /// <c>{param}</c> stands for the parameter a text names. Code 0 is <see cref="SuccessDescription"/>.
    /// </summary>
    public Dictionary<string, string> ResultDescriptions { get; set; } = [];

    /// <summary>getFileHash's algorithm: sha256, sha1, md5 or sha512 (spec §6 Q5).</summary>
    public string HashAlgorithm { get; set; } = "sha256";

    /// <summary>The resultData field that carries getFileHash's digest (spec §6 Q5).</summary>
    public string HashField { get; set; } = "hash";
}

public sealed class AdminOptions
{
    /// <summary>Every node picks up a change made on another within this time, as the administration promises.</summary>
    public static readonly TimeSpan MaxRefreshInterval = TimeSpan.FromSeconds(5);

    /// <summary>How often a node looks for parameter and account changes made on another node.</summary>
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How long audit entries are kept; older ones are purged hourly.</summary>
    public TimeSpan AuditRetention { get; set; } = TimeSpan.FromDays(90);

    /// <summary>The largest audio file the admin page may upload for conversion, in MB.</summary>
    public int MaxUploadMb { get; set; } = 50;
}

public sealed class SecurityOptions
{
    /// <summary>
    /// The AES-256 key (Base64 of 32 bytes) that encrypts secret keys kept in the catalog. Without it, a key is
    /// generated into <c>{DataDir}/master.key</c> (mode 0600). Every node of a deployment needs the same key.
    /// </summary>
    public string? MasterKey { get; set; }
}

public sealed class LogOptions
{
    /// <summary><c>auto</c> (text at a terminal, JSON lines otherwise), <c>json</c> or <c>text</c>; <c>--log-format</c> sets it.</summary>
    public string Format { get; set; } = "auto";
}

public sealed class TlsOptions
{
    /// <summary>
    /// A loopback-only server using the generated certificate copies it to <c>~/.ccfs/dev-certificate.pem</c>, where
    /// <c>ccfs</c> finds it; false leaves the home alone.
    /// </summary>
    public bool ShareDevelopmentCertificate { get; set; } = true;
}

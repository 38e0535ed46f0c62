using Ccfs.Protocol.Development;

namespace Ccfs.Client;

/// <summary>How a <see cref="CcfsClient"/> reaches and signs for a CC-FS endpoint.</summary>
public sealed class CcfsClientOptions
{
    /// <summary>The VDN the development account may use (<see cref="UseDevelopmentServer"/>).</summary>
    public const int DevelopmentVdnId = DevelopmentServer.VdnId;

    /// <summary>The endpoint, e.g. <c>https://10.22.26.181:28080</c>; not needed when the HttpClient has a BaseAddress.</summary>
    public Uri? Endpoint { get; set; }

    public string AccessKey { get; set; } = "";

    public string SecretKey { get; set; } = "";

    /// <summary>Headers to sign; <c>host</c> must be among them for CC-FS.</summary>
    public IReadOnlyList<string> SignedHeaders { get; set; } = ["content-length", "content-type", "host"];

    /// <summary>Sign with millisecond timestamps (the documentation's form) rather than whole seconds (the Java demo's).</summary>
    public bool MillisecondTimestamps { get; set; } = true;

    /// <summary>A stream that cannot seek is buffered to be signed; past this many bytes it is refused.</summary>
    public long MaxBufferedUploadBytes { get; set; } = 8 * 1024 * 1024;

    /// <summary>
    /// Retries of getFileHash, downloadFile and deleteFile on transient failures (0 turns them off). A delete whose
    /// first answer was lost may have deleted the file, and its retry then answers <c>0300011</c>.
    /// </summary>
    public int RetryAttempts { get; set; } = 3;

    /// <summary>
    /// How long each attempt of a retried request may wait for the answer's headers before it is abandoned and
    /// retried; <see cref="Timeout.InfiniteTimeSpan"/> or zero for no limit. Uploads get it only with
    /// <see cref="RetryUploads"/>; otherwise the HttpClient's own Timeout bounds the wait for the headers. Every answer's
    /// JSON body then has this long to come whole once its headers came, and a downloaded file's body this long for each
    /// wait for more bytes (not for the whole file, which may be long).
    /// </summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The largest file a download writes; a file that declares more (Content-Length) or brings more throws
    /// <see cref="CcfsRequestException"/> and is not retried. Null for no limit. CC-FS documents no size for a recording:
    /// 8 kHz A-law is about 29 MB an hour, so the default of 1 GiB only stops a body that never ends.
    /// </summary>
    public long? MaxDownloadBytes { get; set; } = 1024L * 1024 * 1024;

    /// <summary>
    /// The slowest a downloaded file's body may come, in bytes a second, measured over each stretch of
    /// <see cref="AttemptTimeout"/>: a body that brings less in one stretch fails its attempt, as one that stops does.
    /// The per-read wait alone lets a server that drips a byte now and then hold a download for hours. The default,
    /// 1 KiB/s, is an eighth of what one call's recording takes to play. Zero for no floor.
    /// </summary>
    public int MinDownloadBytesPerSecond { get; set; } = 1024;

    /// <summary>The first retry's delay; later ones back off exponentially, with jitter.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// Retry uploads too. Off by default: if an upload was stored but its answer lost, a retry stores a second file.
    /// </summary>
    public bool RetryUploads { get; set; }

    /// <summary>The resultData field of getFileHash's digest, as the server is configured (CC-FS does not document it).</summary>
    public string HashField { get; set; } = "hash";

    /// <summary>The SHA-256 fingerprint (hex, colons allowed) of a self-signed server certificate to trust.</summary>
    public string? ServerCertificateSha256 { get; set; }

    /// <summary>Trust any server certificate. For a development server only.</summary>
    public bool AcceptAnyServerCertificate { get; set; }

    /// <summary>
    /// On an <c>https</c> endpoint on loopback (127.0.0.1, ::1, localhost), also trust the certificate a ccfs development
    /// server on this machine generated, compared by SHA-256: the ones in <see cref="DevelopmentCertificateFiles"/>.
    /// Any other certificate the machine does not trust is still refused, and other endpoints never use these files.
    /// </summary>
    public bool TrustDevelopmentCertificates { get; set; }

    /// <summary>
    /// The PEM files <see cref="TrustDevelopmentCertificates"/> reads at each TLS handshake; null for
    /// <c>~/.ccfs/dev-certificate.pem</c> (where development servers share their certificates) and
    /// <c>./ccfs-data/tls/ccfs-selfsigned.pem</c> of the current folder.
    /// </summary>
    public IReadOnlyList<string>? DevelopmentCertificateFiles { get; set; }

    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>
    /// Options for the local development server (<c>dotnet run --project src/Ccfs.Server</c>, <c>ccfs serve</c>):
    /// see <see cref="UseDevelopmentServer"/>.
    /// </summary>
    public static CcfsClientOptions Development() => new CcfsClientOptions().UseDevelopmentServer();

    /// <summary>
    /// Points these options at the local development server: <c>https://127.0.0.1:8443</c> (or, as for the <c>ccfs</c>
    /// CLI, the endpoint in the <c>CCFS_ENDPOINT</c> environment variable), the development account (<c>ccfs-dev-ak</c>,
    /// VDN <see cref="DevelopmentVdnId"/>) and <see cref="TrustDevelopmentCertificates"/>, as the CLI does by default.
    /// Set <see cref="Endpoint"/> afterwards to name another development server in code.
    /// </summary>
    public CcfsClientOptions UseDevelopmentServer()
    {
        Endpoint = Environment.GetEnvironmentVariable("CCFS_ENDPOINT") is { Length: > 0 } named
            ? new Uri(named, UriKind.Absolute)
            : new Uri(DevelopmentServer.Endpoint);
        AccessKey = DevelopmentServer.AccessKey;
        SecretKey = DevelopmentServer.SecretKey;
        TrustDevelopmentCertificates = true;
        return this;
    }
}

namespace Ccfs.Client;

/// <summary>How a <see cref="CcfsClient"/> reaches and signs for a CC-FS endpoint.</summary>
public sealed class CcfsClientOptions
{
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
    /// <see cref="RetryUploads"/>; otherwise the HttpClient's own Timeout bounds them.
    /// </summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(30);

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

    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;
}

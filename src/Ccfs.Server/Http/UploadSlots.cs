using Ccfs.Server.Configuration;
using Ccfs.Server.Observability;

namespace Ccfs.Server.Http;

/// <summary>
/// The bounded slots uploads hold while their body is read into memory and stored (<c>Ccfs:Limits:MaxConcurrentUploads</c>),
/// and the queue of those waiting for one (<c>UploadQueueLength</c> places, each waited in for at most
/// <c>UploadQueueTimeout</c>). A slot is taken only after the request's headers were screened, so a request that can
/// never be admitted neither holds one nor waits for one.
/// </summary>
public sealed class UploadSlots(CcfsSettings settings, CcfsMetrics metrics, ILogger<UploadSlots> logger)
    : WorkSlots("upload", settings.Limits.MaxConcurrentUploads, settings.Limits.UploadQueueLength, settings.Limits.UploadQueueTimeout,
        settings.Limits.UnverifiedShare, metrics.UploadsInFlight, metrics.UploadsQueued, metrics.UploadSlotRefusals, logger);

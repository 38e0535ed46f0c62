using Ccfs.Server.Configuration;
using Ccfs.Server.Observability;

namespace Ccfs.Server.Http;

/// <summary>
/// The bounded slots deletes hold while they mark, unlink and forget (<c>Ccfs:Limits:MaxConcurrentDeletes</c>), and the
/// queue of those waiting for one (<c>DeleteQueueLength</c>, each waiting at most <c>DeleteQueueTimeout</c>). A catalog
/// that cannot be written makes each delete wait up to its write timeout; this keeps a flood of them from piling up.
/// </summary>
public sealed class DeleteSlots(CcfsSettings settings, CcfsMetrics metrics, ILogger<DeleteSlots> logger)
    : WorkSlots("delete", settings.Limits.MaxConcurrentDeletes, settings.Limits.DeleteQueueLength, settings.Limits.DeleteQueueTimeout,
        settings.Limits.UnverifiedShare, metrics.DeletesInFlight, metrics.DeletesQueued, metrics.DeleteSlotRefusals, logger);

using Ccfs.Protocol.Auth;
using Ccfs.Server.Catalog;
using Ccfs.Server.Configuration;

namespace Ccfs.Server.Auth;

/// <summary>
/// Refuses a signature that was accepted before. A signed request stays valid for the whole clock window, so without this
/// a captured request can be sent again: harmless for most CC-FS calls (an upload stores a second copy, a delete finds
/// nothing), but a replayed "create an administrator" would hand its secret key to whoever replays it. The admin API
/// always checks; the CC-FS interfaces do with <c>Ccfs:Auth:RejectReplays</c>. Each signature is remembered in the catalog
/// until its timestamp leaves the window.
/// </summary>
public sealed class ReplayGuard(ReplayCache cache, CcfsSettings settings)
{
    /// <summary>True when the request's signature (already verified, so its timestamp parses) was accepted before.</summary>
    public async Task<bool> IsReplayAsync(AuthorizationHeader header, CancellationToken cancellationToken)
    {
        if (!AuthV2Timestamp.TryParse(header.Timestamp, out var signedAt))
        {
            throw new InvalidOperationException("a verified request's timestamp no longer parses");
        }

        // The verifier accepts the hex signature in any case, so it is remembered in one: otherwise each of the many
        // case variants of one signature would pass as new.
        return !await cache.TryRememberAsync($"{header.AccessKey}/{header.Signature.ToLowerInvariant()}", signedAt + settings.Auth.MaxClockSkew,
            cancellationToken);
    }
}

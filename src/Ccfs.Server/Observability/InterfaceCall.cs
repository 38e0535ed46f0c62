namespace Ccfs.Server.Observability;

/// <summary>
/// What one CC-FS request did, filled in as it goes (who, which VDN and file, which resultCode) and read once it is
/// answered, for the metrics, the request log and the audit trail.
/// </summary>
public sealed class InterfaceCall(string interfaceName, string clientAddress, DateTimeOffset startedAt)
{
    /// <summary>The CC-FS interface, or for the administration API <c>admin:</c> and the operation.</summary>
    public string Interface { get; set; } = interfaceName;

    /// <summary>
    /// Whether the audit trail records this call: every CC-FS call; admin calls that change something, read a file's
    /// contents or are refused.
    /// </summary>
    public bool Audited { get; set; } = true;

    public string ClientAddress { get; } = clientAddress;

    public DateTimeOffset StartedAt { get; } = startedAt;

    /// <summary>The authenticated access key, or the one claimed by a refused signature.</summary>
    public string? AccessKey { get; set; }

    public int? VdnId { get; set; }

    /// <summary>The file named or stored, as the client sees it (<c>Y:/…</c>).</summary>
    public string? File { get; set; }

    /// <summary>What the call found, in one line, for the audit trail and the log: an upload's prompt-quality findings.</summary>
    public string? Detail { get; set; }

    /// <summary>The CC-FS resultCode answered; null when the answer was an HTTP error.</summary>
    public string? ResultCode { get; set; }

    /// <summary>Why the request was refused, as sent in <c>X-Ccfs-Reason</c> (or an admin error's text), for the log.</summary>
    public string? Reason { get; set; }

    /// <summary>Why a 401 or 403 was answered, for the metrics: an <c>AuthV2Failure</c>, <c>VdnNotBound</c> or <c>IpLocked</c>.</summary>
    public string? RejectionReason { get; set; }

    /// <summary>The fault rule that shaped or replaced the answer (<c>X-Ccfs-Fault</c>), if one did.</summary>
    public string? FaultRule { get; set; }

    /// <summary>The bytes of the request body read, once it was read.</summary>
    public long? RequestBytes { get; set; }

    public static InterfaceCall? Of(HttpContext http) => http.Features.Get<InterfaceCall>();
}

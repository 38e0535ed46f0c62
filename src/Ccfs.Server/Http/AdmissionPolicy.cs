namespace Ccfs.Server.Http;

/// <summary>Which bounded slots a request holds while it runs.</summary>
public enum SlotKind
{
    None,

    /// <summary>The upload slots: the body is held in memory until the file is stored (<see cref="UploadSlots"/>).</summary>
    Upload,

    /// <summary>The delete slots: each delete waits on the catalog (<see cref="DeleteSlots"/>).</summary>
    Delete,
}

/// <summary>
/// What an endpoint asks of a request before its own work, named once per kind of endpoint. Every policy takes the same
/// steps in the same order (<see cref="SignedRequestReader"/>): the IP lock, the declared length, the screened header,
/// the slot (taken before the body, counted as unverified until the signature is), the body at the minimum rate, the
/// signature, the media type, the replay check.
/// </summary>
/// <param name="Name">For logs and docs: <c>upload</c>, <c>delete</c>, <c>path request</c>, <c>admin</c>.</param>
/// <param name="Slot">The slots the request holds from before its body is read until it is answered.</param>
/// <param name="RequireJson">Refuse a body that is not application/json (415); the CC-FS interfaces take only JSON.</param>
/// <param name="BinaryBody">The body may be bytes rather than UTF-8 text (an admin upload of a WAV); still signed byte by byte.</param>
/// <param name="AdminOnly">Only an account marked admin: any other is refused from the header alone, before the body.</param>
/// <param name="RejectReplays">Refuse a signature accepted before; null: as <c>Ccfs:Auth:RejectReplays</c> says.</param>
/// <param name="Unavailable">The answer when no slot is given (or the replay check cannot be made), from its reason.</param>
public sealed record AdmissionPolicy(
    string Name,
    SlotKind Slot,
    bool RequireJson,
    bool BinaryBody,
    bool AdminOnly,
    bool? RejectReplays,
    Func<string, IResult> Unavailable)
{
    /// <summary>deleteFile, getFileHash and downloadFile carry a path in a small envelope; bodies past this are refused.</summary>
    public const long PathRequestBodyLimit = 64 * 1024;

    /// <summary>Fault rules (docs/rehearsal.md) act on the request once it is admitted: the CC-FS interfaces', never the admin API's.</summary>
    public bool InjectsFaults { get; init; }

    public static AdmissionPolicy Upload { get; } = new("upload", SlotKind.Upload, true, false, false, null, CcfsResults.Unavailable)
    {
        InjectsFaults = true,
    };

    public static AdmissionPolicy Delete { get; } = new("delete", SlotKind.Delete, true, false, false, null, CcfsResults.Unavailable)
    {
        InjectsFaults = true,
    };

    /// <summary>getFileHash and downloadFile: no slot (flow control bounds them per account, once authenticated).</summary>
    public static AdmissionPolicy PathRequest { get; } = new("path request", SlotKind.None, true, false, false, null, CcfsResults.Unavailable)
    {
        InjectsFaults = true,
    };
}

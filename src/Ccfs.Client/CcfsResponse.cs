using Ccfs.Protocol;
using Ccfs.Protocol.Wire;

namespace Ccfs.Client;

/// <summary>A CC-FS answer: <c>resultCode</c> and <c>resultDesc</c>, and the server's explanation when it gave one.</summary>
public record CcfsResponse(string ResultCode, string ResultDesc, string? Reason)
{
    public bool IsSuccess => ResultCode == ResultCodes.Success;

    /// <summary>
    /// How many earlier attempts of a retried request reached the endpoint but got no answer (the connection broke, the
    /// attempt ran out of time) or a gateway's 502 or 504. Any of them may have done its work: a delete whose answer was
    /// lost and whose retry answers <c>0300011</c> most likely deleted the file itself. 0 when the first attempt was answered.
    /// </summary>
    public int LostAnswers { get; init; }

    /// <summary>
    /// An upload's prompt-quality findings (ccfs's <c>X-Ccfs-Prompt-Check</c>), whether the file was stored or refused
    /// for them (the VDN's <c>promptCheck=refuse</c>); null for the other interfaces, from a server that does not
    /// measure, or for a VDN with <c>promptCheck=off</c>.
    /// </summary>
    public PromptCheckLine? PromptCheck { get; init; }
}

/// <summary>A CC-FS answer with its <c>resultData</c>, present on success.</summary>
public sealed record CcfsResponse<T>(string ResultCode, string ResultDesc, string? Reason, T? Data) : CcfsResponse(ResultCode, ResultDesc, Reason)
    where T : class;

/// <summary>What uploadFile answers: the name the IVR plays and the locations that hold a copy.</summary>
/// <param name="PromptCheck">
/// ccfs's prompt-quality findings (the <c>X-Ccfs-Prompt-Check</c> header); null from a server that does not measure, or
/// for a VDN with <c>promptCheck=off</c>.
/// </param>
public sealed record UploadedFile(string FileName, IReadOnlyList<string> LocationIds, PromptCheckLine? PromptCheck = null);

/// <summary>What getFileHash answers; <see cref="Hash"/> is null when the answer has no field of the configured name.</summary>
public sealed record FileHash(string FileName, string? Hash);

/// <summary>A file downloadFile sent: its name (from Content-Disposition) and length.</summary>
public sealed record DownloadedFile(string? FileName, long Length);

/// <summary>The endpoint answered with an HTTP status CC-FS uses only for errors outside the business codes.</summary>
public class CcfsRequestException(int status, SpringError? error, string? reason, string message) : CcfsException(message)
{
    public int Status { get; } = status;

    public SpringError? Error { get; } = error;

    /// <summary>The server's explanation (ccfs's <c>X-Ccfs-Reason</c> header), when there is one.</summary>
    public string? Reason { get; } = reason;
}

/// <summary>
/// A downloaded file declared or brought more than <see cref="CcfsClientOptions.MaxDownloadBytes"/>: it was not written
/// whole, and the download is not retried.
/// </summary>
public sealed class CcfsDownloadTooLargeException(long bytes, long maxBytes)
    : CcfsRequestException(200, null, null, $"the downloaded file is larger than MaxDownloadBytes, {maxBytes} bytes (at least {bytes} came or "
        + "were announced): it was not written whole; raise the limit if the file is meant to be that large")
{
    /// <summary>How many bytes had come, or the file declared, when the download stopped.</summary>
    public long Bytes { get; } = bytes;

    /// <summary>The limit it passed.</summary>
    public long MaxBytes { get; } = maxBytes;
}

/// <summary>401 (bad signature, or a VDN not bound to the AK) or 403 (the client IP is locked).</summary>
public sealed class CcfsAuthenticationException(int status, SpringError? error, string? reason)
    : CcfsRequestException(status, error, reason,
        status == 403 ? "CC-FS refused the request: this client IP is locked after repeated authentication failures"
                      : "CC-FS refused the signature or the VDN (401)" + (reason is null ? "" : ": " + reason));

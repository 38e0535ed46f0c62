using Ccfs.Protocol;
using Ccfs.Server.Auth;
using Ccfs.Server.Http;
using Ccfs.Server.Observability;
using Ccfs.Server.Parameters;

namespace Ccfs.Server.Paths;

/// <summary>What a path names for the interface that received it (spec §1.8).</summary>
public enum PathUse
{
    /// <summary><c>deleteFile</c>, <c>getFileHash</c>: a file directly in the upload rule's folder.</summary>
    UploadedFile,

    /// <summary><c>downloadFile</c>: a file at or below one of the download rule's folders.</summary>
    DownloadFile,

    /// <summary><c>downloadFile</c> with <c>mode</c> 1: one of the download rule's folders or a folder below it.</summary>
    DownloadFolder,
}

/// <summary>The verdict on a client's path: the checked path and its VDN, or the answer that refuses it.</summary>
public readonly record struct PathVerdict(LogicalPath? Path, int VdnId, CcfsResult? Refusal, bool NotBound, string Reason)
{
    public bool IsAllowed => Path is not null;

    /// <summary>Notes the path and its VDN on the request's record, whatever the verdict.</summary>
    public void Describe(InterfaceCall? call)
    {
        if (call is not null && VdnId > 0)
        {
            call.VdnId = VdnId;
        }
    }

    /// <summary>The answer to a refused path: 401 for another tenant's VDN, otherwise the CC-FS code.</summary>
    public IResult ToRefusal() => NotBound
        ? CcfsResults.Spring(StatusCodes.Status401Unauthorized, Reason, "VdnNotBound")
        : CcfsResults.Answer(Refusal!.Value, Reason);
}

/// <summary>
/// The one place delete, hash and download decide whether a path is theirs to touch. The VDN comes from the segment
/// that fills <c>%VDNNO%</c> (spec §6 Q17): a path outside the rules is <c>0300004</c>, a VDN not bound to the
/// caller's access key is 401.
/// </summary>
public static class TenantPaths
{
    /// <summary>
    /// Checks a path against every parameter set in force. A VDN with its own rules owns only paths under those
    /// rules, and the global rules serve every other VDN.
    /// </summary>
    /// <param name="account">The caller, who must be bound to the path's VDN.</param>
    public static PathVerdict Check(string text, string parameter, PathUse use, IParameterSource source, Account account)
    {
        PathVerdict? first = null;
        foreach (var parameters in source.All)
        {
            var verdict = Check(text, parameter, use, parameters, account);
            if ((verdict.IsAllowed || verdict.NotBound) && ReferenceEquals(source.For(verdict.VdnId), parameters))
            {
                return verdict;
            }

            first ??= verdict.IsAllowed || verdict.NotBound
                ? new PathVerdict(null, 0, CcfsResult.Format(parameter), false, $"the path is not under the path rules of VDN {verdict.VdnId}")
                : verdict;
        }

        return first!.Value;
    }

    public static PathVerdict Check(string text, string parameter, PathUse use, SystemParameters parameters, Account account)
    {
        if (!LogicalPath.TryParse(text, parameters.DriveLetter, out var path, out var reason))
        {
            return new PathVerdict(null, 0, CcfsResult.Format(parameter), false, reason);
        }

        int vdnId = 0;
        var matched = use switch
        {
            PathUse.UploadedFile => path!.Segments.Count == parameters.UploadPathRule.SegmentCount + 1
                && parameters.UploadPathRule.TryMatchPrefix(path.Segments, out vdnId),
            _ => parameters.DownloadPathRules.Any(rule =>
                path!.Segments.Count >= rule.SegmentCount + (use == PathUse.DownloadFile ? 1 : 0)
                && rule.TryMatchPrefix(path.Segments, out vdnId)),
        };
        if (!matched)
        {
            var rules = use == PathUse.UploadedFile
                ? parameters.UploadPathRule.Text
                : string.Join(';', parameters.DownloadPathRules.Select(r => r.Text));
            return new PathVerdict(null, 0, CcfsResult.Format(parameter), false, $"the path is not under the path rule {rules}");
        }

        if (!account.MayUse(vdnId))
        {
            return new PathVerdict(null, vdnId, null, true, $"access key {account.AccessKey} is not bound to VDN {vdnId}");
        }

        return new PathVerdict(path, vdnId, null, false, "");
    }
}

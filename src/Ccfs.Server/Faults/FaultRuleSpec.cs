using System.Globalization;
using Ccfs.Protocol;

namespace Ccfs.Server.Faults;

/// <summary>Which requests a fault rule acts on; every key given must match, and a rule without any matches every request.</summary>
/// <param name="Interface"><c>uploadFile</c>, <c>deleteFile</c>, <c>getFileHash</c> or <c>downloadFile</c>.</param>
/// <param name="AccessKey">The signing access key.</param>
/// <param name="VdnId">The VDN: uploadFile's <c>vdnId</c>, or the one a path names.</param>
/// <param name="FileName">
/// A glob over the path the request names (<c>*</c> any characters but '/', <c>**</c> any, <c>?</c> one); a glob
/// without '/' is matched against the file's own name. uploadFile names no file (the server makes the name), so a rule
/// with a file name never matches it.
/// </param>
public sealed record FaultMatch(string? Interface = null, string? AccessKey = null, int? VdnId = null, string? FileName = null);

/// <summary>
/// What a fault rule does to a request it acts on. <see cref="ResultCode"/> and <see cref="HttpStatus"/> replace the
/// answer, so the request does nothing and stores nothing; <see cref="DelayMs"/>, <see cref="BytesPerSecond"/> and
/// <see cref="DropAfterBytes"/> shape the answer, the injected one or, alone, the real one (the request then does its work).
/// </summary>
/// <param name="ResultCode">Answer this CC-FS resultCode (HTTP 200, or 503 for <c>0300503</c>, unless <see cref="HttpStatus"/> says).</param>
/// <param name="HttpStatus">Answer this HTTP status: with a resultCode, the CC-FS answer with it; alone, the Spring error body CC-FS sends.</param>
/// <param name="DelayMs">Wait this long before answering.</param>
/// <param name="BytesPerSecond">Send the answer's body at this rate.</param>
/// <param name="DropAfterBytes">Close the connection after this many bytes of the answer's body.</param>
public sealed record FaultAction(string? ResultCode = null, int? HttpStatus = null, int? DelayMs = null, int? BytesPerSecond = null,
    long? DropAfterBytes = null)
{
    /// <summary>The answer is replaced: the request does nothing.</summary>
    public bool ReplacesAnswer => ResultCode is not null || HttpStatus is not null;

    /// <summary>A short name for the log and the metric's <c>action</c> label, e.g. <c>resultCode=0300503+delay</c>.</summary>
    public string Describe()
    {
        var parts = new List<string>();
        if (ResultCode is not null)
        {
            parts.Add("resultCode=" + ResultCode);
        }

        if (HttpStatus is { } status)
        {
            parts.Add("httpStatus=" + status.ToString(CultureInfo.InvariantCulture));
        }

        if (DelayMs is not null)
        {
            parts.Add("delay");
        }

        if (BytesPerSecond is not null)
        {
            parts.Add("slow");
        }

        if (DropAfterBytes is not null)
        {
            parts.Add("drop");
        }

        return string.Join('+', parts);
    }
}

/// <summary>
/// A fault rule as an administrator writes it (<c>POST /admin/api/faults</c>, <c>--faults</c>): act on the next
/// <see cref="Times"/> matching requests, or on a <see cref="Probability"/> of them, or both, or on every one until removed.
/// </summary>
/// <param name="Seed">Seeds the rule's own random draws, so a <see cref="Probability"/> picks the same requests every run.</param>
public sealed record FaultRuleSpec(FaultMatch? Match, FaultAction? Action, int? Times = null, double? Probability = null, int? Seed = null)
{
    public const int MaxDelayMs = 300_000;

    public static IReadOnlyList<string> Interfaces { get; } = ["uploadFile", "deleteFile", "getFileHash", "downloadFile"];

    /// <summary>Everything wrong with the rule, in the API's words; empty when it can be put in force.</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        var match = Match ?? new FaultMatch();
        if (match.Interface is { } name && !Interfaces.Contains(name, StringComparer.Ordinal))
        {
            problems.Add($"match.interface '{name}' is not one of {string.Join(", ", Interfaces)}");
        }

        if (match.VdnId is <= 0)
        {
            problems.Add("match.vdnId must be a positive integer");
        }

        if (match.AccessKey is { Length: 0 })
        {
            problems.Add("match.accessKey is empty; leave it out to match every access key");
        }

        if (match.FileName is { } glob && FileNameGlob.Problem(glob) is { } globProblem)
        {
            problems.Add("match.fileName " + globProblem);
        }

        if (match is { Interface: "uploadFile", FileName: not null })
        {
            problems.Add("match.fileName never matches uploadFile, which names no file (the server makes the name); "
                + "leave it out, or match uploadFile by vdnId or accessKey");
        }

        if (Action is not { } action || action == new FaultAction())
        {
            problems.Add("action must name at least one of resultCode, httpStatus, delayMs, bytesPerSecond, dropAfterBytes");
            return problems;
        }

        if (action.ResultCode is { } code && (code == ResultCodes.Success || !ResultCodes.All.Contains(code, StringComparer.Ordinal)))
        {
            problems.Add($"action.resultCode '{code}' is not one of the documented failure codes "
                + string.Join(", ", ResultCodes.All.Where(c => c != ResultCodes.Success)));
        }

        if (action.HttpStatus is < 200 or > 599)
        {
            problems.Add("action.httpStatus must be from 200 to 599");
        }
        else if (action is { HttpStatus: < 400, ResultCode: null })
        {
            problems.Add("action.httpStatus alone answers the error body CC-FS sends, so it must be from 400 to 599; "
                + "with a resultCode it may be from 200");
        }

        if (action.DelayMs is < 0 or > MaxDelayMs)
        {
            problems.Add($"action.delayMs must be from 0 to {MaxDelayMs}");
        }

        if (action.BytesPerSecond is < 1)
        {
            problems.Add("action.bytesPerSecond must be at least 1");
        }

        if (action.DropAfterBytes is < 0)
        {
            problems.Add("action.dropAfterBytes must be at least 0");
        }

        if (Times is < 1)
        {
            problems.Add("times must be at least 1; leave it out to act until the rule is removed");
        }

        if (Probability is { } p && !(p > 0 && p <= 1))
        {
            problems.Add("probability must be above 0 and at most 1");
        }

        return problems;
    }
}

/// <summary>A rule in force, as listed: its id (the <c>X-Ccfs-Fault</c> value), what it is, and how often it acted.</summary>
/// <param name="Remaining">How many more requests it acts on; null: until removed.</param>
public sealed record FaultRuleView(string Id, FaultMatch Match, FaultAction Action, int? Times, double? Probability, int? Seed,
    int? Remaining, long Fired);

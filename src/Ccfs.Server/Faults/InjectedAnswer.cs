using Ccfs.Protocol;
using Ccfs.Server.Http;

namespace Ccfs.Server.Faults;

/// <summary>The answer a fault rule puts in place of the interface's, shaped exactly as ccfs's own answers of that kind.</summary>
public static class InjectedAnswer
{
    public const string Reason = "injected by fault rule (see X-Ccfs-Fault)";

    public static IResult For(FaultAction action)
    {
        if (action.ResultCode is { } code)
        {
            var result = Describe(code);
            if (action.HttpStatus is { } status)
            {
                // 0300503 always carries Retry-After, as ccfs's own and the shipped load balancer's (deploy/haproxy-50x.http) do.
                var answer = CcfsResults.Answer(result, Reason, status);
                return code == ResultCodes.ServiceUnavailable ? CcfsResults.RetryAfter(answer, CcfsResults.RetryAfterSeconds) : WithFlowRetry(code, answer);
            }

            return code == ResultCodes.ServiceUnavailable ? CcfsResults.Unavailable(Reason) : WithFlowRetry(code, CcfsResults.Answer(result, Reason));
        }

        // Refusals of the kinds the server counts (401, 403) are named so, as the real ones are.
        var httpStatus = action.HttpStatus!.Value;
        return CcfsResults.Spring(httpStatus, Reason, httpStatus switch
        {
            StatusCodes.Status401Unauthorized => "InjectedFault",
            StatusCodes.Status403Forbidden => "InjectedFault",
            _ => null,
        });
    }

    /// <summary>A rehearsed flow-control answer carries Retry-After as a real one does: the default window, 1 s.</summary>
    private static IResult WithFlowRetry(string code, IResult answer) =>
        code is ResultCodes.DownloadFlowControl or ResultCodes.QueryFlowControl ? CcfsResults.RetryAfter(answer, 1) : answer;

    /// <summary>The CC-FS wording of a code; a code that names a parameter names a generic one.</summary>
    private static CcfsResult Describe(string code) => code switch
    {
        ResultCodes.ValueNull => CcfsResult.Null("param"),
        ResultCodes.ValueEmpty => CcfsResult.Empty("param"),
        ResultCodes.ValueTooLong => CcfsResult.TooLong("param"),
        ResultCodes.ValueFormat => CcfsResult.Format("param"),
        ResultCodes.ValueTooShort => CcfsResult.TooShort("param"),
        ResultCodes.VersionError => CcfsResult.Version,
        ResultCodes.RequestBodyNull => CcfsResult.RequestBodyNull,
        ResultCodes.DownloadFlowControl => CcfsResult.DownloadFlowControl,
        ResultCodes.QueryFlowControl => CcfsResult.QueryFlowControl,
        ResultCodes.FileNotFound => CcfsResult.FileNotFound,
        ResultCodes.NoDataFound => CcfsResult.NoDataFound,
        ResultCodes.ServiceUnavailable => CcfsResult.ServiceUnavailable,
        ResultCodes.FileNameDateFormat => new(code, "The date in the value of fileName is in an incorrect format."),
        _ => new(code, "The begin time is later than the end time."),
    };
}

using Ccfs.Protocol;

namespace Ccfs.Cli.Conformance;

/// <summary>What a check requires of an answer; a requirement not met throws <see cref="CheckFailedException"/>.</summary>
internal static class Expect
{
    /// <summary>
    /// The status, and for HTTP 200 one of <paramref name="resultCodes"/> (several when the spec lists alternatives);
    /// 401 and 403 must carry Spring's error body.
    /// </summary>
    public static async Task<RawAnswer> AnswerAsync(Task<RawAnswer> send, int status, params string[] resultCodes)
    {
        var answer = await send;
        if (answer.Status != status || (resultCodes.Length > 0 && !resultCodes.Contains(answer.ResultCode)))
        {
            var codes = resultCodes.Length == 0 ? "" : " with resultCode " + string.Join(" or ", resultCodes);
            throw new CheckFailedException($"expected HTTP {status}{codes}, got {answer}");
        }

        if (status is 401 or 403 && answer.SpringStatus != status)
        {
            throw new CheckFailedException($"HTTP {status} without Spring's error body (status {status})");
        }

        return answer;
    }

    /// <summary>
    /// Refused in any way CC-FS refuses: HTTP 200 with a resultCode other than 0, or 401 with Spring's body. For a
    /// hostile path the documentation requires a refusal, while the code is the spec's judgement.
    /// </summary>
    public static async Task RefusedAsync(Task<RawAnswer> send)
    {
        var answer = await send;
        var refused = (answer.Status == 200 && answer.ResultCode is { } code && code != ResultCodes.Success)
            || (answer.Status == 401 && answer.SpringStatus == 401);
        if (!refused)
        {
            var body = answer.ResultCode is null && answer.Body.Length > 0 ? $" and a body of {answer.Body.Length} bytes" : "";
            throw new CheckFailedException($"expected a refusal (HTTP 200 with a resultCode other than 0, or 401), got {answer}{body}");
        }
    }
}

public sealed class CheckFailedException(string message) : Exception(message);

public sealed class NotApplicableException(string message) : Exception(message);

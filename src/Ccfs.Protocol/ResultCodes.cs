namespace Ccfs.Protocol;

/// <summary>CC-FS result codes (spec §3). Every business answer carries one of these with HTTP 200.</summary>
public static class ResultCodes
{
    public const string Success = "0";
    public const string ValueNull = "0300001";
    public const string ValueEmpty = "0300002";
    public const string ValueTooLong = "0300003";

    /// <summary>
    /// How the <c>X-Ccfs-Reason</c> of a <see cref="ValueTooLong"/> starts when the VDN's quota, not the file's size, refused
    /// the upload (docs/open-questions.md#quota-full).
    /// </summary>
    public const string QuotaFullReasonPrefix = "quota full:";
    public const string ValueFormat = "0300004";
    public const string ValueTooShort = "0300005";
    public const string VersionError = "0300006";
    public const string RequestBodyNull = "0300007";
    public const string DownloadFlowControl = "0300008";
    public const string QueryFlowControl = "0300009";
    public const string FileNameDateFormat = "0300010";
    public const string FileNotFound = "0300011";
    public const string NoDataFound = "0300012";
    public const string BeginAfterEnd = "0300013";

    /// <summary>
    /// ccfs's own code, not a CC-FS one: the request was fine but the server could not store or read the file right
    /// now (a storage or catalog failure, or the upload queue is full). Sent with HTTP 503; the client may retry.
    /// </summary>
    public const string ServiceUnavailable = "0300503";

    /// <summary>Every code above.</summary>
    public static IReadOnlyList<string> All { get; } =
    [
        Success, ValueNull, ValueEmpty, ValueTooLong, ValueFormat, ValueTooShort, VersionError, RequestBodyNull,
        DownloadFlowControl, QueryFlowControl, FileNameDateFormat, FileNotFound, NoDataFound, BeginAfterEnd, ServiceUnavailable,
    ];
}

/// <summary>A resultCode with its resultDesc, worded as the CC-FS error table words it.</summary>
/// <param name="Subject">The parameter the description names (<c>vdnId</c>, <c>data</c>…), if it names one.</param>
public readonly record struct CcfsResult(string Code, string Description, string? Subject = null)
{
    /// <summary>The version CC-FS currently requires in <c>request.version</c>.</summary>
    public const string CurrentVersion = "2.0";

    public bool IsSuccess => Code == ResultCodes.Success;

    public static CcfsResult Success { get; } = new(ResultCodes.Success, "success");

    public static CcfsResult Null(string param) => new(ResultCodes.ValueNull, $"The value of {param} cannot be null.", param);

    public static CcfsResult Empty(string param) => new(ResultCodes.ValueEmpty, $"The value of {param} cannot be an empty string.", param);

    public static CcfsResult TooLong(string param) => new(ResultCodes.ValueTooLong, $"The length of {param} is too long.", param);

    public static CcfsResult Format(string param) => new(ResultCodes.ValueFormat, $"The format of {param} is incorrect.", param);

    public static CcfsResult TooShort(string param) => new(ResultCodes.ValueTooShort, $"The length of {param} is too short.", param);

    public static CcfsResult Version { get; } =
        new(ResultCodes.VersionError, $"The value of version is error, current version is {CurrentVersion} .", CurrentVersion);

    public static CcfsResult RequestBodyNull { get; } = new(ResultCodes.RequestBodyNull, "The params of requestBody is null.");

    public static CcfsResult DownloadFlowControl { get; } =
        new(ResultCodes.DownloadFlowControl, "Reached the download flow control threshold.");

    public static CcfsResult QueryFlowControl { get; } =
        new(ResultCodes.QueryFlowControl, "Reached the query flow control threshold.");

    public static CcfsResult FileNotFound { get; } = new(ResultCodes.FileNotFound, "The file does not exist.");

    public static CcfsResult NoDataFound { get; } = new(ResultCodes.NoDataFound, "No data found.");

    public static CcfsResult ServiceUnavailable { get; } =
        new(ResultCodes.ServiceUnavailable, "The service is temporarily unavailable, try again later.");
}

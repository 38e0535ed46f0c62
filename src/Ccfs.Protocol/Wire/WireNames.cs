namespace Ccfs.Protocol.Wire;

/// <summary>
/// The JSON member names of the CC-FS interfaces (spec §1), in one place for the server, the SDK and the CLI: the
/// request envelope <c>{"request":{"version":"2.0"},"msgBody":{…}}</c> and the answer
/// <c>{"resultCode":…,"resultDesc":…,"resultData":…}</c>.
/// </summary>
public static class WireNames
{
    public const string Request = "request";
    public const string Version = "version";
    public const string MsgBody = "msgBody";

    /// <summary>uploadFile: the WAV, Base64.</summary>
    public const string Data = "data";

    /// <summary>deleteFile and getFileHash: the stored file; uploadFile and getFileHash answer with it too.</summary>
    public const string FileName = "fileName";

    /// <summary>The location(s) of pool mode: one in a request, an array in uploadFile's answer.</summary>
    public const string LocationId = "locationId";

    /// <summary>downloadFile: the file, or with <see cref="Mode"/> 1 a folder.</summary>
    public const string FilePath = "filePath";

    public const string Mode = "mode";

    /// <summary>getFileHash's digest in ccfs's answer (CC-FS does not document the field; it is configurable).</summary>
    public const string Hash = "hash";

    public const string ResultCode = "resultCode";
    public const string ResultDesc = "resultDesc";
    public const string ResultData = "resultData";

    /// <summary>uploadFile's query parameter: the VDN whose folder receives the file.</summary>
    public const string VdnId = "vdnId";
}

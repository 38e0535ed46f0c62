namespace Ccfs.Protocol;

/// <summary>The request paths of the CC-FS third-party IVR interfaces (spec §1, §6 Q1).</summary>
public static class CcfsPaths
{
    public const string Base = "/CCFS/resource/ccfs/ivr";
    public const string UploadFile = Base + "/uploadFile";

    /// <summary>The path the documentation's upload example uses.</summary>
    public const string UploadAlias = Base + "/upload";

    public const string DeleteFile = Base + "/deleteFile";
    public const string GetFileHash = Base + "/getFileHash";
    public const string DownloadFile = Base + "/downloadFile";

    /// <summary>The exact Content-Type CC-FS clients send and CC-FS answers with.</summary>
    public const string JsonContentType = "application/json;charset=UTF-8";
}

namespace Ccfs.Protocol.Wire;

// The JSON shapes of the CC-FS interfaces (members named as in WireNames, camelCase). The server describes its OpenAPI
// document with them; the server, the SDK and the CLI write and read the same bytes with Utf8JsonWriter/Reader.

/// <summary><c>request</c> of every CC-FS body.</summary>
public sealed record RequestHeader(string Version);

/// <summary>The envelope of every CC-FS request body.</summary>
public sealed record Envelope<T>(RequestHeader Request, T MsgBody);

/// <summary>uploadFile: the WAV, Base64-encoded (8 kHz, mono, G.711 A-law).</summary>
public sealed record UploadMsgBody(string Data);

/// <summary>deleteFile and getFileHash: a stored file, and for pool mode optionally one location.</summary>
public sealed record FileMsgBody(string FileName, string? LocationId);

/// <summary>downloadFile: a file, or with mode 1 a folder holding exactly one file.</summary>
public sealed record DownloadMsgBody(string FilePath, int? Mode);

/// <summary>Every CC-FS answer: resultData is "" on a refusal.</summary>
public sealed record CcfsAnswer<T>(string ResultCode, string ResultDesc, T ResultData);

/// <summary>uploadFile's resultData: the stored name and the locations holding it.</summary>
public sealed record UploadedFileData(string FileName, IReadOnlyList<string> LocationId);

/// <summary>getFileHash's resultData.</summary>
public sealed record FileHashData(string FileName, string Hash);

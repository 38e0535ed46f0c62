namespace Ccfs.Protocol;

/// <summary>
/// Spring Boot's error body, which CC-FS sends with 401, 403, 404, 405 and 415 (spec §2.10):
/// <c>{"timestamp":…,"status":401,"error":"Unauthorized","message":"No message available","path":"…"}</c>.
/// </summary>
public sealed record SpringError(long Timestamp, int Status, string Error, string Message, string Path);

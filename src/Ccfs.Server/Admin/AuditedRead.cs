namespace Ccfs.Server.Admin;

/// <summary>
/// Marks an admin GET that hands out a stored file's contents (play, waveform): the audit records it as it records
/// <c>downloadFile</c>, while other admin reads are not recorded.
/// </summary>
public sealed class AuditedRead
{
    public static AuditedRead Instance { get; } = new();
}

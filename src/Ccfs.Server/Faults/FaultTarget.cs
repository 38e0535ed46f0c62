namespace Ccfs.Server.Faults;

/// <summary>What a fault rule matches a request on, as far as the request says it.</summary>
/// <param name="Interface">The CC-FS interface (<c>uploadFile</c> for the <c>/ivr/upload</c> alias too).</param>
/// <param name="AccessKey">The access key whose signature was verified.</param>
/// <param name="VdnId">uploadFile's <c>vdnId</c>, or the VDN the named path belongs to; null when neither says one.</param>
/// <param name="FileName">The path a deleteFile, getFileHash or downloadFile names; null for uploadFile.</param>
public readonly record struct FaultTarget(string Interface, string AccessKey, int? VdnId, string? FileName);

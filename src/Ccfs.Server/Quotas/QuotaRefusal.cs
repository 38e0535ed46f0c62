using System.Globalization;
using Ccfs.Protocol;
using Ccfs.Server.Parameters;

namespace Ccfs.Server.Quotas;

/// <summary>An upload that did not fit in its VDN's quota, with the usage that refused it; nothing was stored.</summary>
/// <param name="Files">The VDN's files (stored and being uploaded) when the upload was refused.</param>
/// <param name="Bytes">Their bytes.</param>
/// <param name="FileBytes">The refused file's size.</param>
public sealed record QuotaRefusal(int VdnId, long Files, long Bytes, long FileBytes, VdnQuota Quota)
{
    /// <summary>Which limit refused it, as the metric's label: <c>files</c> or <c>bytes</c>.</summary>
    public string Limit => Files + 1 > Quota.MaxFiles ? "files" : "bytes";

    /// <summary>For <c>X-Ccfs-Reason</c>: the limit, the usage and what the file needed.</summary>
    public string Reason => Limit == "files"
        ? Invariant($"{ResultCodes.QuotaFullReasonPrefix} VDN {VdnId} holds {Files} of its {Quota.MaxFiles} files (quotaFiles); nothing was stored")
        : Invariant($"{ResultCodes.QuotaFullReasonPrefix} VDN {VdnId} holds {Bytes} of its {Quota.MaxBytes} bytes (quotaMb) and the file needs {FileBytes}; nothing was stored");

    /// <summary>For the admin page.</summary>
    public string ForPerson => Limit == "files"
        ? Invariant($"VDN {VdnId} is full: it holds {Files} files, its quota. Delete files or raise quotaFiles; nothing was stored")
        : Invariant($"VDN {VdnId} is full: this prompt needs {Mib(FileBytes)} and only {Mib(Math.Max(0, Quota.MaxBytes!.Value - Bytes))} of its {Mib(Quota.MaxBytes.Value)} quota is free. Delete files or raise quotaMb; nothing was stored");

    private static string Mib(long bytes) => (bytes / 1048576.0).ToString("0.###", CultureInfo.InvariantCulture) + " MiB";

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}

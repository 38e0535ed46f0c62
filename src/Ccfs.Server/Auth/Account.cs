using Ccfs.Protocol.Development;

namespace Ccfs.Server.Auth;

/// <summary>
/// A developer account: an AK, the SKs that sign for it (two while a rotation is under way), the VDNs whose files it
/// may touch, and whether it may use the administration API.
/// </summary>
public sealed record Account(string AccessKey, IReadOnlyList<string> SecretKeys, IReadOnlySet<int> VdnIds, bool IsAdmin = false)
{
    /// <summary>The well-known account that serves VDN 1 when nothing is configured and every listener is loopback.</summary>
    public static Account Development { get; } = new(DevelopmentServer.AccessKey, [DevelopmentServer.SecretKey],
        new HashSet<int> { DevelopmentServer.VdnId }, IsAdmin: true);

    public bool MayUse(int vdnId) => VdnIds.Contains(vdnId);

    public override string ToString() => $"Account {{ AccessKey = {AccessKey}, VdnIds = [{string.Join(',', VdnIds)}], IsAdmin = {IsAdmin} }}";
}

using System.Text.Json;
using Ccfs.Server.Parameters;

namespace Ccfs.Server.Catalog;

/// <summary>The data of a <c>ccfs.quota.warning</c> event, as receivers read it.</summary>
/// <param name="Percent">The level crossed: 80 or 95.</param>
/// <param name="QuotaBytes">The bytes quota in force; absent when only files are limited.</param>
/// <param name="QuotaFiles">The files quota in force; absent when only bytes are limited.</param>
public sealed record QuotaWarningData(int VdnId, int Percent, long Files, long Bytes, long? QuotaFiles, long? QuotaBytes);

/// <summary>
/// When a VDN's usage is worth a warning: on crossing 80 % and again 95 % of its quota (of whichever limit is fuller).
/// Each level warns once until usage falls below it again, so a VDN hovering at the line does not warn at every upload.
/// </summary>
public static class QuotaWarnings
{
    public static readonly int[] Levels = [80, 95];

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>The highest level reached by <paramref name="percent"/>, or 0.</summary>
    public static int LevelOf(double percent) => percent >= 95 ? 95 : percent >= 80 ? 80 : 0;

    public static string Data(int vdnId, int percent, long files, long bytes, VdnQuota quota) =>
        JsonSerializer.Serialize(new QuotaWarningData(vdnId, percent, files, bytes, quota.MaxFiles, quota.MaxBytes), Json);
}

namespace Ccfs.Server.Parameters;

/// <summary>
/// What a VDN may hold: bytes of stored WAV and files, each null for no limit. A file counts once however many
/// locations hold it. The catalog enforces it when an upload reserves its name (docs/quotas-and-retention.md).
/// </summary>
public sealed record VdnQuota(long? MaxBytes, long? MaxFiles)
{
    public static VdnQuota Unlimited { get; } = new(null, null);

    public bool IsUnlimited => MaxBytes is null && MaxFiles is null;

    /// <summary>How full <paramref name="files"/> and <paramref name="bytes"/> make it, in percent of the fuller limit; 0 when unlimited.</summary>
    public double PercentUsed(long files, long bytes) => Math.Max(Percent(files, MaxFiles), Percent(bytes, MaxBytes));

    /// <summary>The usage against each limit in force, e.g. <c>16 of 20 files, 128928 bytes (no bytes quota)</c>.</summary>
    public string Describe(long files, long bytes) => string.Create(System.Globalization.CultureInfo.InvariantCulture,
        $"{files}{(MaxFiles is { } f ? $" of {f}" : "")} files{(MaxFiles is null ? " (no files quota)" : "")}, "
        + $"{bytes}{(MaxBytes is { } b ? $" of {b}" : "")} bytes{(MaxBytes is null ? " (no bytes quota)" : "")}");

    private static double Percent(long used, long? max) => max switch
    {
        null => 0,
        0 => 100,
        { } limit => 100.0 * used / limit,
    };
}

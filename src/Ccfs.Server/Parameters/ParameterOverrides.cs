using Ccfs.Server.Configuration;

namespace Ccfs.Server.Parameters;

/// <summary>Values an administrator set at run time, globally or for one VDN; a null value keeps what is beneath it.</summary>
public sealed record ParameterOverrides(
    decimal? UploadSizeLimitMb = null,
    string? UploadPathRule = null,
    string? DownloadPathRule = null,
    string? DriveLetter = null,
    string? AcceptedEncodings = null,
    string? PromptCheck = null,
    decimal? PromptLevelDbov = null,
    decimal? PromptLevelToleranceDb = null,
    int? PromptMaxClippedRuns = null,
    decimal? PromptMaxDcOffsetPercent = null,
    decimal? PromptMaxHeadSilenceSeconds = null,
    decimal? PromptMaxTailSilenceSeconds = null,
    decimal? QuotaMb = null,
    long? QuotaFiles = null,
    TimeSpan? RetainFor = null)
{
    [System.Text.Json.Serialization.JsonIgnore]
    public bool IsEmpty => this == new ParameterOverrides();

    public ParameterOptions ApplyTo(ParameterOptions beneath) => new()
    {
        UploadSizeLimitMb = UploadSizeLimitMb ?? beneath.UploadSizeLimitMb,
        UploadPathRule = UploadPathRule ?? beneath.UploadPathRule,
        DownloadPathRule = DownloadPathRule ?? beneath.DownloadPathRule,
        DriveLetter = DriveLetter ?? beneath.DriveLetter,
        AcceptedEncodings = AcceptedEncodings ?? beneath.AcceptedEncodings,
        PromptCheck = PromptCheck ?? beneath.PromptCheck,
        PromptLevelDbov = PromptLevelDbov ?? beneath.PromptLevelDbov,
        PromptLevelToleranceDb = PromptLevelToleranceDb ?? beneath.PromptLevelToleranceDb,
        PromptMaxClippedRuns = PromptMaxClippedRuns ?? beneath.PromptMaxClippedRuns,
        PromptMaxDcOffsetPercent = PromptMaxDcOffsetPercent ?? beneath.PromptMaxDcOffsetPercent,
        PromptMaxHeadSilenceSeconds = PromptMaxHeadSilenceSeconds ?? beneath.PromptMaxHeadSilenceSeconds,
        PromptMaxTailSilenceSeconds = PromptMaxTailSilenceSeconds ?? beneath.PromptMaxTailSilenceSeconds,
        QuotaMb = QuotaMb ?? beneath.QuotaMb,
        QuotaFiles = QuotaFiles ?? beneath.QuotaFiles,
        RetainFor = RetainFor ?? beneath.RetainFor,
    };
}

/// <summary>All overrides: the global ones and each VDN's.</summary>
public sealed record OverrideSet(ParameterOverrides Global, IReadOnlyDictionary<int, ParameterOverrides> Vdns)
{
    public static OverrideSet None { get; } = new(new ParameterOverrides(), new Dictionary<int, ParameterOverrides>());
}

using Ccfs.Audio;
using Ccfs.Audio.Quality;
using Ccfs.Server.Configuration;
using Ccfs.Server.Paths;

namespace Ccfs.Server.Parameters;

/// <summary>The CC-FS system parameters in force for a request (spec §5), with the values they were built from.</summary>
public sealed record SystemParameters(
    long UploadSizeLimitBytes,
    PathRule UploadPathRule,
    IReadOnlyList<PathRule> DownloadPathRules,
    char DriveLetter,
    WaveEncodings AcceptedEncodings,
    PromptCheckMode PromptCheck,
    PromptThresholds PromptThresholds,
    VdnQuota Quota,
    TimeSpan? RetainFor,
    ParameterOptions Values)
{
    /// <summary>The upload rule and every download rule: the folders a VDN's files may be in.</summary>
    public IEnumerable<PathRule> PathRules => DownloadPathRules.Prepend(UploadPathRule);

    /// <summary>
    /// The largest request body an upload of <see cref="UploadSizeLimitBytes"/> can need: the Base64 text, a 1/16
    /// allowance for JSON escapes (<c>\/</c>) and line breaks some encoders insert, and 4 KiB for the envelope.
    /// </summary>
    public long UploadBodyLimitBytes
    {
        get
        {
            var base64 = (UploadSizeLimitBytes + 2) / 3 * 4;
            return base64 + base64 / 16 + 4096;
        }
    }
}

/// <summary>Where requests read their parameters. One place, so run-time changes reach every interface.</summary>
public interface IParameterSource
{
    /// <summary>The parameters of VDNs without overrides of their own.</summary>
    SystemParameters Global { get; }

    SystemParameters For(int vdnId);

    /// <summary>Every distinct set in force: the global one and each VDN's own.</summary>
    IReadOnlyList<SystemParameters> All { get; }
}

using Ccfs.Audio;
using Ccfs.Audio.Quality;
using Ccfs.Server.Configuration;
using Ccfs.Server.Paths;

namespace Ccfs.Server.Parameters;

/// <summary>
/// Turns parameter values (from configuration, or configuration with run-time overrides) into
/// <see cref="SystemParameters"/>, naming every value it refuses.
/// </summary>
public static class ParameterRules
{
    public const decimal MaxUploadSizeLimitMb = 1024;

    /// <summary>The smallest size limit: a tiny fraction of a MiB would round to a limit no prompt fits.</summary>
    public const long MinUploadSizeLimitBytes = 1024;

    /// <summary>A bytes quota above this (1 EiB) is a typing error, and would overflow the byte count.</summary>
    public const decimal MaxQuotaMb = 1024m * 1024 * 1024 * 1024;

    public static readonly TimeSpan MaxRetainFor = TimeSpan.FromDays(36600);

    /// <summary>The most download rules one scope may list.</summary>
    public const int MaxDownloadRules = 64;

    private const long BytesPerMb = 1024 * 1024;

    /// <summary>
    /// Why the rules every VDN without its own follows could give two VDNs folders one inside the other (such as
    /// <c>/voice/%VDNNO%</c> beside <c>/voice/1/%VDNNO%</c>); null when they cannot.
    /// </summary>
    public static string? SharedRulesNestingProblem(SystemParameters shared, string prefix)
    {
        var rules = shared.PathRules.ToList();
        for (var i = 0; i < rules.Count; i++)
        {
            for (var j = i + 1; j < rules.Count; j++)
            {
                if (rules[i].CanNestWith(null, rules[j], null))
                {
                    return $"{prefix}the path rules {rules[i].Text} and {rules[j].Text} give two VDNs folders one inside the other, "
                        + "so one VDN's files would be the other's";
                }
            }
        }

        return null;
    }

    /// <param name="p">The values.</param>
    /// <param name="prefix">How problems name a value: <c>Ccfs:Parameters:</c> for configuration, empty for the admin API.</param>
    /// <param name="errors">Receives one message per problem.</param>
    public static SystemParameters? Build(ParameterOptions p, string prefix, List<string> errors)
    {
        var before = errors.Count;
        if (p.UploadSizeLimitMb <= 0 || p.UploadSizeLimitMb > MaxUploadSizeLimitMb)
        {
            errors.Add($"{Key(prefix, "UploadSizeLimitMb")} is {p.UploadSizeLimitMb}; it must be above 0 and at most {MaxUploadSizeLimitMb}");
        }
        else if (SizeLimitBytes(p.UploadSizeLimitMb) < MinUploadSizeLimitBytes)
        {
            errors.Add($"{Key(prefix, "UploadSizeLimitMb")} is {p.UploadSizeLimitMb}, a limit of {SizeLimitBytes(p.UploadSizeLimitMb)} bytes; "
                + $"it must be at least {MinUploadSizeLimitBytes} bytes ({(decimal)MinUploadSizeLimitBytes / BytesPerMb} MiB)");
        }

        if (!PathRule.TryParse(p.UploadPathRule, out var uploadRule, out var error))
        {
            errors.Add($"{Key(prefix, "UploadPathRule")}: {error}");
        }
        else if (!uploadRule!.HasVdnToken)
        {
            errors.Add($"{Key(prefix, "UploadPathRule")} '{p.UploadPathRule}' must contain {PathRule.VdnToken}");
        }

        var downloadRules = new List<PathRule>();
        var downloadTexts = (p.DownloadPathRule ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (downloadTexts.Length == 0)
        {
            errors.Add($"{Key(prefix, "DownloadPathRule")} '{p.DownloadPathRule}' names no rule; downloadFile would refuse every path");
        }
        else if (downloadTexts.Length > MaxDownloadRules)
        {
            // Every request and every retention query looks at each rule: a list without bound would let one setting slow
            // them all (and past about a thousand rules, the catalog refuses retention's query outright).
            errors.Add($"{Key(prefix, "DownloadPathRule")} names {downloadTexts.Length} rules; at most {MaxDownloadRules} are allowed");
        }

        foreach (var text in downloadTexts)
        {
            if (!PathRule.TryParse(text, out var rule, out error))
            {
                errors.Add($"{Key(prefix, "DownloadPathRule")}: {error}");
            }
            else if (!rule!.HasVdnToken)
            {
                errors.Add($"{Key(prefix, "DownloadPathRule")} entry '{text}' must contain {PathRule.VdnToken}");
            }
            else
            {
                downloadRules.Add(rule);
            }
        }

        if (p.DriveLetter is not { Length: 1 } || !char.IsAsciiLetter(p.DriveLetter[0]))
        {
            errors.Add($"{Key(prefix, "DriveLetter")} '{p.DriveLetter}' must be one letter A-Z");
        }

        if (!WaveEncodingNames.TryParseList(p.AcceptedEncodings, out var encodings, out var invalid))
        {
            errors.Add($"{Key(prefix, "AcceptedEncodings")} has '{invalid}'; use a comma-separated list of alaw, mulaw, pcm8");
        }

        var promptCheck = PromptCheckModes.TryParse(p.PromptCheck);
        if (promptCheck is null)
        {
            errors.Add($"{Key(prefix, "PromptCheck")} '{p.PromptCheck}' must be one of {string.Join(", ", PromptCheckModes.Names)}");
        }

        var thresholds = PromptThresholdsOf(p, prefix, errors);
        var quota = QuotaOf(p, prefix, errors);
        if (p.RetainFor is { } retainFor && (retainFor <= TimeSpan.Zero || retainFor > MaxRetainFor))
        {
            errors.Add($"{Key(prefix, "RetainFor")} is {retainFor}; it must be above 0 and at most {MaxRetainFor.Days} days (a duration such as 30.00:00:00)");
        }

        if (errors.Count > before)
        {
            return null;
        }

        return new SystemParameters(
            SizeLimitBytes(p.UploadSizeLimitMb),
            uploadRule!,
            downloadRules,
            char.ToUpperInvariant(p.DriveLetter[0]),
            encodings,
            promptCheck!.Value,
            thresholds,
            quota,
            p.RetainFor,
            p);
    }

    private static PromptThresholds PromptThresholdsOf(ParameterOptions p, string prefix, List<string> errors)
    {
        void Check(bool valid, string name, decimal value, string range)
        {
            if (!valid)
            {
                errors.Add($"{Key(prefix, name)} is {value}; it must be {range}");
            }
        }

        Check(p.PromptLevelDbov is >= -60 and <= 0, nameof(p.PromptLevelDbov), p.PromptLevelDbov, "between -60 and 0");
        Check(p.PromptLevelToleranceDb is > 0 and <= 30, nameof(p.PromptLevelToleranceDb), p.PromptLevelToleranceDb, "above 0 and at most 30");
        Check(p.PromptMaxClippedRuns >= 0, nameof(p.PromptMaxClippedRuns), p.PromptMaxClippedRuns, "0 or more");
        Check(p.PromptMaxDcOffsetPercent is > 0 and <= 100, nameof(p.PromptMaxDcOffsetPercent), p.PromptMaxDcOffsetPercent,
            "above 0 and at most 100");
        Check(p.PromptMaxHeadSilenceSeconds is >= 0 and <= 3600, nameof(p.PromptMaxHeadSilenceSeconds), p.PromptMaxHeadSilenceSeconds,
            "between 0 and 3600");
        Check(p.PromptMaxTailSilenceSeconds is >= 0 and <= 3600, nameof(p.PromptMaxTailSilenceSeconds), p.PromptMaxTailSilenceSeconds,
            "between 0 and 3600");
        return new PromptThresholds
        {
            TargetLevelDbov = (double)p.PromptLevelDbov,
            LevelToleranceDb = (double)p.PromptLevelToleranceDb,
            MaxClippedRuns = Math.Max(0, p.PromptMaxClippedRuns),
            MaxDcOffset = (double)p.PromptMaxDcOffsetPercent / 100,
            MaxHeadSilence = TimeSpan.FromSeconds((double)Math.Clamp(p.PromptMaxHeadSilenceSeconds, 0, 3600)),
            MaxTailSilence = TimeSpan.FromSeconds((double)Math.Clamp(p.PromptMaxTailSilenceSeconds, 0, 3600)),
        };
    }

    /// <summary>How a problem names a value: its configuration key (the prefix ends in ':'), or for the admin API its JSON property.</summary>
    private static string Key(string prefix, string name) => prefix.EndsWith(':') ? prefix + name : prefix + char.ToLowerInvariant(name[0]) + name[1..];

    private static VdnQuota QuotaOf(ParameterOptions p, string prefix, List<string> errors)
    {
        if (p.QuotaMb is { } mb && (mb < 0 || mb > MaxQuotaMb))
        {
            errors.Add($"{Key(prefix, "QuotaMb")} is {mb}; it must be between 0 and {MaxQuotaMb}, or absent for no limit");
        }

        if (p.QuotaFiles is < 0)
        {
            errors.Add($"{Key(prefix, "QuotaFiles")} is {p.QuotaFiles}; it must be 0 or more, or absent for no limit");
        }

        return new VdnQuota(p.QuotaMb is { } quotaMb and >= 0 and <= MaxQuotaMb ? SizeLimitBytes(quotaMb) : null,
            p.QuotaFiles is >= 0 ? p.QuotaFiles : null);
    }

    private static long SizeLimitBytes(decimal mb) => (long)(mb * BytesPerMb);
}

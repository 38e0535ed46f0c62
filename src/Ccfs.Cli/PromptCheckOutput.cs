using System.Globalization;
using System.Text.Json;
using Ccfs.Audio.Quality;
using Spectre.Console;

namespace Ccfs.Cli;

/// <summary>How <c>ccfs check</c> and <c>ccfs upload --check</c> show checked prompts: a table and the failures in words, or JSON.</summary>
internal static class PromptCheckOutput
{
    /// <summary>One JSON object per file, on a line each; docs/cli.md lists the fields.</summary>
    public static async Task WriteJsonAsync(CliConsole console, IEnumerable<CheckedPrompt> prompts)
    {
        foreach (var prompt in prompts)
        {
            var m = prompt.Report?.Measurement;
            await console.Out.WriteLineAsync(JsonSerializer.Serialize(new
            {
                file = prompt.Path,
                passed = prompt.Passed,
                verdict = prompt.Report?.Verdict,
                summary = prompt.Report?.HeaderValue,
                levelDbov = m?.ActiveLevelDbov,
                activity = m?.ActivityFactor,
                peakDbov = m?.PeakDbov,
                clippedRuns = m?.ClippedRuns,
                clippedFraction = m?.ClippedFraction,
                dcOffset = m?.DcOffset,
                headSilence = m?.HeadSilence.TotalSeconds,
                tailSilence = m?.TailSilence.TotalSeconds,
                noiseFloorDbov = m?.NoiseFloorDbov,
                duration = m?.Duration.TotalSeconds,
                checks = prompt.Report?.Checks.Select(c => new { name = c.Name, outcome = Outcome(c.Outcome), finding = c.Finding }),
                error = prompt.Error,
            }, ConsoleJson.Plain));
        }
    }

    /// <summary>A row per file with what was measured, then each failure and what to do about it on the error stream.</summary>
    public static async Task WriteTableAsync(CliConsole console, IReadOnlyList<CheckedPrompt> prompts)
    {
        var table = new Table().AddColumns("file", "level dBov", "activity", "peak dBov", "clipped runs", "DC", "head s", "tail s",
            "noise dBov", "verdict");
        foreach (var prompt in prompts)
        {
            if (prompt.Report?.Measurement is not { } m)
            {
                table.AddRow(Markup.Escape(prompt.Path), "", "", "", "", "", "", "", "", "error");
                continue;
            }

            table.AddRow(Markup.Escape(prompt.Path), m.ActiveLevelDbov is { } level ? Number(level, "0.0") : "none", Number(m.ActivityFactor * 100, "0") + " %",
                Number(m.PeakDbov, "0.0"), m.ClippedRuns.ToString(CultureInfo.InvariantCulture), Number(m.DcOffset * 100, "0.0") + " %",
                Number(m.HeadSilence.TotalSeconds, "0.00"), Number(m.TailSilence.TotalSeconds, "0.00"),
                m.NoiseFloorDbov is { } noise ? Number(noise, "0.0") : "", prompt.Report.Verdict);
        }

        console.Tables.Write(table);
        await WriteFailuresAsync(console, prompts);
    }

    /// <summary>Each failed check and each file that could not be checked, in words, with what fixes it.</summary>
    public static async Task WriteFailuresAsync(CliConsole console, IEnumerable<CheckedPrompt> prompts)
    {
        foreach (var prompt in prompts.Where(p => !p.Passed))
        {
            if (prompt.Error is { } error)
            {
                await console.Error.WriteLineAsync($"ccfs: {prompt.Path}: {error}");
                continue;
            }

            foreach (var failure in prompt.Report!.Failures)
            {
                await console.Error.WriteLineAsync($"ccfs: {prompt.Path}: {failure.Name}: {failure.Finding}");
            }

            if (prompt.Advice is { } advice)
            {
                await console.Error.WriteLineAsync($"ccfs: {advice}");
            }
        }
    }

    private static string Outcome(PromptCheckOutcome outcome) => outcome switch
    {
        PromptCheckOutcome.Pass => "pass",
        PromptCheckOutcome.Fail => "fail",
        _ => "n/a",
    };

    private static string Number(double value, string format) => value.ToString(format + ";-" + format + ";" + format, CultureInfo.InvariantCulture);
}

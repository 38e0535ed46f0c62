using Ccfs.Audio;
using Ccfs.Audio.Quality;

namespace Ccfs.Cli;

/// <summary>
/// A local prompt judged by the checks the server runs at upload (docs/prompt-quality.md), under their default
/// thresholds: for <c>ccfs check</c>, and for <c>ccfs upload --check</c> on the bytes it would send.
/// </summary>
internal sealed record CheckedPrompt(string Path, PromptReport? Report, string? Error)
{
    public bool Passed => Report?.Passed == true;

    /// <summary>The exit code for a set of checked prompts: 2 when one could not be checked, else 1 when one failed, else 0.</summary>
    public static int ExitCode(IReadOnlyCollection<CheckedPrompt> prompts) =>
        prompts.Any(p => p.Error is not null) ? ExitCodes.Usage
        : prompts.Any(p => !p.Passed) ? ExitCodes.Failed
        : ExitCodes.Success;

    /// <param name="convert">Check what <c>ccfs convert</c> makes of the file, as <c>upload --convert</c> would send it.</param>
    public static CheckedPrompt Of(string path, bool convert)
    {
        try
        {
            var wav = File.ReadAllBytes(path);
            if (convert)
            {
                using var converted = new MemoryStream();
                AudioConverter.ConvertToPrompt(new MemoryStream(wav), converted);
                wav = converted.ToArray();
            }

            return new(path, PromptAnalyzer.AnalyzeFile(wav), null);
        }
        catch (UnsupportedAudioException e)
        {
            return new(path, null, "not a prompt the checks can measure: " + UncheckablePrompt.Explain(path, e.Message, convert));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new(path, null, e.Message);
        }
    }

    /// <summary>What to do about the failed checks, or null when <c>ccfs convert --normalize</c> fixes none of them.</summary>
    public string? Advice => Report is { Passed: false } report && report.Failures.Any(f => f.Name != PromptCheckNames.Silent)
        ? $"ccfs convert --normalize {ShellWord.Quote(Path)} fixed.wav brings the speech to -26 dBov, takes out the DC offset and cuts the silence around it to 0.2 s"
        : null;
}

using System.Globalization;
using System.Text.Json;
using Ccfs.Audio.Quality;

namespace Ccfs.Cli.Tests;

/// <summary><c>ccfs check</c>, <c>ccfs convert --normalize</c> and <c>ccfs upload --check</c>: all local, no server needed.</summary>
public sealed class PromptCheckCommandTests : IDisposable
{
    private static readonly Dictionary<string, string?> NoEnvironment = [];

    private readonly string _work = Directory.CreateTempSubdirectory("ccfs-cli-prompts").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    public static TheoryData<string> LintPrompts() =>
        [.. Directory.GetFiles(TestData.Audio("lint"), "*.wav").Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal)];

    [Fact]
    public async Task Check_shows_a_passing_prompt_in_its_table_and_exits_0()
    {
        var (code, output, error) = await Cli.RunAsync(NoEnvironment, "check", Lint("prompt-nominal.wav"));

        Assert.Equal(ExitCodes.Success, code);
        Assert.Contains("prompt-nominal.wav", output, StringComparison.Ordinal);
        Assert.Contains("-26.0", output, StringComparison.Ordinal);
        Assert.Contains("pass", output, StringComparison.Ordinal);
        Assert.Equal("", error);
    }

    [Fact]
    public async Task Check_names_each_failed_check_with_its_finding_and_the_fix_and_exits_1()
    {
        var (code, output, error) = await Cli.RunAsync(NoEnvironment, "check", Lint("prompt-nominal.wav"), Lint("prompt-clipped.wav"),
            Lint("prompt-long-tail.wav"));

        Assert.Equal(ExitCodes.Failed, code);
        Assert.Contains("loud,clipping", output, StringComparison.Ordinal);
        Assert.Contains($"{Lint("prompt-clipped.wav")}: level: active speech level -11.3 dBov, 14.7 dB above -26 +/- 6 dB", error, StringComparison.Ordinal);
        Assert.Contains($"{Lint("prompt-clipped.wav")}: clipping: 73 clipped run(s)", error, StringComparison.Ordinal);
        Assert.Contains($"{Lint("prompt-long-tail.wav")}: tail-silence: 2.64 s of silence after the speech (limit 1.0 s)", error, StringComparison.Ordinal);
        Assert.Contains($"ccfs convert --normalize {Lint("prompt-long-tail.wav")} fixed.wav", error, StringComparison.Ordinal);
        Assert.DoesNotContain("prompt-nominal.wav:", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_suggested_command_quotes_a_path_the_shell_would_split()
    {
        var prompt = Path.Combine(_work, "my prompt's take.wav");
        File.Copy(Lint("prompt-long-tail.wav"), prompt);

        var (code, _, error) = await Cli.RunAsync(NoEnvironment, "check", prompt);

        Assert.Equal(ExitCodes.Failed, code);
        Assert.Contains($"ccfs convert --normalize '{_work}/my prompt'\\''s take.wav' fixed.wav", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("plain/prompt-1.wav")]
    [InlineData("my prompt.wav")]
    [InlineData("it's $HOME `id` \"*\".wav")]
    [InlineData("new\nline.wav")]
    [InlineData("")]
    public async Task A_quoted_word_reaches_a_program_unchanged_through_the_shell(string word)
    {
        var start = new System.Diagnostics.ProcessStartInfo("bash", ["-c", $"printf %s {ShellWord.Quote(word)}"]) { RedirectStandardOutput = true };
        using var shell = System.Diagnostics.Process.Start(start)!;
        var echoed = await shell.StandardOutput.ReadToEndAsync();
        await shell.WaitForExitAsync();

        Assert.Equal(word, echoed);
    }

    [Fact]
    public async Task Check_exits_2_when_a_file_cannot_be_checked_and_still_checks_the_others()
    {
        var (code, output, error) = await Cli.RunAsync(NoEnvironment, "check", Lint("prompt-quiet.wav"),
            TestData.Audio("invalid", "speech-pcm16-22050hz.wav"), TestData.Audio("invalid", "truncated-header.wav"));

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("quiet", output, StringComparison.Ordinal);
        Assert.Contains("speech-pcm16-22050hz.wav: not a prompt the checks can measure", error, StringComparison.Ordinal);
        Assert.Contains($"ccfs convert {TestData.Audio("invalid", "speech-pcm16-22050hz.wav")} prompt.wav makes it one", error, StringComparison.Ordinal);
        Assert.Contains("truncated-header.wav: not a prompt the checks can measure", error, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Usage, (await Cli.RunAsync(NoEnvironment, "check", Path.Combine(_work, "missing.wav"))).ExitCode);
    }

    [Theory]
    [InlineData("empty.wav")]
    [InlineData("truncated-header.wav")]
    [InlineData("alaw-8k-headerless.raw")]
    public async Task Check_does_not_suggest_convert_for_a_file_convert_refuses(string name)
    {
        var file = TestData.Audio("invalid", name);

        var check = await Cli.RunAsync(NoEnvironment, "check", file);
        var convert = await Cli.RunAsync(NoEnvironment, "convert", file, Path.Combine(_work, "out.wav"));

        Assert.Equal(ExitCodes.Usage, check.ExitCode);
        Assert.Contains($"{file}: not a prompt the checks can measure", check.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("ccfs convert", check.Error, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Usage, convert.ExitCode);
    }

    [Fact]
    public async Task Check_names_the_rate_of_a_16_bit_PCM_WAV_at_16_kHz_and_the_convert_that_fixes_it_with_the_path_given()
    {
        var file = Path.Combine(_work, "pcm16-16k.wav");
        await File.WriteAllBytesAsync(file, Pcm16Wav(16000, 16000));

        var (code, _, error) = await Cli.RunInAsync(_work, NoEnvironment, "check", file);
        var converted = await Cli.RunAsync(NoEnvironment, "convert", file, Path.Combine(_work, "prompt.wav"));

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("16-bit linear PCM at 16000 Hz", error, StringComparison.Ordinal);
        Assert.Contains("8000 Hz", error, StringComparison.Ordinal);
        Assert.DoesNotContain("not supported", error, StringComparison.Ordinal);
        Assert.DoesNotContain("A-law required", error, StringComparison.Ordinal);
        Assert.Contains($"ccfs convert {file} prompt.wav makes it one", error, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Success, converted.ExitCode);
    }

    [Fact]
    public async Task Check_json_has_one_object_per_file_with_the_measurements_and_every_check_by_name()
    {
        var (code, output, _) = await Cli.RunAsync(NoEnvironment, "check", "--json", Lint("prompt-dc.wav"),
            TestData.Audio("valid", "alaw-8k-silence-fact-after-data.wav"));

        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(ExitCodes.Failed, code);
        Assert.Equal(["dc", "silent"], lines.Select(l => l.GetProperty("verdict").GetString()));
        Assert.Equal(-23.17, lines[0].GetProperty("levelDbov").GetDouble(), 0.01);
        Assert.Equal(1655.14 / 32768, lines[0].GetProperty("dcOffset").GetDouble(), 1e-4);
        Assert.Equal(JsonValueKind.Null, lines[1].GetProperty("levelDbov").ValueKind);
        Assert.Equal(PromptCheckNames.All, lines[0].GetProperty("checks").EnumerateArray().Select(c => c.GetProperty("name").GetString()));
        Assert.StartsWith("level=-23.2dBov;activity=100%;", lines[0].GetProperty("summary").GetString(), StringComparison.Ordinal);
        Assert.Equal("fail", lines[0].GetProperty("checks")[3].GetProperty("outcome").GetString());
        Assert.Contains("+5.05 %", lines[0].GetProperty("checks")[3].GetProperty("finding").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(LintPrompts))]
    public async Task Convert_normalize_makes_every_lint_prompt_pass_the_checks(string prompt)
    {
        var fixedPrompt = Path.Combine(_work, prompt);

        var (code, _, error) = await Cli.RunAsync(NoEnvironment, "convert", "--normalize", Lint(prompt), fixedPrompt);

        Assert.True(code == ExitCodes.Success, error);
        Assert.Contains("normalised: speech level", error, StringComparison.Ordinal);
        var measured = PromptAnalyzer.MeasureFile(await File.ReadAllBytesAsync(fixedPrompt));
        Assert.InRange(measured.ActiveLevelDbov!.Value, -26.5, -25.5);
        Assert.Equal(0, measured.ClippedRuns);
        Assert.Equal(ExitCodes.Success, (await Cli.RunAsync(NoEnvironment, "check", fixedPrompt)).ExitCode);
    }

    [Theory]
    [InlineData("--normalize=-20", "0", -20.0, 0.0)]
    [InlineData("--normalize=-30", "500ms", -30.0, 0.5)]
    public async Task Convert_normalize_takes_a_level_and_a_pad(string normalize, string pad, double level, double padSeconds)
    {
        var target = Path.Combine(_work, "head.wav");

        var (code, _, error) = await Cli.RunAsync(NoEnvironment, "convert", normalize, "--pad", pad, Lint("prompt-long-head.wav"), target);

        Assert.True(code == ExitCodes.Success, error);
        var measured = PromptAnalyzer.MeasureFile(await File.ReadAllBytesAsync(target));
        Assert.Equal(level, measured.ActiveLevelDbov!.Value, 0.5);
        Assert.Equal(padSeconds, measured.HeadSilence.TotalSeconds, 0.02);
    }

    [Theory]
    [InlineData("--normalize=loud")]
    [InlineData("--normalize=-80")]
    public async Task Convert_refuses_a_level_that_is_not_one(string normalize)
    {
        var target = Path.Combine(_work, "out.wav");

        var (code, output, error) = await Cli.RunAsync(NoEnvironment, "convert", normalize, Lint("prompt-nominal.wav"), target);

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("--normalize takes a level in dBov from -60 to -3", error, StringComparison.Ordinal);
        Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.DoesNotContain("Options:", error + output, StringComparison.Ordinal);
        Assert.False(File.Exists(target));
    }

    [Fact]
    public async Task Convert_normalize_of_a_silent_prompt_says_there_is_no_speech_and_writes_nothing()
    {
        var target = Path.Combine(_work, "out.wav");

        var (code, _, error) = await Cli.RunAsync(NoEnvironment, "convert", "--normalize", TestData.Audio("valid", "alaw-8k-silence-fact-after-data.wav"), target);

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("no active speech", error, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFiles(_work));
    }

    [Fact]
    public async Task Upload_check_refuses_a_failing_prompt_before_any_connection()
    {
        // Nothing listens on this port: a connection attempt would end in exit 4, "cannot reach the endpoint".
        var closed = new Dictionary<string, string?> { ["CCFS_ENDPOINT"] = $"http://127.0.0.1:{FreePort()}" };

        var refused = await Cli.RunAsync(closed, "upload", "--check", Lint("prompt-nominal.wav"), Lint("prompt-quiet.wav"));
        var passing = await Cli.RunAsync(closed, "upload", "--check", Lint("prompt-nominal.wav"));

        Assert.Equal(ExitCodes.Failed, refused.ExitCode);
        Assert.Contains($"{Lint("prompt-quiet.wav")}: level: active speech level -40.0 dBov, 14.0 dB below -26 +/- 6 dB", refused.Error, StringComparison.Ordinal);
        Assert.Contains("nothing uploaded (--check): 1 of 2 file(s)", refused.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("cannot reach", refused.Error, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Unreachable, passing.ExitCode);
        Assert.Contains("cannot reach the endpoint", passing.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Upload_check_with_convert_checks_what_would_be_sent()
    {
        var closed = new Dictionary<string, string?> { ["CCFS_ENDPOINT"] = $"http://127.0.0.1:{FreePort()}" };
        var file = TestData.Audio("invalid", "speech-pcm16-22050hz.wav");

        var unconverted = await Cli.RunAsync(closed, "upload", "--check", "--json", file);
        var converted = await Cli.RunAsync(closed, "upload", "--check", "--convert", file);

        Assert.Equal(ExitCodes.Usage, unconverted.ExitCode);
        Assert.Contains("not a prompt the checks can measure", JsonDocument.Parse(unconverted.Out).RootElement.GetProperty("error").GetString(),
            StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Unreachable, converted.ExitCode);
    }

    private static string Lint(string file) => TestData.Audio("lint", file);

    /// <summary>A second of a 440 Hz tone as a mono 16-bit PCM WAV at <paramref name="rate"/>.</summary>
    private static byte[] Pcm16Wav(int rate, int samples)
    {
        using var wav = new MemoryStream();
        using var w = new BinaryWriter(wav);
        w.Write("RIFF"u8);
        w.Write(36 + (samples * 2));
        w.Write("WAVEfmt "u8);
        w.Write(16);
        w.Write((short)1);
        w.Write((short)1);
        w.Write(rate);
        w.Write(rate * 2);
        w.Write((short)2);
        w.Write((short)16);
        w.Write("data"u8);
        w.Write(samples * 2);
        for (var i = 0; i < samples; i++)
        {
            w.Write((short)(8000 * Math.Sin(2 * Math.PI * 440 * i / rate)));
        }

        w.Flush();
        return wav.ToArray();
    }

    private static string FreePort() => ServerProcess.FreePort().ToString(CultureInfo.InvariantCulture);
}

using System.CommandLine;
using System.Globalization;
using Ccfs.Audio;
using Ccfs.Audio.Quality;

namespace Ccfs.Cli.Commands;

/// <summary>
/// <c>ccfs convert IN OUT [--normalize[=DB]] [--pad 0.2s]</c>: any common WAV to an 8 kHz mono A-law prompt, and with
/// <c>--normalize</c> one that passes the prompt checks.
/// </summary>
internal static class ConvertCommand
{
    public const double DefaultTargetDbov = -26;

    private const string NormalizeOption = "--normalize";

    public static Command Create(CliConsole console)
    {
        var input = new Argument<string>("input") { Description = "A WAV: PCM 8/16/24/32-bit, float 32/64-bit, A-law or mu-law; any rate and channels" };
        var output = new Argument<string>("output") { Description = "Where to write the 8000 Hz mono G.711 A-law WAV" };
        var normalize = new Option<double?>(NormalizeOption)
        {
            Description = "Bring the active speech level (ITU-T P.56) to this many dBov, -26 when no value is given (--normalize=-20 "
                + "for another), take out any DC offset, keep every sample off A-law's extreme code, and cut the silence around the "
                + "speech to --pad",
            Arity = ArgumentArity.ZeroOrOne,
            CustomParser = TargetLevel,
        };
        var pad = new Option<string>("--pad")
        {
            Description = "With --normalize: the silence kept before and after the speech, e.g. 0.2s or 500ms (longer silence is cut, none added)",
            DefaultValueFactory = _ => "0.2s",
        };
        var command = new Command("convert", "Convert a WAV to what the IVR plays: 8 kHz, mono, G.711 A-law") { input, output, normalize, pad };
        command.SetAction((parse, _) => CcfsCli.GuardAsync(console, async () =>
        {
            var from = parse.GetValue(input)!;
            var to = parse.GetValue(output)!;
            var conversion = new PromptConversion
            {
                NormalizeToDbov = parse.GetValue(normalize),
                Pad = Units.ParseDuration(parse.GetValue(pad)!, allowZero: true),
            };
            ConversionResult result;
            var temporary = to + ".ccfs-tmp";
            await using (var source = File.OpenRead(from))
            await using (var target = File.Create(temporary))
            {
                try
                {
                    result = AudioConverter.ConvertToPrompt(source, target, conversion);
                }
                catch (Exception e)
                {
                    target.Close();
                    File.Delete(temporary);
                    if (e is UnsupportedAudioException && LocalAudio.IsMp3(from))
                    {
                        throw new UsageException(LocalAudio.Mp3Advice(from));
                    }

                    throw;
                }
            }

            File.Move(temporary, to, overwrite: true);
            await console.Error.WriteLineAsync($"{from}: {result.Source.Describe()}, {result.Source.Channels} channel(s), "
                + $"{result.Source.SampleRate} Hz -> {to}: G.711 A-law, mono, 8000 Hz, {result.Samples} samples "
                + $"({result.Duration.TotalSeconds:0.###} s)");
            if (result.Normalization is { } normalized)
            {
                await console.Error.WriteLineAsync(Describe(normalized));
            }

            return ExitCodes.Success;
        }));
        return command;
    }

    /// <summary>
    /// Gives a bare <c>--normalize</c> its default level. An option whose value may be left out takes the next word as
    /// its value, so <c>convert --normalize IN OUT</c> would read IN as the level; a bare <c>--normalize</c> followed by
    /// anything but a number is made <c>--normalize=-26</c> before parsing.
    /// </summary>
    public static string[] WithDefaultLevel(string[] args)
    {
        var result = (string[])args.Clone();
        for (var i = 0; i < result.Length; i++)
        {
            if (result[i] == NormalizeOption
                && (i + 1 == result.Length || !double.TryParse(result[i + 1], NumberStyles.Float, CultureInfo.InvariantCulture, out _)))
            {
                result[i] = $"{NormalizeOption}={DefaultTargetDbov.ToString(CultureInfo.InvariantCulture)}";
            }
        }

        return result;
    }

    private static double? TargetLevel(System.CommandLine.Parsing.ArgumentResult result)
    {
        if (result.Tokens.Count == 0)
        {
            return DefaultTargetDbov;
        }

        var text = result.Tokens[0].Value;
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var dbov) && dbov is >= -60 and <= -3)
        {
            return dbov;
        }

        result.AddError($"--normalize takes a level in dBov from -60 to -3, such as --normalize=-26, not '{text}'");
        return null;
    }

    private static string Describe(PromptNormalization n)
    {
        var before = n.Before.ActiveLevelDbov is { } level ? $"{level:0.0} dBov" : "no speech";
        return $"normalised: speech level {before} -> {n.After.ActiveLevelDbov:0.0} dBov (gain {n.GainDb:+0.0;-0.0} dB"
            + (n.LimitedSamples > 0 ? $", {n.LimitedSamples} peak sample(s) limited" : "")
            + $"), silence cut {n.HeadTrimmed.TotalSeconds:0.00} s before and {n.TailTrimmed.TotalSeconds:0.00} s after the speech";
    }
}

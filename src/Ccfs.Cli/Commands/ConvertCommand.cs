using System.CommandLine;
using Ccfs.Audio;

namespace Ccfs.Cli.Commands;

/// <summary><c>ccfs convert IN OUT</c>: any common WAV to an 8 kHz mono A-law prompt.</summary>
internal static class ConvertCommand
{
    public static Command Create(CliConsole console)
    {
        var input = new Argument<string>("input") { Description = "A WAV: PCM 8/16/24/32-bit, float 32/64-bit, A-law or mu-law; any rate and channels" };
        var output = new Argument<string>("output") { Description = "Where to write the 8000 Hz mono G.711 A-law WAV" };
        var command = new Command("convert", "Convert a WAV to what the IVR plays: 8 kHz, mono, G.711 A-law") { input, output };
        command.SetAction((parse, _) => CcfsCli.GuardAsync(console, async () =>
        {
            var from = parse.GetValue(input)!;
            var to = parse.GetValue(output)!;
            ConversionResult result;
            var temporary = to + ".ccfs-tmp";
            await using (var source = File.OpenRead(from))
            await using (var target = File.Create(temporary))
            {
                try
                {
                    result = AudioConverter.ConvertToPrompt(source, target);
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
            return ExitCodes.Success;
        }));
        return command;
    }
}

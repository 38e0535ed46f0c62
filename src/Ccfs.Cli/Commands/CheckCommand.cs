using System.CommandLine;

namespace Ccfs.Cli.Commands;

/// <summary><c>ccfs check FILE…</c>: the prompt checks the server runs at upload, on local files, before anything is sent.</summary>
internal static class CheckCommand
{
    public static Command Create(CliConsole console)
    {
        var files = new Argument<string[]>("files")
        {
            Description = "Prompt WAVs (8000 Hz mono: A-law, mu-law, 8- or 16-bit PCM), or patterns such as 'prompts/**/*.wav'",
            Arity = ArgumentArity.OneOrMore,
        };
        var json = new Option<bool>("--json") { Description = "Print one JSON object per file instead of a table" };
        var command = new Command("check", "Check prompts as the server does at upload: speech level (ITU-T P.56), clipping, DC offset, "
            + "silence before and after; exit 0 when all pass, 1 when a check fails, 2 when a file cannot be read")
        {
            files,
            json,
        };
        command.SetAction((parse, _) => CcfsCli.GuardAsync(console, async () =>
        {
            var prompts = FilePatterns.Expand(parse.GetValue(files)!).Select(path => CheckedPrompt.Of(path, convert: false)).ToList();
            if (parse.GetValue(json))
            {
                await PromptCheckOutput.WriteJsonAsync(console, prompts);
            }
            else
            {
                await PromptCheckOutput.WriteTableAsync(console, prompts);
            }

            return CheckedPrompt.ExitCode(prompts);
        }));
        return command;
    }
}

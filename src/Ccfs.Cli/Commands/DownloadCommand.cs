using System.CommandLine;

namespace Ccfs.Cli.Commands;

/// <summary><c>ccfs download PATH [--mode 1] [-o OUT]</c>: downloadFile, written whole or not at all.</summary>
internal static class DownloadCommand
{
    public static Command Create(ConnectionOptions connection, CliConsole console)
    {
        var path = new Argument<string>("path") { Description = "A file under the download path rule, or with --mode 1 a folder holding one file" };
        var mode = new Option<int>("--mode") { Description = "1: the path is a folder that must hold exactly one file" };
        var output = new Option<string>("--output", "-o") { Description = "Where to write the file (default: its name, in this folder)" };
        var command = new Command("download", "Download a recording or a stored prompt (downloadFile)") { path, mode, output };
        command.SetAction((parse, cancellation) => CcfsCli.GuardAsync(console, async () =>
        {
            var client = connection.Resolve(parse, console).CreateClient();
            var remote = parse.GetValue(path)!;
            var temporary = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(parse.GetValue(output) ?? ".")) ?? ".",
                $".ccfs-download-{Guid.NewGuid():N}");
            try
            {
                Ccfs.Client.CcfsResponse<Ccfs.Client.DownloadedFile> response;
                await using (var file = File.Create(temporary))
                {
                    response = await client.DownloadAsync(remote, file, parse.GetValue(mode) == 1, cancellation);
                }

                if (!response.IsSuccess)
                {
                    return await CcfsCli.RefusedAsync(console, response);
                }

                var target = parse.GetValue(output) ?? Path.GetFileName(response.Data!.FileName ?? remote.Replace('\\', '/').Split('/')[^1]);
                File.Move(temporary, target, overwrite: true);
                await console.Out.WriteLineAsync(target);
                await console.Error.WriteLineAsync($"{response.Data!.Length} bytes");
                return ExitCodes.Success;
            }
            finally
            {
                File.Delete(temporary);
            }
        }));
        return command;
    }
}

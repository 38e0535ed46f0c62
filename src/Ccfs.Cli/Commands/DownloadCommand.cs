using System.CommandLine;
using Ccfs.Client;

namespace Ccfs.Cli.Commands;

/// <summary><c>ccfs download PATH [--mode 1] [-o OUT] [--max-bytes SIZE]</c>: downloadFile, written whole or not at all.</summary>
internal static class DownloadCommand
{
    public static Command Create(ConnectionOptions connection, CliConsole console)
    {
        var path = new Argument<string>("path") { Description = "A file under the download path rule, or with --mode 1 a folder holding one file" };
        var mode = new Option<int>("--mode") { Description = "1: the path is a folder that must hold exactly one file" };
        var output = new Option<string>("--output", "-o")
        {
            Description = "The file to write, or a folder to write it in under its remote name (default: its remote name, in this folder)",
        };
        var maxBytes = new Option<string>("--max-bytes")
        {
            Description = "The largest file to accept, e.g. 4GiB, or 'none' (default 1GiB): a larger one, announced or sent, is not written",
        };
        var command = new Command("download", "Download a recording or a stored prompt (downloadFile)") { path, mode, output, maxBytes };
        command.SetAction((parse, cancellation) => CcfsCli.GuardAsync(console, async () =>
        {
            var settings = connection.Resolve(parse, console);
            var options = settings.ClientOptions();
            if (parse.GetValue(maxBytes) is { } limit)
            {
                options.MaxDownloadBytes = limit.Trim().Equals("none", StringComparison.OrdinalIgnoreCase) ? null : Units.ParseSize(limit);
            }

            var client = new CcfsClient(settings.CreateHttpClient(), options);
            var remote = parse.GetValue(path)!;
            var (folder, file) = Destination(parse.GetValue(output), console.WorkingDirectory);

            // Written beside its destination, so the rename is atomic and a failed download leaves nothing.
            var temporary = Path.Combine(folder, $".ccfs-download-{Guid.NewGuid():N}");
            try
            {
                CcfsResponse<DownloadedFile> response;
                await using (var stream = File.Create(temporary))
                {
                    response = await client.DownloadAsync(remote, stream, parse.GetValue(mode) == 1, cancellation);
                }

                if (!response.IsSuccess)
                {
                    return await CcfsCli.RefusedAsync(console, response);
                }

                var target = file ?? Path.Combine(folder, LocalName(response.Data!.FileName ?? remote));
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

    /// <summary>The folder to write in, and the file when -o names one rather than a folder.</summary>
    private static (string Folder, string? File) Destination(string? output, string workingDirectory)
    {
        if (output is null)
        {
            return (workingDirectory, null);
        }

        var full = Path.GetFullPath(output, workingDirectory);
        var (folder, file) = Directory.Exists(full) || output.EndsWith('/') || output.EndsWith(Path.DirectorySeparatorChar)
            ? (full, null)
            : (Path.GetDirectoryName(full)!, full);
        return Directory.Exists(folder) ? (folder, file) : throw new UsageException($"cannot write {output}: the folder {folder} does not exist");
    }

    /// <summary>The last segment of the remote name, with either separator; never a path, a dot segment or a name the OS refuses.</summary>
    private static string LocalName(string remote)
    {
        var name = remote.Replace('\\', '/').Split('/')[^1];
        return name is "" or "." or ".." || name.AsSpan().IndexOfAny(Path.GetInvalidFileNameChars()) >= 0 ? "download.wav" : name;
    }
}

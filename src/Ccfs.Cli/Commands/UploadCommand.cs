using System.CommandLine;
using System.Text.Json;
using Ccfs.Audio;
using Ccfs.Client;
using Spectre.Console;

namespace Ccfs.Cli.Commands;

/// <summary><c>ccfs upload FILE…</c>: uploadFile for one or many files or patterns, optionally converting first.</summary>
internal static class UploadCommand
{
    public static Command Create(ConnectionOptions connection, CliConsole console)
    {
        var files = new Argument<string[]>("files")
        {
            Description = "WAV files, or patterns such as prompts/*.wav (wildcards in the file name)",
            Arity = ArgumentArity.OneOrMore,
        };
        var convert = new Option<bool>("--convert") { Description = "Convert each file to 8 kHz mono A-law before uploading" };
        var json = new Option<bool>("--json") { Description = "Print one JSON object per file instead of a name or a table" };
        var command = new Command("upload", "Upload prompts (uploadFile); prints the name the IVR plays") { files, convert, json };
        command.SetAction((parse, cancellation) => CcfsCli.GuardAsync(console, async () =>
        {
            var paths = Expand(parse.GetValue(files)!);
            var settings = connection.Resolve(parse, console);
            var client = settings.CreateClient();
            var results = new List<Outcome>();
            if (paths.Count == 1)
            {
                results.Add(await UploadAsync(client, paths[0], settings.Vdn, parse.GetValue(convert), cancellation));
            }
            else
            {
                await console.Progress.Progress().StartAsync(async progress =>
                {
                    var task = progress.AddTask($"uploading {paths.Count} files", maxValue: paths.Count);
                    foreach (var path in paths)
                    {
                        results.Add(await UploadAsync(client, path, settings.Vdn, parse.GetValue(convert), cancellation));
                        task.Increment(1);
                    }
                });
            }

            await ReportAsync(console, results, parse.GetValue(json));
            return results.All(r => r.Response?.IsSuccess == true) ? ExitCodes.Success : ExitCodes.Failed;
        }));
        return command;
    }

    private sealed record Outcome(string Path, CcfsResponse<UploadedFile>? Response, string? LocalError);

    private static async Task<Outcome> UploadAsync(CcfsClient client, string path, int vdn, bool convert, CancellationToken cancellation)
    {
        if (!convert)
        {
            return new Outcome(path, await client.UploadAsync(path, vdn, cancellation), null);
        }

        using var converted = new MemoryStream();
        try
        {
            await using var input = File.OpenRead(path);
            AudioConverter.ConvertToPrompt(input, converted);
        }
        catch (UnsupportedAudioException e)
        {
            return new Outcome(path, null, "cannot convert: " + e.Message);
        }

        converted.Position = 0;
        return new Outcome(path, await client.UploadAsync(converted, vdn, cancellation), null);
    }

    private static async Task ReportAsync(CliConsole console, List<Outcome> results, bool json)
    {
        if (json)
        {
            foreach (var r in results)
            {
                await console.Out.WriteLineAsync(JsonSerializer.Serialize(new
                {
                    file = r.Path,
                    resultCode = r.Response?.ResultCode,
                    resultDesc = r.Response?.ResultDesc ?? r.LocalError,
                    fileName = r.Response?.Data?.FileName,
                    locationId = r.Response?.Data?.LocationIds,
                    reason = r.Response?.Reason,
                }));
            }

            return;
        }

        if (results.Count == 1)
        {
            var only = results[0];
            if (only.Response?.Data is { } data)
            {
                await console.Out.WriteLineAsync(data.FileName);
            }
            else if (only.Response is { } refused)
            {
                await CcfsCli.RefusedAsync(console, refused);
            }
            else
            {
                await console.Error.WriteLineAsync($"ccfs: {only.Path}: {only.LocalError}");
            }

            return;
        }

        var table = new Table().AddColumn("file").AddColumn("result").AddColumn("fileName or reason");
        foreach (var r in results)
        {
            var detail = r.Response?.Data?.FileName ?? r.LocalError ?? $"{r.Response!.ResultDesc} {r.Response.Reason}".Trim();
            table.AddRow(Markup.Escape(r.Path), Markup.Escape(r.Response?.ResultCode ?? "not sent"), Markup.Escape(detail));
        }

        console.Tables.Write(table);
        var failed = results.Count(r => r.Response?.IsSuccess != true);
        await console.Error.WriteLineAsync($"{results.Count - failed} uploaded, {failed} failed");
    }

    /// <summary>Files as given, with wildcards in a file name expanded in its folder, in order.</summary>
    private static List<string> Expand(IEnumerable<string> arguments)
    {
        var paths = new List<string>();
        foreach (var argument in arguments)
        {
            if (argument.AsSpan().IndexOfAny('*', '?') < 0)
            {
                paths.Add(File.Exists(argument) ? argument : throw new UsageException($"no such file: {argument}"));
                continue;
            }

            var folder = Path.GetDirectoryName(argument) is { Length: > 0 } d ? d : ".";
            var matches = Directory.Exists(folder)
                ? Directory.EnumerateFiles(folder, Path.GetFileName(argument)).Order(StringComparer.Ordinal).ToList()
                : [];
            paths.AddRange(matches.Count > 0 ? matches : throw new UsageException($"no file matches {argument}"));
        }

        return paths;
    }
}

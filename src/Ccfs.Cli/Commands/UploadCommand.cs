using System.CommandLine;
using System.Text.Json;
using Ccfs.Audio;
using Ccfs.Client;
using Ccfs.Protocol;
using Microsoft.Extensions.FileSystemGlobbing;
using Microsoft.Extensions.FileSystemGlobbing.Abstractions;
using Spectre.Console;

namespace Ccfs.Cli.Commands;

/// <summary><c>ccfs upload FILE…</c>: uploadFile for one or many files or patterns, optionally converting first.</summary>
internal static class UploadCommand
{
    public static Command Create(ConnectionOptions connection, CliConsole console)
    {
        var files = new Argument<string[]>("files")
        {
            Description = "WAV files, or patterns such as prompts/*.wav or prompts/**/*.wav (quote them so the shell leaves them to ccfs)",
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
            var batch = new Batch(client, settings.Vdn, parse.GetValue(convert));
            if (paths.Count == 1)
            {
                await batch.UploadAsync(paths[0], cancellation);
            }
            else
            {
                await console.Progress.Progress().StartAsync(async progress =>
                {
                    var task = progress.AddTask($"uploading {paths.Count} files", maxValue: paths.Count);
                    foreach (var path in paths)
                    {
                        await batch.UploadAsync(path, cancellation);
                        task.Increment(1);
                    }
                });
            }

            await ReportAsync(console, batch.Outcomes, parse.GetValue(json));
            return batch.ExitCode;
        }));
        return command;
    }

    /// <summary>What became of one file: the endpoint's answer, or why there is none, and what to do about a refusal.</summary>
    private sealed record Outcome(string Path, CcfsResponse<UploadedFile>? Response, Failure? Failure, string? Advice = null)
    {
        public bool IsSuccess => Response?.IsSuccess == true;

        public int ExitCode => IsSuccess ? ExitCodes.Success : Failure?.ExitCode ?? ExitCodes.Failed;
    }

    /// <summary>
    /// Uploads files one after another. A file that fails becomes an outcome and the rest still go, so every name
    /// already stored is reported; only after an authentication refusal are the rest not sent, since each would be
    /// refused the same way and count towards locking this address.
    /// </summary>
    private sealed class Batch(CcfsClient client, int vdn, bool convert)
    {
        public List<Outcome> Outcomes { get; } = [];

        /// <summary>The exit code the failures share, or 1 when they differ.</summary>
        public int ExitCode => Outcomes.Where(o => !o.IsSuccess).Select(o => o.ExitCode).Distinct().ToList() switch
        {
            [] => ExitCodes.Success,
            [var only] => only,
            _ => ExitCodes.Failed,
        };

        public async Task UploadAsync(string path, CancellationToken cancellation)
        {
            if (Outcomes.Any(o => o.ExitCode == ExitCodes.AuthenticationRefused))
            {
                Outcomes.Add(new Outcome(path, null, new Failure("not sent: the endpoint refused authentication for an earlier file",
                    ExitCodes.AuthenticationRefused)));
                return;
            }

            try
            {
                var response = await SendAsync(path, cancellation);
                Outcomes.Add(new Outcome(path, response, null, Advise(path, response)));
            }
            catch (Exception e) when (!cancellation.IsCancellationRequested && Failure.Of(e) is { } failure)
            {
                Outcomes.Add(new Outcome(path, null, e is TaskCanceledException
                    ? failure with { Message = failure.Message + "; it may have stored the file all the same" }
                    : failure, e is UnsupportedAudioException && LocalAudio.IsMp3(path) ? LocalAudio.Mp3Advice(path) : null));
            }
        }

        /// <summary>What to do about a refusal that the file itself explains: too large, or a format --convert fixes.</summary>
        private string? Advise(string path, CcfsResponse response) => response.ResultCode switch
        {
            ResultCodes.ValueTooLong => $"{path} is too large for the endpoint"
                + (convert ? ", even converted to 8 kHz A-law" : $": it is {new FileInfo(path).Length} bytes")
                + $", over VDN {vdn}'s upload size limit; shorten it, or have the VDN's uploadSizeLimitMb raised",
            // 0300004 also answers a VDN the endpoint refuses (--vdn 0); --convert helps only a file that is not a prompt.
            ResultCodes.ValueFormat when !convert && !LocalAudio.IsPrompt(path) => LocalAudio.ConvertAdvice(path),
            _ => null,
        };

        private async Task<CcfsResponse<UploadedFile>> SendAsync(string path, CancellationToken cancellation)
        {
            if (!convert)
            {
                return await client.UploadAsync(path, vdn, cancellation);
            }

            using var converted = new MemoryStream();
            await using (var input = File.OpenRead(path))
            {
                AudioConverter.ConvertToPrompt(input, converted);
            }

            converted.Position = 0;
            return await client.UploadAsync(converted, vdn, cancellation);
        }
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
                    resultDesc = r.Response?.ResultDesc,
                    fileName = r.Response?.Data?.FileName,
                    locationId = r.Response?.Data?.LocationIds,
                    reason = r.Response?.Reason,
                    error = r.Failure?.Message,
                    advice = r.Advice,
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
                await console.Error.WriteLineAsync($"ccfs: {only.Path}: {only.Failure?.Message}");
            }

            if (only.Advice is { } advice)
            {
                await console.Error.WriteLineAsync("ccfs: " + advice);
            }

            return;
        }

        var table = new Table().AddColumn("file").AddColumn("result").AddColumn("fileName or reason");
        foreach (var r in results)
        {
            var detail = r.Response?.Data?.FileName ?? r.Advice ?? r.Failure?.Message ?? $"{r.Response!.ResultDesc} {r.Response.Reason}".Trim();
            table.AddRow(Markup.Escape(r.Path), Markup.Escape(r.Response?.ResultCode ?? "error"), Markup.Escape(detail));
        }

        console.Tables.Write(table);
        var failed = results.Count(r => !r.IsSuccess);
        await console.Error.WriteLineAsync($"{results.Count - failed} uploaded, {failed} failed");
    }

    /// <summary>
    /// Files as given, and patterns expanded (<c>*</c> and <c>?</c> in any folder or file name, <c>**</c> for any depth),
    /// each pattern's matches in order.
    /// </summary>
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

            // The folders before the first wildcard are where the search starts; the rest is the pattern.
            var segments = argument.Split('/', '\\');
            var wild = Array.FindIndex(segments, s => s.AsSpan().IndexOfAny('*', '?') >= 0);
            var start = wild == 0 ? "." : string.Join('/', segments[..wild]) is { Length: > 0 } folders ? folders : "/";
            var matcher = new Matcher(StringComparison.Ordinal).AddInclude(string.Join('/', segments[wild..]));
            var matches = Directory.Exists(start)
                ? matcher.Execute(new DirectoryInfoWrapper(new DirectoryInfo(start))).Files
                    .Select(m => wild == 0 ? m.Path : Path.Join(start, m.Path)).Order(StringComparer.Ordinal).ToList()
                : [];
            paths.AddRange(matches.Count > 0 ? matches : throw new UsageException($"no file matches {argument}"));
        }

        return paths;
    }
}

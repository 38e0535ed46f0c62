using System.CommandLine;
using System.Text.Json;
using Ccfs.Audio;
using Ccfs.Audio.Quality;
using Ccfs.Client;
using Ccfs.Protocol;
using Ccfs.Protocol.Wire;
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
        var check = new Option<bool>("--check")
        {
            Description = "Run the prompt checks (ccfs check) on what would be sent and send nothing if a file fails: exit 1, or 2 "
                + "when a file cannot be checked",
        };
        var command = new Command("upload", "Upload prompts (uploadFile); prints the name the IVR plays") { files, convert, check, json };
        command.SetAction((parse, cancellation) => CcfsCli.GuardAsync(console, async () =>
        {
            var paths = FilePatterns.Expand(parse.GetValue(files)!);
            if (parse.GetValue(check) && await RefusedLocallyAsync(console, paths, parse.GetValue(convert), parse.GetValue(json)) is { } refused)
            {
                return refused;
            }

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

    /// <summary>
    /// <c>--check</c>: the prompt checks on every file before any is sent. When one fails (or cannot be checked) none is
    /// sent, no connection is made, and the exit code says why; null when all pass.
    /// </summary>
    private static async Task<int?> RefusedLocallyAsync(CliConsole console, List<string> paths, bool convert, bool json)
    {
        var prompts = paths.Select(path => CheckedPrompt.Of(path, convert)).ToList();
        if (prompts.All(p => p.Passed))
        {
            return null;
        }

        if (json)
        {
            await PromptCheckOutput.WriteJsonAsync(console, prompts);
        }
        else
        {
            await PromptCheckOutput.WriteFailuresAsync(console, prompts);
        }

        await console.Error.WriteLineAsync($"ccfs: nothing uploaded (--check): {prompts.Count(p => !p.Passed)} of {prompts.Count} file(s) "
            + "fail the prompt checks or cannot be checked");
        return CheckedPrompt.ExitCode(prompts);
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
                Outcomes.Add(new Outcome(path, null, Failure.AnswerLost(e)
                    ? failure with
                    {
                        Message = failure.Message + $"; it may have stored the file all the same: ccfs admin GET /admin/api/vdns/{vdn}/files "
                            + "(an admin account) lists what VDN " + vdn + " holds, and uploading again stores a second copy under a new name",
                    }
                    : failure, e is UnsupportedAudioException && LocalAudio.IsMp3(path) ? LocalAudio.Mp3Advice(path) : null));
            }
        }

        /// <summary>What to do about a refusal: too large, a format --convert fixes, or a VDN whose quota is full.</summary>
        private string? Advise(string path, CcfsResponse response) => response.ResultCode switch
        {
            ResultCodes.ValueTooLong when response.Reason?.StartsWith(ResultCodes.QuotaFullReasonPrefix, StringComparison.Ordinal) == true =>
                $"{path} was not stored because VDN {vdn}'s quota is full; delete some of its files, or have its quotaFiles or quotaMb raised",
            ResultCodes.ValueTooLong => $"{path} is too large for the endpoint"
                + (convert ? ", even converted to 8 kHz A-law" : $": it is {new FileInfo(path).Length} bytes")
                + $", over VDN {vdn}'s upload size limit; shorten it, or have the VDN's uploadSizeLimitMb raised",
            ResultCodes.ValueFormat when response.PromptCheck is { Passed: false } check => PromptAdvice(path, check),
            // 0300004 also answers a VDN the endpoint refuses (--vdn 0); --convert helps only a file that is not a prompt.
            ResultCodes.ValueFormat when !convert && !LocalAudio.IsPrompt(path) => LocalAudio.ConvertAdvice(path),
            _ => null,
        };

        /// <summary>For a prompt the VDN refuses because it failed the checks (<c>promptCheck=refuse</c>).</summary>
        private string PromptAdvice(string path, PromptCheckLine check) => check.Failed.All(f => f == PromptCheckNames.Silent)
            ? $"{path} holds no speech, and VDN {vdn} refuses prompts that fail the prompt checks; record it again"
            : $"{path} failed the prompt checks ({check.Verdict}) and VDN {vdn} refuses such prompts; "
                + $"ccfs convert --normalize {ShellWord.Quote(path)} fixed.wav fixes the level, clipping, DC offset and silence, then upload fixed.wav "
                + $"(ccfs check {ShellWord.Quote(path)} says why)";

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

    private static string StoredButFailed(string path, PromptCheckLine check) =>
        $"stored, but it failed the server's prompt check ({check.Verdict}); ccfs check {ShellWord.Quote(path)} says why";

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
                    promptCheck = r.Response?.PromptCheck,
                    reason = r.Response?.Reason,
                    error = r.Failure?.Message,
                    advice = r.Advice,
                }, ConsoleJson.CamelCase));
            }

            return;
        }

        if (results.Count == 1)
        {
            var only = results[0];
            if (only.Response?.Data is { } data)
            {
                await console.Out.WriteLineAsync(data.FileName);
                if (data.PromptCheck is { Passed: false })
                {
                    // Stored (the VDN only warns); stdout stays the file name alone for scripts.
                    await console.Error.WriteLineAsync("ccfs: " + StoredButFailed(only.Path, data.PromptCheck));
                }
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

        var table = new Table().AddColumn("file").AddColumn("result").AddColumn("prompt check").AddColumn("fileName or reason");
        foreach (var r in results)
        {
            var detail = r.Response?.Data?.FileName ?? r.Advice ?? r.Failure?.Message ?? $"{r.Response!.ResultDesc} {r.Response.Reason}".Trim();
            table.AddRow(Markup.Escape(r.Path), Markup.Escape(r.Response?.ResultCode ?? "error"),
                Markup.Escape(r.Response?.Data?.PromptCheck?.Verdict ?? ""), Markup.Escape(detail));
        }

        console.Tables.Write(table);
        foreach (var r in results)
        {
            if (r.Response?.Data is { PromptCheck.Passed: false } stored)
            {
                await console.Error.WriteLineAsync($"ccfs: {r.Path}: {StoredButFailed(r.Path, stored.PromptCheck)}");
            }
        }

        var failed = results.Count(r => !r.IsSuccess);
        await console.Error.WriteLineAsync($"{results.Count - failed} uploaded, {failed} failed");
    }
}

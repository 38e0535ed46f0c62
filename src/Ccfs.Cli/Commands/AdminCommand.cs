using System.CommandLine;
using System.Text;
using System.Text.Json;

namespace Ccfs.Cli.Commands;

/// <summary>
/// <c>ccfs admin METHOD PATH [--data JSON|@FILE] [--content-type TYPE]</c>: one signed request to ccfs's administration API, for operators and
/// scripts. The answer's JSON goes to stdout; the exit code follows its HTTP status. <c>ccfs admin ip-locks [lift ADDRESS]</c>
/// lists and lifts the client addresses the server locked.
/// </summary>
internal static class AdminCommand
{
    public static Command Create(ConnectionOptions connection, CliConsole console)
    {
        var method = new Argument<string>("method") { Description = "GET, POST, PUT, PATCH or DELETE" };
        var path = new Argument<string>("path") { Description = "The path and query, e.g. /admin/api/parameters or /admin/api/audit?limit=20" };
        var data = new Option<string>("--data", "-d") { Description = "A JSON body, or @FILE to read it from a file" };
        var contentType = new Option<string>("--content-type")
        {
            Description = "The body's media type, e.g. audio/wav to upload a WAV from @FILE (default application/json)",
            DefaultValueFactory = _ => "application/json",
        };
        var command = new Command("admin", "Send a signed request to the administration API (/admin/api) of a ccfs server")
        {
            method, path, data, contentType, IpLocks(connection, console),
        };
        command.SetAction((parse, cancellation) => CcfsCli.GuardAsync(console, async () =>
        {
            var verb = parse.GetValue(method)!.ToUpperInvariant();
            if (verb is not ("GET" or "POST" or "PUT" or "PATCH" or "DELETE"))
            {
                throw new UsageException($"unknown method '{verb}'; use GET, POST, PUT, PATCH or DELETE");
            }

            var target = parse.GetValue(path)!;
            if (!target.StartsWith('/'))
            {
                throw new UsageException($"the path '{target}' must start with /");
            }

            byte[]? body = parse.GetValue(data) switch
            {
                null => null,
                ['@', .. var file] => await File.ReadAllBytesAsync(file, cancellation),
                var json => Encoding.UTF8.GetBytes(json),
            };
            var answer = await SendAsync(connection, parse, console, new HttpMethod(verb), target, body, cancellation,
                parse.GetValue(contentType)!);
            await console.Out.WriteLineAsync(Pretty(answer.Text));
            return await ExitCodeAsync(console, answer);
        }));
        return command;
    }

    /// <summary><c>ccfs admin ip-locks</c> and <c>ccfs admin ip-locks lift ADDRESS</c>.</summary>
    private static Command IpLocks(ConnectionOptions connection, CliConsole console)
    {
        var address = new Argument<string>("address") { Description = "The locked client address, e.g. 127.0.0.1" };
        var lift = new Command("lift", "Lift the lock on a client address at once (send it from another address: a locked one is refused)")
        {
            address,
        };
        lift.SetAction((parse, cancellation) => CcfsCli.GuardAsync(console, async () =>
        {
            var ip = parse.GetValue(address)!;
            var answer = await SendAsync(connection, parse, console, HttpMethod.Delete, "/admin/api/ip-locks/" + Uri.EscapeDataString(ip), null,
                cancellation);
            if (answer.Status == 204)
            {
                await console.Out.WriteLineAsync($"lifted the lock on {ip}");
                return ExitCodes.Success;
            }

            return await ExitCodeAsync(console, answer);
        }));
        var list = new Command("ip-locks", "List the client addresses the server locked after repeated authentication failures, and until when")
        {
            lift,
        };
        list.SetAction((parse, cancellation) => CcfsCli.GuardAsync(console, async () =>
        {
            var answer = await SendAsync(connection, parse, console, HttpMethod.Get, "/admin/api/ip-locks", null, cancellation);
            if (answer.Status != 200)
            {
                await console.Out.WriteLineAsync(Pretty(answer.Text));
                return await ExitCodeAsync(console, answer);
            }

            using var document = JsonDocument.Parse(answer.Text);
            var locks = document.RootElement.GetProperty("locks").EnumerateArray().ToList();
            if (locks.Count == 0)
            {
                await console.Out.WriteLineAsync("no client address is locked");
            }

            foreach (var entry in locks)
            {
                await console.Out.WriteLineAsync($"{entry.GetProperty("address").GetString()}\tlocked until {entry.GetProperty("lockedUntil").GetString()}");
            }

            return ExitCodes.Success;
        }));
        return list;
    }

    internal static async Task<AdminAnswer> SendAsync(ConnectionOptions connection, ParseResult parse, CliConsole console, HttpMethod method,
        string target, byte[]? body, CancellationToken cancellation, string contentType = "application/json")
    {
        using var response = await connection.Resolve(parse, console).CreateClient()
            .SendSignedAsync(method, target, body, contentType, cancellation);
        return new AdminAnswer((int)response.StatusCode, await response.Content.ReadAsStringAsync(cancellation),
            response.Headers.TryGetValues("X-Ccfs-Reason", out var reason) ? string.Join(' ', reason) : null);
    }

    /// <summary>0 for a 2xx; otherwise the status and reason go to stderr, and 401/403 exit 3, anything else 1.</summary>
    internal static async Task<int> ExitCodeAsync(CliConsole console, AdminAnswer answer)
    {
        if (answer.Status is >= 200 and < 300)
        {
            return ExitCodes.Success;
        }

        // A body that lists problems says in detail what is wrong; the reason header may hold only its summary.
        var error = ErrorOf(answer.Text, withProblemsOnly: true) ?? answer.Reason ?? ErrorOf(answer.Text, withProblemsOnly: false);
        await console.Error.WriteLineAsync($"ccfs: HTTP {answer.Status}" + (error is null ? "" : ": " + error));
        return answer.Status is 401 or 403 ? ExitCodes.AuthenticationRefused : ExitCodes.Failed;
    }

    /// <summary>The <c>error</c> of an admin API refusal's body, with its <c>problems</c> when it lists them.</summary>
    private static string? ErrorOf(string text, bool withProblemsOnly)
    {
        try
        {
            using var document = JsonDocument.Parse(text);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("error", out var error) || error.ValueKind != JsonValueKind.String)
            {
                return null;
            }

            var problems = root.TryGetProperty("problems", out var list) && list.ValueKind == JsonValueKind.Array
                ? list.EnumerateArray().Where(p => p.ValueKind == JsonValueKind.String).Select(p => p.GetString()).ToList()
                : [];
            return problems.Count > 0 ? $"{error.GetString()}: {string.Join("; ", problems)}"
                : withProblemsOnly ? null
                : error.GetString();
        }
        catch (JsonException)
        {
            return null;
        }
    }

    internal static string Pretty(string text)
    {
        if (text.Length == 0)
        {
            return text;
        }

        try
        {
            using var document = JsonDocument.Parse(text);
            return JsonSerializer.Serialize(document.RootElement, ConsoleJson.Indented);
        }
        catch (JsonException)
        {
            return text;
        }
    }

    internal sealed record AdminAnswer(int Status, string Text, string? Reason);
}

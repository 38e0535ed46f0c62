using System.CommandLine;
using System.Text;
using System.Text.Json;

namespace Ccfs.Cli.Commands;

/// <summary>
/// <c>ccfs admin METHOD PATH [--data JSON|@FILE]</c>: one signed request to ccfs's administration API, for operators and
/// scripts. The answer's JSON goes to stdout; the exit code follows its HTTP status.
/// </summary>
internal static class AdminCommand
{
    public static Command Create(ConnectionOptions connection, CliConsole console)
    {
        var method = new Argument<string>("method") { Description = "GET, POST, PUT, PATCH or DELETE" };
        var path = new Argument<string>("path") { Description = "The path and query, e.g. /admin/api/parameters or /admin/api/audit?limit=20" };
        var data = new Option<string>("--data", "-d") { Description = "A JSON body, or @FILE to read it from a file" };
        var command = new Command("admin", "Send a signed request to the administration API (/admin/api) of a ccfs server")
        {
            method, path, data,
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
            using var response = await connection.Resolve(parse, console).CreateClient()
                .SendSignedAsync(new HttpMethod(verb), target, body, cancellationToken: cancellation);
            var text = await response.Content.ReadAsStringAsync(cancellation);
            await console.Out.WriteLineAsync(Pretty(text));
            var status = (int)response.StatusCode;
            if (status is >= 200 and < 300)
            {
                return ExitCodes.Success;
            }

            await console.Error.WriteLineAsync($"ccfs: HTTP {status}"
                + (response.Headers.TryGetValues("X-Ccfs-Reason", out var reason) ? ": " + string.Join(' ', reason) : ""));
            return status is 401 or 403 ? ExitCodes.AuthenticationRefused : ExitCodes.Failed;
        }));
        return command;
    }

    private static string Pretty(string text)
    {
        if (text.Length == 0)
        {
            return text;
        }

        try
        {
            using var document = JsonDocument.Parse(text);
            return JsonSerializer.Serialize(document.RootElement, new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        }
        catch (JsonException)
        {
            return text;
        }
    }
}

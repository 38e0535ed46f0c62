using System.CommandLine;
using System.Text.Json;

namespace Ccfs.Cli.Commands;

/// <summary>
/// <c>ccfs healthcheck [URL]</c>: exit 0 when the server's <c>/readyz</c> says it is ready, 1 when it answers that it is
/// not (with each failing check), 4 when it cannot be reached or the answer is a redirect: a container's health check
/// where there is no curl.
/// </summary>
internal static class HealthcheckCommand
{
    public static Command Create(ConnectionOptions connection, CliConsole console)
    {
        var url = new Argument<string?>("url") { Description = "The server, e.g. https://127.0.0.1:8443 (default: --endpoint)", Arity = ArgumentArity.ZeroOrOne };
        var command = new Command("healthcheck", "Exit 0 when a ccfs server is ready (its /readyz), 1 when it is not, 4 when it cannot be reached")
        {
            url,
        };
        command.SetAction((parse, cancellation) => CcfsCli.GuardAsync(console, async () =>
        {
            var settings = connection.Resolve(parse, console);
            if (parse.GetValue(url) is { } given)
            {
                if (!Uri.TryCreate(given, UriKind.Absolute, out var endpoint) || endpoint.Scheme is not ("http" or "https"))
                {
                    throw new UsageException($"'{given}' is not an http:// or https:// URL");
                }

                settings = settings with { Endpoint = endpoint };
            }

            using var http = settings.CreateHttpClient();
            var readyz = new Uri(settings.Endpoint, "/readyz");
            using var response = await http.GetAsync(readyz, cancellation);
            if ((int)response.StatusCode is >= 300 and < 400)
            {
                // Not a server that says it is not ready: something in front of it sends the check elsewhere.
                var location = response.Headers.Location is { } to ? new Uri(readyz, to).ToString() : "nowhere (no Location)";
                await console.Error.WriteLineAsync($"ccfs: {readyz} answered HTTP {(int)response.StatusCode}, a redirect to {location}; "
                    + "healthcheck follows none: give it the server's own URL (scheme, host and port)");
                return ExitCodes.Unreachable;
            }

            var text = await response.Content.ReadAsStringAsync(cancellation);
            if (response.IsSuccessStatusCode)
            {
                await console.Out.WriteLineAsync($"ready: {settings.Endpoint}");
                return ExitCodes.Success;
            }

            await console.Error.WriteLineAsync($"ccfs: not ready (HTTP {(int)response.StatusCode}): {Failing(text)}");
            return ExitCodes.Failed;
        }));
        return command;
    }

    /// <summary>The checks /readyz says fail, or its text when it is not the JSON of ccfs's checks.</summary>
    private static string Failing(string text)
    {
        try
        {
            using var document = JsonDocument.Parse(text);
            return document.RootElement.ValueKind == JsonValueKind.Object ? document.RootElement.GetRawText() : text;
        }
        catch (JsonException)
        {
            return text.Length > 200 ? text[..200] : text;
        }
    }
}

using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Ccfs.Protocol;

namespace Ccfs.Cli.Commands;

/// <summary>
/// <c>ccfs journal [--follow]</c>: the last requests a ccfs server answered and why, one line each, from its request
/// journal; <c>--follow</c> keeps printing new ones (it polls with <c>after</c>) until interrupted.
/// </summary>
internal static class JournalCommand
{
    /// <summary>The most the journal API answers at once (the server's RequestJournal.MaxPage).</summary>
    private const int MaxLimit = 1000;

    public static Command Create(ConnectionOptions connection, CliConsole console)
    {
        var follow = new Option<bool>("--follow", "-f") { Description = "Keep printing requests as they come, until Ctrl-C" };
        var limit = new Option<int>("--limit") { Description = $"How many of the last requests to print first (at most {MaxLimit})", DefaultValueFactory = _ => 20 };
        var key = new Option<string>("--for-access-key") { Description = "Only the requests of this access key" };
        var vdn = new Option<int?>("--for-vdn") { Description = "Only the requests of this VDN" };
        var json = new Option<bool>("--json") { Description = "One JSON object per request, as the API gives it" };
        var command = new Command("journal", "Print the last requests a ccfs server answered, with how and why (--follow for new ones)")
        {
            follow, limit, key, vdn, json,
        };
        command.SetAction((parse, cancellation) => CcfsCli.GuardAsync(console, async () =>
        {
            if (parse.GetValue(limit) is < 1 or > MaxLimit)
            {
                throw new UsageException($"--limit takes 1 to {MaxLimit}, not {parse.GetValue(limit)}: the server answers at most {MaxLimit} requests at a time");
            }

            var filter = (parse.GetValue(key) is { } ak ? "&accessKey=" + Uri.EscapeDataString(ak) : "")
                + (parse.GetValue(vdn) is { } v ? "&vdnId=" + v.ToString(CultureInfo.InvariantCulture) : "");
            long? after = null;
            while (true)
            {
                var query = after is { } a ? $"?after={a}&limit={MaxLimit}" : $"?limit={parse.GetValue(limit)}";
                var answer = await AdminCommand.SendAsync(connection, parse, console, HttpMethod.Get, "/admin/api/journal" + query + filter, null,
                    cancellation);
                if (answer.Status != 200)
                {
                    return await AdminCommand.ExitCodeAsync(console, answer);
                }

                using var page = JsonDocument.Parse(answer.Text);
                foreach (var entry in page.RootElement.GetProperty("entries").EnumerateArray())
                {
                    await console.Out.WriteLineAsync(parse.GetValue(json) ? entry.GetRawText() : Line(entry));
                }

                after = page.RootElement.GetProperty("next").GetInt64();
                if (!parse.GetValue(follow))
                {
                    return ExitCodes.Success;
                }

                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(1), cancellation);
                }
                catch (OperationCanceledException)
                {
                    return ExitCodes.Success;
                }
            }
        }));
        return command;
    }

    /// <summary><c>10:04:05.120 uploadFile 0300503 HTTP 503 12 ms ak=… vdn=1 file=… fault=f1: reason</c></summary>
    internal static string Line(JsonElement e)
    {
        string? Text(string name) => e.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null
            ? TerminalText.Escape(value.ToString())
            : null;
        var at = e.GetProperty("at").GetDateTimeOffset().ToLocalTime().ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture);
        var outcome = Text("resultCode") is { } code ? $"{code} (HTTP {Text("httpStatus")})" : $"HTTP {Text("httpStatus")}";
        return $"{at} {Text("interface")} {outcome} {Text("durationMs")} ms ak={Text("accessKey") ?? "-"} vdn={Text("vdnId") ?? "-"} "
            + $"file={Text("fileName") ?? "-"}" + (Text("fault") is { } fault ? $" fault={fault}" : "")
            + (Text("reason") is { } reason ? ": " + reason : "");
    }
}

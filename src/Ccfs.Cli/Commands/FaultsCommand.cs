using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Ccfs.Cli.Commands;

/// <summary>
/// <c>ccfs faults add|list|clear</c>: the fault rules of a ccfs server (docs/rehearsal.md), through its administration API.
/// <c>add</c> takes a rule as flags or whole (<c>--rule JSON|@FILE</c>) and prints its id.
/// </summary>
internal static class FaultsCommand
{
    public static Command Create(ConnectionOptions connection, CliConsole console)
    {
        var command = new Command("faults", "Make a ccfs server fail on purpose: add, list and clear fault rules (docs/rehearsal.md)")
        {
            Add(connection, console), List(connection, console), Clear(connection, console),
        };
        return command;
    }

    private static Command Add(ConnectionOptions connection, CliConsole console)
    {
        var rule = new Option<string>("--rule") { Description = "The whole rule as JSON, or @FILE: {\"match\":{…},\"action\":{…},\"times\":N}" };
        var on = new Option<string>("--interface") { Description = "Match this interface: uploadFile, deleteFile, getFileHash or downloadFile" };
        var key = new Option<string>("--match-access-key") { Description = "Match requests signed with this access key" };
        var vdn = new Option<int?>("--match-vdn") { Description = "Match requests of this VDN" };
        var file = new Option<string>("--file-name") { Description = "Match the file a request names, a glob such as '*.wav'" };
        var code = new Option<string>("--result-code") { Description = "Answer this resultCode, e.g. 0300503, 0300008, 0300011" };
        var status = new Option<int?>("--http-status") { Description = "Answer this HTTP status, e.g. 403 or 502" };
        var delay = new Option<int?>("--delay-ms") { Description = "Wait this long before answering" };
        var rate = new Option<int?>("--bytes-per-second") { Description = "Send the answer this slowly" };
        var drop = new Option<long?>("--drop-after-bytes") { Description = "Close the connection after this many bytes of the answer" };
        var times = new Option<int?>("--times") { Description = "Act on the next N matching requests only" };
        var probability = new Option<double?>("--probability") { Description = "Act on this fraction of matching requests (0 to 1)" };
        var seed = new Option<int?>("--seed") { Description = "Seed the rule's random draws, so --probability picks the same requests each run" };
        var command = new Command("add", "Add a fault rule; prints its id, which each answer it shapes carries in X-Ccfs-Fault")
        {
            rule, on, key, vdn, file, code, status, delay, rate, drop, times, probability, seed,
        };
        command.SetAction((parse, cancellation) => CcfsCli.GuardAsync(console, async () =>
        {
            byte[] body;
            if (parse.GetValue(rule) is { } whole)
            {
                // The rule flags would otherwise be dropped without a word, leaving a rule broader than the one asked for.
                var beside = new Option[] { on, key, vdn, file, code, status, delay, rate, drop, times, probability, seed }
                    .Where(o => parse.GetResult(o) is { Implicit: false }).Select(o => o.Name).ToList();
                if (beside.Count > 0)
                {
                    throw new UsageException($"--rule gives the whole rule, so it cannot be combined with {string.Join(", ", beside)}: "
                        + "put those in the rule's JSON, or leave out --rule");
                }

                body = whole.StartsWith('@') ? await File.ReadAllBytesAsync(whole[1..], cancellation) : Encoding.UTF8.GetBytes(whole);
            }
            else
            {
                var match = Object(("interface", parse.GetValue(on)), ("accessKey", parse.GetValue(key)), ("vdnId", parse.GetValue(vdn)),
                    ("fileName", parse.GetValue(file)));
                var action = Object(("resultCode", parse.GetValue(code)), ("httpStatus", parse.GetValue(status)), ("delayMs", parse.GetValue(delay)),
                    ("bytesPerSecond", parse.GetValue(rate)), ("dropAfterBytes", parse.GetValue(drop)));
                if (action.Count == 0)
                {
                    throw new UsageException("say what the rule does: --result-code, --http-status, --delay-ms, --bytes-per-second or "
                        + "--drop-after-bytes (or give it whole with --rule)");
                }

                var spec = Object(("times", parse.GetValue(times)), ("probability", parse.GetValue(probability)), ("seed", parse.GetValue(seed)));
                spec["match"] = match;
                spec["action"] = action;
                body = Encoding.UTF8.GetBytes(spec.ToJsonString());
            }

            var answer = await AdminCommand.SendAsync(connection, parse, console, HttpMethod.Post, "/admin/api/faults", body, cancellation);
            if (answer.Status != 201)
            {
                await console.Out.WriteLineAsync(AdminCommand.Pretty(answer.Text));
                return await AdminCommand.ExitCodeAsync(console, answer);
            }

            using var added = JsonDocument.Parse(answer.Text);
            await console.Out.WriteLineAsync(added.RootElement.GetProperty("id").GetString());
            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command List(ConnectionOptions connection, CliConsole console)
    {
        var command = new Command("list", "List the fault rules in force, how often each acted and how many turns it has left");
        command.SetAction((parse, cancellation) => CcfsCli.GuardAsync(console, async () =>
        {
            var answer = await AdminCommand.SendAsync(connection, parse, console, HttpMethod.Get, "/admin/api/faults", null, cancellation);
            if (answer.Status != 200)
            {
                await console.Out.WriteLineAsync(AdminCommand.Pretty(answer.Text));
                return await AdminCommand.ExitCodeAsync(console, answer);
            }

            using var list = JsonDocument.Parse(answer.Text);
            if (!list.RootElement.GetProperty("enabled").GetBoolean())
            {
                await console.Out.WriteLineAsync("fault injection is off on this server (Ccfs:Faults:Enabled)");
            }

            var rules = list.RootElement.GetProperty("rules").EnumerateArray().ToList();
            if (rules.Count == 0)
            {
                await console.Out.WriteLineAsync("no fault rule is in force");
            }

            foreach (var r in rules)
            {
                var remaining = r.TryGetProperty("remaining", out var left) ? left.GetInt32().ToString(CultureInfo.InvariantCulture) : "until removed";
                var chance = (r.TryGetProperty("probability", out var p) && p.ValueKind == JsonValueKind.Number ? $"\tprobability {p.GetRawText()}" : "")
                    + (r.TryGetProperty("seed", out var s) && s.ValueKind == JsonValueKind.Number ? $"\tseed {s.GetRawText()}" : "");
                await console.Out.WriteLineAsync($"{r.GetProperty("id").GetString()}\tmatch {r.GetProperty("match").GetRawText()}\t"
                    + $"action {r.GetProperty("action").GetRawText()}{chance}\tfired {r.GetProperty("fired").GetInt64()}\tleft {remaining}");
            }

            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command Clear(ConnectionOptions connection, CliConsole console)
    {
        var id = new Argument<string?>("id") { Description = "The rule to remove; without it, every rule", Arity = ArgumentArity.ZeroOrOne };
        var command = new Command("clear", "Remove one fault rule, or all of them") { id };
        command.SetAction((parse, cancellation) => CcfsCli.GuardAsync(console, async () =>
        {
            var one = parse.GetValue(id);
            var answer = await AdminCommand.SendAsync(connection, parse, console, HttpMethod.Delete,
                one is null ? "/admin/api/faults" : "/admin/api/faults/" + Uri.EscapeDataString(one), null, cancellation);
            if (answer.Status is 200 or 204)
            {
                await console.Out.WriteLineAsync(one is null
                    ? $"removed {JsonDocument.Parse(answer.Text).RootElement.GetProperty("removed").GetInt32()} rule(s)"
                    : $"removed {one}");
                return ExitCodes.Success;
            }

            return await AdminCommand.ExitCodeAsync(console, answer);
        }));
        return command;
    }

    private static JsonObject Object(params (string Name, object? Value)[] members)
    {
        var json = new JsonObject();
        foreach (var (name, value) in members.Where(m => m.Value is not null))
        {
            json[name] = JsonValue.Create(value);
        }

        return json;
    }
}

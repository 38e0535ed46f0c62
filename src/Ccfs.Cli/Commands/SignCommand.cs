using System.CommandLine;
using System.Globalization;
using System.Text;
using Ccfs.Protocol;
using Ccfs.Protocol.Auth;

namespace Ccfs.Cli.Commands;

/// <summary>
/// <c>ccfs sign</c>: shows every step of an auth-v2 signature for a request, to debug an integration by comparing
/// with what another signer computes (like <c>aws --debug</c>).
/// </summary>
internal static class SignCommand
{
    public static Command Create(ConnectionOptions connection, CliConsole console)
    {
        var method = new Option<string>("--method") { Description = "The HTTP method, as sent", DefaultValueFactory = _ => "POST" };
        var path = new Option<string>("--path") { Description = "The raw request path", DefaultValueFactory = _ => CcfsPaths.UploadFile };
        var query = new Option<string[]>("--query") { Description = "A query parameter as name=value (repeatable)", AllowMultipleArgumentsPerToken = false };
        var header = new Option<string[]>("--header")
        {
            Description = "A signed header as name=value (repeatable), replacing the default of that name: host from the endpoint, and "
                + "content-type (as the SDK sends it) and content-length when there is a body",
        };
        var body = new Option<string>("--body") { Description = "The body as text" };
        var bodyFile = new Option<string>("--body-file") { Description = "The body from a file, byte for byte (instead of --body)" };
        var timestamp = new Option<string>("--timestamp") { Description = "The timestamp to sign with, e.g. 2021-08-31T09:38:50Z (default: now)" };
        var explain = new Option<bool>("--explain")
        {
            Description = "Print what a ccfs server's X-Ccfs-Canonical-Request shows for a signature that does not match, "
                + "line for line, to diff with it (docs/auth-v2.md)",
        };
        var command = new Command("sign", "Show the canonical request, the strings signed and the Authorization header of a request")
        {
            method, path, query, header, body, bodyFile, timestamp, explain,
        };
        command.SetAction((parse, cancellation) => CcfsCli.GuardAsync(console, async () =>
        {
            var settings = connection.Resolve(parse, console);
            var bytes = parse.GetValue(bodyFile) is { } file ? await File.ReadAllBytesAsync(file)
                : Encoding.UTF8.GetBytes(parse.GetValue(body) ?? "");
            // Each --header replaces the default of its name or adds one: one --header alone no longer drops host, which
            // every ccfs server requires signed, without a word.
            var headers = new List<KeyValuePair<string, string>> { new("host", settings.Endpoint.Authority) };
            if (bytes.Length > 0)
            {
                headers.Add(new("content-type", Ccfs.Client.CcfsClient.RequestContentType));
                headers.Add(new("content-length", bytes.Length.ToString(CultureInfo.InvariantCulture)));
            }

            foreach (var given in Pairs(parse.GetValue(header), "--header"))
            {
                headers.RemoveAll(h => h.Key.Equals(given.Key, StringComparison.OrdinalIgnoreCase));
                headers.Add(given);
            }

            var time = parse.GetValue(timestamp) ?? AuthV2Timestamp.Format(DateTimeOffset.UtcNow);
            if (!AuthV2Timestamp.TryParse(time, out _))
            {
                throw new UsageException($"'{time}' is not an auth-v2 timestamp (yyyy-MM-ddTHH:mm:ss[.fff]Z)");
            }

            var request = new RequestToSign
            {
                Method = parse.GetValue(method)!,
                Path = parse.GetValue(path)!,
                Query = Pairs(parse.GetValue(query), "--query"),
                Headers = headers,
            };
            using var signing = AuthV2Signer.Begin(request, new AccessKeyCredential(settings.AccessKey, settings.SecretKey), time);
            if (parse.GetValue(explain))
            {
                var signedHeaderList = CanonicalRequest.SignedHeaderList(headers.Select(h => h.Key));
                var forms = SignatureExplanation.Forms(request.Method, request.Path, CanonicalRequest.Query(request.Query), signedHeaderList,
                    CanonicalRequest.Headers(headers));
                var ordered = signedHeaderList.Split(';').Select(name => headers.First(h => h.Key.Equals(name, StringComparison.OrdinalIgnoreCase)))
                    .Select(h => new KeyValuePair<string, string>(h.Key.ToLowerInvariant(), h.Value)).ToList();
                await console.Out.WriteLineAsync(SignatureExplanation.Describe(forms, bytes, ordered, time,
                    (DateTimeOffset.UtcNow, "this machine's clock"), null, signing.AuthStringPrefix));
                return ExitCodes.Success;
            }

            var canonical = CanonicalRequest.Build(signing.CanonicalHead, bytes);
            signing.AppendBody(bytes);
            var output = console.Out;
            await output.WriteLineAsync("# 1. the auth string prefix, signed with the SK:");
            await output.WriteLineAsync(signing.AuthStringPrefix);
            await output.WriteLineAsync("# 2. the signing key = hex(HMAC-SHA256(SK, prefix)):");
            await output.WriteLineAsync(signing.SigningKeyHex);
            await output.WriteLineAsync("# 3. the canonical request, signed with the signing key's 64 characters (lines end in LF, none after the last):");
            await output.WriteLineAsync(canonical);
            await output.WriteLineAsync("# 4. the header:");
            await output.WriteLineAsync("Authorization: " + signing.Complete());
            return ExitCodes.Success;
        }));
        return command;
    }

    private static List<KeyValuePair<string, string>> Pairs(string[]? items, string option) =>
        [.. (items ?? []).Select(item =>
        {
            var eq = item.IndexOf('=', StringComparison.Ordinal);
            return eq > 0 ? new KeyValuePair<string, string>(item[..eq], item[(eq + 1)..])
                : throw new UsageException($"{option} '{item}' is not name=value");
        })];
}

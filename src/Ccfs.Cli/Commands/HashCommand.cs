using System.CommandLine;
using System.Security.Cryptography;

namespace Ccfs.Cli.Commands;

/// <summary><c>ccfs hash FILE_NAME [--location ID] [--compare LOCAL]</c>: getFileHash, optionally checked against a local file.</summary>
internal static class HashCommand
{
    public static Command Create(ConnectionOptions connection, CliConsole console)
    {
        var fileName = new Argument<string>("fileName") { Description = "The stored file's name" };
        var location = new Option<string>("--location") { Description = "Hash this location's copy (CTI pool mode)" };
        var compare = new Option<string>("--compare")
        {
            Description = "A local file to compare with: exit 0 when the digests match, 5 when they differ (1 when the endpoint refused)",
        };
        var algorithm = new Option<string>("--algorithm")
        {
            Description = "The server's digest, for --compare: sha256 (ccfs's default), sha1, md5 or sha512",
            DefaultValueFactory = _ => "sha256",
        };
        var field = new Option<string>("--field")
        {
            Description = "The resultData field that holds the digest (CC-FS does not document it; ccfs's is hash)",
            DefaultValueFactory = _ => "hash",
        };
        var command = new Command("hash", "Print the digest of a stored file (getFileHash)") { fileName, location, compare, algorithm, field };
        command.SetAction((parse, cancellation) => CcfsCli.GuardAsync(console, async () =>
        {
            var settings = connection.Resolve(parse, console);
            var options = settings.ClientOptions();
            options.HashField = parse.GetValue(field)!;
            var client = new Ccfs.Client.CcfsClient(settings.CreateHttpClient(), options);
            var response = await client.GetFileHashAsync(parse.GetValue(fileName)!, parse.GetValue(location), cancellation);
            if (!response.IsSuccess)
            {
                return await CcfsCli.RefusedAsync(console, response);
            }

            if (response.Data!.Hash is not { } stored)
            {
                await console.Error.WriteLineAsync($"ccfs: the answer has no resultData.{options.HashField}; "
                    + "CC-FS does not document the digest's field, so name the one your endpoint uses with --field");
                return ExitCodes.Failed;
            }

            await console.Out.WriteLineAsync(stored);
            if (parse.GetValue(compare) is not { } local)
            {
                return ExitCodes.Success;
            }

            var localHash = await LocalDigestAsync(local, parse.GetValue(algorithm)!, cancellation);
            if (string.Equals(localHash, stored, StringComparison.OrdinalIgnoreCase))
            {
                await console.Error.WriteLineAsync($"match: {local} has the same {parse.GetValue(algorithm)}");
                return ExitCodes.Success;
            }

            await console.Error.WriteLineAsync($"MISMATCH: {local} is {localHash}, the stored file is {stored}");
            return ExitCodes.HashMismatch;
        }));
        return command;
    }

    private static async Task<string> LocalDigestAsync(string path, string algorithm, CancellationToken cancellation)
    {
        await using var file = File.OpenRead(path);
        var digest = algorithm.ToLowerInvariant() switch
        {
            "sha256" => await SHA256.HashDataAsync(file, cancellation),
            "sha1" => await SHA1.HashDataAsync(file, cancellation),
            "md5" => await MD5.HashDataAsync(file, cancellation),
            "sha512" => await SHA512.HashDataAsync(file, cancellation),
            _ => throw new UsageException($"unknown algorithm '{algorithm}'; use sha256, sha1, md5 or sha512"),
        };
        return Convert.ToHexStringLower(digest);
    }
}

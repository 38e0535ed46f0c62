using System.CommandLine;
using System.Text.Json;
using Ccfs.Client;
using Ccfs.Protocol.Development;

namespace Ccfs.Cli;

/// <summary>Where to connect and as whom, resolved from flags, then environment variables, then a profile.</summary>
public sealed record ConnectionSettings(
    Uri Endpoint,
    string AccessKey,
    string SecretKey,
    int Vdn,
    bool Insecure,
    string? Fingerprint,
    TimeSpan Timeout)
{
    public CcfsClientOptions ClientOptions() => new()
    {
        Endpoint = Endpoint,
        AccessKey = AccessKey,
        SecretKey = SecretKey,
        AcceptAnyServerCertificate = Insecure,
        ServerCertificateSha256 = Fingerprint,
        TrustDevelopmentCertificates = !Insecure && Fingerprint is null,
        DevelopmentCertificateFiles = DevelopmentCertificateFiles,
        AttemptTimeout = Timeout,
    };

    /// <summary>Where local development servers' certificates are looked for (trusted on loopback https endpoints only).</summary>
    public IReadOnlyList<string> DevelopmentCertificateFiles { get; init; } = [];

    public SocketsHttpHandler CreateHandler() => CcfsHttpHandler.Create(ClientOptions());

    /// <summary>
    /// The most the CLI reads of an answer it buffers whole (the administration API's, <c>events tail</c>'s pages): a
    /// page of 1000 events or a prompt's WAV fits; an endless body fails rather than filling memory. The SDK bounds the
    /// CC-FS interfaces' answers itself, far lower.
    /// </summary>
    public const long MaxAnswerBytes = 64 * 1024 * 1024;

    public HttpClient CreateHttpClient() =>
        new(CreateHandler()) { BaseAddress = Endpoint, Timeout = Timeout, MaxResponseContentBufferSize = MaxAnswerBytes };

    public CcfsClient CreateClient() => new(CreateHttpClient(), ClientOptions());
}

/// <summary>The options every command that talks to an endpoint shares.</summary>
public sealed class ConnectionOptions
{
    public const string DefaultEndpoint = DevelopmentServer.Endpoint;
    public const string DevelopmentAccessKey = DevelopmentServer.AccessKey;
    public const string DevelopmentSecretKey = DevelopmentServer.SecretKey;

    public Option<string> Endpoint { get; } = new("--endpoint", "-e")
    {
        Description = $"The CC-FS endpoint [env CCFS_ENDPOINT, default {DefaultEndpoint}]",
        Recursive = true,
    };

    public Option<string> AccessKey { get; } = new("--access-key")
    {
        Description = "The access key (AK) [env CCFS_ACCESS_KEY, default the development account]",
        Recursive = true,
    };

    public Option<string> SecretKey { get; } = new("--secret-key")
    {
        Description = "The secret key (SK) [env CCFS_SECRET_KEY; prefer the variable or a profile to keep it out of shell history]",
        Recursive = true,
    };

    public Option<int?> Vdn { get; } = new("--vdn")
    {
        Description = "The VDN to upload to [env CCFS_VDN, default 1]",
        Recursive = true,
    };

    public Option<string> Profile { get; } = new("--profile")
    {
        Description = "A profile from the profile file [env CCFS_PROFILE]",
        Recursive = true,
    };

    public Option<string> ProfileFile { get; } = new("--profile-file")
    {
        Description = "The profile file [env CCFS_PROFILE_FILE, default ~/.config/ccfs/profiles.json]",
        Recursive = true,
    };

    public Option<bool> Insecure { get; } = new("--insecure", "-k")
    {
        Description = "Do not check the server's TLS certificate at all (a local development server's is trusted without it)",
        Recursive = true,
    };

    public Option<string> Fingerprint { get; } = new("--fingerprint")
    {
        Description = "Trust exactly the server certificate with this SHA-256 fingerprint (AB:CD:...), as the server prints it at start-up [env CCFS_FINGERPRINT]",
        Recursive = true,
    };

    public Option<int> TimeoutSeconds { get; } = new("--timeout")
    {
        Description = "Seconds to wait for an answer; hash, download and delete wait this long for each of their up to 4 attempts (a downloaded file: for each wait for its next bytes)",
        DefaultValueFactory = _ => 100,
        Recursive = true,
    };

    public IEnumerable<Option> All => [Endpoint, AccessKey, SecretKey, Vdn, Profile, ProfileFile, Insecure, Fingerprint, TimeoutSeconds];

    public ConnectionSettings Resolve(ParseResult parse, CliConsole console)
    {
        var environment = console.Environment;
        var profile = LoadProfile(parse.GetValue(Profile) ?? environment.GetValueOrDefault("CCFS_PROFILE"),
            parse.GetValue(ProfileFile) ?? environment.GetValueOrDefault("CCFS_PROFILE_FILE"), environment);
        string Pick(Option<string> option, string variable, string? fromProfile, string fallback) =>
            parse.GetValue(option) ?? environment.GetValueOrDefault(variable) ?? fromProfile ?? fallback;

        var endpointText = Pick(Endpoint, "CCFS_ENDPOINT", profile?.Endpoint, DefaultEndpoint);
        if (!Uri.TryCreate(endpointText, UriKind.Absolute, out var endpoint) || endpoint.Scheme is not ("http" or "https"))
        {
            throw new UsageException($"'{endpointText}' is not an http:// or https:// endpoint");
        }

        var vdnText = parse.GetValue(Vdn)?.ToString(System.Globalization.CultureInfo.InvariantCulture)
            ?? environment.GetValueOrDefault("CCFS_VDN") ?? profile?.Vdn?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "1";
        if (!int.TryParse(vdnText, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var vdn))
        {
            throw new UsageException($"VDN '{vdnText}' is not a number");
        }

        var insecure = parse.GetValue(Insecure) || profile?.Insecure == true;
        var fingerprint = parse.GetValue(Fingerprint) ?? environment.GetValueOrDefault("CCFS_FINGERPRINT") ?? profile?.Fingerprint;
        return new ConnectionSettings(
            endpoint,
            Pick(AccessKey, "CCFS_ACCESS_KEY", profile?.AccessKey, DevelopmentAccessKey),
            Pick(SecretKey, "CCFS_SECRET_KEY", profile?.SecretKey, DevelopmentSecretKey),
            vdn,
            insecure,
            fingerprint,
            TimeSpan.FromSeconds(parse.GetValue(TimeoutSeconds)))
        {
            DevelopmentCertificateFiles = DevelopmentCertificate.Files(console),
        };
    }

    /// <summary>Where the file breaks, in its own terms: the serializer's message names .NET types (System.Nullable`1[System.Int32]).</summary>
    private static string ProfileProblem(string file, JsonException e)
    {
        try
        {
            using var _ = JsonDocument.Parse(File.ReadAllText(file), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip });
        }
        catch (JsonException syntax)
        {
            return $"the profile file {file} is not valid JSON (line {(syntax.LineNumber ?? 0) + 1}, byte {(syntax.BytePositionInLine ?? 0) + 1})";
        }

        return $"the profile file {file} is not valid: {e.Path?.TrimStart('$', '.')} has the wrong type (endpoint, accessKey, secretKey and "
            + "fingerprint are strings, vdn is a number, insecure is true or false)";
    }

    private static Profile? LoadProfile(string? name, string? file, IReadOnlyDictionary<string, string?> environment)
    {
        if (string.IsNullOrEmpty(name))
        {
            return null;
        }

        file ??= Path.Combine(environment.GetValueOrDefault("HOME") ?? Environment.GetFolderPath(Environment.SpecialFolder.UserProfile),
            ".config", "ccfs", "profiles.json");
        if (!File.Exists(file))
        {
            throw new UsageException($"profile '{name}' was asked for, but the profile file {file} does not exist");
        }

        ProfileFile? profiles;
        try
        {
            profiles = JsonSerializer.Deserialize<ProfileFile>(File.ReadAllText(file), ProfileJson.Options);
        }
        catch (JsonException e)
        {
            throw new UsageException(ProfileProblem(file, e));
        }

        return profiles?.Profiles?.GetValueOrDefault(name)
            ?? throw new UsageException($"the profile file {file} has no profile '{name}'");
    }
}

/// <summary>One named connection in the profile file: <c>{"profiles":{"name":{…}}}</c>.</summary>
public sealed record Profile(string? Endpoint, string? AccessKey, string? SecretKey, int? Vdn, bool? Insecure, string? Fingerprint);

public sealed record ProfileFile(Dictionary<string, Profile>? Profiles);

internal static class ProfileJson
{
    public static readonly JsonSerializerOptions Options = new() { PropertyNameCaseInsensitive = true, ReadCommentHandling = JsonCommentHandling.Skip };
}

/// <summary>The command line or local input is wrong; exits with <see cref="ExitCodes.Usage"/>.</summary>
public sealed class UsageException(string message) : Exception(message);

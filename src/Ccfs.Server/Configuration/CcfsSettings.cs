using System.Text.RegularExpressions;
using Ccfs.Audio;
using Ccfs.Server.Auth;
using Ccfs.Server.Parameters;
using Ccfs.Server.Paths;
using Ccfs.Server.Storage;
using Ccfs.Server.Storage.S3;

namespace Ccfs.Server.Configuration;

/// <summary>A storage location (a CTI pool node): its id, and the folder or the S3 bucket that holds its files.</summary>
/// <param name="Root">The folder of a <c>Disk</c> location; empty for an <c>S3</c> one.</param>
/// <param name="S3">The bucket of an <c>S3</c> location; null for a <c>Disk</c> one.</param>
public sealed record LocationSettings(string Id, string Root, S3LocationSettings? S3 = null)
{
    /// <summary>Where the files are, for logs.</summary>
    public string Where => S3?.ToString() ?? Root;
}

/// <summary>The configuration, checked and resolved once at start-up. Every problem is reported, not just the first.</summary>
public sealed partial class CcfsSettings
{
    public required string DataDir { get; init; }

    public required IReadOnlyList<Account> Accounts { get; init; }

    public required bool UsesDevelopmentAccount { get; init; }

    public required IReadOnlyList<LocationSettings> Locations { get; init; }

    public required SystemParameters Parameters { get; init; }

    /// <summary>The parameters as configured: the defaults that run-time overrides apply over.</summary>
    public required ParameterOptions ParameterDefaults { get; init; }

    public required AuthOptions Auth { get; init; }

    public required AdminOptions Admin { get; init; }

    public required SecurityOptions Security { get; init; }

    public required LimitOptions Limits { get; init; }

    public required CompatibilityOptions Compatibility { get; init; }

    public required ResultTexts ResultTexts { get; init; }

    public required ListenerPlan Listeners { get; init; }

    public required CatalogOptions Catalog { get; init; }

    public required NodeOptions Node { get; init; }

    public required Events.EventOptions Events { get; init; }

    public required Quotas.RetentionOptions Retention { get; init; }

    /// <summary>Webhooks may go to private addresses: as configured, or by default exactly when every listener is on loopback.</summary>
    public bool AllowsPrivateDestinations => Events.AllowPrivateDestinations ?? Listeners.NonLoopbackUrls.Count == 0;

    /// <summary>Fault rules may be added and act: <c>Ccfs:Faults:Enabled</c>, by default exactly in the development setup.</summary>
    public required bool FaultsEnabled { get; init; }

    /// <summary>The rules file given at start, as a full path; null when none.</summary>
    public string? FaultsFile { get; init; }

    /// <summary>How many requests the journal keeps.</summary>
    public required int JournalSize { get; init; }

    /// <summary>The seed folder given at start, as a full path; null when none.</summary>
    public string? SeedFolder { get; init; }

    /// <summary>The catalog is PostgreSQL, shared by every node; otherwise SQLite, owned by this process.</summary>
    public bool UsesPostgres => string.Equals(Catalog.Provider, CatalogOptions.Postgres, StringComparison.OrdinalIgnoreCase);

    public string CatalogPath => Path.Combine(DataDir, "catalog.db");

    public static CcfsSettings Load(IConfiguration configuration)
    {
        var errors = new List<string>();
        ConfigurationShape.Check(configuration.GetSection(CcfsOptions.Section), typeof(CcfsOptions), errors);
        if (errors.Count > 0)
        {
            // Binding would stop at the first of these, in .NET's words; these name every key and say what is expected.
            throw new CcfsConfigurationException(errors);
        }

        CcfsOptions options;
        try
        {
            options = configuration.GetSection(CcfsOptions.Section).Get<CcfsOptions>(b => b.ErrorOnUnknownConfiguration = true) ?? new();
        }
        catch (InvalidOperationException e)
        {
            throw new CcfsConfigurationException([Flatten(e)]);
        }

        var dataDir = string.IsNullOrWhiteSpace(options.DataDir) ? null : Path.GetFullPath(options.DataDir);
        if (dataDir is null)
        {
            errors.Add("Ccfs:DataDir is empty");
        }

        var listeners = ListenerPlan.From(configuration);
        var accounts = LoadAccounts(options.Accounts, errors);
        var useDevelopmentAccount = accounts.Count == 0;
        if (useDevelopmentAccount && listeners.NonLoopbackUrls.Count > 0)
        {
            errors.Add($"no account is configured and the server would listen on {string.Join(", ", listeners.NonLoopbackUrls)}; "
                + "the development account serves loopback listeners only. Configure Ccfs:Accounts:0:AccessKey, "
                + "Ccfs:Accounts:0:SecretKey and Ccfs:Accounts:0:VdnIds:0, or listen on 127.0.0.1");
        }

        var parameters = ParameterRules.Build(options.Parameters, "Ccfs:Parameters:", errors);
        if (parameters is not null && ParameterRules.SharedRulesNestingProblem(parameters, "Ccfs:Parameters: ") is { } nesting)
        {
            errors.Add(nesting);
        }

        var locations = LoadLocations(options.Locations, dataDir ?? "", errors);
        CheckAuth(options.Auth, errors);
        CheckLimits(options.Limits, errors);

        if (options.Security.MasterKey is { Length: > 0 } masterKey && !MasterKey.TryDecode(masterKey, out _))
        {
            errors.Add("Ccfs:Security:MasterKey must be the Base64 form of 32 bytes (openssl rand -base64 32)");
        }

        if (options.Admin.RefreshInterval <= TimeSpan.Zero || options.Admin.AuditRetention <= TimeSpan.Zero || options.Admin.MaxUploadMb < 1)
        {
            errors.Add("Ccfs:Admin:RefreshInterval and Ccfs:Admin:AuditRetention must be positive and Ccfs:Admin:MaxUploadMb at least 1");
        }

        if (options.Admin.RefreshInterval > AdminOptions.MaxRefreshInterval)
        {
            errors.Add($"Ccfs:Admin:RefreshInterval is {options.Admin.RefreshInterval}; it must be at most {AdminOptions.MaxRefreshInterval}, "
                + "so every node picks up parameter and account changes within 5 s");
        }

        foreach (var (name, flow) in new[] { ("Download", options.Limits.Download), ("Hash", options.Limits.Hash) })
        {
            if (flow.PermitLimit < 1 || flow.Window <= TimeSpan.Zero)
            {
                errors.Add($"Ccfs:Limits:{name} needs a PermitLimit of at least 1 and a positive Window");
            }
        }

        if (!HashAlgorithms.IsKnown(options.Compatibility.HashAlgorithm))
        {
            errors.Add($"Ccfs:Compatibility:HashAlgorithm '{options.Compatibility.HashAlgorithm}' is not one of {string.Join(", ", HashAlgorithms.Names)}");
        }

        if (string.IsNullOrWhiteSpace(options.Compatibility.HashField))
        {
            errors.Add("Ccfs:Compatibility:HashField is empty");
        }
        else if (string.Equals(options.Compatibility.HashField, "fileName", StringComparison.OrdinalIgnoreCase))
        {
            // Compared ignoring case because many JSON readers (fastjson among them) match member names that way.
            errors.Add($"Ccfs:Compatibility:HashField '{options.Compatibility.HashField}' would repeat the fileName member of "
                + "getFileHash's resultData; choose another name, such as hash");
        }

        ResultTexts.Check(options.Compatibility, errors);
        CheckCatalog(options.Catalog, options.Node, errors);
        options.Events.Check(errors);
        options.Retention.Check(errors);

        if (!Observability.LogFormat.IsKnown(options.Log.Format))
        {
            errors.Add($"Ccfs:Log:Format is '{options.Log.Format}'; expected one of {string.Join(", ", Observability.LogFormat.Names)}");
        }

        var faultsEnabled = options.Faults.Enabled ?? useDevelopmentAccount;
        if (options.Faults.File is { Length: > 0 } && !faultsEnabled)
        {
            errors.Add("Ccfs:Faults:File (--faults) is given, but fault injection is off: set Ccfs:Faults:Enabled=true, "
                + "or run in the development setup (no account, every listener on loopback)");
        }

        if (options.Journal.Size is < 0 or > 1_000_000)
        {
            errors.Add($"Ccfs:Journal:Size is {options.Journal.Size}; it must be from 0 (no journal) to 1000000");
        }

        if (errors.Count > 0)
        {
            throw new CcfsConfigurationException(errors);
        }

        return new CcfsSettings
        {
            DataDir = dataDir!,
            Accounts = useDevelopmentAccount ? [Account.Development] : accounts,
            UsesDevelopmentAccount = useDevelopmentAccount,
            Locations = locations,
            Parameters = parameters!,
            ParameterDefaults = options.Parameters,
            Auth = options.Auth,
            Limits = options.Limits,
            Compatibility = options.Compatibility,
            ResultTexts = new ResultTexts(options.Compatibility),
            Admin = options.Admin,
            Security = options.Security,
            Listeners = listeners,
            Catalog = options.Catalog,
            Node = options.Node,
            Events = options.Events,
            Retention = options.Retention,
            FaultsEnabled = faultsEnabled,
            FaultsFile = options.Faults.File is { Length: > 0 } faults ? Path.GetFullPath(faults) : null,
            JournalSize = options.Journal.Size,
            SeedFolder = options.Seed.Folder is { Length: > 0 } seed ? Path.GetFullPath(seed) : null,
        };
    }

    private static List<Account> LoadAccounts(List<AccountOptions> configured, List<string> errors)
    {
        var accounts = new List<Account>();
        for (var i = 0; i < configured.Count; i++)
        {
            var a = configured[i];
            var key = $"Ccfs:Accounts:{i}";
            if (AccountRules.AccessKeyProblem(a.AccessKey) is { } problem)
            {
                errors.Add($"{key}:{problem}");
                continue;
            }

            if (string.IsNullOrEmpty(a.SecretKey))
            {
                errors.Add($"{key}:SecretKey is empty");
            }
            else if (a.PreviousSecretKey == a.SecretKey)
            {
                errors.Add($"{key}:PreviousSecretKey is the same as SecretKey; remove it once every client signs with SecretKey");
            }

            if (AccountRules.VdnProblem(a.VdnIds) is { } vdnProblem)
            {
                errors.Add($"{key}:{vdnProblem}");
            }

            if (accounts.Exists(x => x.AccessKey == a.AccessKey))
            {
                errors.Add($"{key}:AccessKey '{a.AccessKey}' is configured twice");
            }

            accounts.Add(new Account(a.AccessKey!, string.IsNullOrEmpty(a.PreviousSecretKey) ? [a.SecretKey ?? ""] : [a.SecretKey ?? "", a.PreviousSecretKey],
                a.VdnIds.ToHashSet(), a.Admin));
        }

        return accounts;
    }

    private static List<LocationSettings> LoadLocations(List<LocationOptions> configured, string dataDir, List<string> errors)
    {
        if (configured.Count == 0)
        {
            configured = [new LocationOptions { Id = "0" }];
        }

        var locations = new List<LocationSettings>();
        for (var i = 0; i < configured.Count; i++)
        {
            var id = configured[i].Id;
            if (id is null || !LocationIdPattern().IsMatch(id))
            {
                errors.Add($"Ccfs:Locations:{i}:Id '{id}' must be 1-32 characters of A-Z a-z 0-9 _ -");
                continue;
            }

            if (locations.Exists(l => l.Id == id))
            {
                errors.Add($"Ccfs:Locations:{i}:Id '{id}' is configured twice");
                continue;
            }

            var location = configured[i];
            var key = $"Ccfs:Locations:{i}";
            if (string.Equals(location.Kind, LocationOptions.S3Kind, StringComparison.OrdinalIgnoreCase))
            {
                if (location.Path is not null)
                {
                    errors.Add($"{key}:Path is set, but an S3 location keeps its files in its bucket; remove {key}:Path or make it a Disk location");
                }

                if (S3LocationSettings.Load(location.S3, key, errors) is { } s3)
                {
                    locations.Add(new LocationSettings(id, "", s3));
                }

                continue;
            }

            if (!string.Equals(location.Kind, LocationOptions.Disk, StringComparison.OrdinalIgnoreCase))
            {
                errors.Add($"{key}:Kind '{location.Kind}' is not one of {LocationOptions.Disk}, {LocationOptions.S3Kind}");
                continue;
            }

            if (location.S3 is not null)
            {
                errors.Add($"{key}:S3 is set, but the location's Kind is {LocationOptions.Disk}; set {key}:Kind to S3 or remove {key}:S3");
                continue;
            }

            var root = Path.GetFullPath(location.Path is { Length: > 0 } path ? path : Path.Combine(dataDir, "locations", id));
            locations.Add(new LocationSettings(id, root));
        }

        return locations;
    }

    private static void CheckLimits(LimitOptions limits, List<string> errors)
    {
        if (limits.MaxConcurrentUploads < 1 || limits.UploadQueueLength < 0)
        {
            errors.Add("Ccfs:Limits:MaxConcurrentUploads must be at least 1 and Ccfs:Limits:UploadQueueLength at least 0");
        }

        if (limits.UploadQueueTimeout <= TimeSpan.Zero)
        {
            errors.Add("Ccfs:Limits:UploadQueueTimeout must be positive");
        }

        if (limits.MaxConcurrentDeletes < 1 || limits.DeleteQueueLength < 0)
        {
            errors.Add("Ccfs:Limits:MaxConcurrentDeletes must be at least 1 and Ccfs:Limits:DeleteQueueLength at least 0");
        }

        if (limits.DeleteQueueTimeout <= TimeSpan.Zero)
        {
            errors.Add("Ccfs:Limits:DeleteQueueTimeout must be positive");
        }

        if (limits.MaxConnectionsPerAddress is < 1)
        {
            errors.Add("Ccfs:Limits:MaxConnectionsPerAddress must be at least 1");
        }

        if (limits.ReadinessTimeout <= TimeSpan.Zero)
        {
            errors.Add("Ccfs:Limits:ReadinessTimeout must be positive");
        }

        if (!(limits.UnverifiedShare is > 0 and <= 1))
        {
            errors.Add($"Ccfs:Limits:UnverifiedShare is {limits.UnverifiedShare}; it must be above 0 and at most 1");
        }

        // Kestrel checks rates once a second, so a grace period must be longer than that.
        if (limits.MinRequestBodyRate < 0 || limits.MinRequestBodyRateGracePeriod <= TimeSpan.FromSeconds(1))
        {
            errors.Add("Ccfs:Limits:MinRequestBodyRate must be at least 0 (0 turns it off) and "
                + "Ccfs:Limits:MinRequestBodyRateGracePeriod longer than 1 second");
        }

        if (limits.MaxConnections < 1)
        {
            errors.Add("Ccfs:Limits:MaxConnections must be at least 1");
        }

        if (limits.KeepAliveTimeout <= TimeSpan.Zero || limits.RequestHeadersTimeout <= TimeSpan.Zero)
        {
            errors.Add("Ccfs:Limits:KeepAliveTimeout and Ccfs:Limits:RequestHeadersTimeout must be positive");
        }
    }

    private static void CheckAuth(AuthOptions auth, List<string> errors)
    {
        if (auth.MaxClockSkew <= TimeSpan.Zero)
        {
            errors.Add("Ccfs:Auth:MaxClockSkew must be positive");
        }

        if (auth.IpLock.MaxFailures < 1 || auth.IpLock.Window <= TimeSpan.Zero || auth.IpLock.LockDuration < TimeSpan.Zero)
        {
            errors.Add("Ccfs:Auth:IpLock needs MaxFailures >= 1, a positive Window and a LockDuration >= 0");
        }

        foreach (var proxy in auth.TrustedProxies)
        {
            if (!System.Net.IPNetwork.TryParse(proxy, out _) && !System.Net.IPAddress.TryParse(proxy, out _))
            {
                errors.Add($"Ccfs:Auth:TrustedProxies entry '{proxy}' is neither an IP address nor a CIDR network");
            }
        }
    }

    private static void CheckCatalog(CatalogOptions catalog, NodeOptions node, List<string> errors)
    {
        var postgres = string.Equals(catalog.Provider, CatalogOptions.Postgres, StringComparison.OrdinalIgnoreCase);
        if (!postgres && !string.Equals(catalog.Provider, CatalogOptions.Sqlite, StringComparison.OrdinalIgnoreCase))
        {
            errors.Add($"Ccfs:Catalog:Provider '{catalog.Provider}' is not one of {CatalogOptions.Sqlite}, {CatalogOptions.Postgres}");
        }

        if (postgres && string.IsNullOrWhiteSpace(catalog.ConnectionString))
        {
            errors.Add("Ccfs:Catalog:ConnectionString is empty; the Postgres catalog needs an Npgsql connection string, such as "
                + "Host=127.0.0.1;Port=5432;Username=ccfs;Password=…;Database=ccfs");
        }

        if (catalog.WriteTimeout < TimeSpan.FromMilliseconds(100) || catalog.WriteTimeout > TimeSpan.FromMinutes(5))
        {
            errors.Add($"Ccfs:Catalog:WriteTimeout is {catalog.WriteTimeout}; it must be between 00:00:00.1 and 00:05:00");
        }

        if (catalog.RecoveryInterval < TimeSpan.FromSeconds(1))
        {
            errors.Add($"Ccfs:Catalog:RecoveryInterval is {catalog.RecoveryInterval}; it must be at least 00:00:01");
        }

        if (node.LeaseDuration < TimeSpan.FromSeconds(3))
        {
            errors.Add($"Ccfs:Node:LeaseDuration is {node.LeaseDuration}; it must be at least 00:00:03");
        }

        if (node.Name is { } name && (name.Length is 0 or > 64 || name.Any(char.IsControl)))
        {
            errors.Add("Ccfs:Node:Name must be 1-64 printable characters");
        }
    }

    private static string Flatten(Exception e) =>
        e.InnerException is null ? e.Message : e.Message + " " + Flatten(e.InnerException);

    [GeneratedRegex("^[A-Za-z0-9_-]{1,32}$")]
    private static partial Regex LocationIdPattern();
}

/// <summary>The configuration cannot run; the message lists every problem found.</summary>
public sealed class CcfsConfigurationException(IReadOnlyList<string> errors)
    : Exception("ccfs cannot start, the configuration has problems:" + string.Concat(errors.Select(e => "\n  - " + e)))
{
    public IReadOnlyList<string> Errors { get; } = errors;
}

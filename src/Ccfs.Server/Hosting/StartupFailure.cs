using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Ccfs.Server.Configuration;
using Microsoft.AspNetCore.Connections;

namespace Ccfs.Server.Hosting;

/// <summary>What went wrong while the server started, as the one line it prints before it exits with code 2.</summary>
public static partial class StartupFailure
{
    /// <summary>The line for a failure of the environment (a port, a folder, a file); null for a bug, which should show whole.</summary>
    /// <param name="catalog">The catalog's back-end, which describes failures of its own kind.</param>
    public static string? Describe(Exception e, CcfsSettings settings, Catalog.CatalogProvider? catalog = null) => e switch
    {
        AggregateException { InnerExceptions: [var only] } => Describe(only, settings, catalog),
        CcfsStartupException or CcfsConfigurationException => e.Message,
        IOException when Find<AddressInUseException>(e) is not null => $"{BoundAddress(e) ?? "the address"} is already in use "
            + "(another process listens there; choose another with --urls)",
        IOException when BoundAddress(e) is { } address => $"cannot listen on {address}: {Innermost(e).Message}",
        System.Data.Common.DbException db => catalog?.DescribeStartupFailure(db) ?? $"the {settings.Catalog.Provider} catalog cannot be used: {db.Message}",
        CryptographicException => $"the TLS certificate in {Path.Combine(settings.DataDir, "tls")} cannot be used: {e.Message}",
        IOException or UnauthorizedAccessException or SocketException => e.Message,
        _ => null,
    };

    /// <summary>
    /// Whether the start failed for something that may pass by itself, so a service manager should try again (exit code
    /// <see cref="CcfsServerHost.TransientExitCode"/>): the catalog out of reach or held, or a full disk. A bad key, a port
    /// in use or an unreadable file would only fail again.
    /// </summary>
    /// <param name="dataDirFull">What <see cref="DataDirFull"/> said for this failure.</param>
    public static bool IsTransient(Exception e, string? dataDirFull, Catalog.CatalogProvider? catalog) =>
        Find<Catalog.CatalogUnavailableException>(e) is { Refusing: false }
        || (Find<System.Data.Common.DbException>(e) is { } db && catalog?.Database.Dialect.Classify(db).Kind == Catalog.CatalogFailure.Unavailable)
        || Storage.StorageFailure.IsDiskFull(e)
        || dataDirFull is not null;

    /// <summary>What to add to the line when the data dir's filesystem is (nearly) full, which SQLite may report as an I/O error.</summary>
    public static string? DataDirFull(CcfsSettings settings) =>
        Storage.Disk.DiskSpace.FreeBytes(settings.DataDir) is { } free and < NearlyFull
            ? $"the filesystem of the data dir {settings.DataDir} has {free} bytes free"
            : null;

    private const long NearlyFull = 1024 * 1024;

    private static T? Find<T>(Exception e)
        where T : Exception
    {
        for (Exception? cause = e; cause is not null; cause = cause.InnerException)
        {
            if (cause is T found)
            {
                return found;
            }
        }

        return null;
    }

    private static Exception Innermost(Exception e) => e.InnerException is null ? e : Innermost(e.InnerException);

    /// <summary>Kestrel names the address only in its message: "Failed to bind to address http://127.0.0.1:6002: …".</summary>
    private static string? BoundAddress(Exception e)
    {
        var match = BindFailure().Match(e.Message);
        if (!match.Success)
        {
            return null;
        }

        var url = match.Groups["url"].Value;
        return Uri.TryCreate(url, UriKind.Absolute, out var uri) ? uri.Authority : url;
    }

    [GeneratedRegex(@"^Failed to bind to address (?<url>\S+?)[:.]?(\s|$)")]
    private static partial Regex BindFailure();
}

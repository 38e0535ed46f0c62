using System.Diagnostics;
using System.Globalization;
using Npgsql;

namespace Ccfs.Tests;

/// <summary>
/// A real PostgreSQL for the tests. With <c>CCFS_TEST_POSTGRES</c> set to an Npgsql connection string (a role that may
/// create schemas), that server is used; otherwise a private cluster is started once per test process by
/// <c>scripts/postgres-start.sh</c> (which installs PostgreSQL 15 from Debian if it is missing) in a temporary folder on a
/// free port, and stopped by <c>scripts/postgres-stop.sh</c> when the process exits. Each catalog a test asks for is a
/// schema of its own, so tests never share state.
/// </summary>
public static class PostgresCluster
{
    public const string Variable = "CCFS_TEST_POSTGRES";

    private static readonly Lazy<string> Server = new(Start, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The connection string of a fresh, empty schema (the search path names it).</summary>
    public static string NewCatalog()
    {
        var schema = "t_" + Guid.NewGuid().ToString("N");
        using var connection = new NpgsqlConnection(Server.Value);
        connection.Open();
        using var create = new NpgsqlCommand($"CREATE SCHEMA {schema};", connection);
        create.ExecuteNonQuery();
        return new NpgsqlConnectionStringBuilder(Server.Value) { SearchPath = schema, Pooling = true }.ConnectionString;
    }

    /// <summary>Drops a schema <see cref="NewCatalog"/> made.</summary>
    public static void Drop(string connectionString)
    {
        var schema = new NpgsqlConnectionStringBuilder(connectionString).SearchPath;
        if (schema is null || !schema.StartsWith("t_", StringComparison.Ordinal))
        {
            return;
        }

        NpgsqlConnection.ClearAllPools();
        using var connection = new NpgsqlConnection(Server.Value);
        connection.Open();
        using var drop = new NpgsqlCommand($"DROP SCHEMA IF EXISTS {schema} CASCADE;", connection);
        drop.ExecuteNonQuery();
    }

    private static string Start()
    {
        if (Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } given)
        {
            return given;
        }

        var folder = Path.Combine(Path.GetTempPath(), "ccfs-test-postgres", Guid.NewGuid().ToString("N"));
        var port = ServerProcess.FreePort();
        // The script's watcher stops the cluster if this process dies without running ProcessExit (a killed test host).
        var connectionString = Script("postgres-start.sh", [folder, port.ToString(CultureInfo.InvariantCulture)],
            new() { ["PG_WATCH_PID"] = Environment.ProcessId.ToString(CultureInfo.InvariantCulture) }).Trim();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Script("postgres-stop.sh", [folder, "--remove"]);
        return connectionString;
    }

    internal static string Script(string name, string[] arguments, Dictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(Path.Combine(TestData.RepositoryRoot, "scripts", name))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (variable, value) in environment ?? [])
        {
            start.Environment[variable] = value;
        }

        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return process.ExitCode == 0
            ? output
            : throw new InvalidOperationException($"scripts/{name} failed ({process.ExitCode}): {error.Result}{output}");
    }
}

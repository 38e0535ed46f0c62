using System.Data.Common;
using Npgsql;

namespace Ccfs.Server.Metadata.Postgres;

/// <summary>
/// The PostgreSQL database every node shares: the catalog, accounts, parameters, the audit trail, node leases and the
/// replay cache, in the schema the connection string's search path names (<c>public</c> by default). Writes go through
/// <see cref="Writer"/>; reads use the data source's pool. Changes to accounts and parameters are announced with
/// <c>NOTIFY</c> on <see cref="ChangeChannel"/>, in the transaction that makes them.
/// </summary>
public sealed class PostgresDatabase : IAsyncDisposable
{
    private readonly NpgsqlDataSource _dataSource;
    private string? _schema;

    public PostgresDatabase(string connectionString, TimeSpan writeTimeout, TimeProvider time, ILoggerFactory loggers)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        builder.MaxAutoPrepare = builder.MaxAutoPrepare == 0 ? 64 : builder.MaxAutoPrepare;
        builder.Timeout = builder.Timeout == 15 ? Math.Max(1, (int)Math.Ceiling(writeTimeout.TotalSeconds)) : builder.Timeout;
        builder.ApplicationName ??= "ccfs";
        ConnectionString = builder.ConnectionString;
        _dataSource = new NpgsqlDataSourceBuilder(ConnectionString).UseLoggerFactory(loggers).Build();
        WriteTimeout = writeTimeout;
        Writer = new PostgresWriter(_dataSource, writeTimeout, time, loggers.CreateLogger<PostgresWriter>());
    }

    public string ConnectionString { get; }

    public TimeSpan WriteTimeout { get; }

    public PostgresWriter Writer { get; }

    public NpgsqlDataSource DataSource => _dataSource;

    /// <summary>The schema the catalog lives in, known once migrated.</summary>
    public string Schema => _schema ?? throw new InvalidOperationException("the catalog has not been migrated yet");

    /// <summary>The NOTIFY channel of this catalog's changes, one per schema so catalogs sharing a database stay apart.</summary>
    public string ChangeChannel => "ccfs_changes_" + Schema;

    /// <summary>
    /// Creates or upgrades the schema in one transaction, under an advisory lock, so nodes starting together apply each
    /// migration once; a node that finds the schema newer than it knows refuses to start.
    /// </summary>
    public async Task MigrateAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        _schema = (string)(await Scalar(connection, transaction, "SELECT current_schema();", cancellationToken))!;
        await Scalar(connection, transaction, "SELECT pg_advisory_xact_lock(hashtext(current_schema() || ':ccfs-migrate'));", cancellationToken);
        await Scalar(connection, transaction, "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL);", cancellationToken);
        var version = Convert.ToInt32(await Scalar(connection, transaction, "SELECT coalesce(max(version), 0) FROM schema_version;",
            cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
        if (version > PostgresSchema.Migrations.Count)
        {
            throw new Configuration.CcfsConfigurationException([$"the PostgreSQL catalog (schema {_schema}) is at version {version}, "
                + $"newer than this ccfs knows ({PostgresSchema.Migrations.Count}); run the newer version, or restore a matching backup"]);
        }

        for (var next = version; next < PostgresSchema.Migrations.Count; next++)
        {
            await Scalar(connection, transaction, PostgresSchema.Migrations[next], cancellationToken);
            await Scalar(connection, transaction, $"INSERT INTO schema_version (version) VALUES ({next + 1});", cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    public async Task<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await _dataSource.OpenConnectionAsync(cancellationToken);
        }
        catch (NpgsqlException e) when (IsUnavailable(e))
        {
            throw Unavailable(e);
        }
    }

    /// <summary>A read on a pooled connection.</summary>
    public async Task<List<T>> QueryAsync<T>(string sql, Func<NpgsqlDataReader, T> read, CancellationToken cancellationToken,
        params (string Name, object? Value)[] parameters)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(sql, connection);
        AddParameters(command, parameters);
        try
        {
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            var rows = new List<T>();
            while (await reader.ReadAsync(cancellationToken))
            {
                rows.Add(read(reader));
            }

            return rows;
        }
        catch (NpgsqlException e) when (IsUnavailable(e))
        {
            throw Unavailable(e);
        }
    }

    public async Task<object?> ScalarAsync(string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        var rows = await QueryAsync(sql, r => r.IsDBNull(0) ? null : r.GetValue(0), cancellationToken, parameters);
        return rows.Count == 0 ? null : rows[0];
    }

    public async ValueTask DisposeAsync()
    {
        await Writer.DisposeAsync();
        await _dataSource.DisposeAsync();
    }

    internal static void AddParameters(NpgsqlCommand command, (string Name, object? Value)[] parameters)
    {
        foreach (var (name, value) in parameters)
        {
            command.Parameters.Add(value is null ? new NpgsqlParameter(name, DBNull.Value) : new NpgsqlParameter(name, value));
        }
    }

    /// <summary>The server cannot be reached, or a lock or statement timeout ran out: nothing was done; the client may retry.</summary>
    internal static bool IsUnavailable(NpgsqlException e) =>
        e is not PostgresException || ((PostgresException)e).SqlState is PostgresErrorCodes.LockNotAvailable
            or PostgresErrorCodes.QueryCanceled or PostgresErrorCodes.CannotConnectNow or PostgresErrorCodes.AdminShutdown
            or PostgresErrorCodes.TooManyConnections or PostgresErrorCodes.DiskFull or PostgresErrorCodes.ReadOnlySqlTransaction;

    internal static DbException Unavailable(NpgsqlException e) =>
        new CatalogUnavailableException($"the PostgreSQL catalog is unavailable: {e.Message}", e);

    private static async Task<object?> Scalar(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql,
        CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        return await command.ExecuteScalarAsync(cancellationToken);
    }
}

using Npgsql;

namespace Ccfs.Server.Metadata.Postgres;

/// <summary>
/// The PostgreSQL catalog's writer on this node: one connection, batches of writes per transaction (group commit, as
/// PostgreSQL itself does for concurrent commits, but with one round trip per batch's commit). A deferred batch runs
/// with <c>synchronous_commit = off</c>. Lock and statement timeouts bound each batch by the write timeout, so rows
/// another node holds are waited for a bounded time and then answered 503. A broken connection is replaced.
/// </summary>
public sealed class PostgresWriter(NpgsqlDataSource dataSource, TimeSpan writeTimeout, TimeProvider time, ILogger<PostgresWriter> logger)
    : CatalogWriter<PostgresBatch>(writeTimeout, time, logger)
{
    private NpgsqlConnection? _connection;

    protected override Task StartLoop(Func<Task> loop) => Task.Run(loop);

    protected override async Task<PostgresBatch> BeginAsync(Durability durability, TimeSpan wait, CancellationToken cancellationToken)
    {
        try
        {
            if (_connection is not { State: System.Data.ConnectionState.Open })
            {
                if (_connection is not null)
                {
                    await _connection.DisposeAsync();
                }

                _connection = null;
                _connection = await dataSource.OpenConnectionAsync(cancellationToken);
            }

            var transaction = await _connection.BeginTransactionAsync(cancellationToken);
            var milliseconds = (int)wait.TotalMilliseconds;
            await using var settings = new NpgsqlCommand(
                $"SET LOCAL lock_timeout = {milliseconds}; SET LOCAL statement_timeout = {milliseconds};"
                + (durability == Durability.Deferred ? " SET LOCAL synchronous_commit = off;" : ""), _connection, transaction);
            await settings.ExecuteNonQueryAsync(cancellationToken);
            return new PostgresBatch(_connection, transaction);
        }
        catch (NpgsqlException e) when (e is not PostgresException)
        {
            // The server is unreachable or the connection broke: the next batch opens a new one.
            if (_connection is not null)
            {
                await _connection.DisposeAsync();
                _connection = null;
            }

            throw new CatalogUnavailableException($"the PostgreSQL catalog cannot be reached: {e.Message}", e);
        }
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (_connection is not null)
        {
            await _connection.DisposeAsync();
        }
    }
}

using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace Ccfs.Server.Catalog.Sqlite;

/// <summary>SQLite's spelling: one writer, so no row locks; busy and locked are a held database, full and read-only a refusal.</summary>
public sealed class SqliteDialect : CatalogDialect
{
    private const int Busy = 5;
    private const int Locked = 6;
    private const int ReadOnly = 8;
    private const int IoError = 10;
    private const int Full = 13;
    private const int CantOpen = 14;

    public static SqliteDialect Instance { get; } = new();

    public override string Name => "SQLite";

    public override string ForUpdate => "";

    public override string ForUpdateSkipLocked => "";

    public override IReadOnlyList<string> Migrations => SqliteSchema.Migrations;

    public override (CatalogFailure Kind, string Reason) Classify(DbException exception) => exception is SqliteException sqlite
        ? sqlite.SqliteErrorCode switch
        {
            Busy or Locked => (CatalogFailure.Unavailable, $"the catalog database is locked by another process ({Trim(sqlite)})"),
            Full => (CatalogFailure.Refusing, $"the catalog's disk is full ({Trim(sqlite)})"),
            ReadOnly or IoError or CantOpen => (CatalogFailure.Refusing, $"the catalog's files cannot be written ({Trim(sqlite)})"),
            _ => (CatalogFailure.Statement, sqlite.Message),
        }
        : (CatalogFailure.Statement, exception.Message);

    private static string Trim(SqliteException e) => e.Message.TrimEnd('.');
}

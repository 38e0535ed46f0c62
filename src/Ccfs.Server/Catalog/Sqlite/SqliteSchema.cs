namespace Ccfs.Server.Catalog.Sqlite;

/// <summary>
/// The SQLite catalog's schema, one migration per version; applied in order at start-up and never edited once released
/// (<c>test/data/catalog-fixtures</c> holds catalogs made by released versions, which must open unchanged).
/// <c>files.state</c>: see <see cref="FileState"/>; <c>file_copies.state</c>: 1 held, 2 being deleted; <c>owner</c>: the
/// <see cref="NodeIdentity.Instance"/> doing unfinished work on a row or copy.
/// </summary>
internal static class SqliteSchema
{
    /// <summary>0.11: vdn_usage follows every change of a file row (see SharedMigrations).</summary>
    private const string UsageTriggers = """
        CREATE TRIGGER files_usage_inserted AFTER INSERT ON files WHEN new.state IN (0, 1) BEGIN
            INSERT INTO vdn_usage (vdn_id, files, bytes) VALUES (new.vdn_id, 1, new.size_bytes)
            ON CONFLICT (vdn_id) DO UPDATE SET files = files + 1, bytes = bytes + excluded.bytes;
        END;
        CREATE TRIGGER files_usage_deleted AFTER DELETE ON files WHEN old.state IN (0, 1) BEGIN
            UPDATE vdn_usage SET files = files - 1, bytes = bytes - old.size_bytes WHERE vdn_id = old.vdn_id;
        END;
        CREATE TRIGGER files_usage_left AFTER UPDATE OF state ON files WHEN old.state IN (0, 1) AND new.state NOT IN (0, 1) BEGIN
            UPDATE vdn_usage SET files = files - 1, bytes = bytes - old.size_bytes WHERE vdn_id = old.vdn_id;
        END;
        CREATE TRIGGER files_usage_entered AFTER UPDATE OF state ON files WHEN old.state NOT IN (0, 1) AND new.state IN (0, 1) BEGIN
            INSERT INTO vdn_usage (vdn_id, files, bytes) VALUES (new.vdn_id, 1, new.size_bytes)
            ON CONFLICT (vdn_id) DO UPDATE SET files = files + 1, bytes = bytes + excluded.bytes;
        END;
        """;

    private static readonly MigrationSpelling Spelling = new("INTEGER", "INTEGER", "BLOB", "INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT", UsageTriggers);

    public static IReadOnlyList<string> Migrations { get; } =
    [
        """
        CREATE TABLE files (
            path          TEXT    NOT NULL PRIMARY KEY,
            file_name     TEXT    NOT NULL,
            vdn_id        INTEGER NOT NULL,
            size_bytes    INTEGER NOT NULL,
            sha256        TEXT    NOT NULL,
            encoding      TEXT    NOT NULL,
            duration_ms   INTEGER NOT NULL,
            access_key    TEXT    NOT NULL,
            created_at_ms INTEGER NOT NULL,
            committed     INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX files_by_vdn ON files (vdn_id, created_at_ms);
        CREATE TABLE file_copies (
            path        TEXT NOT NULL REFERENCES files (path) ON DELETE CASCADE,
            location_id TEXT NOT NULL,
            PRIMARY KEY (path, location_id)
        );
        """,
        """
        ALTER TABLE files RENAME COLUMN committed TO state;
        """,
        """
        CREATE TABLE parameter_overrides (
            scope         TEXT    NOT NULL PRIMARY KEY,
            json          TEXT    NOT NULL,
            updated_at_ms INTEGER NOT NULL
        );
        CREATE TABLE change_version (
            id      INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
            version INTEGER NOT NULL
        );
        INSERT INTO change_version (id, version) VALUES (1, 0);
        """,
        """
        CREATE TABLE accounts (
            access_key    TEXT    NOT NULL PRIMARY KEY,
            vdn_ids       TEXT    NOT NULL,
            is_admin      INTEGER NOT NULL,
            disabled      INTEGER NOT NULL DEFAULT 0,
            description   TEXT,
            created_at_ms INTEGER NOT NULL,
            updated_at_ms INTEGER NOT NULL
        );
        CREATE TABLE account_secrets (
            secret_id     INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
            access_key    TEXT    NOT NULL REFERENCES accounts (access_key) ON DELETE CASCADE,
            sealed        BLOB    NOT NULL,
            created_at_ms INTEGER NOT NULL
        );
        """,
        """
        CREATE TABLE audit (
            id          INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
            at_ms       INTEGER NOT NULL,
            access_key  TEXT,
            vdn_id      INTEGER,
            client_ip   TEXT    NOT NULL,
            interface   TEXT    NOT NULL,
            file        TEXT,
            result_code TEXT    NOT NULL,
            duration_ms INTEGER NOT NULL
        );
        CREATE INDEX audit_by_time ON audit (at_ms);
        """,
        """
        ALTER TABLE files ADD COLUMN owner TEXT;
        ALTER TABLE file_copies ADD COLUMN state INTEGER NOT NULL DEFAULT 1;
        ALTER TABLE file_copies ADD COLUMN owner TEXT;
        CREATE INDEX files_unfinished ON files (state) WHERE state <> 1;
        CREATE INDEX file_copies_deleting ON file_copies (state) WHERE state <> 1;
        CREATE TABLE replay_cache (
            signature     TEXT    NOT NULL PRIMARY KEY,
            expires_at_ms INTEGER NOT NULL
        );
        CREATE INDEX replay_cache_by_expiry ON replay_cache (expires_at_ms);
        CREATE TABLE catalog_probe (
            id    INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
            node  TEXT,
            at_ms INTEGER NOT NULL
        );
        INSERT INTO catalog_probe (id, node, at_ms) VALUES (1, NULL, 0);
        CREATE TABLE master_key_check (
            id     INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
            sealed BLOB    NOT NULL
        );
        """,
        // 0.10: copies are listed in the order the upload placed them, as PostgreSQL always listed them.
        """
        ALTER TABLE file_copies ADD COLUMN ordinal INTEGER NOT NULL DEFAULT 0;
        """,
        .. SharedMigrations.Since010(Spelling),
    ];
}

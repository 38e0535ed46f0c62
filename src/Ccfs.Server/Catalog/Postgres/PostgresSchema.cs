namespace Ccfs.Server.Catalog.Postgres;

/// <summary>
/// The PostgreSQL catalog's schema, one migration per version; applied in order at start-up under an advisory lock and
/// never edited once released (<c>test/data/catalog-fixtures</c> keeps a schema a released version made). The tables match
/// the SQLite catalog's (see <c>Sqlite/SqliteSchema.cs</c>), plus the node leases and the shared IP lock that only a shared
/// catalog needs. Leases use the database's clock, so nodes whose clocks differ agree on them; the replay cache and the IP
/// lock use each node's clock, as the signature check they serve does.
/// </summary>
internal static class PostgresSchema
{
    /// <summary>0.11: vdn_usage follows every change of a file row, through one trigger function for the three triggers.</summary>
    private const string UsageTriggers = """
        CREATE FUNCTION ccfs_count_usage() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP <> 'INSERT' THEN
                IF OLD.state IN (0, 1) THEN
                    UPDATE vdn_usage SET files = files - 1, bytes = bytes - OLD.size_bytes WHERE vdn_id = OLD.vdn_id;
                END IF;
            END IF;
            IF TG_OP <> 'DELETE' THEN
                IF NEW.state IN (0, 1) THEN
                    INSERT INTO vdn_usage (vdn_id, files, bytes) VALUES (NEW.vdn_id, 1, NEW.size_bytes)
                    ON CONFLICT (vdn_id) DO UPDATE SET files = vdn_usage.files + 1, bytes = vdn_usage.bytes + excluded.bytes;
                END IF;
            END IF;
            RETURN NULL;
        END $$;
        CREATE TRIGGER files_usage_inserted AFTER INSERT ON files FOR EACH ROW WHEN (NEW.state IN (0, 1))
            EXECUTE FUNCTION ccfs_count_usage();
        CREATE TRIGGER files_usage_deleted AFTER DELETE ON files FOR EACH ROW WHEN (OLD.state IN (0, 1))
            EXECUTE FUNCTION ccfs_count_usage();
        CREATE TRIGGER files_usage_moved AFTER UPDATE OF state ON files FOR EACH ROW
            WHEN ((OLD.state IN (0, 1)) IS DISTINCT FROM (NEW.state IN (0, 1))) EXECUTE FUNCTION ccfs_count_usage();
        """;

    private static readonly MigrationSpelling Spelling = new("BIGINT", "SMALLINT", "BYTEA", "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY", UsageTriggers);

    public static IReadOnlyList<string> Migrations { get; } =
    [
        """
        CREATE TABLE files (
            path          TEXT     NOT NULL PRIMARY KEY,
            file_name     TEXT     NOT NULL,
            vdn_id        INTEGER  NOT NULL,
            size_bytes    BIGINT   NOT NULL,
            sha256        TEXT     NOT NULL,
            encoding      TEXT     NOT NULL,
            duration_ms   BIGINT   NOT NULL,
            access_key    TEXT     NOT NULL,
            created_at_ms BIGINT   NOT NULL,
            state         SMALLINT NOT NULL,
            owner         TEXT
        );
        CREATE INDEX files_by_vdn ON files (vdn_id, created_at_ms);
        CREATE INDEX files_unfinished ON files (state) WHERE state <> 1;
        CREATE TABLE file_copies (
            path        TEXT     NOT NULL REFERENCES files (path) ON DELETE CASCADE,
            location_id TEXT     NOT NULL,
            state       SMALLINT NOT NULL DEFAULT 1,
            owner       TEXT,
            ordinal     SMALLINT NOT NULL DEFAULT 0,
            PRIMARY KEY (path, location_id)
        );
        CREATE INDEX file_copies_deleting ON file_copies (state) WHERE state <> 1;
        CREATE TABLE parameter_overrides (
            scope         TEXT   NOT NULL PRIMARY KEY,
            json          TEXT   NOT NULL,
            updated_at_ms BIGINT NOT NULL
        );
        CREATE TABLE change_version (
            id      INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
            version BIGINT  NOT NULL
        );
        INSERT INTO change_version (id, version) VALUES (1, 0);
        CREATE TABLE accounts (
            access_key    TEXT    NOT NULL PRIMARY KEY,
            vdn_ids       TEXT    NOT NULL,
            is_admin      BOOLEAN NOT NULL,
            disabled      BOOLEAN NOT NULL DEFAULT false,
            description   TEXT,
            created_at_ms BIGINT  NOT NULL,
            updated_at_ms BIGINT  NOT NULL
        );
        CREATE TABLE account_secrets (
            secret_id     BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            access_key    TEXT   NOT NULL REFERENCES accounts (access_key) ON DELETE CASCADE,
            sealed        BYTEA  NOT NULL,
            created_at_ms BIGINT NOT NULL
        );
        CREATE INDEX account_secrets_by_account ON account_secrets (access_key);
        CREATE TABLE audit (
            id          BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            at_ms       BIGINT  NOT NULL,
            access_key  TEXT,
            vdn_id      INTEGER,
            client_ip   TEXT    NOT NULL,
            interface   TEXT    NOT NULL,
            file        TEXT,
            result_code TEXT    NOT NULL,
            duration_ms BIGINT  NOT NULL
        );
        CREATE INDEX audit_by_time ON audit (at_ms);
        CREATE TABLE replay_cache (
            signature  TEXT        NOT NULL PRIMARY KEY,
            expires_at TIMESTAMPTZ NOT NULL
        );
        CREATE INDEX replay_cache_by_expiry ON replay_cache (expires_at);
        CREATE TABLE nodes (
            instance    TEXT        NOT NULL PRIMARY KEY,
            name        TEXT        NOT NULL,
            started_at  TIMESTAMPTZ NOT NULL,
            lease_until TIMESTAMPTZ NOT NULL
        );
        CREATE TABLE catalog_probe (
            id    INTEGER     NOT NULL PRIMARY KEY CHECK (id = 1),
            node  TEXT,
            at    TIMESTAMPTZ NOT NULL
        );
        INSERT INTO catalog_probe (id, node, at) VALUES (1, NULL, now());
        CREATE TABLE master_key_check (
            id     INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
            sealed BYTEA   NOT NULL
        );
        """,
        """
        CREATE TABLE ip_failures (
            address      TEXT        NOT NULL PRIMARY KEY,
            window_start TIMESTAMPTZ NOT NULL,
            failures     INTEGER     NOT NULL
        );
        CREATE INDEX ip_failures_by_window ON ip_failures (window_start);
        CREATE TABLE ip_locks (
            address      TEXT        NOT NULL PRIMARY KEY,
            locked_until TIMESTAMPTZ NOT NULL
        );
        """,
        // 0.10: the tables both catalogs have keep times as Unix milliseconds in both, so each statement is written once.
        """
        ALTER TABLE replay_cache ADD COLUMN expires_at_ms BIGINT;
        UPDATE replay_cache SET expires_at_ms = CAST(extract(epoch FROM expires_at) * 1000 AS BIGINT);
        ALTER TABLE replay_cache ALTER COLUMN expires_at_ms SET NOT NULL;
        ALTER TABLE replay_cache DROP COLUMN expires_at;
        CREATE INDEX replay_cache_by_expiry_ms ON replay_cache (expires_at_ms);
        ALTER TABLE catalog_probe ADD COLUMN at_ms BIGINT NOT NULL DEFAULT 0;
        ALTER TABLE catalog_probe DROP COLUMN at;
        """,
        .. SharedMigrations.Since010(Spelling),
    ];
}

namespace Ccfs.Server.Catalog.Sqlite;

/// <summary>
/// The SQLite catalog's schema, one migration per version; applied in order at start-up and never edited once released
/// (<c>test/data/catalog-fixtures</c> holds catalogs made by released versions, which must open unchanged).
/// <c>files.state</c>: see <see cref="FileState"/>; <c>file_copies.state</c>: 1 held, 2 being deleted; <c>owner</c>: the
/// <see cref="NodeIdentity.Instance"/> doing unfinished work on a row or copy.
/// </summary>
internal static class SqliteSchema
{
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
        // 0.10: one audit entry may stand for a window of repeated refusals.
        """
        ALTER TABLE audit ADD COLUMN repeats INTEGER NOT NULL DEFAULT 1;
        """,
        // 0.10: a prompt's quality findings (the X-Ccfs-Prompt-Check line) on its file and its upload's audit entry.
        """
        ALTER TABLE files ADD COLUMN prompt_check TEXT;
        ALTER TABLE audit ADD COLUMN detail TEXT;
        """,
        // 0.10: events. Each change to a file writes an outbox row in its own transaction, numbered per VDN without gaps
        // (event_sequences); subscriptions read the outbox through a cursor per VDN (event_streams).
        """
        ALTER TABLE files ADD COLUMN deleted_by TEXT;
        ALTER TABLE file_copies ADD COLUMN deleted_by TEXT;
        CREATE TABLE event_sequences (
            vdn_id        INTEGER NOT NULL PRIMARY KEY,
            last_sequence INTEGER NOT NULL
        );
        CREATE TABLE events (
            id                     TEXT    NOT NULL PRIMARY KEY,
            vdn_id                 INTEGER NOT NULL,
            sequence               INTEGER NOT NULL,
            type                   TEXT    NOT NULL,
            at_ms                  INTEGER NOT NULL,
            file_name              TEXT    NOT NULL,
            size_bytes             INTEGER NOT NULL,
            sha256                 TEXT    NOT NULL,
            duration_ms            INTEGER NOT NULL,
            access_key             TEXT    NOT NULL,
            location_ids           TEXT    NOT NULL,
            remaining_location_ids TEXT    NOT NULL,
            prompt_check           TEXT,
            UNIQUE (vdn_id, sequence)
        );
        CREATE INDEX events_by_time ON events (at_ms);
        CREATE TABLE subscriptions (
            id              TEXT    NOT NULL PRIMARY KEY,
            url             TEXT    NOT NULL,
            all_vdns        INTEGER NOT NULL,
            types           TEXT,
            description     TEXT,
            enabled         INTEGER NOT NULL,
            disabled_reason TEXT,
            sealed_secret   BLOB    NOT NULL,
            created_at_ms   INTEGER NOT NULL,
            updated_at_ms   INTEGER NOT NULL
        );
        CREATE TABLE subscription_vdns (
            subscription_id TEXT    NOT NULL REFERENCES subscriptions (id) ON DELETE CASCADE,
            vdn_id          INTEGER NOT NULL,
            PRIMARY KEY (subscription_id, vdn_id)
        );
        CREATE TABLE event_streams (
            subscription_id    TEXT    NOT NULL REFERENCES subscriptions (id) ON DELETE CASCADE,
            vdn_id             INTEGER NOT NULL,
            delivered_through  INTEGER NOT NULL,
            claimed_by         TEXT,
            attempts           INTEGER NOT NULL DEFAULT 0,
            next_attempt_at_ms INTEGER NOT NULL DEFAULT 0,
            failing_since_ms   INTEGER,
            PRIMARY KEY (subscription_id, vdn_id)
        );
        CREATE TABLE event_deliveries (
            id              INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
            subscription_id TEXT    NOT NULL REFERENCES subscriptions (id) ON DELETE CASCADE,
            event_id        TEXT    NOT NULL,
            vdn_id          INTEGER NOT NULL,
            sequence        INTEGER NOT NULL,
            attempt         INTEGER NOT NULL,
            outcome         TEXT    NOT NULL,
            status_code     INTEGER,
            error           TEXT,
            at_ms           INTEGER NOT NULL,
            duration_ms     INTEGER NOT NULL
        );
        CREATE INDEX event_deliveries_by_subscription ON event_deliveries (subscription_id, id);
        CREATE INDEX event_deliveries_by_time ON event_deliveries (at_ms);
        CREATE TABLE event_dead_letters (
            subscription_id TEXT    NOT NULL REFERENCES subscriptions (id) ON DELETE CASCADE,
            event_id        TEXT    NOT NULL,
            vdn_id          INTEGER NOT NULL,
            sequence        INTEGER NOT NULL,
            reason          TEXT    NOT NULL,
            status_code     INTEGER,
            at_ms           INTEGER NOT NULL,
            PRIMARY KEY (subscription_id, event_id)
        );
        CREATE TABLE event_redeliveries (
            subscription_id  TEXT    NOT NULL REFERENCES subscriptions (id) ON DELETE CASCADE,
            event_id         TEXT    NOT NULL,
            claimed_by       TEXT,
            requested_at_ms  INTEGER NOT NULL,
            PRIMARY KEY (subscription_id, event_id)
        );
        """,
        // 0.11: quotas and retention. vdn_usage is each VDN's files and bytes that are pending or stored, kept by triggers
        // in every transaction that changes a file row, so no code path can forget it and a crash leaks nothing; an upload
        // checks it under the row's lock. warned_percent is the last quota warning given (0, 80, 95). file_pins exempts
        // files from retention; retention_sweeps is each VDN's sweep: who has it now, and when it last finished.
        // events.data carries the data of an event about a VDN rather than one file (a quota warning).
        """
        CREATE TABLE vdn_usage (
            vdn_id         INTEGER NOT NULL PRIMARY KEY,
            files          INTEGER NOT NULL,
            bytes          INTEGER NOT NULL,
            warned_percent INTEGER NOT NULL DEFAULT 0
        );
        INSERT INTO vdn_usage (vdn_id, files, bytes)
        SELECT vdn_id, count(*), coalesce(sum(size_bytes), 0) FROM files WHERE state IN (0, 1) GROUP BY vdn_id;
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
        CREATE TABLE file_pins (
            path         TEXT    NOT NULL PRIMARY KEY,
            vdn_id       INTEGER NOT NULL,
            pinned_by    TEXT    NOT NULL,
            pinned_at_ms INTEGER NOT NULL
        );
        CREATE TABLE retention_sweeps (
            vdn_id           INTEGER NOT NULL PRIMARY KEY,
            claimed_by       TEXT,
            last_swept_at_ms INTEGER NOT NULL DEFAULT 0
        );
        ALTER TABLE events ADD COLUMN data TEXT;
        """,
    ];
}

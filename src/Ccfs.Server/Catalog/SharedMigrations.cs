namespace Ccfs.Server.Catalog;

/// <summary>What the two catalogs spell differently in migrations written once.</summary>
/// <param name="Int64">A 64-bit integer.</param>
/// <param name="Flag">A small integer used as a flag or a state.</param>
/// <param name="Bytes">Binary data.</param>
/// <param name="IdentityKey">A 64-bit primary key the database numbers.</param>
/// <param name="UsageTriggers">The triggers that keep <c>vdn_usage</c> as file rows change (0.11).</param>
public sealed record MigrationSpelling(string Int64, string Flag, string Bytes, string IdentityKey, string UsageTriggers);

/// <summary>
/// The migrations from 0.10 on, written once: each catalog appends them, spelled its own way (<see cref="MigrationSpelling"/>),
/// after its own history (which differs between the two up to 0.10 and is never edited). A new migration goes at the end.
/// </summary>
internal static class SharedMigrations
{
    public static IReadOnlyList<string> Since010(MigrationSpelling s) =>
    [
        // 0.10: one audit entry may stand for a window of repeated refusals.
        $"""
        ALTER TABLE audit ADD COLUMN repeats {s.Int64} NOT NULL DEFAULT 1;
        """,
        // 0.10: a prompt's quality findings (the X-Ccfs-Prompt-Check line) on its file and its upload's audit entry.
        """
        ALTER TABLE files ADD COLUMN prompt_check TEXT;
        ALTER TABLE audit ADD COLUMN detail TEXT;
        """,
        // 0.10: events. Each change to a file writes an outbox row in its own transaction, numbered per VDN without gaps
        // (event_sequences); subscriptions read the outbox through a cursor per VDN (event_streams).
        $"""
        ALTER TABLE files ADD COLUMN deleted_by TEXT;
        ALTER TABLE file_copies ADD COLUMN deleted_by TEXT;
        CREATE TABLE event_sequences (
            vdn_id        INTEGER NOT NULL PRIMARY KEY,
            last_sequence {s.Int64} NOT NULL
        );
        CREATE TABLE events (
            id                     TEXT    NOT NULL PRIMARY KEY,
            vdn_id                 INTEGER NOT NULL,
            sequence               {s.Int64} NOT NULL,
            type                   TEXT    NOT NULL,
            at_ms                  {s.Int64} NOT NULL,
            file_name              TEXT    NOT NULL,
            size_bytes             {s.Int64} NOT NULL,
            sha256                 TEXT    NOT NULL,
            duration_ms            {s.Int64} NOT NULL,
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
            all_vdns        {s.Flag} NOT NULL,
            types           TEXT,
            description     TEXT,
            enabled         {s.Flag} NOT NULL,
            disabled_reason TEXT,
            sealed_secret   {s.Bytes} NOT NULL,
            created_at_ms   {s.Int64} NOT NULL,
            updated_at_ms   {s.Int64} NOT NULL
        );
        CREATE TABLE subscription_vdns (
            subscription_id TEXT    NOT NULL REFERENCES subscriptions (id) ON DELETE CASCADE,
            vdn_id          INTEGER NOT NULL,
            PRIMARY KEY (subscription_id, vdn_id)
        );
        CREATE TABLE event_streams (
            subscription_id    TEXT    NOT NULL REFERENCES subscriptions (id) ON DELETE CASCADE,
            vdn_id             INTEGER NOT NULL,
            delivered_through  {s.Int64} NOT NULL,
            claimed_by         TEXT,
            attempts           INTEGER NOT NULL DEFAULT 0,
            next_attempt_at_ms {s.Int64} NOT NULL DEFAULT 0,
            failing_since_ms   {s.Int64},
            PRIMARY KEY (subscription_id, vdn_id)
        );
        CREATE TABLE event_deliveries (
            id              {s.IdentityKey},
            subscription_id TEXT    NOT NULL REFERENCES subscriptions (id) ON DELETE CASCADE,
            event_id        TEXT    NOT NULL,
            vdn_id          INTEGER NOT NULL,
            sequence        {s.Int64} NOT NULL,
            attempt         INTEGER NOT NULL,
            outcome         TEXT    NOT NULL,
            status_code     INTEGER,
            error           TEXT,
            at_ms           {s.Int64} NOT NULL,
            duration_ms     {s.Int64} NOT NULL
        );
        CREATE INDEX event_deliveries_by_subscription ON event_deliveries (subscription_id, id);
        CREATE INDEX event_deliveries_by_time ON event_deliveries (at_ms);
        CREATE TABLE event_dead_letters (
            subscription_id TEXT    NOT NULL REFERENCES subscriptions (id) ON DELETE CASCADE,
            event_id        TEXT    NOT NULL,
            vdn_id          INTEGER NOT NULL,
            sequence        {s.Int64} NOT NULL,
            reason          TEXT    NOT NULL,
            status_code     INTEGER,
            at_ms           {s.Int64} NOT NULL,
            PRIMARY KEY (subscription_id, event_id)
        );
        CREATE TABLE event_redeliveries (
            subscription_id  TEXT    NOT NULL REFERENCES subscriptions (id) ON DELETE CASCADE,
            event_id         TEXT    NOT NULL,
            claimed_by       TEXT,
            requested_at_ms  {s.Int64} NOT NULL,
            PRIMARY KEY (subscription_id, event_id)
        );
        """,
        // 0.11: quotas and retention. vdn_usage is each VDN's files and bytes that are pending or stored, kept by triggers
        // (each catalog spells its own) in every transaction that changes a file row, so no code path can forget it and a crash leaks nothing; an upload
        // checks it under the row's lock. warned_percent is the last quota warning given (0, 80, 95). file_pins exempts
        // files from retention; retention_sweeps is each VDN's sweep: who has it now, and when it last finished.
        // events.data carries the data of an event about a VDN rather than one file (a quota warning).
        $"""
        CREATE TABLE vdn_usage (
            vdn_id         INTEGER NOT NULL PRIMARY KEY,
            files          {s.Int64} NOT NULL,
            bytes          {s.Int64} NOT NULL,
            warned_percent {s.Flag} NOT NULL DEFAULT 0
        );
        INSERT INTO vdn_usage (vdn_id, files, bytes)
        SELECT vdn_id, count(*), coalesce(sum(size_bytes), 0) FROM files WHERE state IN (0, 1) GROUP BY vdn_id;
        {s.UsageTriggers}
        CREATE TABLE file_pins (
            path         TEXT    NOT NULL PRIMARY KEY,
            vdn_id       INTEGER NOT NULL,
            pinned_by    TEXT    NOT NULL,
            pinned_at_ms {s.Int64} NOT NULL
        );
        CREATE TABLE retention_sweeps (
            vdn_id           INTEGER NOT NULL PRIMARY KEY,
            claimed_by       TEXT,
            last_swept_at_ms {s.Int64} NOT NULL DEFAULT 0
        );
        ALTER TABLE events ADD COLUMN data TEXT;
        """,
        // 0.12: whether a location holds any copy (FileCatalog.HoldsCopiesAsync, asked while a disk location has no
        // marker) scanned every copy when it held none: the primary key leads with the path.
        """
        CREATE INDEX file_copies_by_location ON file_copies (location_id);
        """,
        // 0.13: a rotated webhook secret may go on signing beside the new one until a time the rotation sets.
        $"""
        ALTER TABLE subscriptions ADD COLUMN previous_sealed_secret {s.Bytes};
        ALTER TABLE subscriptions ADD COLUMN previous_secret_until_ms {s.Int64};
        """,
    ];
}

//! The store's schema, versioned with `PRAGMA user_version`. Each migration takes the store
//! from the version before it to its own; opening a store runs the ones it has not had, in one
//! transaction each.

use rusqlite::Connection;

use super::RankrError;

/// The schema version this build writes.
pub const SCHEMA_VERSION: i64 = 3;

/// Version 1: the mirror (contacts, tasks, notes), the cursor, the runs and the log.
pub const V1: &str = "
CREATE TABLE contacts (
    rankr_id      TEXT PRIMARY KEY,
    ghl_id        TEXT UNIQUE,
    location_id   TEXT NOT NULL,
    name          TEXT,
    email         TEXT,
    email_lower   TEXT,
    phone         TEXT,
    phone_e164    TEXT,
    contact_type  TEXT,
    dnd           INTEGER NOT NULL DEFAULT 0,
    dnd_settings  TEXT,
    tags          TEXT NOT NULL DEFAULT '[]',
    custom_fields TEXT NOT NULL DEFAULT '[]',
    date_updated  TEXT,
    content_hash  TEXT NOT NULL DEFAULT '',
    tombstone     INTEGER NOT NULL DEFAULT 0,
    deleted_at    TEXT,
    synced_at     TEXT NOT NULL
);
CREATE INDEX contacts_email ON contacts (email_lower);
CREATE INDEX contacts_phone ON contacts (phone_e164);
CREATE INDEX contacts_location ON contacts (location_id, tombstone);
CREATE TABLE tasks (
    id           TEXT PRIMARY KEY,
    contact_id   TEXT NOT NULL,
    title        TEXT,
    body         TEXT,
    due_date     TEXT,
    completed    INTEGER NOT NULL DEFAULT 0,
    assigned_to  TEXT,
    content_hash TEXT NOT NULL DEFAULT '',
    synced_at    TEXT NOT NULL
);
CREATE INDEX tasks_contact ON tasks (contact_id, completed);
CREATE TABLE notes (
    id           TEXT PRIMARY KEY,
    contact_id   TEXT NOT NULL,
    body         TEXT,
    pinned       INTEGER NOT NULL DEFAULT 0,
    date_added   TEXT,
    user_id      TEXT,
    content_hash TEXT NOT NULL DEFAULT '',
    synced_at    TEXT NOT NULL
);
CREATE INDEX notes_contact ON notes (contact_id, pinned);
CREATE TABLE sync_cursors (
    location_id  TEXT PRIMARY KEY,
    date_updated TEXT,
    updated_at   TEXT NOT NULL
);
CREATE TABLE sync_runs (
    id          INTEGER PRIMARY KEY,
    location_id TEXT NOT NULL,
    mode        TEXT NOT NULL,
    started_at  TEXT NOT NULL,
    ended_at    TEXT,
    outcome     TEXT,
    seen        INTEGER NOT NULL DEFAULT 0,
    created     INTEGER NOT NULL DEFAULT 0,
    updated     INTEGER NOT NULL DEFAULT 0,
    unchanged   INTEGER NOT NULL DEFAULT 0,
    deleted     INTEGER NOT NULL DEFAULT 0,
    failed      INTEGER NOT NULL DEFAULT 0,
    children    INTEGER NOT NULL DEFAULT 0,
    requests    INTEGER NOT NULL DEFAULT 0,
    message     TEXT
);
CREATE TABLE sync_log (
    id        INTEGER PRIMARY KEY,
    run_id    INTEGER,
    at        TEXT NOT NULL,
    level     TEXT NOT NULL,
    entity    TEXT NOT NULL,
    entity_id TEXT,
    action    TEXT NOT NULL,
    message   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sync_log_run ON sync_log (run_id);
";

/// Version 2: resumable full walks, stale children, exchange ids in the log, the webhook queue
/// and the outbox of the HTTP target.
pub const V2: &str = "
ALTER TABLE contacts ADD COLUMN children_stale INTEGER NOT NULL DEFAULT 0;
ALTER TABLE contacts ADD COLUMN seen_walk INTEGER;
ALTER TABLE sync_cursors ADD COLUMN walk_generation INTEGER;
ALTER TABLE sync_cursors ADD COLUMN walk_after TEXT;
ALTER TABLE sync_cursors ADD COLUMN walk_mark TEXT;
ALTER TABLE sync_log ADD COLUMN exchange_id INTEGER;
CREATE INDEX sync_log_entity ON sync_log (entity, level);
CREATE TABLE webhook_queue (
    id          INTEGER PRIMARY KEY,
    webhook_id  TEXT NOT NULL UNIQUE,
    event_type  TEXT NOT NULL,
    location_id TEXT NOT NULL,
    entity_id   TEXT NOT NULL,
    contact_id  TEXT,
    event_time  TEXT NOT NULL,
    received_at TEXT NOT NULL,
    body        TEXT NOT NULL,
    state       TEXT NOT NULL DEFAULT 'pending',
    attempts    INTEGER NOT NULL DEFAULT 0,
    error       TEXT
);
CREATE INDEX webhook_queue_pending ON webhook_queue (state, event_time);
CREATE TABLE outbox (
    id         INTEGER PRIMARY KEY,
    method     TEXT NOT NULL,
    path       TEXT NOT NULL,
    body       TEXT,
    created_at TEXT NOT NULL,
    attempts   INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    dead       INTEGER NOT NULL DEFAULT 0
);
";

/// Version 3: the index the console lists a location from, newest update first, a page at a
/// time without sorting the location, and counts it from without reading the rows.
pub const V3: &str = "
CREATE INDEX contacts_listing ON contacts (location_id, tombstone, date_updated, ghl_id);
";

/// The migrations in order: index `i` takes the store to version `i + 1`.
const MIGRATIONS: &[&str] = &[V1, V2, V3];

/// Brings the store to [`SCHEMA_VERSION`]; refuses a store written by a newer build.
pub fn migrate(conn: &mut Connection) -> Result<i64, RankrError> {
    let version: i64 = conn.query_row("PRAGMA user_version", [], |row| row.get(0))?;
    if version > SCHEMA_VERSION {
        return Err(RankrError::TooNew {
            found: version,
            known: SCHEMA_VERSION,
        });
    }
    for (index, sql) in MIGRATIONS.iter().enumerate().skip(version_index(version)) {
        let target = i64::try_from(index + 1).unwrap_or(SCHEMA_VERSION);
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", target)?;
        tx.commit()?;
        tracing::info!(version = target, "rankr store migrated");
    }
    Ok(version)
}

fn version_index(version: i64) -> usize {
    usize::try_from(version).unwrap_or(0)
}

//! The `SQLite` store: one file in WAL mode, one connection behind a mutex. Several processes
//! (a console, a headless sync, a webhook receiver) can share the file: writers wait for each
//! other up to the busy timeout.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use rusqlite::types::Type;
use rusqlite::{Connection, OptionalExtension, Row, Transaction, params};
use serde::de::DeserializeOwned;

use super::records::{CursorUpdate, StoredContact, StoredNote, StoredTask, SyncCursor, WalkState};
use super::{Batch, RankrError, now, schema};

/// The file name of the store in the data dir.
pub const STORE_FILE: &str = "rankr.sqlite3";

/// The `SQLite` implementation of [`super::RankrStore`].
#[derive(Debug)]
pub struct SqliteStore {
    path: PathBuf,
    conn: Mutex<Connection>,
}

pub(super) const CONTACT_COLUMNS: &str = "rankr_id, ghl_id, location_id, name, email, \
    email_lower, phone, phone_e164, contact_type, dnd, dnd_settings, tags, custom_fields, \
    date_updated, content_hash, tombstone, deleted_at, children_stale, seen_walk";

const TASK_COLUMNS: &str =
    "id, contact_id, title, body, due_date, completed, assigned_to, content_hash";

const NOTE_COLUMNS: &str = "id, contact_id, body, pinned, date_added, user_id, content_hash";

/// Creates the store's file readable by its owner only (it holds customers' emails, phones
/// and notes); the database engine gives its `-wal` and `-shm` files the same mode. A file that exists
/// keeps the mode it has.
fn create_private(path: &Path) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(e),
    }
}

impl SqliteStore {
    /// Opens (creating if needed) the store at `path`, in WAL mode, migrated to the current
    /// schema.
    pub fn open(path: &Path) -> Result<Self, RankrError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| RankrError::Io {
                path: dir.to_path_buf(),
                message: e.to_string(),
            })?;
        }
        create_private(path).map_err(|e| RankrError::Io {
            path: path.to_path_buf(),
            message: e.to_string(),
        })?;
        let mut conn = Connection::open(path)?;
        conn.busy_timeout(Duration::from_secs(10))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        schema::migrate(&mut conn)?;
        Ok(Self {
            path: path.to_path_buf(),
            conn: Mutex::new(conn),
        })
    }

    /// Opens an existing store read-only, for a dry run: nothing in the file can change. A
    /// store of an older schema is refused (a real run migrates it first).
    pub fn open_read_only(path: &Path) -> Result<Self, RankrError> {
        let flags =
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags)?;
        conn.busy_timeout(Duration::from_secs(10))?;
        let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if version != schema::SCHEMA_VERSION {
            return Err(RankrError::Io {
                path: path.to_path_buf(),
                message: format!(
                    "schema version {version}, this build reads {}: a run without --dry-run \
                     migrates it",
                    schema::SCHEMA_VERSION
                ),
            });
        }
        Ok(Self {
            path: path.to_path_buf(),
            conn: Mutex::new(conn),
        })
    }

    /// An empty store in memory: what a dry run compares against when no store exists yet.
    pub fn in_memory() -> Result<Self, RankrError> {
        let mut conn = Connection::open_in_memory()?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        schema::migrate(&mut conn)?;
        Ok(Self {
            path: PathBuf::from(":memory:"),
            conn: Mutex::new(conn),
        })
    }

    /// The default place: `store_path` from the config, else `rankr.sqlite3` in the data dir.
    pub fn default_path(configured: Option<&Path>) -> PathBuf {
        configured.map_or_else(
            || crate::config::data_dir().join(STORE_FILE),
            Path::to_path_buf,
        )
    }

    /// Where the file is.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The schema version of the open store.
    pub fn schema_version(&self) -> Result<i64, RankrError> {
        Ok(self
            .lock()?
            .query_row("PRAGMA user_version", [], |r| r.get(0))?)
    }

    /// `PRAGMA integrity_check`: `ok`, or what is wrong.
    pub fn integrity_check(&self) -> Result<String, RankrError> {
        Ok(self
            .lock()?
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))?)
    }

    pub(super) fn lock(&self) -> Result<MutexGuard<'_, Connection>, RankrError> {
        self.conn.lock().map_err(|_| RankrError::Poisoned)
    }

    pub(super) fn contacts_where(
        &self,
        clause: &str,
        args: &[&dyn rusqlite::ToSql],
    ) -> Result<Vec<StoredContact>, RankrError> {
        let conn = self.lock()?;
        let sql = format!("SELECT {CONTACT_COLUMNS} FROM contacts WHERE {clause}");
        let mut stmt = conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(args, contact_from_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    pub(super) fn tasks_where(&self, contact_id: &str) -> Result<Vec<StoredTask>, RankrError> {
        let conn = self.lock()?;
        let sql = format!("SELECT {TASK_COLUMNS} FROM tasks WHERE contact_id = ?1 ORDER BY id");
        let mut stmt = conn.prepare_cached(&sql)?;
        let rows = stmt.query_map([contact_id], |r| {
            Ok(StoredTask {
                id: r.get(0)?,
                contact_id: r.get(1)?,
                title: r.get(2)?,
                body: r.get(3)?,
                due_date: r.get(4)?,
                completed: r.get(5)?,
                assigned_to: r.get(6)?,
                content_hash: r.get(7)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    pub(super) fn notes_where(&self, contact_id: &str) -> Result<Vec<StoredNote>, RankrError> {
        let conn = self.lock()?;
        let sql = format!("SELECT {NOTE_COLUMNS} FROM notes WHERE contact_id = ?1 ORDER BY id");
        let mut stmt = conn.prepare_cached(&sql)?;
        let rows = stmt.query_map([contact_id], |r| {
            Ok(StoredNote {
                id: r.get(0)?,
                contact_id: r.get(1)?,
                body: r.get(2)?,
                pinned: r.get(3)?,
                date_added: r.get(4)?,
                user_id: r.get(5)?,
                content_hash: r.get(6)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    pub(super) fn read_cursor(&self, location_id: &str) -> Result<SyncCursor, RankrError> {
        let conn = self.lock()?;
        let row = conn
            .query_row(
                "SELECT date_updated, walk_generation, walk_after, walk_mark
                 FROM sync_cursors WHERE location_id = ?1",
                [location_id],
                |r| {
                    let generation: Option<i64> = r.get(1)?;
                    let after: Option<String> = r.get(2)?;
                    Ok((r.get::<_, Option<String>>(0)?, generation, after, r.get(3)?))
                },
            )
            .optional()?;
        let Some((date_updated, generation, after, mark)) = row else {
            return Ok(SyncCursor {
                location_id: location_id.to_string(),
                ..SyncCursor::default()
            });
        };
        let search_after = after
            .map(|a| from_json::<Vec<serde_json::Value>>("walk_after", &a))
            .transpose()?;
        Ok(SyncCursor {
            location_id: location_id.to_string(),
            date_updated,
            walk: generation.map(|generation| WalkState {
                generation,
                search_after,
                mark,
            }),
        })
    }

    pub(super) fn write_batch(&self, batch: &Batch) -> Result<(), RankrError> {
        let mut conn = self.lock()?;
        let tx = conn.transaction()?;
        let stamp = now();
        for contact in &batch.contacts {
            put_contact(&tx, contact, &stamp)?;
        }
        for task in &batch.tasks {
            put_task(&tx, task, &stamp)?;
        }
        for id in &batch.task_deletes {
            tx.execute("DELETE FROM tasks WHERE id = ?1", [id])?;
        }
        for note in &batch.notes {
            put_note(&tx, note, &stamp)?;
        }
        for id in &batch.note_deletes {
            tx.execute("DELETE FROM notes WHERE id = ?1", [id])?;
        }
        super::sqlite_ops::insert_log(&tx, &batch.log)?;
        super::sqlite_ops::insert_outbox(&tx, &batch.outbox, &stamp)?;
        if let Some(cursor) = &batch.cursor {
            put_cursor(&tx, cursor, &stamp)?;
        }
        if let Some((run_id, counts)) = &batch.run_counts {
            super::sqlite_ops::put_run_counts(&tx, *run_id, counts)?;
        }
        tx.commit()?;
        Ok(())
    }
}

pub(super) fn contact_from_row(r: &Row<'_>) -> rusqlite::Result<StoredContact> {
    let settings: Option<String> = r.get(10)?;
    Ok(StoredContact {
        rankr_id: r.get(0)?,
        ghl_id: r.get(1)?,
        location_id: r.get(2)?,
        name: r.get(3)?,
        email: r.get(4)?,
        email_lower: r.get(5)?,
        phone: r.get(6)?,
        phone_e164: r.get(7)?,
        contact_type: r.get(8)?,
        dnd: r.get(9)?,
        dnd_settings: settings
            .map(|s| serde_json::from_str(&s).map_err(|e| conversion(10, e)))
            .transpose()?,
        tags: json_column(r, 11)?,
        custom_fields: json_column(r, 12)?,
        date_updated: r.get(13)?,
        content_hash: r.get(14)?,
        tombstone: r.get(15)?,
        deleted_at: r.get(16)?,
        children_stale: r.get(17)?,
        seen_walk: r.get(18)?,
    })
}

fn json_column<T: DeserializeOwned>(r: &Row<'_>, index: usize) -> rusqlite::Result<T> {
    let text: String = r.get(index)?;
    serde_json::from_str(&text).map_err(|e| conversion(index, e))
}

fn conversion(index: usize, e: serde_json::Error) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(index, Type::Text, Box::new(e))
}

pub(super) fn from_json<T: DeserializeOwned>(
    column: &'static str,
    text: &str,
) -> Result<T, RankrError> {
    serde_json::from_str(text).map_err(|e| RankrError::Json {
        column,
        message: e.to_string(),
    })
}

fn to_json<T: serde::Serialize>(column: &'static str, value: &T) -> Result<String, RankrError> {
    serde_json::to_string(value).map_err(|e| RankrError::Json {
        column,
        message: e.to_string(),
    })
}

/// Writes a contact row. `synced_at` moves only when the row's data changes: a full walk that
/// only marks an unchanged row seen (`seen_walk`, for tombstone detection) leaves it.
fn put_contact(tx: &Transaction<'_>, c: &StoredContact, stamp: &str) -> Result<(), RankrError> {
    let settings = c
        .dnd_settings
        .as_ref()
        .map(|s| to_json("dnd_settings", s))
        .transpose()?;
    tx.prepare_cached(
        "INSERT INTO contacts (rankr_id, ghl_id, location_id, name, email, email_lower, phone,
            phone_e164, contact_type, dnd, dnd_settings, tags, custom_fields, date_updated,
            content_hash, tombstone, deleted_at, children_stale, seen_walk, synced_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17,
            ?18, ?19, ?20)
         ON CONFLICT (rankr_id) DO UPDATE SET ghl_id = excluded.ghl_id,
            location_id = excluded.location_id, name = excluded.name, email = excluded.email,
            email_lower = excluded.email_lower, phone = excluded.phone,
            phone_e164 = excluded.phone_e164, contact_type = excluded.contact_type,
            dnd = excluded.dnd, dnd_settings = excluded.dnd_settings, tags = excluded.tags,
            custom_fields = excluded.custom_fields, date_updated = excluded.date_updated,
            content_hash = excluded.content_hash, tombstone = excluded.tombstone,
            deleted_at = excluded.deleted_at, children_stale = excluded.children_stale,
            seen_walk = excluded.seen_walk,
            synced_at = CASE WHEN contacts.content_hash IS excluded.content_hash
                AND contacts.ghl_id IS excluded.ghl_id
                AND contacts.date_updated IS excluded.date_updated
                AND contacts.tombstone IS excluded.tombstone
                AND contacts.deleted_at IS excluded.deleted_at
                AND contacts.children_stale IS excluded.children_stale
                THEN contacts.synced_at ELSE excluded.synced_at END",
    )?
    .execute(params![
        c.rankr_id,
        c.ghl_id,
        c.location_id,
        c.name,
        c.email,
        c.email_lower,
        c.phone,
        c.phone_e164,
        c.contact_type,
        c.dnd,
        settings,
        to_json("tags", &c.tags)?,
        to_json("custom_fields", &c.custom_fields)?,
        c.date_updated,
        c.content_hash,
        c.tombstone,
        c.deleted_at,
        c.children_stale,
        c.seen_walk,
        stamp,
    ])?;
    Ok(())
}

fn put_task(tx: &Transaction<'_>, t: &StoredTask, stamp: &str) -> Result<(), RankrError> {
    tx.prepare_cached(
        "INSERT OR REPLACE INTO tasks (id, contact_id, title, body, due_date, completed,
            assigned_to, content_hash, synced_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?
    .execute(params![
        t.id,
        t.contact_id,
        t.title,
        t.body,
        t.due_date,
        t.completed,
        t.assigned_to,
        t.content_hash,
        stamp
    ])?;
    Ok(())
}

fn put_note(tx: &Transaction<'_>, n: &StoredNote, stamp: &str) -> Result<(), RankrError> {
    tx.prepare_cached(
        "INSERT OR REPLACE INTO notes (id, contact_id, body, pinned, date_added, user_id,
            content_hash, synced_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![
        n.id,
        n.contact_id,
        n.body,
        n.pinned,
        n.date_added,
        n.user_id,
        n.content_hash,
        stamp
    ])?;
    Ok(())
}

fn put_cursor(tx: &Transaction<'_>, cursor: &CursorUpdate, stamp: &str) -> Result<(), RankrError> {
    let (location, date, walk, clear_walk) = match cursor {
        CursorUpdate::Incremental {
            location_id,
            date_updated,
        } => (location_id, Some(date_updated.clone()), None, false),
        CursorUpdate::Walk { location_id, state } => (location_id, None, Some(state), false),
        CursorUpdate::WalkDone { location_id, mark } => (location_id, mark.clone(), None, true),
    };
    tx.execute(
        "INSERT INTO sync_cursors (location_id, updated_at) VALUES (?1, ?2)
         ON CONFLICT (location_id) DO UPDATE SET updated_at = excluded.updated_at",
        params![location, stamp],
    )?;
    if let Some(date) = date {
        tx.execute(
            "UPDATE sync_cursors SET date_updated = ?2
             WHERE location_id = ?1 AND (date_updated IS NULL OR date_updated < ?2)",
            params![location, date],
        )?;
    }
    if let Some(walk) = walk {
        let after = walk
            .search_after
            .as_ref()
            .map(|a| to_json("walk_after", a))
            .transpose()?;
        tx.execute(
            "UPDATE sync_cursors SET walk_generation = ?2, walk_after = ?3, walk_mark = ?4
             WHERE location_id = ?1",
            params![location, walk.generation, after, walk.mark],
        )?;
    }
    if clear_walk {
        tx.execute(
            "UPDATE sync_cursors SET walk_generation = NULL, walk_after = NULL, walk_mark = NULL
             WHERE location_id = ?1",
            [location],
        )?;
    }
    Ok(())
}

#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use crate::rankr::RankrStore;

    use super::*;

    #[test]
    fn a_new_store_and_its_wal_are_readable_by_the_owner_only() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("rankr.sqlite3");
        let store = SqliteStore::open(&path).unwrap();
        let run = store.start_run("L", "full").unwrap();
        assert!(run > 0);
        for name in ["rankr.sqlite3", "rankr.sqlite3-wal", "rankr.sqlite3-shm"] {
            let mode = std::fs::metadata(dir.path().join(name))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600, "{name}: {mode:o}");
        }
    }

    #[test]
    fn an_existing_store_keeps_its_mode() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("rankr.sqlite3");
        drop(SqliteStore::open(&path).unwrap());
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
        drop(SqliteStore::open(&path).unwrap());
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o640);
    }
}

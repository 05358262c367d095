//! [`RankrStore`] for [`SqliteStore`]: the mirror reads, and the runs, log, webhook queue and
//! outbox.

use rusqlite::{OptionalExtension, Row, Transaction, params};

use super::queue::{Enqueued, EventState, NewEvent, OutboxItem, QueuedEvent};
use super::records::{Counts, Level, LogEntry, LogFilter, RunRecord, StoreCounts};
use super::sqlite::SqliteStore;
use super::{Batch, RankrError, RankrStore, StoredContact, StoredNote, StoredTask, SyncCursor};
use super::{ListedContact, ListingKey};
use super::{now, records};

/// After this many failed tries an event is left as `failed`.
pub const MAX_EVENT_ATTEMPTS: u32 = 5;

impl RankrStore for SqliteStore {
    fn contact_by_ghl_id(&self, ghl_id: &str) -> Result<Option<StoredContact>, RankrError> {
        Ok(self.contacts_where("ghl_id = ?1", &[&ghl_id])?.pop())
    }

    fn contacts_by_email(&self, email_lower: &str) -> Result<Vec<StoredContact>, RankrError> {
        self.contacts_where("email_lower = ?1 ORDER BY rankr_id", &[&email_lower])
    }

    fn contacts_by_phone(&self, e164: &str) -> Result<Vec<StoredContact>, RankrError> {
        self.contacts_where("phone_e164 = ?1 ORDER BY rankr_id", &[&e164])
    }

    fn unseen_contacts(
        &self,
        location_id: &str,
        generation: i64,
    ) -> Result<Vec<StoredContact>, RankrError> {
        self.contacts_where(
            "location_id = ?1 AND tombstone = 0 AND ghl_id IS NOT NULL
             AND (seen_walk IS NULL OR seen_walk <> ?2) ORDER BY ghl_id",
            &[&location_id, &generation],
        )
    }

    fn stale_children(&self, location_id: &str) -> Result<Vec<String>, RankrError> {
        let found = self.contacts_where(
            "location_id = ?1 AND tombstone = 0 AND children_stale = 1 AND ghl_id IS NOT NULL
             ORDER BY ghl_id",
            &[&location_id],
        )?;
        Ok(found.into_iter().filter_map(|c| c.ghl_id).collect())
    }

    fn tasks_of(&self, contact_id: &str) -> Result<Vec<StoredTask>, RankrError> {
        self.tasks_where(contact_id)
    }

    fn notes_of(&self, contact_id: &str) -> Result<Vec<StoredNote>, RankrError> {
        self.notes_where(contact_id)
    }

    fn apply(&self, batch: &Batch) -> Result<(), RankrError> {
        self.write_batch(batch)
    }

    fn cursor(&self, location_id: &str) -> Result<SyncCursor, RankrError> {
        self.read_cursor(location_id)
    }

    fn walked(&self, location_id: &str, generation: i64) -> Result<u64, RankrError> {
        let count: i64 = self.lock()?.query_row(
            "SELECT count(*) FROM contacts
             WHERE location_id = ?1 AND seen_walk = ?2 AND tombstone = 0",
            params![location_id, generation],
            |r| r.get(0),
        )?;
        Ok(u64::try_from(count).unwrap_or(0))
    }

    fn start_run(&self, location_id: &str, mode: &str) -> Result<i64, RankrError> {
        let mut conn = self.lock()?;
        let tx = conn.transaction()?;
        let started = now();
        // Runs of this location that never recorded an end were killed (kill -9, a crash, a
        // power cut): they are marked `interrupted`, their end time left NULL (unknown). A run
        // still alive in another process overwrites this with its own outcome when it ends.
        let interrupted = tx.execute(
            "UPDATE sync_runs SET outcome = 'interrupted',
                message = 'the run never recorded an end (killed?); found by the run started at '
                    || ?2
             WHERE location_id = ?1 AND ended_at IS NULL AND outcome IS NULL",
            params![location_id, started],
        )?;
        tx.execute(
            "INSERT INTO sync_runs (location_id, mode, started_at) VALUES (?1, ?2, ?3)",
            params![location_id, mode, started],
        )?;
        let id = tx.last_insert_rowid();
        tx.commit()?;
        if interrupted > 0 {
            tracing::warn!(
                interrupted,
                location_id,
                "earlier runs never ended: marked interrupted"
            );
        }
        Ok(id)
    }

    fn finish_run(&self, run: &RunRecord) -> Result<(), RankrError> {
        let mut conn = self.lock()?;
        let tx = conn.transaction()?;
        tx.execute(
            "UPDATE sync_runs SET ended_at = ?2, outcome = ?3, message = ?4 WHERE id = ?1",
            params![run.id, run.ended_at, run.outcome, run.message],
        )?;
        put_run_counts(&tx, run.id, &run.counts)?;
        tx.commit()?;
        Ok(())
    }

    fn runs(&self, limit: usize) -> Result<Vec<RunRecord>, RankrError> {
        let conn = self.lock()?;
        let mut stmt = conn.prepare_cached(
            "SELECT id, location_id, mode, started_at, ended_at, outcome, seen, created, updated,
                unchanged, deleted, failed, children, requests, message
             FROM sync_runs ORDER BY id DESC LIMIT ?1",
        )?;
        let rows = stmt.query_map([sql_limit(limit)], run_from_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn runs_of(&self, location_id: &str, limit: usize) -> Result<Vec<RunRecord>, RankrError> {
        let conn = self.lock()?;
        let mut stmt = conn.prepare_cached(
            "SELECT id, location_id, mode, started_at, ended_at, outcome, seen, created, updated,
                unchanged, deleted, failed, children, requests, message
             FROM sync_runs WHERE location_id = ?1 ORDER BY id DESC LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![location_id, sql_limit(limit)], run_from_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn log(&self, entries: &[LogEntry]) -> Result<(), RankrError> {
        let mut conn = self.lock()?;
        let tx = conn.transaction()?;
        insert_log(&tx, entries)?;
        tx.commit()?;
        Ok(())
    }

    fn recent_log(&self, filter: &LogFilter) -> Result<Vec<LogEntry>, RankrError> {
        let levels: Vec<&str> = [Level::Debug, Level::Info, Level::Warn, Level::Error]
            .into_iter()
            .filter(|l| filter.min_level.is_none_or(|min| *l >= min))
            .map(Level::as_str)
            .collect();
        let conn = self.lock()?;
        let mut stmt = conn.prepare_cached(
            "SELECT id, run_id, at, level, entity, entity_id, action, message, exchange_id
             FROM sync_log
             WHERE (?1 IS NULL OR entity = ?1) AND (?2 IS NULL OR run_id = ?2)
               AND level IN (SELECT value FROM json_each(?3))
               AND (?5 IS NULL OR run_id IS NULL
                    OR run_id IN (SELECT id FROM sync_runs WHERE location_id = ?5))
             ORDER BY id DESC LIMIT ?4",
        )?;
        let levels = serde_json::to_string(&levels).unwrap_or_else(|_| "[]".into());
        let rows = stmt.query_map(
            params![
                filter.entity,
                filter.run_id,
                levels,
                sql_limit(filter.limit),
                filter.location_id
            ],
            log_from_row,
        )?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn enqueue_event(&self, event: &NewEvent) -> Result<Enqueued, RankrError> {
        let conn = self.lock()?;
        let inserted = conn.execute(
            "INSERT INTO webhook_queue (webhook_id, event_type, location_id, entity_id,
                contact_id, event_time, received_at, body)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
             ON CONFLICT (webhook_id) DO NOTHING",
            params![
                event.webhook_id,
                event.event_type,
                event.location_id,
                event.entity_id,
                event.contact_id,
                event.event_time,
                now(),
                event.body
            ],
        )?;
        Ok(if inserted == 0 {
            Enqueued::Duplicate
        } else {
            Enqueued::Queued(conn.last_insert_rowid())
        })
    }

    fn pending_events(&self, limit: usize) -> Result<Vec<QueuedEvent>, RankrError> {
        let conn = self.lock()?;
        let mut stmt = conn.prepare_cached(
            "SELECT id, webhook_id, event_type, location_id, entity_id, contact_id, event_time,
                body, attempts
             FROM webhook_queue WHERE state = 'pending' ORDER BY event_time, id LIMIT ?1",
        )?;
        let rows = stmt.query_map([sql_limit(limit)], |r| {
            Ok(QueuedEvent {
                id: r.get(0)?,
                event: NewEvent {
                    webhook_id: r.get(1)?,
                    event_type: r.get(2)?,
                    location_id: r.get(3)?,
                    entity_id: r.get(4)?,
                    contact_id: r.get(5)?,
                    event_time: r.get(6)?,
                    body: r.get(7)?,
                },
                attempts: r.get(8)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn finish_event(
        &self,
        id: i64,
        state: EventState,
        error: Option<&str>,
    ) -> Result<(), RankrError> {
        let conn = self.lock()?;
        let retry = matches!(state, EventState::Retry | EventState::Failed);
        conn.execute(
            "UPDATE webhook_queue SET state = ?2, error = ?3, attempts = attempts + ?4
             WHERE id = ?1",
            params![id, state.as_str(), error, i64::from(retry)],
        )?;
        conn.execute(
            "UPDATE webhook_queue SET state = 'failed' WHERE id = ?1 AND attempts >= ?2",
            params![id, MAX_EVENT_ATTEMPTS],
        )?;
        Ok(())
    }

    fn outbox_pending(&self, limit: usize) -> Result<Vec<OutboxItem>, RankrError> {
        let conn = self.lock()?;
        let mut stmt = conn.prepare_cached(
            "SELECT id, method, path, body, attempts FROM outbox WHERE dead = 0
             ORDER BY id LIMIT ?1",
        )?;
        let rows = stmt.query_map([sql_limit(limit)], |r| {
            Ok(OutboxItem {
                id: r.get(0)?,
                method: r.get(1)?,
                path: r.get(2)?,
                body: r.get(3)?,
                attempts: r.get(4)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn outbox_sent(&self, id: i64) -> Result<(), RankrError> {
        self.lock()?
            .execute("DELETE FROM outbox WHERE id = ?1", [id])?;
        Ok(())
    }

    fn outbox_failed(&self, id: i64, error: &str, dead: bool) -> Result<(), RankrError> {
        self.lock()?.execute(
            "UPDATE outbox SET attempts = attempts + 1, last_error = ?2, dead = ?3 WHERE id = ?1",
            params![id, error, dead],
        )?;
        Ok(())
    }

    fn counts(&self, location_id: &str) -> Result<StoreCounts, RankrError> {
        let conn = self.lock()?;
        let count = |sql: &str| -> Result<u64, RankrError> {
            Ok(conn
                .query_row(sql, [location_id], |r| r.get::<_, i64>(0))
                .optional()?
                .map_or(0, |n| u64::try_from(n).unwrap_or(0)))
        };
        Ok(StoreCounts {
            contacts: count(
                "SELECT count(*) FROM contacts WHERE location_id = ?1 AND tombstone = 0",
            )?,
            tombstones: count(
                "SELECT count(*) FROM contacts WHERE location_id = ?1 AND tombstone = 1",
            )?,
            tasks: count(
                "SELECT count(*) FROM tasks t JOIN contacts c ON c.ghl_id = t.contact_id
                 WHERE c.location_id = ?1",
            )?,
            notes: count(
                "SELECT count(*) FROM notes n JOIN contacts c ON c.ghl_id = n.contact_id
                 WHERE c.location_id = ?1",
            )?,
        })
    }

    fn listing_page(
        &self,
        location_id: &str,
        after: Option<&ListingKey>,
        limit: usize,
    ) -> Result<Vec<ListedContact>, RankrError> {
        SqliteStore::listing_page(self, location_id, after, limit)
    }

    fn listing_count(&self, location_id: &str) -> Result<u64, RankrError> {
        SqliteStore::listing_count(self, location_id)
    }

    fn last_synced(&self, location_id: &str) -> Result<Option<String>, RankrError> {
        SqliteStore::last_synced(self, location_id)
    }
}

pub(super) fn insert_log(tx: &Transaction<'_>, entries: &[LogEntry]) -> Result<(), RankrError> {
    let mut stmt = tx.prepare_cached(
        "INSERT INTO sync_log (run_id, at, level, entity, entity_id, action, message, exchange_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?;
    for e in entries {
        let exchange = e.exchange_id.and_then(|id| i64::try_from(id).ok());
        stmt.execute(params![
            e.run_id,
            e.at,
            e.level.as_str(),
            e.entity,
            e.entity_id,
            e.action,
            e.message,
            exchange
        ])?;
    }
    Ok(())
}

pub(super) fn insert_outbox(
    tx: &Transaction<'_>,
    items: &[OutboxItem],
    stamp: &str,
) -> Result<(), RankrError> {
    let mut stmt = tx.prepare_cached(
        "INSERT INTO outbox (method, path, body, created_at) VALUES (?1, ?2, ?3, ?4)",
    )?;
    for item in items {
        stmt.execute(params![item.method, item.path, item.body, stamp])?;
    }
    Ok(())
}

fn sql_limit(limit: usize) -> i64 {
    i64::try_from(limit.max(1)).unwrap_or(i64::MAX)
}

fn run_from_row(r: &Row<'_>) -> rusqlite::Result<RunRecord> {
    Ok(RunRecord {
        id: r.get(0)?,
        location_id: r.get(1)?,
        mode: r.get(2)?,
        started_at: r.get(3)?,
        ended_at: r.get(4)?,
        outcome: r.get(5)?,
        counts: Counts {
            seen: r.get(6)?,
            created: r.get(7)?,
            updated: r.get(8)?,
            unchanged: r.get(9)?,
            deleted: r.get(10)?,
            failed: r.get(11)?,
            children: r.get(12)?,
            requests: r.get(13)?,
        },
        message: r.get(14)?,
    })
}

fn log_from_row(r: &Row<'_>) -> rusqlite::Result<LogEntry> {
    let level: String = r.get(3)?;
    let exchange: Option<i64> = r.get(8)?;
    Ok(records::LogEntry {
        id: r.get(0)?,
        run_id: r.get(1)?,
        at: r.get(2)?,
        level: Level::parse(&level),
        entity: r.get(4)?,
        entity_id: r.get(5)?,
        action: r.get(6)?,
        message: r.get(7)?,
        exchange_id: exchange.and_then(|e| u64::try_from(e).ok()),
    })
}

/// Writes a run's counts: so far, with each page it commits, and finally when it ends.
pub(super) fn put_run_counts(
    tx: &Transaction<'_>,
    run_id: i64,
    c: &Counts,
) -> rusqlite::Result<()> {
    tx.execute(
        "UPDATE sync_runs SET seen = ?2, created = ?3, updated = ?4, unchanged = ?5,
            deleted = ?6, failed = ?7, children = ?8, requests = ?9
         WHERE id = ?1",
        params![
            run_id,
            c.seen,
            c.created,
            c.updated,
            c.unchanged,
            c.deleted,
            c.failed,
            c.children,
            c.requests
        ],
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_log_of_a_location_holds_its_runs_lines_and_lines_of_no_run() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&dir.path().join("s.sqlite3")).unwrap();
        let first = store.start_run("L1", "full").unwrap();
        let second = store.start_run("L2", "full").unwrap();
        let line = |run: Option<i64>, id: &str| {
            let mut entry = LogEntry::new(Level::Info, "contact", Some(id), "created");
            entry.run_id = run;
            entry
        };
        store
            .log(&[
                line(Some(first), "in-L1"),
                line(Some(second), "in-L2"),
                line(None, "no-run"),
            ])
            .unwrap();
        let ids = |location: Option<&str>| -> Vec<String> {
            let filter = LogFilter {
                limit: 10,
                location_id: location.map(str::to_string),
                ..LogFilter::default()
            };
            let lines = store.recent_log(&filter).unwrap();
            lines.into_iter().filter_map(|l| l.entity_id).collect()
        };
        assert_eq!(ids(Some("L2")), ["no-run", "in-L2"]);
        assert_eq!(ids(Some("L1")), ["no-run", "in-L1"]);
        assert_eq!(ids(None), ["no-run", "in-L2", "in-L1"]);
        let runs = store.runs_of("L1", 5).unwrap();
        assert_eq!(runs.iter().map(|r| r.id).collect::<Vec<_>>(), [first]);
        assert!(store.runs_of("L3", 5).unwrap().is_empty());
    }

    #[test]
    fn the_log_filters_by_level_entity_and_run_newest_first() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&dir.path().join("s.sqlite3")).unwrap();
        let run = store.start_run("L", "full").unwrap();
        let mut lines = vec![
            LogEntry::new(Level::Info, "contact", Some("c1"), "created"),
            LogEntry::new(Level::Warn, "contact", Some("c2"), "conflict"),
            LogEntry::new(Level::Error, "task", Some("t1"), "failed").exchange(Some(7)),
        ];
        for line in &mut lines {
            line.run_id = Some(run);
        }
        store.log(&lines).unwrap();
        store
            .log(&[LogEntry::new(Level::Debug, "webhook", None, "queued")])
            .unwrap();

        let all = store
            .recent_log(&LogFilter {
                limit: 10,
                ..LogFilter::default()
            })
            .unwrap();
        assert_eq!(all.len(), 4);
        assert_eq!(all[0].entity, "webhook", "newest first");
        let warn = LogFilter {
            limit: 10,
            min_level: Some(Level::Warn),
            ..LogFilter::default()
        };
        let actions: Vec<_> = store
            .recent_log(&warn)
            .unwrap()
            .into_iter()
            .map(|l| l.action)
            .collect();
        assert_eq!(actions, ["failed", "conflict"]);
        let tasks = LogFilter {
            limit: 10,
            entity: Some("task".into()),
            run_id: Some(run),
            ..LogFilter::default()
        };
        let task = store.recent_log(&tasks).unwrap();
        assert_eq!((task.len(), task[0].exchange_id), (1, Some(7)));
    }

    #[test]
    fn a_webhook_id_is_queued_once_and_events_come_in_time_order() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&dir.path().join("s.sqlite3")).unwrap();
        let event = |id: &str, at: &str| NewEvent {
            webhook_id: id.into(),
            event_type: "ContactUpdate".into(),
            entity_id: "c1".into(),
            event_time: at.into(),
            ..NewEvent::default()
        };
        assert!(matches!(
            store
                .enqueue_event(&event("b", "2025-01-01T00:00:02.000Z"))
                .unwrap(),
            Enqueued::Queued(_)
        ));
        assert!(matches!(
            store
                .enqueue_event(&event("a", "2025-01-01T00:00:01.000Z"))
                .unwrap(),
            Enqueued::Queued(_)
        ));
        assert_eq!(
            store
                .enqueue_event(&event("b", "2025-01-01T00:00:02.000Z"))
                .unwrap(),
            Enqueued::Duplicate
        );
        let pending = store.pending_events(10).unwrap();
        let order: Vec<_> = pending
            .iter()
            .map(|q| q.event.webhook_id.as_str())
            .collect();
        assert_eq!(order, ["a", "b"]);
        for _ in 0..MAX_EVENT_ATTEMPTS {
            store
                .finish_event(pending[0].id, EventState::Retry, Some("down"))
                .unwrap();
        }
        assert_eq!(
            store.pending_events(10).unwrap().len(),
            1,
            "given up after repeated failures"
        );
    }
}

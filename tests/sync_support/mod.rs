//! Shared set-up for the sync tests: a sandbox, a client, a store in a temp dir, and ways to
//! compare stores.

#![allow(dead_code, reason = "each sync test file uses a different part")]
#![expect(clippy::unwrap_used, reason = "set-up helpers of tests fail loudly")]

#[path = "../common/bin.rs"]
pub mod bin;
#[path = "../common/client.rs"]
pub mod client;
pub mod faults;

use std::path::Path;
use std::sync::Arc;

use ghl_console::ghl::GhlClient;
use ghl_console::ghl::models::Contact;
use ghl_console::rankr::{LogFilter, RankrStore, SqliteStore};
use ghl_console::sandbox::{self, SandboxConfig, SandboxHandle};
use ghl_console::sync::{self, EngineConfig, SyncMode, SyncSummary};
use tokio_util::sync::CancellationToken;

pub use client::{client_for, tuned_client};

/// A sandbox, its client, and an empty store.
pub struct World {
    pub sandbox: SandboxHandle,
    pub client: GhlClient,
    pub store: Arc<SqliteStore>,
    pub dir: tempfile::TempDir,
}

impl World {
    /// A sandbox with `contacts` seeded contacts and no rate limit.
    pub async fn new(contacts: usize) -> Self {
        Self::with(SandboxConfig {
            contacts,
            rate_limit: None,
            ..SandboxConfig::default()
        })
        .await
    }

    /// A sandbox with this configuration.
    pub async fn with(config: SandboxConfig) -> Self {
        let sandbox = sandbox::spawn(config, "127.0.0.1:0".parse().unwrap())
            .await
            .unwrap();
        let client = client_for(&sandbox);
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(SqliteStore::open(&dir.path().join("rankr.sqlite3")).unwrap());
        Self {
            sandbox,
            client,
            store,
            dir,
        }
    }

    /// A second, empty store in the same temp dir.
    pub fn other_store(&self, name: &str) -> Arc<SqliteStore> {
        Arc::new(SqliteStore::open(&self.dir.path().join(name)).unwrap())
    }

    /// One run with the default settings.
    pub async fn sync(&self, mode: SyncMode) -> SyncSummary {
        self.sync_with(&config(), mode).await
    }

    /// One run with these settings; panics if it stops.
    pub async fn sync_with(&self, config: &EngineConfig, mode: SyncMode) -> SyncSummary {
        sync::run(
            config,
            &self.client,
            self.store.as_ref(),
            mode,
            None,
            CancellationToken::new(),
        )
        .await
        .unwrap()
    }

    /// Contacts, tasks and notes in the sandbox's demo location.
    pub fn sandbox_counts(&self) -> (u64, u64, u64) {
        let store = self.sandbox.store();
        let contacts = store.contacts(sandbox::DEMO_LOCATION_ID);
        let tasks: usize = contacts
            .iter()
            .map(|c| store.tasks(&c.id).unwrap_or_default().len())
            .sum();
        let notes: usize = contacts
            .iter()
            .map(|c| store.notes(&c.id).unwrap_or_default().len())
            .sum();
        (contacts.len() as u64, tasks as u64, notes as u64)
    }
}

/// The engine settings for the demo location, with small pages so tests cross pages.
pub fn config() -> EngineConfig {
    let mut config = EngineConfig::new(sandbox::DEMO_LOCATION_ID);
    config.page_size = 25;
    config
}

/// The content of a store, without Rankr ids and bookkeeping: two stores that synced the same
/// data compare equal.
pub fn content(path: &Path) -> Vec<String> {
    let conn = rusqlite::Connection::open(path).unwrap();
    let mut out = Vec::new();
    let queries = [
        "SELECT 'c ' || ghl_id || ' ' || content_hash || ' ' || tombstone FROM contacts",
        "SELECT 't ' || id || ' ' || contact_id || ' ' || content_hash FROM tasks",
        "SELECT 'n ' || id || ' ' || contact_id || ' ' || content_hash FROM notes",
    ];
    for sql in queries {
        let mut stmt = conn.prepare(sql).unwrap();
        let rows = stmt.query_map([], |r| r.get::<_, String>(0)).unwrap();
        out.extend(rows.map(Result::unwrap));
    }
    out.sort();
    out
}

/// The live records of a store (contacts without a tombstone, and the tasks and notes of
/// live contacts), as [`content`] gives them: a store that lived through deletions compares
/// equal to one synced fresh from the same data.
pub fn live_content(path: &Path) -> Vec<String> {
    let conn = rusqlite::Connection::open(path).unwrap();
    let mut out = Vec::new();
    let live = "(SELECT ghl_id FROM contacts WHERE tombstone = 0)";
    let queries = [
        "SELECT 'c ' || ghl_id || ' ' || content_hash FROM contacts WHERE tombstone = 0"
            .to_string(),
        format!(
            "SELECT 't ' || id || ' ' || contact_id || ' ' || content_hash FROM tasks
             WHERE contact_id IN {live}"
        ),
        format!(
            "SELECT 'n ' || id || ' ' || contact_id || ' ' || content_hash FROM notes
             WHERE contact_id IN {live}"
        ),
    ];
    for sql in queries {
        let mut stmt = conn.prepare(&sql).unwrap();
        let rows = stmt.query_map([], |r| r.get::<_, String>(0)).unwrap();
        out.extend(rows.map(Result::unwrap));
    }
    out.sort();
    out
}

/// The ids of live contacts, their tasks and their notes in a store file, each sorted.
pub fn live_ids(path: &Path) -> (Vec<String>, Vec<String>, Vec<String>) {
    let ids = |prefix: char| {
        live_content(path)
            .into_iter()
            .filter(|line| line.starts_with(prefix))
            .map(|line| line.split(' ').nth(1).unwrap().to_string())
            .collect::<Vec<_>>()
    };
    (ids('c'), ids('t'), ids('n'))
}

/// The ids of the contacts, tasks and notes in the sandbox's demo location, each sorted.
pub fn sandbox_ids(handle: &SandboxHandle) -> (Vec<String>, Vec<String>, Vec<String>) {
    let store = handle.store();
    let contacts = store.contacts(sandbox::DEMO_LOCATION_ID);
    let mut tasks = Vec::new();
    let mut notes = Vec::new();
    for contact in &contacts {
        tasks.extend(
            store
                .tasks(&contact.id)
                .unwrap_or_default()
                .into_iter()
                .map(|t| t.id),
        );
        notes.extend(
            store
                .notes(&contact.id)
                .unwrap_or_default()
                .into_iter()
                .map(|n| n.id),
        );
    }
    let mut contacts: Vec<String> = contacts.into_iter().map(|c| c.id).collect();
    contacts.sort();
    tasks.sort();
    notes.sort();
    (contacts, tasks, notes)
}

/// Checks that the store at `path` mirrors the sandbox: the same live ids as the sandbox, the
/// same live content as a store synced fresh without faults (so no partial record), no GHL id
/// twice, and `PRAGMA integrity_check` ok. The sandbox's faults must be off.
pub async fn assert_mirrors_sandbox(world: &World, path: &Path) {
    assert_eq!(integrity(path), "ok", "integrity of {}", path.display());
    assert_eq!(duplicate_ghl_ids(path), 0, "a GHL id is stored twice");
    let (ours, theirs) = (live_ids(path), sandbox_ids(&world.sandbox));
    for (kind, ours, theirs) in [
        ("contacts", &ours.0, &theirs.0),
        ("tasks", &ours.1, &theirs.1),
        ("notes", &ours.2, &theirs.2),
    ] {
        let only_ours: Vec<_> = ours.iter().filter(|id| !theirs.contains(id)).collect();
        let only_ghl: Vec<_> = theirs.iter().filter(|id| !ours.contains(id)).collect();
        assert!(
            only_ours.is_empty() && only_ghl.is_empty(),
            "{kind} differ\nstored only: {only_ours:?}\nin GHL only: {only_ghl:?}"
        );
    }
    let name = format!("reference-{}.sqlite3", rand::random::<u64>());
    let reference = world.other_store(&name);
    let fresh = sync::run(
        &config(),
        &world.client,
        reference.as_ref(),
        SyncMode::Full,
        None,
        CancellationToken::new(),
    )
    .await
    .unwrap();
    assert!(fresh.is_ok(), "the reference sync: {fresh:?}");
    let (ours, theirs) = (live_content(path), live_content(reference.path()));
    let only_ours: Vec<_> = ours.iter().filter(|l| !theirs.contains(l)).collect();
    let only_fresh: Vec<_> = theirs.iter().filter(|l| !ours.contains(l)).collect();
    assert!(
        only_ours.is_empty() && only_fresh.is_empty(),
        "content differs\nstored only: {only_ours:#?}\nfresh only: {only_fresh:#?}"
    );
}

/// `PRAGMA integrity_check` of a store file.
pub fn integrity(path: &Path) -> String {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap()
}

/// Rows of `table` with the same key more than once (always 0 with primary keys; a check
/// that GHL ids are unique among contacts).
pub fn duplicate_ghl_ids(path: &Path) -> i64 {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.query_row(
        "SELECT count(*) FROM (SELECT ghl_id FROM contacts WHERE ghl_id IS NOT NULL
         GROUP BY ghl_id HAVING count(*) > 1)",
        [],
        |r| r.get(0),
    )
    .unwrap()
}

/// The store's counts for the demo location.
pub fn store_counts(store: &dyn RankrStore) -> (u64, u64, u64) {
    let c = store.counts(sandbox::DEMO_LOCATION_ID).unwrap();
    (c.contacts, c.tasks, c.notes)
}

/// A Rankr record entered in Rankr itself: no GHL id yet.
pub fn unlinked(
    rankr_id: &str,
    email: Option<&str>,
    phone_e164: Option<&str>,
) -> ghl_console::rankr::StoredContact {
    ghl_console::rankr::StoredContact {
        rankr_id: rankr_id.into(),
        location_id: sandbox::DEMO_LOCATION_ID.into(),
        email: email.map(str::to_string),
        email_lower: email.map(str::to_lowercase),
        phone: phone_e164.map(str::to_string),
        phone_e164: phone_e164.map(str::to_string),
        custom_fields: serde_json::json!([]),
        content_hash: "entered-in-rankr".into(),
        ..Default::default()
    }
}

/// Applies what waits in the webhook queue.
pub async fn apply_events(world: &World) -> ghl_console::sync::webhook::Applied {
    let config = config();
    let ctx = ghl_console::sync::Context::new(&config, &world.client, world.store.as_ref(), None);
    ghl_console::sync::webhook::apply_pending(&ctx, 100)
        .await
        .unwrap()
}

/// A webhook receiver on a loopback port for `world`'s store; with `fail_first` the first
/// delivery gets a 500 before it reaches the receiver.
pub async fn start_receiver(
    world: &World,
    verifier: ghl_console::sync::webhook::Verifier,
    fail_first: bool,
) -> std::net::SocketAddr {
    start_receiver_at(world, verifier, fail_first, "127.0.0.1:0".parse().unwrap()).await
}

/// [`start_receiver`] on a given loopback address.
pub async fn start_receiver_at(
    world: &World,
    verifier: ghl_console::sync::webhook::Verifier,
    fail_first: bool,
    at: std::net::SocketAddr,
) -> std::net::SocketAddr {
    use ghl_console::sync::webhook::{Receiver, ReceiverSettings, router};
    let store: Arc<dyn RankrStore> = world.store.clone();
    let notify = Arc::new(tokio::sync::Notify::new());
    let receiver = Arc::new(Receiver::new(
        store,
        ReceiverSettings::new(verifier, 64 * 1024),
        notify,
    ));
    let failed = Arc::new(std::sync::atomic::AtomicBool::new(!fail_first));
    let app = router(receiver).layer(axum::middleware::from_fn(
        move |request, next: axum::middleware::Next| {
            let failed = failed.clone();
            async move {
                if failed.swap(true, std::sync::atomic::Ordering::SeqCst) {
                    next.run(request).await
                } else {
                    axum::http::StatusCode::INTERNAL_SERVER_ERROR.into_response()
                }
            }
        },
    ));
    let listener = tokio::net::TcpListener::bind(at).await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    addr
}

use axum::response::IntoResponse as _;

/// The log lines of one entity kind, newest first: `(entity id, action, message)`.
pub fn log_actions(store: &dyn RankrStore, entity: &str) -> Vec<(String, String, String)> {
    let filter = LogFilter {
        limit: 500,
        entity: Some(entity.into()),
        ..LogFilter::default()
    };
    store
        .recent_log(&filter)
        .unwrap()
        .into_iter()
        .map(|l| (l.entity_id.unwrap_or_default(), l.action, l.message))
        .collect()
}

/// Adds a contact to the sandbox's demo location; answers it as stored.
pub fn add_contact(world: &World, contact: Contact) -> Contact {
    world
        .sandbox
        .store()
        .insert_contact(sandbox::DEMO_LOCATION_ID, contact)
        .unwrap()
}

//! The sync when things go wrong: the HTTP target down and back, a store from an older build,
//! GHL's daily limit, pacing under the burst limit, and the real binary killed mid-run.

#![expect(clippy::unwrap_used, reason = "helpers of these tests fail loudly")]

mod sync_support;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use ghl_console::ghl::Secret;
use ghl_console::rankr::http::HttpTarget;
use ghl_console::rankr::{NewEvent, RankrStore, SqliteStore};
use ghl_console::sandbox::{DEMO_LOCATION_ID, DEMO_TOKEN, RateLimit, SandboxConfig};
use ghl_console::sync::{SyncError, SyncMode};
use sync_support::{World, client_for, config, content, integrity, store_counts};
use tokio_util::sync::CancellationToken;

/// What the fake remote Rankr holds: `kind/id` to the JSON put there.
type Records = Arc<Mutex<BTreeMap<String, serde_json::Value>>>;

async fn put(
    State(records): State<Records>,
    headers: HeaderMap,
    Path((kind, id)): Path<(String, String)>,
    body: String,
) -> StatusCode {
    if headers.get("authorization").and_then(|v| v.to_str().ok()) != Some("Bearer rk-test-key") {
        return StatusCode::UNAUTHORIZED;
    }
    let value = serde_json::from_str(&body).unwrap_or_default();
    records
        .lock()
        .unwrap()
        .insert(format!("{kind}/{id}"), value);
    StatusCode::NO_CONTENT
}

async fn delete(
    State(records): State<Records>,
    Path((kind, id)): Path<(String, String)>,
) -> StatusCode {
    match records.lock().unwrap().remove(&format!("{kind}/{id}")) {
        Some(_) => StatusCode::NO_CONTENT,
        None => StatusCode::NOT_FOUND,
    }
}

/// Starts the fake Rankr at `addr`; the sender stops it.
async fn start_rankr(
    records: Records,
    addr: SocketAddr,
) -> (
    SocketAddr,
    tokio::sync::oneshot::Sender<()>,
    tokio::task::JoinHandle<()>,
) {
    let app = axum::Router::new()
        .route("/{kind}/{id}", axum::routing::put(put).delete(delete))
        .with_state(records);
    let listener = tokio::net::TcpListener::bind(addr).await.unwrap();
    let bound = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(async {
                stopped.await.ok();
            })
            .await
            .unwrap();
    });
    (bound, stop, task)
}

fn kinds(records: &Records, kind: &str) -> u64 {
    records
        .lock()
        .unwrap()
        .keys()
        .filter(|k| k.starts_with(kind))
        .count() as u64
}

#[tokio::test]
async fn the_http_target_gets_every_change_even_across_downtime() {
    let world = World::new(30).await;
    let records = Records::default();
    let (addr, stop, task) = start_rankr(records.clone(), "127.0.0.1:0".parse().unwrap()).await;
    let mut with_http = config();
    let target = HttpTarget::new(&format!("http://{addr}"), Secret::new("rk-test-key")).unwrap();
    with_http.http_target = Some(target.with_backoff(Duration::from_millis(5)));

    let first = world.sync_with(&with_http, SyncMode::Auto).await;
    assert!(first.is_ok(), "{first:?}");
    let (contacts, tasks, notes) = store_counts(world.store.as_ref());
    assert_eq!(
        (
            kinds(&records, "contacts/"),
            kinds(&records, "tasks/"),
            kinds(&records, "notes/")
        ),
        (contacts, tasks, notes)
    );

    stop.send(()).unwrap();
    task.await.unwrap();
    let sandbox = world.sandbox.store();
    let all = sandbox.contacts(DEMO_LOCATION_ID);
    sandbox.update_contact(&all[0].id, |c| c.tags.push("while-down".into()));
    sandbox.delete_contact(&all[1].id);
    let down = world.sync_with(&with_http, SyncMode::Full).await;
    assert_eq!(down.outcome, "failed");
    assert!(down.outbox_pending >= 2, "{down:?}");

    let (_, _stop, _task) = start_rankr(records.clone(), addr).await;
    let back = world.sync_with(&with_http, SyncMode::Auto).await;
    assert!(back.is_ok(), "{back:?}");
    assert_eq!(back.outbox_pending, 0);
    let remote = records.lock().unwrap().clone();
    assert!(
        !remote.contains_key(&format!("contacts/{}", all[1].id)),
        "the tombstone was sent"
    );
    let tags = &remote[&format!("contacts/{}", all[0].id)]["tags"];
    assert!(tags.as_array().unwrap().iter().any(|t| t == "while-down"));
    assert_eq!(
        kinds(&records, "contacts/"),
        store_counts(world.store.as_ref()).0
    );
}

#[tokio::test]
async fn a_version_1_store_is_upgraded_when_opened() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.sqlite3");
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(ghl_console::rankr::schema::V1).unwrap();
        conn.execute(
            "INSERT INTO contacts (rankr_id, ghl_id, location_id, name, tags, synced_at)
             VALUES ('rk_old', 'g-old', 'L1', 'From v1', '[\"kept\"]', '2024-01-01T00:00:00.000Z')",
            [],
        )
        .unwrap();
        conn.pragma_update(None, "user_version", 1).unwrap();
    }
    let store = SqliteStore::open(&path).unwrap();
    assert_eq!(
        store.schema_version().unwrap(),
        ghl_console::rankr::schema::SCHEMA_VERSION
    );
    let old = store.contact_by_ghl_id("g-old").unwrap().unwrap();
    assert_eq!(
        (old.rankr_id.as_str(), old.tags.as_slice()),
        ("rk_old", ["kept".to_string()].as_slice())
    );
    assert!(!old.children_stale && old.seen_walk.is_none());
    let event = NewEvent {
        webhook_id: "w".into(),
        event_time: "2024-01-01T00:00:00.000Z".into(),
        ..NewEvent::default()
    };
    assert!(store.enqueue_event(&event).is_ok(), "the v2 queue exists");
    assert_eq!(store.integrity_check().unwrap(), "ok");
    drop(store);
    assert_eq!(
        SqliteStore::open(&path).unwrap().schema_version().unwrap(),
        ghl_console::rankr::schema::SCHEMA_VERSION,
        "opening again is a no-op"
    );
}

#[tokio::test]
async fn the_daily_limit_stops_the_run_with_a_resumable_cursor() {
    let seeded = |daily_limit| SandboxConfig {
        contacts: 60,
        rate_limit: None,
        daily_limit,
        ..SandboxConfig::default()
    };
    let world = World::with(seeded(Some(40))).await;
    let mut small = config();
    small.page_size = 10;
    let stopped = ghl_console::sync::run(
        &small,
        &world.client,
        world.store.as_ref(),
        SyncMode::Auto,
        None,
        CancellationToken::new(),
    )
    .await;
    let Err(SyncError::DailyLimit { summary }) = stopped else {
        panic!("expected the daily limit, got {stopped:?}");
    };
    assert_eq!(summary.outcome, "stopped");
    assert!(summary.walk_pending);
    assert!(summary.message.as_deref().unwrap_or("").contains("daily"));
    let kept = store_counts(world.store.as_ref()).0;
    assert!(
        kept > 0 && kept < 60 && kept.is_multiple_of(10),
        "whole pages only: {kept}"
    );

    // The next day: the same data behind a fresh budget.
    let fresh = ghl_console::sandbox::spawn(seeded(None), "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let client = client_for(&fresh);
    let resumed = ghl_console::sync::run(
        &small,
        &client,
        world.store.as_ref(),
        SyncMode::Auto,
        None,
        CancellationToken::new(),
    )
    .await
    .unwrap();
    assert_eq!(resumed.counts.seen, 60 - kept, "resumed where it stopped");
    let reference = world.other_store("reference.sqlite3");
    ghl_console::sync::run(
        &small,
        &client,
        reference.as_ref(),
        SyncMode::Auto,
        None,
        CancellationToken::new(),
    )
    .await
    .unwrap();
    assert_eq!(content(world.store.path()), content(reference.path()));
}

/// GHL going away in the middle of a page stops the run after a few contacts, resumable,
/// instead of spending every remaining contact's retries on a dead connection.
#[tokio::test(flavor = "multi_thread")]
async fn ghl_gone_mid_run_stops_it_after_a_few_contacts() {
    let world = World::new(60).await;
    world.sandbox.set_faults(ghl_console::sandbox::Faults {
        latency_ms: 20,
        ..ghl_console::sandbox::Faults::default()
    });
    let (tx, mut rx) = tokio::sync::watch::channel(ghl_console::sync::SyncProgress::default());
    let mut one_page = config();
    one_page.page_size = 20;
    let run = {
        let (client, store) = (world.client.clone(), world.store.clone());
        tokio::spawn(async move {
            ghl_console::sync::run(
                &one_page,
                &client,
                store.as_ref(),
                SyncMode::Full,
                Some(tx),
                CancellationToken::new(),
            )
            .await
        })
    };
    while rx.changed().await.is_ok() {
        if rx.borrow_and_update().done >= 25 {
            break;
        }
    }
    // Every connection from now on is cut: GHL cannot be reached.
    world.sandbox.set_faults(ghl_console::sandbox::Faults {
        reset_every: Some(1),
        ..ghl_console::sandbox::Faults::default()
    });
    let stopped = run.await.unwrap();
    let Err(SyncError::Ghl { summary, .. }) = stopped else {
        panic!("expected the run to stop, got {stopped:?}");
    };
    assert_eq!(summary.outcome, "stopped");
    let message = summary.message.clone().unwrap_or_default();
    assert!(message.contains("GHL unreachable"), "{message}");
    assert!(
        summary.failed.len() <= ghl_console::sync::UNREACHABLE_STREAK as usize,
        "stopped after a few contacts, not every one: {} failed",
        summary.failed.len()
    );
    assert!(
        summary.walk_pending,
        "the next run resumes the walk: {summary:?}"
    );

    // Back up: the next run finishes, and the store mirrors GHL.
    world
        .sandbox
        .set_faults(ghl_console::sandbox::Faults::default());
    let resumed = world.sync(SyncMode::Auto).await;
    assert_eq!(resumed.outcome, "ok", "{resumed:?}");
    assert_eq!(store_counts(world.store.as_ref()), world.sandbox_counts());
}

#[tokio::test]
async fn the_client_paces_a_sync_under_the_burst_limit_without_429s() {
    let limit = RateLimit {
        max: 30,
        window: Duration::from_secs(1),
    };
    let world = World::with(SandboxConfig {
        contacts: 25,
        rate_limit: Some(limit),
        ..SandboxConfig::default()
    })
    .await;
    let mut paced = ghl_console::ghl::ClientConfig::new(
        world.sandbox.base_url(),
        Secret::new(DEMO_TOKEN),
        DEMO_LOCATION_ID,
    );
    paced.rate_limit = Some((30, Duration::from_secs(1)));
    let client = ghl_console::ghl::GhlClient::new(paced).unwrap();
    let run = ghl_console::sync::run(
        &config(),
        &client,
        world.store.as_ref(),
        SyncMode::Auto,
        None,
        CancellationToken::new(),
    )
    .await
    .unwrap();
    assert!(run.is_ok());
    assert!(
        run.counts.requests > 30,
        "more than one window of requests: {}",
        run.counts.requests
    );
    let stats = world.sandbox.stats();
    assert_eq!(
        stats.statuses.get(&429).copied().unwrap_or(0),
        0,
        "{stats:?}"
    );
}

#[test]
fn a_sync_process_killed_mid_run_resumes_without_loss_or_duplicates() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let world = runtime.block_on(World::new(150));
    let dir = world.dir.path();
    let store_path = dir.join("killed.sqlite3");
    let config_path = dir.join("config.toml");
    std::fs::write(
        &config_path,
        format!(
            "[api]\nbase_url = \"{}\"\nlocation_id = \"{DEMO_LOCATION_ID}\"\nrate_limit = \"100/1s\"\n\n[rankr]\nstore_path = \"{}\"\n",
            world.sandbox.base_url(),
            store_path.display()
        ),
    )
    .unwrap();
    let command = || {
        let mut command = sync_support::bin::ghl_console(dir);
        command
            .args(["--config", config_path.to_str().unwrap(), "sync", "--json"])
            .env("GHL_TOKEN", DEMO_TOKEN)
            .env("XDG_CONFIG_HOME", dir.join("config"))
            .env("XDG_DATA_HOME", dir.join("data"))
            .env("XDG_STATE_HOME", dir.join("state"))
            .env("HOME", dir)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        command
    };

    let mut child = command().spawn().unwrap();
    let started = std::time::Instant::now();
    let mut committed = 0;
    while committed == 0 && started.elapsed() < Duration::from_secs(30) {
        std::thread::sleep(Duration::from_millis(20));
        committed = rusqlite::Connection::open(&store_path)
            .and_then(|c| c.query_row("SELECT count(*) FROM contacts", [], |r| r.get::<_, i64>(0)))
            .unwrap_or(0);
    }
    child.kill().unwrap();
    let killed = child.wait().unwrap();
    assert!(!killed.success(), "killed before it finished");

    let finished = command().output().unwrap();
    assert!(
        finished.status.success(),
        "{}",
        String::from_utf8_lossy(&finished.stderr)
    );
    let summary: serde_json::Value = serde_json::from_slice(&finished.stdout).unwrap();
    assert_eq!(summary["outcome"], "ok");
    // The killed run is marked interrupted and still says what it committed.
    let (outcome, created): (String, i64) = rusqlite::Connection::open(&store_path)
        .unwrap()
        .query_row(
            "SELECT outcome, created FROM sync_runs ORDER BY id LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(outcome, "interrupted");
    assert!(
        created >= committed,
        "{created} created recorded, {committed} committed"
    );

    let reference = world.other_store("reference.sqlite3");
    runtime.block_on(async {
        ghl_console::sync::run(
            &config(),
            &world.client,
            reference.as_ref(),
            SyncMode::Auto,
            None,
            CancellationToken::new(),
        )
        .await
        .unwrap();
    });
    assert_eq!(content(&store_path), content(reference.path()));
    assert_eq!(integrity(&store_path), "ok");
    assert_eq!(sync_support::duplicate_ghl_ids(&store_path), 0);
}

/// The daily limit met in the middle of a page, after task and note requests went through:
/// the real binary stops promptly with exit code 3, says why, and keeps only committed pages.
#[test]
fn the_daily_limit_mid_page_stops_the_run_with_exit_3() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    // 150 contacts; the first page's search and 40-odd task/note fetches fit in the budget.
    let world = runtime.block_on(World::with(SandboxConfig {
        contacts: 150,
        rate_limit: None,
        daily_limit: Some(45),
        ..SandboxConfig::default()
    }));
    let dir = world.dir.path();
    let store_path = dir.join("daily.sqlite3");
    let config_path = dir.join("config.toml");
    std::fs::write(
        &config_path,
        format!(
            "[api]\nbase_url = \"{}\"\nlocation_id = \"{DEMO_LOCATION_ID}\"\nrate_limit = \"off\"\n\n[rankr]\nstore_path = \"{}\"\n",
            world.sandbox.base_url(),
            store_path.display()
        ),
    )
    .unwrap();
    let mut child = sync_support::bin::ghl_console(dir)
        .args(["--config", config_path.to_str().unwrap(), "sync", "--json"])
        .env("GHL_TOKEN", DEMO_TOKEN)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let started = std::time::Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > Duration::from_secs(30) {
            child.kill().unwrap();
            panic!("the run kept going after the daily limit");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("daily"), "{stderr}");
    let summary: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(summary["outcome"], "stopped", "{summary}");
    assert!(
        summary["counts"]["requests"].as_u64().unwrap() > 1,
        "{summary}"
    );
    // The page the limit cut was not committed, and the cursor covers nothing of it.
    let store = SqliteStore::open(&store_path).unwrap();
    assert_eq!(store_counts(&store).0, 0, "{summary}");
    assert_eq!(integrity(&store_path), "ok");
}

/// Ctrl-C on a headless sync against a slow server: it says it is stopping, drops the requests
/// in flight and exits 130 promptly, keeping the store whole.
#[test]
fn ctrl_c_stops_a_slow_sync_promptly() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let world = runtime.block_on(World::new(150));
    world.sandbox.set_faults(ghl_console::sandbox::Faults {
        latency_ms: 700,
        ..ghl_console::sandbox::Faults::default()
    });
    let dir = world.dir.path();
    let store_path = dir.join("slow.sqlite3");
    let config_path = dir.join("config.toml");
    std::fs::write(
        &config_path,
        format!(
            "[api]\nbase_url = \"{}\"\nlocation_id = \"{DEMO_LOCATION_ID}\"\nrate_limit = \"off\"\n\n[rankr]\nstore_path = \"{}\"\n",
            world.sandbox.base_url(),
            store_path.display()
        ),
    )
    .unwrap();
    let mut child = sync_support::bin::ghl_console(dir)
        .args(["--config", config_path.to_str().unwrap(), "sync"])
        .env("GHL_TOKEN", DEMO_TOKEN)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(2_500));
    let sent = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    let interrupted = std::time::Instant::now();
    while child.try_wait().unwrap().is_none() {
        if interrupted.elapsed() > Duration::from_secs(10) {
            child.kill().unwrap();
            panic!("still running 10 s after Ctrl-C");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(interrupted.elapsed() < Duration::from_secs(3), "{stderr}");
    assert_eq!(out.status.code(), Some(130), "{stderr}");
    assert!(
        stderr.contains("stopping after the current requests"),
        "{stderr}"
    );
    assert_eq!(integrity(&store_path), "ok");
}

/// A second full run over unchanged data marks rows seen for tombstone detection and nothing
/// more: `synced_at` says when the row's data last changed.
#[tokio::test(flavor = "multi_thread")]
async fn an_unchanged_full_run_keeps_synced_at() {
    let world = World::new(20).await;
    world.sync(SyncMode::Full).await;
    let read = |path: &std::path::Path| {
        let conn = rusqlite::Connection::open(path).unwrap();
        let mut stmt = conn
            .prepare("SELECT ghl_id, synced_at, seen_walk FROM contacts ORDER BY ghl_id")
            .unwrap();
        stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Option<i64>>(2)?,
            ))
        })
        .unwrap()
        .map(Result::unwrap)
        .collect::<Vec<_>>()
    };
    let path = world.dir.path().join("rankr.sqlite3");
    let before = read(&path);
    tokio::time::sleep(Duration::from_millis(1_100)).await;
    let summary = world.sync(SyncMode::Full).await;
    assert_eq!(summary.counts.unchanged, 20, "{summary:?}");
    let after = read(&path);
    assert_eq!(before.len(), 20);
    for (old, new) in before.iter().zip(&after) {
        assert_eq!(old.1, new.1, "synced_at moved on unchanged {}", old.0);
        assert_ne!(old.2, new.2, "seen_walk must follow the walk for {}", old.0);
    }
}

/// Runs killed without recording an end are marked `interrupted` (end time unknown) when the
/// next run of that location starts.
#[tokio::test(flavor = "multi_thread")]
async fn runs_that_never_ended_are_marked_interrupted() {
    let world = World::new(5).await;
    let killed = world.store.start_run(DEMO_LOCATION_ID, "full").unwrap();
    let other = world.store.start_run("another-location", "full").unwrap();
    let summary = world.sync(SyncMode::Full).await;
    let runs = world.store.runs(10).unwrap();
    let find = |id: i64| runs.iter().find(|r| r.id == id).unwrap().clone();
    let killed = find(killed);
    assert_eq!(killed.outcome.as_deref(), Some("interrupted"));
    assert_eq!(
        killed.ended_at, None,
        "the end time of a killed run is unknown"
    );
    assert!(killed.message.unwrap().contains("never recorded an end"));
    assert_eq!(
        find(other).outcome,
        None,
        "another location's run is left alone"
    );
    assert_eq!(find(summary.run_id.unwrap()).outcome.as_deref(), Some("ok"));
}

/// Runs a full sync in pages of 10; answers each `done` its progress reported, in order.
async fn full_sync_progress(world: &World) -> Vec<u64> {
    let snapshots = full_sync_snapshots(world).await;
    snapshots.iter().map(|p| p.done).collect()
}

/// Runs a full sync in pages of 10; answers each progress snapshot it sent, in order.
async fn full_sync_snapshots(world: &World) -> Vec<ghl_console::sync::SyncProgress> {
    let (tx, mut rx) = tokio::sync::watch::channel(ghl_console::sync::SyncProgress::default());
    let seen = tokio::spawn(async move {
        let mut values = Vec::new();
        while rx.changed().await.is_ok() {
            values.push(rx.borrow_and_update().clone());
        }
        values
    });
    let mut engine = config();
    engine.page_size = 10;
    ghl_console::sync::run(
        &engine,
        &world.client,
        world.store.as_ref(),
        SyncMode::Full,
        Some(tx),
        CancellationToken::new(),
    )
    .await
    .unwrap();
    seen.await.unwrap()
}

/// Progress advances contact by contact as each one's tasks and notes come in, not a page at
/// a time.
#[tokio::test(flavor = "multi_thread")]
async fn progress_advances_per_contact() {
    let world = World::new(30).await;
    world.sandbox.set_faults(ghl_console::sandbox::Faults {
        latency_ms: 20,
        ..ghl_console::sandbox::Faults::default()
    });
    let snapshots = full_sync_snapshots(&world).await;
    let values: Vec<u64> = snapshots.iter().map(|p| p.done).collect();
    assert!(
        values.iter().any(|d| d % 10 != 0),
        "only page-sized steps: {values:?}"
    );
    assert_eq!(values.last().copied(), Some(30), "{values:?}");
    // The requests sent so far travel with each step (a paced run's time left is reckoned
    // from them), not only in the closing summary.
    let first_step = snapshots.iter().find(|p| p.done > 0).unwrap();
    assert!(first_step.counts.requests > 0, "{first_step:?}");
}

/// A resumed full walk counts from what it already covered, not from 0.
#[tokio::test(flavor = "multi_thread")]
async fn a_resumed_walk_counts_from_what_it_covered() {
    let world = World::new(30).await;
    let mut first = config();
    first.page_size = 10;
    first.limit = Some(10);
    let summary = world.sync_with(&first, SyncMode::Full).await;
    assert!(summary.walk_pending, "{summary:?}");
    let values = full_sync_progress(&world).await;
    let first_count = values.iter().copied().find(|d| *d > 0);
    assert_eq!(first_count, Some(10), "{values:?}");
    assert_eq!(values.last().copied(), Some(30), "{values:?}");
}

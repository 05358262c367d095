//! The long-running commands through the real binary: `sync --watch` (webhooks plus a
//! reconciliation on an interval) and `webhook --listen`, against the sandbox on loopback,
//! with the sandbox sending its own signed webhooks when its data changes.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: a failed unwrap is a failed test"
)]

mod sync_support;

use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use ghl_console::sandbox::{DEMO_LOCATION_ID, DEMO_TOKEN, SandboxConfig, WebhookKey};
use sync_support::World;

/// A loopback port free at the time of asking.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A world whose sandbox posts signed webhooks to `127.0.0.1:port` when its data changes.
async fn world_sending_to(port: u16, key: &WebhookKey) -> World {
    World::with(SandboxConfig {
        contacts: 12,
        rate_limit: None,
        webhook_url: Some(format!("http://127.0.0.1:{port}/webhook")),
        webhook_key: Some(key.clone()),
        ..SandboxConfig::default()
    })
    .await
}

/// The config file of a run: the sandbox, the store, the webhook key and the interval.
fn write_config(world: &World, key: &WebhookKey, interval_secs: u64) -> (PathBuf, PathBuf) {
    let dir = world.dir.path();
    let store = dir.join("watched.sqlite3");
    let config = dir.join("config.toml");
    std::fs::write(
        &config,
        format!(
            "[api]\nbase_url = \"{}\"\nlocation_id = \"{DEMO_LOCATION_ID}\"\n\n\
             [rankr]\nstore_path = \"{}\"\n\n\
             [sync]\ninterval_secs = {interval_secs}\n\n\
             [webhook]\ned25519_public_key = \"{}\"\n",
            world.sandbox.base_url(),
            store.display(),
            key.public_key_base64()
        ),
    )
    .unwrap();
    (config, store)
}

/// The binary with `args` after `--config`, its output piped, its dirs in the temp dir.
fn spawn(world: &World, config: &Path, args: &[&str]) -> KillOnDrop {
    let dir = world.dir.path();
    let child = sync_support::bin::ghl_console(dir)
        .arg("--config")
        .arg(config)
        .args(args)
        .env("GHL_TOKEN", DEMO_TOKEN)
        .env("HOME", dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    KillOnDrop(Some(child))
}

/// Kills the process when the test ends, however it ends.
struct KillOnDrop(Option<Child>);

impl KillOnDrop {
    /// Stops the process (SIGKILL) and returns what it wrote.
    fn finish(mut self) -> (String, String) {
        let mut child = self.0.take().unwrap();
        child.kill().ok();
        let out = child.wait_with_output().unwrap();
        (
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    fn exited(&mut self) -> Option<std::process::ExitStatus> {
        self.0.as_mut().unwrap().try_wait().unwrap()
    }
}

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        if let Some(child) = self.0.as_mut() {
            child.kill().ok();
            child.wait().ok();
        }
    }
}

/// One value from the store, read while the process writes it (WAL allows it); `None` until the
/// store and the row exist.
fn query(store: &Path, sql: &str, id: &str) -> Option<String> {
    let connection =
        rusqlite::Connection::open_with_flags(store, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .ok()?;
    connection
        .query_row(sql, [id], |r| r.get::<_, String>(0))
        .ok()
}

/// Polls `probe` until it holds, for at most `limit`; a hang detector, not a timing.
async fn eventually(
    process: &mut KillOnDrop,
    limit: Duration,
    mut probe: impl FnMut() -> bool,
) -> bool {
    let start = Instant::now();
    while start.elapsed() < limit {
        if probe() {
            return true;
        }
        assert!(process.exited().is_none(), "the process ended early");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    false
}

/// The sandbox's contact ids, in its order.
fn ids_of(world: &World) -> Vec<String> {
    world
        .sandbox
        .store()
        .contacts(DEMO_LOCATION_ID)
        .into_iter()
        .map(|c| c.id)
        .collect()
}

fn has_tag(store: &Path, id: &str, tag: &str) -> bool {
    query(store, "SELECT tags FROM contacts WHERE ghl_id = ?1", id)
        .is_some_and(|tags| tags.contains(tag))
}

fn log_with(store: &Path, action_like: &str, entity_id: &str) -> bool {
    let sql = format!(
        "SELECT action FROM sync_log WHERE entity_id = ?1 AND action LIKE '{action_like}' LIMIT 1"
    );
    query(store, &sql, entity_id).is_some()
}

#[tokio::test(flavor = "multi_thread")]
async fn sync_watch_applies_webhooks_at_once_and_refuses_forged_ones() {
    let port = free_port();
    let key = WebhookKey::from_seed([9; 32]);
    let world = world_sending_to(port, &key).await;
    // An interval long enough that only a webhook can bring the first change across quickly.
    let (config, store) = write_config(&world, &key, 3600);
    let listen = format!("127.0.0.1:{port}");
    let mut watch = spawn(&world, &config, &["sync", "--watch", "--listen", &listen]);

    let ids = ids_of(&world);
    let (first, second) = (ids[0].clone(), ids[1].clone());
    // The first reconciliation is a full run: every contact arrives.
    assert!(
        eventually(&mut watch, Duration::from_secs(60), || {
            query(
                &store,
                "SELECT ghl_id FROM contacts WHERE ghl_id = ?1",
                &second,
            )
            .is_some()
                && query(
                    &store,
                    "SELECT outcome FROM sync_runs WHERE outcome = ?1",
                    "ok",
                )
                .is_some()
        })
        .await,
        "the first reconciliation did not finish"
    );

    // A change in GHL: the sandbox posts a signed ContactUpdate, the receiver queues it, the
    // applier re-fetches the contact and writes it, long before the next reconciliation.
    world
        .sandbox
        .store()
        .update_contact(&first, |c| c.tags.push("from-a-webhook".into()));
    assert!(
        eventually(&mut watch, Duration::from_secs(30), || has_tag(
            &store,
            &first,
            "from-a-webhook"
        ))
        .await,
        "the webhook was not applied"
    );

    // A forged delivery is refused with 401 and leaves the store as it was.
    let forged = format!(
        r#"{{"type":"ContactDelete","locationId":"{DEMO_LOCATION_ID}","id":"{first}","timestamp":"{}","webhookId":"forged-1"}}"#,
        chrono::Utc::now().to_rfc3339()
    );
    let status = reqwest::Client::new()
        .post(format!("http://{listen}/webhook"))
        .header(
            "x-ghl-signature",
            WebhookKey::from_seed([1; 32]).sign(forged.as_bytes()),
        )
        .body(forged)
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status.as_u16(), 401);
    assert_eq!(
        query(
            &store,
            "SELECT CAST(tombstone AS TEXT) FROM contacts WHERE ghl_id = ?1",
            &first
        )
        .as_deref(),
        Some("0"),
        "a forged delete must not tombstone the contact"
    );

    let (_, stderr) = watch.finish();
    assert!(
        stderr.contains(&format!(
            "receiving GHL webhooks on http://{listen}/webhook"
        )),
        "{stderr}"
    );
    assert!(!stderr.contains(DEMO_TOKEN), "the token leaked: {stderr}");
}

#[tokio::test(flavor = "multi_thread")]
async fn sync_watch_reconciliation_brings_a_change_no_webhook_announced() {
    // C41 through the real process: the sandbox sends no webhooks at all.
    let key = WebhookKey::from_seed([9; 32]);
    let world = World::new(8).await;
    // The shortest interval the configuration allows.
    let (config, store) = write_config(&world, &key, 10);
    let listen = format!("127.0.0.1:{}", free_port());
    let mut watch = spawn(
        &world,
        &config,
        &["sync", "--watch", "--listen", &listen, "--json"],
    );
    let id = ids_of(&world)[3].clone();
    assert!(
        eventually(&mut watch, Duration::from_secs(60), || query(
            &store,
            "SELECT ghl_id FROM contacts WHERE ghl_id = ?1",
            &id
        )
        .is_some())
        .await,
        "the first reconciliation did not finish"
    );
    world
        .sandbox
        .store()
        .update_contact(&id, |c| c.tags.push("no-webhook-for-this".into()));
    assert!(
        eventually(&mut watch, Duration::from_secs(30), || has_tag(
            &store,
            &id,
            "no-webhook-for-this"
        ))
        .await,
        "the reconciliation did not bring the change"
    );
    let (stdout, _) = watch.finish();
    // Each reconciliation prints its summary as one JSON document for cron and alerting.
    let first: serde_json::Value = serde_json::Deserializer::from_str(&stdout)
        .into_iter()
        .next()
        .expect("a summary on stdout")
        .unwrap();
    assert_eq!(first["outcome"], "ok", "{stdout}");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_webhook_command_applies_signed_events_and_logs_refusals() {
    let port = free_port();
    let key = WebhookKey::from_seed([5; 32]);
    let world = world_sending_to(port, &key).await;
    let (config, store) = write_config(&world, &key, 3600);
    let listen = format!("127.0.0.1:{port}");
    let mut receiver = spawn(&world, &config, &["webhook", "--listen", &listen]);
    // Wait for the listener, then make a change that the sandbox announces.
    assert!(
        eventually(&mut receiver, Duration::from_secs(30), || {
            std::net::TcpStream::connect(&listen).is_ok()
        })
        .await,
        "the receiver did not start"
    );
    let id = ids_of(&world)[2].clone();
    world
        .sandbox
        .store()
        .update_contact(&id, |c| c.tags.push("announced".into()));
    assert!(
        eventually(&mut receiver, Duration::from_secs(30), || has_tag(
            &store,
            &id,
            "announced"
        ))
        .await,
        "the announced change was not applied"
    );

    // A stale signature-less delivery is refused and the refusal is in the store's log.
    let unsigned = format!(
        r#"{{"type":"ContactUpdate","locationId":"{DEMO_LOCATION_ID}","id":"{id}","timestamp":"2020-01-01T00:00:00Z","webhookId":"unsigned-1"}}"#
    );
    let status = reqwest::Client::new()
        .post(format!("http://{listen}/webhook"))
        .body(unsigned)
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status.as_u16(), 401);
    let refused = query(
        &store,
        "SELECT message FROM sync_log WHERE level = 'warn' AND entity = ?1 ORDER BY id DESC LIMIT 1",
        "webhook",
    );
    let (_, stderr) = receiver.finish();
    assert!(
        refused.is_some_and(|m| !m.is_empty()),
        "no refusal logged; stderr: {stderr}"
    );
    assert!(
        log_with(&store, "%", &id),
        "the applied event left no log line"
    );
}

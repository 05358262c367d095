//! Issue 7, webhooks: the real `ghl-console webhook` process on loopback, fed forged, stale,
//! duplicated, out-of-order, oversized and mistyped deliveries, and a flood of 1,000 events.
//! Every good event is acknowledged, queued and applied once; every bad one is refused with
//! its status; the process's memory stays bounded; the store ends mirroring the sandbox.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: a failed unwrap is a failed test"
)]

mod sync_support;

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use futures_util::StreamExt as _;
use ghl_console::rankr::RankrStore as _;
use ghl_console::sandbox::{DEMO_LOCATION_ID, DEMO_TOKEN, WebhookKey};
use ghl_console::sync::SyncMode;
use sync_support::{World, assert_mirrors_sandbox};

/// The key the sandbox signs with; the receiver is configured with its public half.
fn key() -> WebhookKey {
    WebhookKey::from_seed([7; 32])
}

/// A running `ghl-console webhook`, killed on drop.
struct Receiver {
    child: Child,
    addr: Option<SocketAddr>,
    said: String,
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.child.kill().ok();
        self.child.wait().ok();
    }
}

impl Receiver {
    /// Starts the receiver for `world`'s store; `listen` of `None` leaves the default.
    fn start(world: &World, listen: Option<&str>) -> Self {
        let dir = world.dir.path();
        let config = dir.join("webhook.toml");
        std::fs::write(
            &config,
            format!(
                "[api]\nbase_url = \"{}\"\nlocation_id = \"{DEMO_LOCATION_ID}\"\n\
                 rate_limit = \"off\"\n\n[rankr]\nstore_path = \"{}\"\n\n[webhook]\n\
                 ed25519_public_key = \"{}\"\n",
                world.sandbox.base_url(),
                world.store.path().display(),
                key().public_key_base64()
            ),
        )
        .unwrap();
        let mut command = sync_support::bin::ghl_console(dir);
        command.arg("--config").arg(&config).arg("webhook");
        if let Some(listen) = listen {
            command.args(["--listen", listen]);
        }
        let mut child = command
            .env("GHL_TOKEN", DEMO_TOKEN)
            .env("XDG_CONFIG_HOME", dir.join("config"))
            .env("XDG_DATA_HOME", dir.join("data"))
            .env("XDG_STATE_HOME", dir.join("state"))
            .env("HOME", dir)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
        let said = lines.next().and_then(Result::ok).unwrap_or_default();
        std::thread::spawn(move || lines.for_each(drop));
        let addr = said
            .split("http://")
            .nth(1)
            .and_then(|rest| rest.split('/').next())
            .and_then(|a| a.parse().ok());
        Self { child, addr, said }
    }

    fn url(&self) -> String {
        format!("http://{}/webhook", self.addr.unwrap())
    }

    /// A line of `/proc/PID/status` in kB, such as `VmRSS` or `VmHWM`.
    fn memory_kb(&self, field: &str) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap();
        status
            .lines()
            .find_map(|l| l.strip_prefix(&format!("{field}:")))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap()
    }
}

fn event(kind: &str, id: &str, webhook_id: &str, at: chrono::DateTime<chrono::Utc>) -> String {
    format!(
        r#"{{"type":"{kind}","locationId":"{DEMO_LOCATION_ID}","id":"{id}","timestamp":"{}","webhookId":"{webhook_id}"}}"#,
        at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
    )
}

/// Posts `body` with these headers; returns the status and the body of the answer.
async fn post(
    http: &reqwest::Client,
    url: &str,
    headers: &[(&str, String)],
    body: String,
) -> (u16, String) {
    let mut request = http.post(url).body(body);
    for (name, value) in headers {
        request = request.header(*name, value);
    }
    let answer = request.send().await.unwrap();
    let status = answer.status().as_u16();
    (status, answer.text().await.unwrap_or_default())
}

/// A delivery signed with the sandbox's key, as GHL sends it.
async fn deliver(http: &reqwest::Client, url: &str, body: String) -> (u16, String) {
    let signature = key().sign(body.as_bytes());
    let headers = [
        ("content-type", "application/json".to_string()),
        ("x-ghl-signature", signature),
    ];
    post(http, url, &headers, body).await
}

fn http() -> reqwest::Client {
    ghl_console::ghl::client::install_tls();
    reqwest::Client::new()
}

/// How many queued events are in each state.
fn queue(store: &Path) -> std::collections::BTreeMap<String, i64> {
    let conn = rusqlite::Connection::open(store).unwrap();
    let mut stmt = conn
        .prepare("SELECT state, count(*) FROM webhook_queue GROUP BY state")
        .unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

/// Waits until no event waits in the queue.
async fn drained(store: &Path, limit: Duration) {
    let deadline = Instant::now() + limit;
    while queue(store).get("pending").copied().unwrap_or(0) > 0 {
        assert!(
            Instant::now() < deadline,
            "still pending: {:?}",
            queue(store)
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn synced_world(contacts: usize) -> World {
    let world = World::new(contacts).await;
    world.sync(SyncMode::Auto).await;
    world
}

#[tokio::test(flavor = "multi_thread")]
async fn forged_stale_oversized_and_mistyped_deliveries_are_refused() {
    let world = synced_world(10).await;
    let receiver = Receiver::start(&world, Some("127.0.0.1:0"));
    let (http, url) = (http(), receiver.url());
    let id = world.sandbox.store().contacts(DEMO_LOCATION_ID)[0]
        .id
        .clone();
    let now = chrono::Utc::now();

    let forged = event("ContactUpdate", &id, "forged-1", now);
    let other_key = WebhookKey::from_seed([8; 32]).sign(forged.as_bytes());
    let signed_by_other = [("x-ghl-signature", other_key)];
    assert_eq!(
        post(&http, &url, &signed_by_other, forged.clone()).await.0,
        401
    );
    assert_eq!(
        post(&http, &url, &[], forged.clone()).await.0,
        401,
        "unsigned"
    );
    let tampered = forged.replace("forged-1", "forged-2");
    let old_signature = [("x-ghl-signature", key().sign(forged.as_bytes()))];
    assert_eq!(post(&http, &url, &old_signature, tampered).await.0, 401);

    let stale = event(
        "ContactUpdate",
        &id,
        "stale-1",
        now - chrono::Duration::minutes(10),
    );
    assert_eq!(deliver(&http, &url, stale).await.0, 401);

    let padding = " ".repeat(300 * 1024);
    let oversized = format!("{}{padding}", event("ContactUpdate", &id, "big-1", now));
    assert_eq!(deliver(&http, &url, oversized.clone()).await.0, 413);
    assert_eq!(chunked_status(receiver.addr.unwrap(), &oversized), 413);

    let body = event("ContactUpdate", &id, "typed-1", now);
    for kind in [
        "text/plain",
        "application/x-www-form-urlencoded",
        "text/html",
    ] {
        let headers = [
            ("content-type", kind.to_string()),
            ("x-ghl-signature", key().sign(body.as_bytes())),
        ];
        assert_eq!(
            post(&http, &url, &headers, body.clone()).await.0,
            415,
            "{kind}"
        );
    }
    let untyped = [("x-ghl-signature", key().sign(body.as_bytes()))];
    assert_eq!(
        post(&http, &url, &untyped, body.clone()).await.0,
        200,
        "no type is JSON"
    );
    let (status, said) = deliver(&http, &url, body).await;
    assert_eq!((status, said.contains("duplicate")), (200, true));

    drained(world.store.path(), Duration::from_secs(30)).await;
    assert_eq!(
        queue(world.store.path()).values().sum::<i64>(),
        1,
        "only the good one"
    );

    // A flood of forged deliveries: each is refused, but the store's log keeps 20 a minute.
    for n in 0..40 {
        let forged = event("ContactUpdate", &id, &format!("forged-flood-{n}"), now);
        assert_eq!(post(&http, &url, &[], forged).await.0, 401);
    }
    let filter = ghl_console::rankr::LogFilter {
        limit: 1000,
        entity: Some("webhook".into()),
        ..ghl_console::rankr::LogFilter::default()
    };
    let lines = world.store.recent_log(&filter).unwrap();
    let refused = lines.iter().filter(|l| l.action == "refused").count();
    assert_eq!(refused, 20, "47 refusals, 20 lines in the store's log");
}

/// Sends `body` with `Transfer-Encoding: chunked` (no length up front) over a raw socket and
/// returns the status the receiver answers.
fn chunked_status(addr: SocketAddr, body: &str) -> u16 {
    let mut socket = std::net::TcpStream::connect(addr).unwrap();
    socket
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let head = format!(
        "POST /webhook HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\n\
         x-ghl-signature: {}\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n",
        key().sign(body.as_bytes())
    );
    socket.write_all(head.as_bytes()).unwrap();
    for chunk in body.as_bytes().chunks(16 * 1024) {
        let framed = [format!("{:x}\r\n", chunk.len()).as_bytes(), chunk, b"\r\n"].concat();
        if socket.write_all(&framed).is_err() {
            break;
        }
    }
    socket.write_all(b"0\r\n\r\n").ok();
    let mut answer = String::new();
    socket.read_to_string(&mut answer).ok();
    answer
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status in {answer:?}"))
}

#[tokio::test(flavor = "multi_thread")]
async fn duplicated_and_out_of_order_deliveries_apply_once_in_event_order() {
    let world = synced_world(10).await;
    let receiver = Receiver::start(&world, Some("127.0.0.1:0"));
    let (http, url) = (http(), receiver.url());
    let contacts = world.sandbox.store().contacts(DEMO_LOCATION_ID);
    let (kept, deleted) = (contacts[0].id.clone(), contacts[1].id.clone());
    let now = chrono::Utc::now();
    let earlier = now - chrono::Duration::seconds(40);

    world
        .sandbox
        .store()
        .update_contact(&kept, |c| c.tags.push("twice".into()));
    let twice = event("ContactUpdate", &kept, "dup-1", now);
    assert_eq!(deliver(&http, &url, twice.clone()).await.0, 200);
    let (code, answer) = deliver(&http, &url, twice).await;
    assert_eq!((code, answer.contains("duplicate")), (200, true));

    world.sandbox.store().delete_contact(&deleted);
    let delete = event("ContactDelete", &deleted, "order-2", now);
    let late_update = event("ContactUpdate", &deleted, "order-1", earlier);
    assert_eq!(deliver(&http, &url, delete).await.0, 200);
    drained(world.store.path(), Duration::from_secs(30)).await;
    assert_eq!(deliver(&http, &url, late_update).await.0, 200);
    drained(world.store.path(), Duration::from_secs(30)).await;

    let states = queue(world.store.path());
    assert_eq!(
        states.values().sum::<i64>(),
        3,
        "the repeat was not queued: {states:?}"
    );
    assert_eq!(states.get("failed"), None);
    let row = world.store.contact_by_ghl_id(&deleted).unwrap().unwrap();
    assert!(row.tombstone, "the late update did not bring it back");
    let requests = world.sandbox.stats();
    let fetched = requests
        .routes
        .get("GET /contacts/{contactId}")
        .copied()
        .unwrap_or(0);
    assert_eq!(
        fetched, 2,
        "the repeated event was fetched once, the delete once (its 404 confirms it), the late one not at all"
    );
    assert_mirrors_sandbox(&world, world.store.path()).await;
}

/// 1,000 signed `ContactUpdate`s, five for each of `ids`, named `{prefix}-N`.
fn flood(ids: &[String], prefix: &str) -> Vec<String> {
    let now = chrono::Utc::now();
    (0..1000_usize)
        .zip(ids.iter().cycle())
        .map(|(n, id)| {
            let at = now + chrono::Duration::milliseconds(i64::try_from(n).unwrap());
            event("ContactUpdate", id, &format!("{prefix}-{n}"), at)
        })
        .collect()
}

/// Delivers every body, 64 at a time; returns how many got a 200 whose answer says `word`.
async fn deliver_all(http: &reqwest::Client, url: &str, bodies: Vec<String>, word: &str) -> usize {
    let answers: Vec<(u16, String)> = futures_util::stream::iter(bodies)
        .map(|body| deliver(http, url, body))
        .buffer_unordered(64)
        .collect()
        .await;
    answers
        .iter()
        .filter(|(s, b)| *s == 200 && b.contains(word))
        .count()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_flood_of_1000_events_is_acknowledged_applied_once_and_memory_stays_bounded() {
    let world = synced_world(200).await;
    let receiver = Receiver::start(&world, Some("127.0.0.1:0"));
    let (http, url) = (http(), receiver.url());
    let sandbox = world.sandbox.store();
    let ids: Vec<String> = sandbox
        .contacts(DEMO_LOCATION_ID)
        .into_iter()
        .map(|c| c.id)
        .collect();
    for id in &ids {
        sandbox.update_contact(id, |c| c.tags.push("flood".into()));
    }
    world.sandbox.reset_stats();
    let rss_before = receiver.memory_kb("VmRSS");

    let first = flood(&ids, "first");
    assert_eq!(
        deliver_all(&http, &url, first.clone(), "queued").await,
        1000
    );
    assert_eq!(deliver_all(&http, &url, first, "duplicate").await, 1000);
    drained(world.store.path(), Duration::from_secs(120)).await;
    let rss_first = receiver.memory_kb("VmRSS");

    // A second flood of new events: memory must not grow with the number of deliveries.
    for id in &ids {
        sandbox.update_contact(id, |c| c.tags.push("flood-again".into()));
    }
    let second = flood(&ids, "second");
    assert_eq!(deliver_all(&http, &url, second, "queued").await, 1000);
    drained(world.store.path(), Duration::from_secs(120)).await;
    let rss_second = receiver.memory_kb("VmRSS");
    let peak = receiver.memory_kb("VmHWM");
    println!(
        "webhook flood: receiver RSS {rss_before} kB before, {rss_first} kB after 1000 events \
         and 1000 repeats, {rss_second} kB after 1000 more events; peak {peak} kB"
    );

    let states = queue(world.store.path());
    assert_eq!(states.get("done"), Some(&2000), "{states:?}");
    let fetched = world.sandbox.stats().routes["GET /contacts/{contactId}"];
    assert_eq!(fetched, 2000, "each event applied once, no repeat applied");
    assert!(
        peak < rss_before + 64 * 1024,
        "memory grew from {rss_before} kB to a peak of {peak} kB"
    );
    assert!(
        rss_second < rss_first + 16 * 1024,
        "the second flood grew memory from {rss_first} kB to {rss_second} kB"
    );
    assert_mirrors_sandbox(&world, world.store.path()).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_receiver_binds_loopback_by_default() {
    let default: SocketAddr = ghl_console::config::Config::default()
        .webhook
        .listen
        .parse()
        .unwrap();
    assert!(default.ip().is_loopback(), "{default}");

    let world = World::new(1).await;
    let receiver = Receiver::start(&world, None);
    match receiver.addr {
        Some(addr) => assert_eq!(addr, default, "{}", receiver.said),
        // Another program holds the port: the refusal still names the loopback address.
        None => assert!(
            receiver.said.contains(&default.to_string()),
            "{}",
            receiver.said
        ),
    }
}

//! A full sync of 2,000 contacts from the sandbox under GHL's burst limit scaled to 100
//! requests per second, into a fresh store. Not a timed test: it prints what it measured.
//!
//! Run with `cargo bench --bench sync` (add `-- --contacts N` for another size). It reports
//! wall time against the least time the rate allows for the requests needed, requests made
//! against requests needed, and how many 429s the sandbox answered.

#![expect(clippy::unwrap_used, reason = "a benchmark fails loudly")]

use std::time::{Duration, Instant};

use ghl_console::ghl::{ClientConfig, GhlClient, Secret};
use ghl_console::rankr::SqliteStore;
use ghl_console::sandbox::{self, RateLimit, SandboxConfig};
use ghl_console::sync::{self, EngineConfig, SyncMode};
use tokio_util::sync::CancellationToken;

const RATE: u32 = 100;
const WINDOW: Duration = Duration::from_secs(1);

fn main() {
    let contacts = std::env::args()
        .skip_while(|a| a != "--contacts")
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(2000usize);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(bench(contacts));
}

async fn bench(contacts: usize) {
    let limit = RateLimit {
        max: RATE,
        window: WINDOW,
    };
    let config = SandboxConfig {
        contacts,
        rate_limit: Some(limit),
        daily_limit: None,
        ..SandboxConfig::default()
    };
    let handle = sandbox::spawn(config, "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let mut client_config = ClientConfig::new(
        handle.base_url(),
        Secret::new(sandbox::DEMO_TOKEN),
        sandbox::DEMO_LOCATION_ID,
    );
    client_config.rate_limit = Some((RATE, WINDOW));
    let client = GhlClient::new(client_config).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&dir.path().join("rankr.sqlite3")).unwrap();
    let engine = EngineConfig::new(sandbox::DEMO_LOCATION_ID);
    let pages = contacts.div_ceil(engine.page_size as usize) as u64;

    let started = Instant::now();
    let summary = sync::run(
        &engine,
        &client,
        &store,
        SyncMode::Full,
        None,
        CancellationToken::new(),
    )
    .await
    .unwrap();
    let wall = started.elapsed();
    let stats = handle.stats();

    // One search for the walk's mark, one per page, and each contact's tasks and notes.
    let needed = 1 + pages + 2 * contacts as u64;
    #[expect(clippy::cast_precision_loss, reason = "ratios for a report")]
    let (ideal, made_ratio) = (
        needed as f64 / (f64::from(RATE) / WINDOW.as_secs_f64()),
        stats.total as f64 / needed as f64,
    );
    let throttled = stats.statuses.get(&429).copied().unwrap_or(0);
    println!(
        "full sync of {contacts} contacts at {RATE} requests per {WINDOW:?} (outcome {})",
        summary.outcome
    );
    println!("  wall time            {:.1} s", wall.as_secs_f64());
    println!("  least time possible  {ideal:.1} s ({needed} requests needed)");
    println!("  wall / least         {:.3}", wall.as_secs_f64() / ideal);
    println!(
        "  requests made        {} (engine counted {})",
        stats.total, summary.counts.requests
    );
    println!("  made / needed        {made_ratio:.3}");
    println!("  429 answers          {throttled}");
    println!("  stored               {:?}", summary.store);

    let started = Instant::now();
    let again = sync::run(
        &engine,
        &client,
        &store,
        SyncMode::Auto,
        None,
        CancellationToken::new(),
    )
    .await
    .unwrap();
    println!(
        "incremental run with nothing changed: {} requests, {:.2} s, {} changes",
        again.counts.requests,
        started.elapsed().as_secs_f64(),
        again.counts.created + again.counts.updated + again.counts.deleted
    );
}

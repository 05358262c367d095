//! Sync against the rate ceiling: a full sync of 2,000 contacts with their tasks and notes from a
//! sandbox with GHL's limit shape (100 requests per window, the window shortened to 1 s).
//! Budgets: wall time / (requests needed / allowed rate) <= 1.05; requests made / requests
//! needed <= 1.00; no 429.

#![allow(
    clippy::cast_precision_loss,
    reason = "request counts become f64 only for printed ratios, far below 2^52"
)]

mod common;

use std::time::Duration;

use common::{Sandbox, Table, Verdict, pick};
use ghl_console::rankr::SqliteStore;
use ghl_console::sandbox::{RateLimit, SandboxConfig};
use ghl_console::sync::SyncMode;

const MAX: u32 = 100;

fn main() -> anyhow::Result<()> {
    common::header("Sync against the rate ceiling: full sync at 100 requests per window");
    let contacts = pick(2_000, 100);
    let window = pick(Duration::from_secs(1), Duration::from_millis(100));
    let sandbox = Sandbox::start(SandboxConfig {
        contacts,
        rate_limit: Some(RateLimit { max: MAX, window }),
        daily_limit: None,
        ..SandboxConfig::default()
    })?;
    let dir = tempfile::tempdir()?;
    let store = SqliteStore::open(&dir.path().join("rankr.sqlite3"))?;
    let runtime = common::console_runtime()?;
    let base_url = sandbox.handle.base_url();
    let (summary, wall) = runtime.block_on(async {
        let client = common::client(&base_url, Some((MAX, window)))?;
        common::sync_once(&client, &store, SyncMode::Full).await
    })?;
    drop(runtime);
    let stats = sandbox.handle.stats();
    sandbox.stop();

    let needed = common::requests_needed(contacts as u64, true);
    let minimum = common::requests_minimum(contacts as u64);
    let ideal = window.as_secs_f64() * minimum as f64 / f64::from(MAX);
    let time_ratio = wall.as_secs_f64() / ideal;
    let request_ratio = stats.total as f64 / needed as f64;
    let mut table = Table::default();
    table.context(
        "contacts synced, tasks and notes stored",
        format!(
            "{} ({} tasks, {} notes)",
            summary.store.contacts, summary.store.tasks, summary.store.notes
        ),
    );
    table.context(
        "allowed rate",
        format!("{MAX} per {} ms", window.as_millis()),
    );
    table.context(
        "wall time (ideal: bare minimum of requests / rate)",
        format!("{:.2} s ({ideal:.2} s)", wall.as_secs_f64()),
    );
    table.judged(
        "wall time / (requests needed / allowed rate)",
        format!("{time_ratio:.3}"),
        "<= 1.05",
        Verdict::at_most(time_ratio, 1.05),
    );
    table.judged(
        "requests made / requests needed",
        format!("{request_ratio:.4} ({} / {needed})", stats.total),
        "<= 1.00",
        Verdict::at_most(request_ratio, 1.0),
    );
    table.context(
        "requests made / bare minimum (pages and children only)",
        format!(
            "{:.4} ({} / {minimum})",
            stats.total as f64 / minimum as f64,
            stats.total
        ),
    );
    table.judged(
        "429 answers",
        stats.throttled.to_string(),
        "0",
        Verdict::at_most(stats.throttled as f64, 0.0),
    );
    table.context(
        "requests the engine counted",
        summary.counts.requests.to_string(),
    );
    table.print();
    Ok(())
}

//! Incremental sync: 10,000 contacts synced once, then 1% of them changed in GHL; the next
//! incremental run should ask only for what the changed records need. Budget: requests made /
//! requests the changed records need <= 1.1.

#![allow(
    clippy::cast_precision_loss,
    reason = "request counts become f64 only for printed ratios, far below 2^52"
)]

mod common;

use common::{Sandbox, Table, Verdict, pick};
use ghl_console::rankr::SqliteStore;
use ghl_console::sandbox::DEMO_LOCATION_ID;
use ghl_console::sync::SyncMode;

fn main() -> anyhow::Result<()> {
    common::header("Incremental sync: 1% of the contacts changed since the cursor");
    let contacts = pick(10_000, 500);
    let sandbox = Sandbox::unlimited(contacts)?;
    let dir = tempfile::tempdir()?;
    let store = SqliteStore::open(&dir.path().join("rankr.sqlite3"))?;
    let runtime = common::console_runtime()?;
    let client = common::client(&sandbox.handle.base_url(), None)?;

    let (first, first_wall) =
        runtime.block_on(common::sync_once(&client, &store, SyncMode::Full))?;

    let ghl = sandbox.handle.store();
    let changed: Vec<String> = ghl
        .contacts(DEMO_LOCATION_ID)
        .into_iter()
        .step_by(100)
        .map(|c| c.id)
        .collect();
    for id in &changed {
        ghl.update_contact(id, |c| c.tags.push("changed-since-cursor".into()));
    }
    sandbox.handle.reset_stats();

    let (second, wall) =
        runtime.block_on(common::sync_once(&client, &store, SyncMode::Incremental))?;
    drop(runtime);
    let stats = sandbox.handle.stats();
    sandbox.stop();

    let needed = common::requests_needed(changed.len() as u64, false);
    let ratio = stats.total as f64 / needed as f64;
    let mut table = Table::default();
    table.context(
        "full sync first",
        format!(
            "{} contacts, {} requests, {:.1} s",
            first.store.contacts,
            first.counts.requests,
            first_wall.as_secs_f64()
        ),
    );
    table.context(
        "changed since the cursor",
        format!(
            "{} contacts; the run updated {}",
            changed.len(),
            second.counts.updated
        ),
    );
    table.judged(
        "requests made / requests the changed records need",
        format!("{ratio:.3} ({} / {needed})", stats.total),
        "<= 1.1",
        Verdict::at_most(ratio, 1.1),
    );
    table.context("429 answers", stats.throttled.to_string());
    table.context(
        "incremental run wall time",
        format!("{:.0} ms", common::ms(wall)),
    );
    table.print();
    Ok(())
}

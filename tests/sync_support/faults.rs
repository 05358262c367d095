//! Syncs under the sandbox's faults: a run that must end, how it ended, and a resumed run that
//! must end ok and leave a store that mirrors the sandbox.

#![allow(clippy::panic, reason = "a hung or summary-less run fails the test")]

use std::future::Future;
use std::time::Duration;

use ghl_console::ghl::GhlClient;
use ghl_console::sandbox::Faults;
use ghl_console::sync::{self, SyncMode, SyncSummary};
use tokio_util::sync::CancellationToken;

use super::{World, assert_mirrors_sandbox, config, tuned_client};

/// A call or a run that takes longer than this has hung.
const HANG: Duration = Duration::from_secs(40);

pub async fn bounded<T>(what: &str, future: impl Future<Output = T>) -> T {
    tokio::time::timeout(HANG, future)
        .await
        .unwrap_or_else(|_| panic!("{what} hung for {HANG:?}"))
}

/// A client for the world's sandbox with this timeout and this many retries.
pub fn quick(world: &World, timeout_ms: u64, retries: u32) -> GhlClient {
    tuned_client(&world.sandbox, |c| {
        c.timeout = Duration::from_millis(timeout_ms);
        c.max_retries = retries;
    })
}

/// How one run ended: `ok`, `failed` (records listed) or `stopped`, and all it said.
#[derive(Debug)]
pub struct Ended {
    pub outcome: String,
    pub said: String,
}

fn said(summary: &SyncSummary) -> String {
    let failed = summary.failed.iter().map(|f| f.message.as_str());
    let message = summary.message.iter().map(String::as_str);
    failed.chain(message).collect::<Vec<_>>().join(" | ")
}

pub async fn run(world: &World, client: &GhlClient) -> Ended {
    let cancel = CancellationToken::new();
    let store = world.store.as_ref();
    let settings = config();
    let result = sync::run(&settings, client, store, SyncMode::Auto, None, cancel);
    match bounded("a sync run", result).await {
        Ok(summary) => Ended {
            outcome: summary.outcome.clone(),
            said: said(&summary),
        },
        Err(error) => {
            let summary = error
                .summary()
                .unwrap_or_else(|| panic!("no summary: {error}"));
            Ended {
                outcome: summary.outcome.clone(),
                said: format!("{error} | {}", said(summary)),
            }
        }
    }
}

/// Runs `runs` syncs under `faults`, then syncs with the faults off until one is ok (three
/// tries at most), and checks the store mirrors the sandbox. Returns the runs under the faults.
pub async fn survive(world: &World, client: &GhlClient, faults: Faults, runs: usize) -> Vec<Ended> {
    world.sandbox.set_faults(faults);
    let mut under = Vec::new();
    for _ in 0..runs {
        under.push(run(world, client).await);
    }
    world.sandbox.set_faults(Faults::default());
    let mut last = run(world, client).await;
    for _ in 0..2 {
        if last.outcome == "ok" {
            break;
        }
        last = run(world, client).await;
    }
    assert_eq!(last.outcome, "ok", "resumed run: {}", last.said);
    assert_mirrors_sandbox(world, world.store.path()).await;
    under
}

pub fn any_said(runs: &[Ended], needle: &str) -> bool {
    runs.iter().any(|r| r.said.contains(needle))
}

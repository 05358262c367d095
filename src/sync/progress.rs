//! Live progress of a run: counts, rate and ETA, sent on a `watch` channel (latest wins) so a
//! console pane or a terminal progress bar can show it without slowing the run.

use std::time::{Duration, Instant};

use serde::Serialize;
use tokio::sync::watch;

use crate::rankr::Counts;

/// Which step a run is in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Phase {
    /// Reading the cursor, finding the newest change.
    #[default]
    Starting,
    /// Walking pages of contacts.
    Contacts,
    /// Checking contacts the walk did not see (tombstones).
    Tombstones,
    /// Fetching tasks and notes left stale by earlier failures or events.
    Children,
    /// Sending the outbox to the HTTP target.
    Delivering,
    /// Finished.
    Done,
}

/// A snapshot of a run's progress.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct SyncProgress {
    /// The run, once started (`None` for a dry run).
    pub run_id: Option<i64>,
    /// `full` or `incremental`.
    pub mode: String,
    /// The step.
    pub phase: Phase,
    /// Contacts processed so far.
    pub done: u64,
    /// Contacts the search reported, when known.
    pub total: Option<u64>,
    /// What the run did so far.
    pub counts: Counts,
    /// Contacts per second so far.
    pub rate: f64,
    /// Time left at that rate, when the total is known.
    pub eta: Option<Duration>,
    /// Time since the start.
    pub elapsed: Duration,
}

/// Keeps the snapshot and sends it.
#[derive(Debug)]
pub struct Tracker {
    tx: Option<watch::Sender<SyncProgress>>,
    started: Instant,
    state: SyncProgress,
}

impl Tracker {
    /// A tracker sending on `tx`, if any.
    pub fn new(tx: Option<watch::Sender<SyncProgress>>) -> Self {
        Self {
            tx,
            started: Instant::now(),
            state: SyncProgress::default(),
        }
    }

    /// Changes the snapshot, recomputes rate and ETA, and sends it.
    pub fn update(&mut self, change: impl FnOnce(&mut SyncProgress)) {
        change(&mut self.state);
        let elapsed = self.started.elapsed();
        let state = &mut self.state;
        state.elapsed = elapsed;
        let secs = elapsed.as_secs_f64();
        #[expect(clippy::cast_precision_loss, reason = "a rate for display")]
        let done = state.done as f64;
        state.rate = if secs > 0.0 { done / secs } else { 0.0 };
        state.eta = state.total.and_then(|total| {
            #[expect(clippy::cast_precision_loss, reason = "an estimate for display")]
            let left = total.saturating_sub(state.done) as f64;
            (state.rate > 0.0).then(|| Duration::from_secs_f64(left / state.rate))
        });
        if let Some(tx) = &self.tx {
            tx.send_replace(state.clone());
        }
    }

    /// The snapshot now.
    pub fn snapshot(&self) -> &SyncProgress {
        &self.state
    }
}

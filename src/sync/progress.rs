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
    /// Contacts of `done` whose pages are committed (an earlier run's included): `done` counts a
    /// contact as soon as its fetches are in, its page is written after. A run cancelled
    /// between the two does not write the rest of that page; the next run does them.
    pub written: u64,
    /// Contacts per second so far.
    pub rate: f64,
    /// Time left at that rate, when the total is known and the run has done enough contacts
    /// of its own ([`ETA_SAMPLES`]) for the rate to mean something.
    pub eta: Option<Duration>,
    /// Time since the start.
    pub elapsed: Duration,
}

impl SyncProgress {
    /// What a run that stopped had fetched but not committed (the rest of the page in
    /// progress), said so the progress it showed and the counts it ends with do not seem to
    /// disagree.
    pub fn not_committed(&self) -> Option<String> {
        match self.done.saturating_sub(self.written) {
            0 => None,
            1 => Some("1 fetched contact was not committed; the next run does it".into()),
            n => Some(format!(
                "{n} fetched contacts were not committed; the next run does them"
            )),
        }
    }
}

/// The contacts a run must have done itself before it gives a time left: a tenth of what it
/// has to do, from 1 up to this. The first contacts of a run come in bursts and waits (the
/// rate limit's first 429s, the first page's search), so an estimate from a handful of them
/// swings by the minute (`eta 33m` at 4 of 200).
pub const ETA_SAMPLES: u64 = 20;

/// Keeps the snapshot and sends it.
#[derive(Debug)]
pub struct Tracker {
    tx: Option<watch::Sender<SyncProgress>>,
    started: Instant,
    state: SyncProgress,
    /// The most requests per second the client may send, when it is paced.
    pace: Option<f64>,
    /// Contacts counted in `done` that an earlier run covered: not part of this run's rate.
    carried: u64,
}

impl Tracker {
    /// A tracker sending on `tx`, if any.
    pub fn new(tx: Option<watch::Sender<SyncProgress>>) -> Self {
        Self {
            tx,
            started: Instant::now(),
            state: SyncProgress::default(),
            pace: None,
            carried: 0,
        }
    }

    /// Counts `n` contacts an earlier, interrupted run covered as done: the bar starts from
    /// them, but the rate and the time left are this run's own.
    pub fn carry(&mut self, n: u64) {
        self.carried += n;
        self.update(|p| p.done += n);
    }

    /// Bases the ETA also on the client's pace (requests per second): the rate seen in the first
    /// seconds of a run is a burst that the rate limit soon slows down.
    #[must_use]
    pub fn paced(mut self, requests_per_sec: Option<f64>) -> Self {
        self.pace = requests_per_sec.filter(|r| *r > 0.0);
        self
    }

    /// Changes the snapshot, recomputes rate and ETA, and sends it.
    pub fn update(&mut self, change: impl FnOnce(&mut SyncProgress)) {
        change(&mut self.state);
        let elapsed = self.started.elapsed();
        let state = &mut self.state;
        state.elapsed = elapsed;
        let secs = elapsed.as_secs_f64();
        state.written = self.carried + state.counts.seen;
        let own = state.done.saturating_sub(self.carried);
        #[expect(clippy::cast_precision_loss, reason = "a rate for display")]
        let done = own as f64;
        state.rate = if secs > 0.0 { done / secs } else { 0.0 };
        // Enough of this run's own contacts for an estimate: a tenth of its part, 1 to 20.
        let sampled = |total: u64| {
            let needed = (total.saturating_sub(self.carried) / 10).clamp(1, ETA_SAMPLES);
            own >= needed
        };
        state.eta = state
            .total
            .filter(|total| sampled(*total))
            .map(|total| total.saturating_sub(state.done))
            .and_then(|left| {
                #[expect(clippy::cast_precision_loss, reason = "an estimate for display")]
                let (left, requests) = (left as f64, state.counts.requests as f64);
                let seen = (state.rate > 0.0).then(|| left / state.rate);
                // Requests each contact has needed so far, at the pace the limiter allows.
                let paced = self
                    .pace
                    .filter(|_| done > 0.0 && requests > 0.0)
                    .map(|pace| left * (requests / done) / pace);
                let secs = match (seen, paced) {
                    (Some(a), Some(b)) => Some(a.max(b)),
                    (a, b) => a.or(b),
                }?;
                Duration::try_from_secs_f64(secs).ok()
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

#[cfg(test)]
mod tests {
    use super::*;

    fn at(tracker: &mut Tracker, done: u64, requests: u64) -> Option<Duration> {
        tracker.update(|p| {
            p.total = Some(100);
            p.done = done;
            p.counts.requests = requests;
        });
        tracker.snapshot().eta
    }

    #[test]
    fn contacts_an_earlier_run_covered_count_as_done_but_not_in_the_rate() {
        let mut tracker = Tracker::new(None);
        tracker.carry(47);
        tracker.update(|p| p.total = Some(200));
        let p = tracker.snapshot();
        assert_eq!(p.done, 47);
        assert!(p.rate.abs() < f64::EPSILON, "{}", p.rate);
        assert_eq!(p.eta, None, "no estimate before this run has done anything");
    }

    #[test]
    fn the_eta_of_a_paced_run_is_never_shorter_than_the_limiter_allows() {
        // 10 contacts done in the first instant, 2 requests each: the burst rate would promise
        // the rest at once, but 90 contacts need 180 requests at 10 a second.
        let mut tracker = Tracker::new(None).paced(Some(10.0));
        let eta = at(&mut tracker, 10, 20).unwrap();
        assert!(eta >= Duration::from_secs(18), "{eta:?}");
    }

    #[test]
    fn no_time_left_is_given_before_the_run_has_enough_contacts_of_its_own() {
        // 4 of 200 contacts after a long first wait: no estimate yet, whatever the pace.
        let mut tracker = Tracker::new(None).paced(Some(10.0));
        tracker.update(|p| {
            p.total = Some(200);
            p.done = 4;
            p.counts.requests = 40;
        });
        assert_eq!(tracker.snapshot().eta, None);
        tracker.update(|p| {
            p.done = 19;
            p.counts.requests = 60;
        });
        assert_eq!(tracker.snapshot().eta, None, "19 of the 20 it needs");
        tracker.update(|p| {
            p.done = 20;
            p.counts.requests = 62;
        });
        assert!(tracker.snapshot().eta.is_some());

        // A small run needs a tenth of its contacts; a resumed one a tenth of what is left.
        let mut small = Tracker::new(None);
        small.update(|p| {
            p.total = Some(30);
            p.done = 3;
        });
        assert!(small.snapshot().eta.is_some());
        let mut resumed = Tracker::new(None);
        resumed.carry(150);
        resumed.update(|p| {
            p.total = Some(200);
            p.done += 4;
        });
        assert_eq!(resumed.snapshot().eta, None, "4 of the 5 it needs");
        resumed.update(|p| p.done += 1);
        assert!(resumed.snapshot().eta.is_some());
    }

    #[test]
    fn written_counts_the_committed_contacts_and_the_carried_ones() {
        let mut tracker = Tracker::new(None);
        tracker.carry(10);
        tracker.update(|p| {
            p.done += 7;
            p.counts.seen = 5;
        });
        let p = tracker.snapshot();
        assert_eq!((p.done, p.written), (17, 15));
    }

    #[test]
    fn an_unpaced_run_estimates_from_its_own_rate_alone() {
        let mut tracker = Tracker::new(None);
        assert!(
            at(&mut tracker, 0, 0).is_none(),
            "nothing done: no estimate"
        );
        let eta = at(&mut tracker, 50, 100).unwrap();
        assert!(eta < Duration::from_secs(18), "{eta:?}");
        let mut finished = Tracker::new(None).paced(Some(10.0));
        assert_eq!(at(&mut finished, 100, 200), Some(Duration::ZERO));
    }
}

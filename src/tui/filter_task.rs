//! The background filter: one thread that runs filter passes over a snapshot of the index, so a
//! keystroke never waits for a pass over 100,000 contacts. The latest query wins: a job waiting
//! is replaced by a newer one, and a pass still running stops when a different query arrives
//! (a job for the same query, sent as more contacts load, waits for it instead). The console
//! keeps showing the previous results until the new ones arrive.
//!
//! It is not part of the worker: the worker runs network and disk work on the async runtime,
//! while a pass is CPU work that would hold a runtime thread for tens of milliseconds. Its
//! results come back to the run loop as [`Filtered`] messages, as the worker's events do.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::time::{Duration, Instant};

use tokio::sync::mpsc;

use super::filter::{FuzzyIndex, Matching};

/// A filter pass to run: the query, the index as it stood, and the request's number.
#[derive(Clone)]
pub struct FilterJob {
    /// Numbers the requests of a contact list; a higher one is newer.
    pub seq: u64,
    /// The filter text.
    pub query: String,
    /// A snapshot of the index.
    pub index: FuzzyIndex,
}

impl FilterJob {
    /// Runs the pass here, with `matching`; `None` when `cancelled` stopped it.
    pub fn run(
        &self,
        matching: &mut Matching,
        cancelled: &(dyn Fn() -> bool + Sync),
    ) -> Option<Filtered> {
        let began = Instant::now();
        let ranked = matching.run(&self.index, &self.query, cancelled)?;
        Some(Filtered {
            seq: self.seq,
            query: self.query.clone(),
            rows: ranked.rows,
            covers: ranked.covers,
            took: began.elapsed(),
        })
    }
}

impl std::fmt::Debug for FilterJob {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FilterJob")
            .field("seq", &self.seq)
            .field("query", &self.query)
            .field("entries", &self.index.len())
            .finish()
    }
}

impl PartialEq for FilterJob {
    fn eq(&self, other: &Self) -> bool {
        self.seq == other.seq && self.query == other.query && self.index.len() == other.index.len()
    }
}

/// The answer to a [`FilterJob`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filtered {
    /// The job's number.
    pub seq: u64,
    /// The job's query.
    pub query: String,
    /// The matching contacts' positions in the list, best first.
    pub rows: Arc<[u32]>,
    /// How many contacts the pass searched.
    pub covers: usize,
    /// How long the pass took.
    pub took: Duration,
}

/// The console's end of the filter thread.
pub struct FilterRunner {
    slot: Arc<Slot>,
    results: mpsc::UnboundedReceiver<Filtered>,
    /// A job held back until the frame being prepared is drawn.
    held: Option<FilterJob>,
    /// Where results go when there is no thread and jobs run as they are submitted.
    inline: Option<(Matching, mpsc::UnboundedSender<Filtered>)>,
}

/// What the console and the thread share.
struct Slot {
    state: Mutex<SlotState>,
    wake: Condvar,
    /// A pass with a lower number than this stops: a different query came after it.
    stop_below: AtomicU64,
}

#[derive(Default)]
struct SlotState {
    waiting: Option<FilterJob>,
    last_query: Option<String>,
    closed: bool,
}

impl FilterRunner {
    /// Starts the thread, with a pass split over the machine's cores (up to four). Should the
    /// thread not start, jobs run as they are submitted instead.
    pub fn start() -> Self {
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(4));
        let (tx, results) = mpsc::unbounded_channel();
        let slot = Arc::new(Slot {
            state: Mutex::new(SlotState::default()),
            wake: Condvar::new(),
            stop_below: AtomicU64::new(0),
        });
        let shared = slot.clone();
        let sender = tx.clone();
        let spawned = std::thread::Builder::new()
            .name("filter".into())
            .spawn(move || serve(&shared, &sender, Matching::new(threads)));
        let inline = match spawned {
            Ok(_) => None,
            Err(error) => {
                tracing::warn!(%error, "no filter thread; filtering on the console's thread");
                Some((Matching::new(1), tx))
            }
        };
        Self {
            slot,
            results,
            held: None,
            inline,
        }
    }

    /// Keeps a job until [`FilterRunner::release`]: the run loop draws the frame that answers a
    /// key before the pass starts, so the pass does not take the cores from under that frame.
    /// A newer job replaces a held one.
    pub fn hold(&mut self, job: FilterJob) {
        self.held = Some(job);
    }

    /// Submits the held job, if any.
    pub fn release(&mut self) {
        if let Some(job) = self.held.take() {
            self.submit(job);
        }
    }

    /// Hands a job to the thread: it replaces any job still waiting, and stops the running
    /// pass when its query differs.
    pub fn submit(&mut self, job: FilterJob) {
        if let Some((matching, tx)) = &mut self.inline {
            if let Some(done) = job.run(matching, &|| false) {
                let _ = tx.send(done);
            }
            return;
        }
        let mut state = self
            .slot
            .state
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if state.last_query.as_deref() != Some(job.query.as_str()) {
            self.slot.stop_below.fetch_max(job.seq, Ordering::SeqCst);
            state.last_query = Some(job.query.clone());
        }
        state.waiting = Some(job);
        self.slot.wake.notify_one();
    }

    /// The next result; waits for one.
    pub async fn recv(&mut self) -> Option<Filtered> {
        self.results.recv().await
    }

    /// The next result, if one is there.
    pub fn try_recv(&mut self) -> Option<Filtered> {
        self.results.try_recv().ok()
    }
}

impl Drop for FilterRunner {
    fn drop(&mut self) {
        let mut state = self
            .slot
            .state
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        state.closed = true;
        state.waiting = None;
        self.slot.stop_below.store(u64::MAX, Ordering::SeqCst);
        self.slot.wake.notify_one();
    }
}

impl std::fmt::Debug for FilterRunner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FilterRunner")
            .field("held", &self.held)
            .field("inline", &self.inline.is_some())
            .finish_non_exhaustive()
    }
}

/// The thread: takes the waiting job, runs it, sends the result; ends when the runner is
/// dropped or nobody reads the results.
fn serve(slot: &Slot, results: &mpsc::UnboundedSender<Filtered>, mut matching: Matching) {
    loop {
        let job = {
            let mut state = slot.state.lock().unwrap_or_else(PoisonError::into_inner);
            loop {
                if state.closed {
                    return;
                }
                if let Some(job) = state.waiting.take() {
                    break job;
                }
                state = slot
                    .wake
                    .wait(state)
                    .unwrap_or_else(PoisonError::into_inner);
            }
        };
        let stopped = || slot.stop_below.load(Ordering::SeqCst) > job.seq;
        if let Some(done) = job.run(&mut matching, &stopped)
            && results.send(done).is_err()
        {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job(seq: u64, query: &str, index: &FuzzyIndex) -> FilterJob {
        FilterJob {
            seq,
            query: query.into(),
            index: index.clone(),
        }
    }

    #[tokio::test]
    async fn the_latest_query_wins() {
        let texts: Vec<String> = (0..60_000)
            .map(|i| format!("name{i} x{i}@e.test"))
            .collect();
        let index = FuzzyIndex::of(texts.iter().map(String::as_str));
        let mut runner = FilterRunner::start();
        for (seq, query) in ["n", "na", "nam", "name4", "name42"].iter().enumerate() {
            runner.submit(job(seq as u64 + 1, query, &index));
        }
        let mut last = None;
        while let Some(done) = tokio::time::timeout(Duration::from_secs(10), runner.recv())
            .await
            .ok()
            .flatten()
        {
            assert!(last.is_none_or(|seq| done.seq > seq), "in order");
            last = Some(done.seq);
            if done.seq == 5 {
                assert_eq!(done.rows.first(), Some(&42));
                break;
            }
        }
        assert_eq!(last, Some(5), "the newest query is always answered");
    }

    #[tokio::test]
    async fn a_held_job_waits_for_release_and_the_newest_held_wins() {
        let index = FuzzyIndex::of(["ada", "bob"]);
        let mut runner = FilterRunner::start();
        runner.hold(job(1, "a", &index));
        runner.hold(job(2, "b", &index));
        let early = tokio::time::timeout(Duration::from_millis(100), runner.recv()).await;
        assert!(early.is_err(), "nothing runs before the release");
        runner.release();
        let done = runner.recv().await.unwrap();
        assert_eq!((done.seq, done.rows.as_ref()), (2, [1].as_slice()));
    }

    #[tokio::test]
    async fn a_job_for_the_same_query_waits_for_the_running_pass() {
        let mut index = FuzzyIndex::of(["ada", "bob"]);
        let mut runner = FilterRunner::start();
        runner.submit(job(1, "a", &index));
        index.push("alan");
        runner.submit(job(2, "a", &index));
        let first = runner.recv().await.unwrap();
        let answers = if first.seq == 1 {
            vec![first, runner.recv().await.unwrap()]
        } else {
            vec![first]
        };
        let newest = answers.last().unwrap();
        assert_eq!((newest.seq, newest.covers), (2, 3));
        assert_eq!(newest.rows.len(), 2);
    }
}

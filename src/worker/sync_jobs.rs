//! The worker's side jobs beyond loads and writes: a sync run into the Rankr store with its
//! progress, reading the sync log, listing an agency's locations, and building the client of
//! another location.

use std::time::Duration;

use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use crate::ghl::GhlClient;
use crate::rankr::LogFilter;
use crate::sync::{SyncMode, SyncProgress};

use super::Shared;
use super::messages::{Event, LocationEntry};

/// How often progress goes to the console at most: the engine may step far more often.
const PROGRESS_EVERY: Duration = Duration::from_millis(100);

/// How many runs the Sync pane lists.
const RUNS_SHOWN: usize = 5;

/// The running sync, if any, and how to stop it.
#[derive(Default)]
pub(super) struct SyncSlot {
    running: Option<(JoinHandle<()>, CancellationToken)>,
}

impl SyncSlot {
    /// Starts a run unless one is still running (one at a time: both would move the cursor).
    pub(super) fn start(&mut self, shared: &Shared, mode: SyncMode) {
        if self
            .running
            .as_ref()
            .is_some_and(|(job, _)| !job.is_finished())
        {
            shared.send(Event::Failed {
                what: "Starting a sync".into(),
                error: "a sync is already running; press c in the Sync pane to cancel it".into(),
            });
            return;
        }
        if shared.extras.sync.is_none() {
            let why = shared.extras.sync_missing.clone();
            shared.send(Event::Failed {
                what: "Starting a sync".into(),
                error: why.unwrap_or_else(|| "no Rankr store is open".into()),
            });
            return;
        }
        let cancel = CancellationToken::new();
        let job = tokio::spawn(run_sync(shared.clone(), mode, cancel.clone()));
        self.running = Some((job, cancel));
    }

    /// Asks the running sync to stop; it keeps what it committed and records the run.
    pub(super) fn cancel(&self) {
        if let Some((_, cancel)) = &self.running {
            cancel.cancel();
        }
    }

    /// Ends the run at once (the worker is stopping).
    pub(super) fn abort(&mut self) {
        if let Some((job, _)) = self.running.take() {
            job.abort();
        }
    }
}

async fn run_sync(shared: Shared, mode: SyncMode, cancel: CancellationToken) {
    let Some((store, engine)) = shared.extras.sync.clone() else {
        return;
    };
    let _busy = shared.busy();
    shared.send(Event::SyncStarted { mode });
    let mut config = engine;
    config.location_id = shared.client.location_id().to_string();
    let (tx, rx) = watch::channel(SyncProgress::default());
    let progress = tokio::spawn(forward_progress(rx, shared.clone()));
    let result = crate::sync::run(
        &config,
        &shared.client,
        store.as_ref(),
        mode,
        Some(tx),
        cancel,
    )
    .await;
    progress.await.ok();
    let event = match result {
        Ok(summary) => Event::SyncEnded {
            summary: Some(Box::new(summary)),
            error: None,
        },
        Err(error) => Event::SyncEnded {
            summary: error.summary().cloned().map(Box::new),
            error: Some(error.to_string()),
        },
    };
    shared.send(event);
}

/// Sends the latest progress at most every [`PROGRESS_EVERY`], until the run drops its sender.
async fn forward_progress(mut rx: watch::Receiver<SyncProgress>, shared: Shared) {
    while rx.changed().await.is_ok() {
        let snapshot = rx.borrow_and_update().clone();
        shared.send(Event::SyncProgress(Box::new(snapshot)));
        shared.activity();
        tokio::time::sleep(PROGRESS_EVERY).await;
    }
}

/// Reads the sync log and the newest runs off the async threads.
pub(super) async fn read_log(shared: Shared, request: u64, filter: LogFilter) {
    let Some((store, _)) = shared.extras.sync.clone() else {
        let why = shared.extras.sync_missing.clone();
        shared.send(Event::SyncLog {
            request,
            entries: Vec::new(),
            runs: Vec::new(),
            error: Some(why.unwrap_or_else(|| "no Rankr store is open".into())),
        });
        return;
    };
    let _busy = shared.busy();
    let read = tokio::task::spawn_blocking(move || {
        let entries = store.recent_log(&filter)?;
        let runs = match &filter.location_id {
            Some(location) => store.runs_of(location, RUNS_SHOWN)?,
            None => store.runs(RUNS_SHOWN)?,
        };
        Ok::<_, crate::rankr::RankrError>((entries, runs))
    })
    .await;
    let event = match read {
        Ok(Ok((entries, runs))) => Event::SyncLog {
            request,
            entries,
            runs,
            error: None,
        },
        Ok(Err(error)) => log_error(request, error.to_string()),
        Err(error) => log_error(request, error.to_string()),
    };
    shared.send(event);
}

fn log_error(request: u64, error: String) -> Event {
    Event::SyncLog {
        request,
        entries: Vec::new(),
        runs: Vec::new(),
        error: Some(error),
    }
}

/// Lists the locations an agency login can open; other logins have none to list.
pub(super) async fn list_locations(shared: Shared) {
    let Some(agency) = shared.extras.agency.clone() else {
        shared.send(Event::Locations {
            locations: Vec::new(),
            error: None,
        });
        return;
    };
    let _busy = shared.busy();
    let event = match agency.app.installed_locations(&agency.company_id).await {
        Ok(found) => Event::Locations {
            locations: found
                .into_iter()
                .map(|l| LocationEntry {
                    id: l.id,
                    name: l.name,
                })
                .collect(),
            error: None,
        },
        Err(error) => Event::Locations {
            locations: Vec::new(),
            error: Some(error.to_string()),
        },
    };
    shared.send(event);
}

/// Builds the client of another location with the factory given at spawn (it may read the
/// token store, so it runs off the async threads).
pub(super) async fn build_client(shared: &Shared, location_id: &str) -> Result<GhlClient, String> {
    let Some(factory) = shared.extras.factory.clone() else {
        return Err("this console cannot switch location (no client factory)".into());
    };
    let id = location_id.to_string();
    match tokio::task::spawn_blocking(move || factory(&id)).await {
        Ok(Ok(client)) => Ok(client),
        Ok(Err(error)) => Err(format!("{error:#}")),
        Err(error) => Err(error.to_string()),
    }
}

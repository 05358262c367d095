//! The background task that owns the GHL client: it runs the console's `Command`s and sends
//! `Event`s back, so the interface never waits on the network or the disk.
//!
//! Loads of the selected contact are latest-wins: a new load of the same record aborts the one
//! still running. A contact load that follows the previous one quickly waits a moment first, so
//! scrolling through the list fetches only the first contact and the one the selection stops
//! on; one after a pause (an operator opening a contact) goes at once. Paging a listing is one task at a time; a new
//! listing aborts the old one.

pub mod messages;
pub mod row;
mod run;
mod stored;
mod sync_jobs;
mod writes;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use tokio::sync::broadcast::error::RecvError;
use tokio::sync::mpsc;

use crate::auth::OAuthApp;
use crate::ghl::GhlClient;
use crate::rankr::RankrStore;
use crate::sync::EngineConfig;

use messages::{Command, Event};

/// How the worker behaves.
#[derive(Debug, Clone, Copy)]
pub struct WorkerOptions {
    /// Contacts per listing page.
    pub page_size: u32,
    /// How long a contact load that follows another within this time waits before it is sent,
    /// so a newer selection can replace it.
    pub settle: Duration,
}

impl Default for WorkerOptions {
    fn default() -> Self {
        Self {
            page_size: 100,
            settle: Duration::from_millis(120),
        }
    }
}

/// The console's end of the worker.
#[derive(Debug)]
pub struct WorkerHandle {
    /// Where commands go.
    pub commands: mpsc::UnboundedSender<Command>,
    /// Where events come from.
    pub events: mpsc::UnboundedReceiver<Event>,
}

/// Builds a client for another location id: how the worker switches location.
pub type ClientFactory = Arc<dyn Fn(&str) -> anyhow::Result<GhlClient> + Send + Sync>;

/// An agency (Company) OAuth login, whose installed locations the worker can list.
#[derive(Debug, Clone)]
pub struct Agency {
    /// The OAuth app and its token store.
    pub app: Arc<OAuthApp>,
    /// The company the agency token belongs to.
    pub company_id: String,
}

/// What the worker can do besides talking to GHL in one location: sync into a Rankr store,
/// switch location, list an agency's locations. Each is optional; without it the console says
/// what is missing.
#[derive(Clone, Default)]
pub struct WorkerExtras {
    /// The Rankr store and the engine settings of a sync (the location is the client's).
    pub sync: Option<(Arc<dyn RankrStore>, EngineConfig)>,
    /// Why there is no store, shown in the Sync pane when `sync` is `None`.
    pub sync_missing: Option<String>,
    /// Builds the client of another location.
    pub factory: Option<ClientFactory>,
    /// The agency login, for its installed locations.
    pub agency: Option<Agency>,
}

impl std::fmt::Debug for WorkerExtras {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WorkerExtras")
            .field("sync", &self.sync.is_some())
            .field("factory", &self.factory.is_some())
            .field("agency", &self.agency)
            .finish_non_exhaustive()
    }
}

/// Starts the worker on the current tokio runtime. It ends when the command sender is dropped.
pub fn spawn(client: GhlClient, options: WorkerOptions) -> WorkerHandle {
    spawn_with(client, options, WorkerExtras::default())
}

/// Starts the worker with a Rankr store, a client factory or an agency login.
pub fn spawn_with(client: GhlClient, options: WorkerOptions, extras: WorkerExtras) -> WorkerHandle {
    let (command_tx, command_rx) = mpsc::unbounded_channel();
    let (event_tx, event_rx) = mpsc::unbounded_channel();
    forward_exchanges(&client, event_tx.clone());
    let shared = Shared {
        client,
        events: event_tx,
        in_flight: Arc::new(AtomicUsize::new(0)),
        options,
        extras: Arc::new(extras),
    };
    tokio::spawn(run::run(shared, command_rx));
    WorkerHandle {
        commands: command_tx,
        events: event_rx,
    }
}

/// Sends every exchange the client records to the console, as it happens.
fn forward_exchanges(client: &GhlClient, events: mpsc::UnboundedSender<Event>) {
    let mut exchanges = client.subscribe();
    tokio::spawn(async move {
        loop {
            match exchanges.recv().await {
                Ok(exchange) => {
                    if events.send(Event::Exchange(exchange)).is_err() {
                        break;
                    }
                }
                Err(RecvError::Lagged(missed)) => {
                    tracing::warn!(missed, "the inspector missed exchanges");
                }
                Err(RecvError::Closed) => break,
            }
        }
    });
}

/// What every job of the worker shares.
#[derive(Clone)]
struct Shared {
    client: GhlClient,
    events: mpsc::UnboundedSender<Event>,
    in_flight: Arc<AtomicUsize>,
    options: WorkerOptions,
    extras: Arc<WorkerExtras>,
}

impl Shared {
    fn send(&self, event: Event) {
        // The console has gone away when this fails; the job's result has nowhere to go.
        let _ = self.events.send(event);
    }

    fn activity(&self) {
        let budget = self.client.budget();
        self.send(Event::Activity {
            in_flight: self.in_flight.load(Ordering::SeqCst),
            remaining: budget.remaining,
            max: budget.max,
            daily_remaining: budget.daily_remaining,
        });
    }

    /// Counts a job as running until the returned guard is dropped (finished or aborted).
    fn busy(&self) -> Busy {
        self.in_flight.fetch_add(1, Ordering::SeqCst);
        self.activity();
        Busy(self.clone())
    }
}

/// A running job; dropping it reports the job done.
struct Busy(Shared);

impl Drop for Busy {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::SeqCst);
        self.0.activity();
    }
}

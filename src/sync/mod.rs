//! The sync from GHL into Rankr: full, incremental and event-driven runs, the mapping of GHL
//! records to Rankr's, the diff a dry run prints, and the webhook receiver with its signature
//! checks. Nothing here draws: progress goes out on a channel, and the log into the store.
//!
//! The console's worker calls [`run`] with a [`SyncProgress`] sender and a cancel token, and
//! reads the log with [`crate::rankr::RankrStore::recent_log`].

mod context;
pub mod diff;
mod engine;
pub mod mapping;
pub mod phone;
mod plan;
pub mod progress;
mod runner;
pub mod webhook;

use serde::Serialize;

pub use context::{Context, UNREACHABLE_STREAK};
pub use diff::{Action, Change, FieldChange};
pub use plan::FailedRecord;
pub use progress::{Phase, SyncProgress};
pub use runner::run;

use crate::ghl::GhlError;
use crate::rankr::http::{DeliveryError, HttpTarget};
use crate::rankr::{Counts, RankrError, StoreCounts};

/// How a run is chosen.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SyncMode {
    /// Resume an unfinished full walk; else a full run if the location never synced; else
    /// incremental.
    #[default]
    Auto,
    /// Walk every contact (resuming an unfinished walk), and mark the missing as tombstones.
    Full,
    /// Only contacts changed since the cursor.
    Incremental,
}

/// The settings of a run.
#[derive(Debug, Clone)]
pub struct EngineConfig {
    /// The location synced; the client must be for the same location.
    pub location_id: String,
    /// Contacts per search page, and so per transaction.
    pub page_size: u32,
    /// How many task and note fetches run at once (the client paces them all).
    pub concurrency: usize,
    /// The ISO country that phones without a country code are read in; none refuses them.
    pub default_country: Option<String>,
    /// Compute and report the changes, write nothing.
    pub dry_run: bool,
    /// Sync at most this many contacts.
    pub limit: Option<u64>,
    /// Also send every change to a remote Rankr.
    pub http_target: Option<HttpTarget>,
}

impl EngineConfig {
    /// The defaults for a location: pages of 100, 4 fetches at once, no default country.
    pub fn new(location_id: impl Into<String>) -> Self {
        Self {
            location_id: location_id.into(),
            page_size: 100,
            concurrency: 4,
            default_country: None,
            dry_run: false,
            limit: None,
            http_target: None,
        }
    }
}

/// What a run did, for the console, `--json` and `--alert-cmd`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SyncSummary {
    /// The run's id in the store (`None` for a dry run, which writes nothing).
    pub run_id: Option<i64>,
    /// The location.
    pub location_id: String,
    /// `full` or `incremental`.
    pub mode: String,
    /// Whether nothing was written.
    pub dry_run: bool,
    /// `ok`, `failed` (some records failed), `stopped` (daily limit or error) or `cancelled`.
    pub outcome: String,
    /// The counts.
    pub counts: Counts,
    /// What the store holds afterwards.
    pub store: StoreCounts,
    /// Records that could not be synced.
    pub failed: Vec<FailedRecord>,
    /// The changes (a dry run lists what it would apply).
    pub changes: Vec<Change>,
    /// The incremental cursor afterwards.
    pub cursor: Option<String>,
    /// A full walk is unfinished (limit, stop or kill) and the next run resumes it.
    pub walk_pending: bool,
    /// Changes waiting for the HTTP target.
    pub outbox_pending: u64,
    /// Wall time in milliseconds.
    pub elapsed_ms: u64,
    /// Why the run stopped, if it did.
    pub message: Option<String>,
}

impl SyncSummary {
    /// Whether the run did everything it set out to.
    pub fn is_ok(&self) -> bool {
        self.outcome == "ok"
    }
}

/// Why a run ended before its end.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// GHL's daily request limit is spent; the next run resumes from the cursor.
    #[error(
        "GHL's daily request limit is reached: the run stopped after committing what it had; \
         the next run resumes from where it stopped"
    )]
    DailyLimit {
        /// What the run did until then.
        summary: Box<SyncSummary>,
    },
    /// A GHL call the run depends on failed.
    #[error("the sync stopped: {source}")]
    Ghl {
        /// The error.
        source: GhlError,
        /// What the run did until then.
        summary: Box<SyncSummary>,
    },
    /// The store failed.
    #[error(transparent)]
    Store(#[from] RankrError),
    /// The HTTP target could not be set up.
    #[error(transparent)]
    Delivery(#[from] DeliveryError),
    /// The run was cancelled.
    #[error("the sync was cancelled")]
    Cancelled {
        /// What the run did until then.
        summary: Box<SyncSummary>,
    },
}

impl SyncError {
    /// What the run did before it stopped, where known.
    pub fn summary(&self) -> Option<&SyncSummary> {
        match self {
            Self::DailyLimit { summary }
            | Self::Ghl { summary, .. }
            | Self::Cancelled { summary } => Some(summary),
            Self::Store(_) | Self::Delivery(_) => None,
        }
    }
}

//! What every handler and middleware of one sandbox shares.

use std::sync::Arc;

use super::auth::Access;
use super::control::StatsState;
use super::faults::FaultState;
use super::ratelimit::Limiter;
use super::store::SandboxStore;

/// The shared state of one running sandbox.
#[derive(Debug)]
pub(crate) struct AppState {
    pub(crate) store: SandboxStore,
    pub(crate) access: Access,
    pub(crate) limiter: Limiter,
    pub(crate) faults: FaultState,
    pub(crate) stats: StatsState,
    /// `http://127.0.0.1:PORT`, for the `nextPageUrl` of list answers.
    pub(crate) base_url: String,
}

/// The state as handlers receive it.
pub(crate) type SharedState = Arc<AppState>;

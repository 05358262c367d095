//! What every handler and middleware of one sandbox shares.

use std::sync::Arc;

use super::auth::Access;
use super::control::StatsState;
use super::faults::FaultState;
use super::oauth::OAuthState;
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
    /// Issued OAuth codes and tokens.
    pub(crate) oauth: OAuthState,
    /// The seeded location, which the consent page installs the app in.
    pub(crate) main_location: String,
    /// Every location the sandbox serves, main first.
    pub(crate) locations: Vec<String>,
    /// `http://127.0.0.1:PORT`, for the `nextPageUrl` of list answers.
    pub(crate) base_url: String,
    /// Fires when the sandbox stops, releasing the requests a hang fault holds.
    pub(crate) stopping: tokio_util::sync::CancellationToken,
}

/// The state as handlers receive it.
pub(crate) type SharedState = Arc<AppState>;

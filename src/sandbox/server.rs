//! Starting and stopping a sandbox server, and the handle tests hold on it.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::middleware::{from_fn, from_fn_with_state};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use super::auth::{self, Access};
use super::config::SandboxConfig;
use super::control::{self, Stats, StatsState};
use super::faults::{self, FaultState, Faults};
use super::oauth::{self, OAuthState, OAuthStats};
use super::ratelimit::Limiter;
use super::routes;
use super::seed::seed_location;
use super::state::{AppState, SharedState};
use super::store::{Data, SandboxStore};

/// Why a sandbox could not start.
#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    /// The listen address is not a loopback address; the control API has no auth.
    #[error("the sandbox listens on loopback only, not on {0}")]
    NotLoopback(SocketAddr),
    /// No token would open any location.
    #[error("the sandbox needs at least one token")]
    NoTokens,
    /// The listen address could not be bound.
    #[error("could not listen on {addr}")]
    Bind {
        /// The address asked for.
        addr: SocketAddr,
        /// What the system said.
        source: std::io::Error,
    },
    /// Generating the seed data failed.
    #[error("could not generate the seed data: {0}")]
    Seed(String),
}

/// A running sandbox. Dropping it stops the server too; [`SandboxHandle::shutdown`] also waits
/// for it to finish.
#[derive(Debug)]
pub struct SandboxHandle {
    addr: SocketAddr,
    state: SharedState,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<()>,
}

/// Starts a sandbox on a loopback address (port 0 picks a free port) and seeds its data.
pub async fn spawn(
    config: SandboxConfig,
    listen: SocketAddr,
) -> Result<SandboxHandle, SandboxError> {
    if !listen.ip().is_loopback() {
        return Err(SandboxError::NotLoopback(listen));
    }
    if config.tokens.is_empty() && config.extra_locations.is_empty() {
        return Err(SandboxError::NoTokens);
    }
    let bind_error = |source| SandboxError::Bind {
        addr: listen,
        source,
    };
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .map_err(bind_error)?;
    let addr = listener.local_addr().map_err(bind_error)?;
    let data = seed(&config).await?;
    let tokens = config
        .tokens
        .iter()
        .map(|t| (t.clone(), config.location_id.clone()));
    let state = Arc::new(AppState {
        store: SandboxStore::from_data(data),
        access: Access::new(tokens.chain(config.extra_locations.iter().cloned())),
        limiter: Limiter::new(config.rate_limit, config.daily_limit),
        faults: FaultState::new(config.faults.clone()),
        stats: StatsState::default(),
        oauth: OAuthState::new(config.oauth.clone()),
        main_location: config.location_id.clone(),
        locations: std::iter::once(config.location_id.clone())
            .chain(config.extra_locations.iter().map(|(_, l)| l.clone()))
            .collect(),
        base_url: format!("http://{addr}"),
        stopping: tokio_util::sync::CancellationToken::new(),
    });
    let (stop, stopped) = oneshot::channel::<()>();
    let server = axum::serve(listener, app(state.clone())).with_graceful_shutdown(async {
        stopped.await.ok();
    });
    let webhooks = super::webhooks::Sender::new(
        config.webhook_url.as_deref(),
        config.webhook_key.as_ref(),
        &config.location_id,
        state.store.clone(),
    );
    let task = tokio::spawn(async move {
        let serving = async {
            if let Err(error) = server.await {
                tracing::warn!(%error, "sandbox server stopped with an error");
            }
        };
        match webhooks {
            Some(sender) => tokio::select! {
                () = serving => {}
                () = sender.run() => {}
            },
            None => serving.await,
        }
    });
    tracing::info!(%addr, contacts = config.contacts, "sandbox listening");
    Ok(SandboxHandle {
        addr,
        state,
        stop: Some(stop),
        task,
    })
}

/// Generates the data off the async threads: a large seed takes a moment.
async fn seed(config: &SandboxConfig) -> Result<Data, SandboxError> {
    let (location, count, seed) = (config.location_id.clone(), config.contacts, config.seed);
    let extra: Vec<String> = config
        .extra_locations
        .iter()
        .map(|(_, l)| l.clone())
        .collect();
    tokio::task::spawn_blocking(move || {
        let mut data = Data::new(seed);
        seed_location(&mut data, &location, count, seed);
        for location in &extra {
            data.add_location(location);
        }
        data
    })
    .await
    .map_err(|e| SandboxError::Seed(e.to_string()))
}

/// The whole service: the API behind its middleware, and the control routes beside it.
fn app(state: SharedState) -> Router {
    // Outermost first: count, then the gate (token, limits, version); after routing, tag the
    // route for the count, then inject faults, then the handler.
    let api = routes::router()
        .route_layer(from_fn_with_state(state.clone(), faults::inject))
        .route_layer(from_fn(control::tag_route))
        .fallback(routes::no_route)
        .method_not_allowed_fallback(routes::no_route)
        .layer(from_fn_with_state(state.clone(), auth::gate))
        .layer(from_fn_with_state(state.clone(), control::count));
    control::router()
        .merge(oauth::router())
        .merge(api)
        .with_state(state)
}

impl SandboxHandle {
    /// The address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The base URL to point a client at, `http://127.0.0.1:PORT`.
    pub fn base_url(&self) -> String {
        self.state.base_url.clone()
    }

    /// Replaces the injected faults and restarts their counters.
    pub fn set_faults(&self, faults: Faults) {
        self.state.faults.set(faults);
    }

    /// The request statistics so far.
    pub fn stats(&self) -> Stats {
        self.state.stats.snapshot()
    }

    /// What the OAuth token endpoint did: refreshes granted and `invalid_grant`s answered.
    pub fn oauth_stats(&self) -> OAuthStats {
        self.state.oauth.stats()
    }

    /// Expires every OAuth access token now (refresh tokens stay valid), so the next call with
    /// one draws a 401.
    pub fn revoke_access_tokens(&self) {
        self.state.oauth.revoke_access_tokens();
    }

    /// Revokes every OAuth grant now: access tokens expire and refresh tokens are spent, as
    /// when the app is uninstalled, so only a new login works again.
    pub fn revoke_grants(&self) {
        self.state.oauth.revoke_grants();
    }

    /// Zeroes the request statistics.
    pub fn reset_stats(&self) {
        self.state.stats.reset();
    }

    /// Direct access to the data, bypassing HTTP.
    pub fn store(&self) -> SandboxStore {
        self.state.store.clone()
    }

    /// Stops the server and waits for it to finish.
    pub async fn shutdown(mut self) {
        self.state.stopping.cancel();
        if let Some(stop) = self.stop.take() {
            stop.send(()).ok();
        }
        (&mut self.task).await.ok();
    }
}

impl Drop for SandboxHandle {
    fn drop(&mut self) {
        self.state.stopping.cancel();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn refuses_non_loopback_addresses() {
        let everywhere: SocketAddr = "0.0.0.0:0".parse().unwrap();
        let result = spawn(SandboxConfig::default(), everywhere).await;
        assert!(matches!(result, Err(SandboxError::NotLoopback(_))));
    }

    #[tokio::test]
    async fn starts_and_stops() {
        let config = SandboxConfig {
            contacts: 10,
            ..SandboxConfig::default()
        };
        let handle = spawn(config, "127.0.0.1:0".parse().unwrap()).await.unwrap();
        assert!(handle.base_url().starts_with("http://127.0.0.1:"));
        assert_eq!(
            handle.store().contact_count(super::super::DEMO_LOCATION_ID),
            10
        );
        handle.shutdown().await;
    }
}

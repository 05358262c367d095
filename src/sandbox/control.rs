//! Request statistics and the control API under `/_sandbox/` (no auth: the server binds
//! loopback only). `GET /_sandbox/stats`, `POST /_sandbox/reset-stats`, `GET` and
//! `PUT /_sandbox/faults`.

use std::collections::BTreeMap;
use std::sync::{Mutex, PoisonError};

use axum::Json;
use axum::Router;
use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use bytes::Bytes;
use http::{HeaderMap, StatusCode};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::auth::ACCEPTED_VERSIONS;
use super::error::ApiError;
use super::faults::{Faults, Injected};
use super::state::SharedState;

/// What the API has answered since the start or the last reset. Control requests are not
/// counted.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stats {
    /// All API requests.
    pub total: u64,
    /// Requests per route, keyed `"METHOD /path/{param}"`; `"METHOD (unmatched)"` for paths the
    /// API does not have.
    pub routes: BTreeMap<String, u64>,
    /// Answers per status code.
    pub statuses: BTreeMap<u16, u64>,
    /// Requests per `Version` header: each accepted version by its value, `"(missing)"` when
    /// none was sent, `"(other)"` for any other value (so the map stays small).
    #[serde(default)]
    pub versions: BTreeMap<String, u64>,
    /// Answers of 429, whether from the rate limits or injected.
    pub throttled: u64,
    /// Answers changed by an injected fault.
    pub faults_injected: u64,
}

/// The running statistics.
#[derive(Debug, Default)]
pub(crate) struct StatsState {
    inner: Mutex<Stats>,
}

impl StatsState {
    pub(crate) fn snapshot(&self) -> Stats {
        self.lock().clone()
    }

    pub(crate) fn reset(&self) {
        *self.lock() = Stats::default();
    }

    fn record(&self, route: String, version: &'static str, status: StatusCode, injected: bool) {
        let mut counts = self.lock();
        counts.total += 1;
        *counts.routes.entry(route).or_default() += 1;
        *counts.versions.entry(version.to_string()).or_default() += 1;
        *counts.statuses.entry(status.as_u16()).or_default() += 1;
        if status == StatusCode::TOO_MANY_REQUESTS {
            counts.throttled += 1;
        }
        if injected {
            counts.faults_injected += 1;
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Stats> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The route template a request matched, carried on its response to the stats layer.
#[derive(Debug, Clone)]
struct RouteTag(String);

/// Route middleware: tags the response with the matched route template.
pub(crate) async fn tag_route(request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_string());
    let mut response = next.run(request).await;
    if let Some(route) = route {
        response.extensions_mut().insert(RouteTag(route));
    }
    response
}

/// Outermost middleware: counts every API answer.
pub(crate) async fn count(
    State(app): State<SharedState>,
    request: Request,
    next: Next,
) -> Response {
    let method = request.method().clone();
    let version = version_key(request.headers());
    let response = next.run(request).await;
    let route = response
        .extensions()
        .get::<RouteTag>()
        .map_or_else(|| "(unmatched)".to_string(), |tag| tag.0.clone());
    let injected = response.extensions().get::<Injected>().is_some();
    let status = response.status();
    tracing::debug!(%method, %route, status = status.as_u16(), injected, "sandbox request");
    app.stats
        .record(format!("{method} {route}"), version, status, injected);
    response
}

/// How a request's `Version` header is counted in [`Stats::versions`].
fn version_key(headers: &HeaderMap) -> &'static str {
    let Some(value) = headers.get("version") else {
        return "(missing)";
    };
    value
        .to_str()
        .ok()
        .map(str::trim)
        .and_then(|v| ACCEPTED_VERSIONS.iter().copied().find(|a| *a == v))
        .unwrap_or("(other)")
}

/// The control routes.
pub(crate) fn router() -> Router<SharedState> {
    Router::new()
        .route("/_sandbox/stats", get(stats))
        .route("/_sandbox/reset-stats", post(reset_stats))
        .route("/_sandbox/faults", get(get_faults).put(put_faults))
}

async fn stats(State(app): State<SharedState>) -> Json<Stats> {
    Json(app.stats.snapshot())
}

async fn reset_stats(State(app): State<SharedState>) -> Json<serde_json::Value> {
    app.stats.reset();
    Json(json!({"reset": true}))
}

async fn get_faults(State(app): State<SharedState>) -> Json<Faults> {
    Json(app.faults.get())
}

async fn put_faults(State(app): State<SharedState>, body: Bytes) -> Response {
    match serde_json::from_slice::<Faults>(&body) {
        Ok(faults) => {
            app.faults.set(faults.clone());
            Json(faults).into_response()
        }
        Err(error) => ApiError::bad_request(format!("invalid faults: {error}")).into_response(),
    }
}

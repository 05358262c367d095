//! Fault injection: the failures a real network and a real GHL produce, on demand and
//! deterministic (every-Nth counters, and a seeded generator for the one random knob).

use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use http::{HeaderValue, StatusCode, header};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::{Deserialize, Serialize};

use super::damage;
use super::error::ApiError;
use super::state::SharedState;

/// The faults a sandbox injects into its API answers. They apply to requests that passed the
/// token, rate limit and version checks and name an existing route (never to `/_sandbox/`);
/// the rate limit headers are still added to a faulty answer. Every "every" knob counts those
/// requests since the faults were last set: `Some(3)` hits the 3rd, 6th, 9th request and so
/// on. When several knobs hit the same request the first in field order wins. `Default`
/// injects nothing.
///
/// As JSON (the control API and `--faults` take it), fields are named as here and all are
/// optional: `{"error_every": 5, "error_statuses": [502], "quirks": {"put_drops_field":
/// "lastName"}}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Faults {
    /// Milliseconds added before every API answer.
    pub latency_ms: u64,
    /// Every Nth request is handled, then its connection is cut half way through the body.
    pub reset_every: Option<u64>,
    /// Every Nth request answers a server error without being handled.
    pub error_every: Option<u64>,
    /// The chance (0.0 to 1.0) that a request answers a server error without being handled,
    /// drawn from a generator seeded with `seed`.
    pub error_probability: f64,
    /// The server error statuses to answer, taken in turn; empty means 500, 502, 503.
    pub error_statuses: Vec<u16>,
    /// Every Nth request starts a burst of `throttle_burst` answers of 429.
    pub throttle_every: Option<u64>,
    /// How many requests a 429 burst lasts (at least one).
    pub throttle_burst: u64,
    /// Every Nth request is handled, then answers a 200 HTML error page instead of JSON.
    pub html_every: Option<u64>,
    /// Every Nth request is handled, then answers its JSON cut off half way.
    pub truncate_every: Option<u64>,
    /// Every Nth request is never answered: the connection stays open and silent until the
    /// client gives up or the sandbox stops.
    pub hang_every: Option<u64>,
    /// Every Nth request is handled, then answers its status with an empty body (a create
    /// answers a bare 201).
    pub empty_every: Option<u64>,
    /// Every Nth request is handled, then answers JSON whose known fields have the wrong types
    /// (`email` a number, `tags` a string, `completed` a string, dates numbers).
    pub wrong_types_every: Option<u64>,
    /// Every Nth request is handled, then answers JSON with bytes that are not UTF-8 in it.
    pub bad_utf8_every: Option<u64>,
    /// Every Nth request answers 200 with a contact whose `id` is nested 100,000 arrays deep.
    pub nest_every: Option<u64>,
    /// Every Nth request is handled, then answers its JSON padded with whitespace to
    /// `huge_bytes`, streamed without a `Content-Length`.
    pub huge_every: Option<u64>,
    /// The size of a padded answer.
    pub huge_bytes: u64,
    /// The injected 429s say the daily budget is spent (`X-RateLimit-Daily-Remaining: 0`),
    /// not the burst limit.
    pub throttle_daily: bool,
    /// The OAuth token endpoint answers this server error to every grant, without spending
    /// the code or refresh token it was given.
    pub token_error_status: Option<u16>,
    /// The seed of the generator behind `error_probability`.
    pub seed: u64,
    /// Misbehaviours of particular endpoints that users of the API have reported.
    pub quirks: Quirks,
    /// Only requests with one of these methods (e.g. `["POST"]`) are counted and may get a
    /// fault; empty means every request.
    pub methods: Vec<String>,
    /// Only requests whose path ends with one of these (e.g. `["/notes"]`) are counted and
    /// may get a fault; empty means every path. Applies together with `methods`.
    pub paths: Vec<String>,
}

impl Default for Faults {
    fn default() -> Self {
        Self {
            latency_ms: 0,
            reset_every: None,
            error_every: None,
            error_probability: 0.0,
            error_statuses: Vec::new(),
            throttle_every: None,
            throttle_burst: 1,
            html_every: None,
            truncate_every: None,
            hang_every: None,
            empty_every: None,
            wrong_types_every: None,
            bad_utf8_every: None,
            nest_every: None,
            huge_every: None,
            huge_bytes: 20 * 1024 * 1024,
            throttle_daily: false,
            token_error_status: None,
            seed: 0,
            quirks: Quirks::default(),
            methods: Vec::new(),
            paths: Vec::new(),
        }
    }
}

/// Endpoint misbehaviours from the user cases. `Default` is none.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Quirks {
    /// C01: `POST /contacts/` stores the contact, then answers 422.
    pub create_stores_then_422: bool,
    /// C04: `PUT /contacts/{id}` silently ignores this field (a body name such as `lastName`)
    /// and still answers 200.
    pub put_drops_field: Option<String>,
    /// C12: `POST /contacts/search` finds nothing by phone (as GHL's search index can lag),
    /// while the duplicate lookup still finds the contact.
    pub search_misses_phone: bool,
}

/// What happens to one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fault {
    Reset,
    ServerError(u16),
    Throttle,
    Html,
    Truncate,
    Hang,
    Empty,
    WrongTypes,
    BadUtf8,
    Nest,
    Huge(u64),
}

/// Marks a response whose answer was changed by an injected fault, for the stats.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Injected;

/// The current faults and their counters.
#[derive(Debug)]
pub(crate) struct FaultState {
    inner: Mutex<Runtime>,
}

#[derive(Debug)]
struct Runtime {
    faults: Faults,
    count: u64,
    burst_left: u64,
    status_turn: usize,
    rng: StdRng,
}

impl FaultState {
    pub(crate) fn new(faults: Faults) -> Self {
        Self {
            inner: Mutex::new(Runtime::new(faults)),
        }
    }

    /// Replaces the faults and restarts their counters.
    pub(crate) fn set(&self, faults: Faults) {
        *self.lock() = Runtime::new(faults);
    }

    /// The faults in force.
    pub(crate) fn get(&self) -> Faults {
        self.lock().faults.clone()
    }

    fn next(&self, method: &str, path: &str) -> (Option<Fault>, u64, bool) {
        let mut runtime = self.lock();
        let methods = &runtime.faults.methods;
        let paths = &runtime.faults.paths;
        let path = path.trim_end_matches('/');
        let counted = (methods.is_empty()
            || methods.iter().any(|m| m.eq_ignore_ascii_case(method)))
            && (paths.is_empty()
                || paths
                    .iter()
                    .any(|p| path.ends_with(p.trim_end_matches('/'))));
        let fault = if counted { runtime.decide() } else { None };
        let faults = &runtime.faults;
        (fault, faults.latency_ms, faults.throttle_daily)
    }

    /// The status the OAuth token endpoint answers instead of a grant, if any.
    pub(crate) fn token_error(&self) -> Option<u16> {
        self.lock().faults.token_error_status
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Runtime> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Runtime {
    fn new(faults: Faults) -> Self {
        let rng = StdRng::seed_from_u64(faults.seed);
        Self {
            faults,
            count: 0,
            burst_left: 0,
            status_turn: 0,
            rng,
        }
    }

    fn decide(&mut self) -> Option<Fault> {
        self.count += 1;
        let hits = |every: Option<u64>, count: u64| {
            every.is_some_and(|n| n > 0 && count.is_multiple_of(n))
        };
        let random_error = self.faults.error_probability > 0.0
            && self
                .rng
                .random_bool(self.faults.error_probability.clamp(0.0, 1.0));
        if self.burst_left > 0 {
            self.burst_left -= 1;
            return Some(Fault::Throttle);
        }
        if hits(self.faults.reset_every, self.count) {
            Some(Fault::Reset)
        } else if hits(self.faults.error_every, self.count) || random_error {
            Some(Fault::ServerError(self.next_status()))
        } else if hits(self.faults.throttle_every, self.count) {
            self.burst_left = self.faults.throttle_burst.saturating_sub(1);
            Some(Fault::Throttle)
        } else if hits(self.faults.html_every, self.count) {
            Some(Fault::Html)
        } else if hits(self.faults.truncate_every, self.count) {
            Some(Fault::Truncate)
        } else {
            self.decide_damage()
        }
    }

    /// The faults after `truncate_every`, in field order.
    fn decide_damage(&self) -> Option<Fault> {
        let f = &self.faults;
        let knobs = [
            (f.hang_every, Fault::Hang),
            (f.empty_every, Fault::Empty),
            (f.wrong_types_every, Fault::WrongTypes),
            (f.bad_utf8_every, Fault::BadUtf8),
            (f.nest_every, Fault::Nest),
            (f.huge_every, Fault::Huge(f.huge_bytes)),
        ];
        knobs
            .into_iter()
            .find(|(every, _)| every.is_some_and(|n| n > 0 && self.count.is_multiple_of(n)))
            .map(|(_, fault)| fault)
    }

    fn next_status(&mut self) -> u16 {
        const DEFAULT: [u16; 3] = [500, 502, 503];
        let statuses = if self.faults.error_statuses.is_empty() {
            &DEFAULT[..]
        } else {
            &self.faults.error_statuses[..]
        };
        let status = statuses[self.status_turn % statuses.len()];
        self.status_turn += 1;
        status
    }
}

/// Middleware: delays, replaces or damages API answers as the faults say.
pub(crate) async fn inject(
    State(app): State<SharedState>,
    request: Request,
    next: Next,
) -> Response {
    let (fault, latency_ms, daily) = app
        .faults
        .next(request.method().as_str(), request.uri().path());
    if latency_ms > 0 {
        tokio::time::sleep(Duration::from_millis(latency_ms)).await;
    }
    let Some(fault) = fault else {
        return next.run(request).await;
    };
    let mut response = match fault {
        Fault::ServerError(status) => server_error(status),
        Fault::Throttle if daily => daily_spent(),
        Fault::Throttle => ApiError::too_many_requests(1).into_response(),
        Fault::Reset => cut_mid_body(next.run(request).await).await,
        Fault::Html => {
            drop(next.run(request).await);
            html_page()
        }
        Fault::Truncate => truncate(next.run(request).await).await,
        Fault::Hang => {
            app.stopping.cancelled().await;
            server_error(503)
        }
        Fault::Nest => damage::nested(),
        Fault::Empty => damage::empty(next.run(request).await).await,
        Fault::WrongTypes => damage::wrong_types(next.run(request).await).await,
        Fault::BadUtf8 => damage::bad_utf8(next.run(request).await).await,
        Fault::Huge(size) => damage::padded(next.run(request).await, size).await,
    };
    response.extensions_mut().insert(Injected);
    response
}

fn server_error(status: u16) -> Response {
    let status = StatusCode::from_u16(status)
        .ok()
        .filter(StatusCode::is_server_error)
        .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    ApiError::new(status, status.canonical_reason().unwrap_or("Server Error")).into_response()
}

/// A 429 of the daily limit: nothing is left today.
fn daily_spent() -> Response {
    let mut response = ApiError::too_many_requests(3600).into_response();
    response
        .headers_mut()
        .insert("x-ratelimit-daily-remaining", HeaderValue::from_static("0"));
    response
}

/// The answer of a proxy in front of the API that lost its upstream: 200, but HTML.
fn html_page() -> Response {
    let page = "<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head>\n<body>\
                <h1>Bad Gateway</h1><p>The upstream server did not answer in time.</p>\
                </body></html>\n";
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        page,
    )
        .into_response()
}

pub(super) async fn body_bytes(response: Response) -> (http::response::Parts, Bytes) {
    let (parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX)
        .await
        .unwrap_or_default();
    (parts, bytes)
}

/// Keeps status and headers (the full `Content-Length` too), sends half the body, then fails
/// the body so the server drops the connection.
async fn cut_mid_body(response: Response) -> Response {
    let (mut parts, bytes) = body_bytes(response).await;
    let half = bytes.slice(..bytes.len() / 2);
    parts.headers.insert(
        header::CONTENT_LENGTH,
        HeaderValue::from(bytes.len().max(1)),
    );
    let chunks: Vec<Result<Bytes, std::io::Error>> = vec![
        Ok(half),
        Err(std::io::Error::new(
            std::io::ErrorKind::ConnectionReset,
            "sandbox fault: connection reset",
        )),
    ];
    Response::from_parts(parts, Body::from_stream(futures_util::stream::iter(chunks)))
}

/// Keeps status and headers, sends the first half of the body as if it were all of it.
async fn truncate(response: Response) -> Response {
    let (mut parts, bytes) = body_bytes(response).await;
    let half = bytes.slice(..bytes.len() / 2);
    parts
        .headers
        .insert(header::CONTENT_LENGTH, HeaderValue::from(half.len()));
    Response::from_parts(parts, Body::from(half))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(faults: Faults, n: usize) -> Vec<Option<Fault>> {
        let mut runtime = Runtime::new(faults);
        (0..n).map(|_| runtime.decide()).collect()
    }

    #[test]
    fn every_nth_hits_exactly_the_nth_requests() {
        let faults = Faults {
            error_every: Some(3),
            error_statuses: vec![502, 503],
            ..Faults::default()
        };
        let got = run(faults, 7);
        assert_eq!(got[2], Some(Fault::ServerError(502)));
        assert_eq!(got[5], Some(Fault::ServerError(503)));
        assert_eq!(got.iter().filter(|f| f.is_some()).count(), 2);
    }

    #[test]
    fn throttle_bursts_last_the_burst_length() {
        let faults = Faults {
            throttle_every: Some(4),
            throttle_burst: 3,
            ..Faults::default()
        };
        let got = run(faults, 8);
        let throttled: Vec<bool> = got.iter().map(|f| *f == Some(Fault::Throttle)).collect();
        assert_eq!(
            throttled,
            [false, false, false, true, true, true, false, true]
        );
    }

    #[test]
    fn probability_is_reproducible_from_the_seed() {
        let faults = Faults {
            error_probability: 0.3,
            seed: 7,
            ..Faults::default()
        };
        let first = run(faults.clone(), 200);
        assert_eq!(first, run(faults, 200));
        let hits = first.iter().filter(|f| f.is_some()).count();
        assert!((30..90).contains(&hits), "{hits} hits");
    }

    #[test]
    fn faults_read_from_partial_json() {
        let faults: Faults =
            serde_json::from_str(r#"{"latency_ms": 5, "quirks": {"put_drops_field": "lastName"}}"#)
                .unwrap();
        assert_eq!(faults.latency_ms, 5);
        assert_eq!(faults.throttle_burst, 1);
        assert_eq!(faults.quirks.put_drops_field.as_deref(), Some("lastName"));
        assert!(serde_json::from_str::<Faults>(r#"{"latency": 5}"#).is_err());
    }
}

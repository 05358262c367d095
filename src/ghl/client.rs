//! The one place every GHL request goes through: headers, pacing, retries, the exchange record
//! and error mapping.

use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderValue};
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use serde_json::Value;
use tokio::sync::broadcast;
use tokio::time::Instant;

use super::body::{decode, read_response};
use super::error::{GhlError, RateLimitKind};
use super::exchange::{Exchange, MAX_RECORDED_BODY};
use super::limiter::{Limiter, RateBudget};
use super::secret::Secret;
use super::{API_VERSION, DEFAULT_BASE_URL};

pub use super::body::MAX_RESPONSE_BYTES;

/// How a client reaches GHL.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// `https://services.leadconnectorhq.com`, or a sandbox's loopback URL.
    pub base_url: String,
    /// A Private Integration Token or an OAuth access token.
    pub token: Secret,
    /// The location (sub-account) every call works in.
    pub location_id: String,
    /// The `Version` header.
    pub version: String,
    /// How long one request may take, from send to the last byte.
    pub timeout: Duration,
    /// How many times a failed call is tried again (429s, and 5xx or timeouts on safe methods).
    pub max_retries: u32,
    /// The client's own ceiling: requests per window. `None` leaves pacing to the headers.
    pub rate_limit: Option<(u32, Duration)>,
    /// Added to the `User-Agent` after the product and version.
    pub user_agent_suffix: Option<String>,
    /// The scopes the token was granted, when known (OAuth), to explain a 403.
    pub scopes: Option<Vec<String>>,
}

impl ClientConfig {
    /// A configuration with GHL's defaults: 30 s timeout, 4 retries, 100 requests per 10 s.
    pub fn new(base_url: impl Into<String>, token: Secret, location_id: impl Into<String>) -> Self {
        Self {
            base_url: base_url.into(),
            token,
            location_id: location_id.into(),
            version: API_VERSION.to_string(),
            timeout: Duration::from_secs(30),
            max_retries: 4,
            rate_limit: Some((100, Duration::from_secs(10))),
            user_agent_suffix: None,
            scopes: None,
        }
    }

    /// The production API with the given token and location.
    pub fn production(token: Secret, location_id: impl Into<String>) -> Self {
        Self::new(DEFAULT_BASE_URL, token, location_id)
    }
}

/// A boxed future, for the object-safe [`Refresh`] hook.
pub type BoxFuture<'a, T> = std::pin::Pin<Box<dyn std::future::Future<Output = T> + Send + 'a>>;

/// Where a client gets fresh access tokens (OAuth). Without one the token is fixed (a PIT).
pub trait Refresh: Send + Sync + std::fmt::Debug {
    /// The token to use now, refreshed first when it is about to expire.
    fn current(&self) -> BoxFuture<'_, Result<Secret, GhlError>>;
    /// A new token after the server refused `rejected` with a 401.
    fn refresh<'a>(&'a self, rejected: &'a Secret) -> BoxFuture<'a, Result<Secret, GhlError>>;
}

/// A typed value and the exchange that produced it.
#[derive(Debug, Clone)]
pub struct Reply<T> {
    pub value: T,
    pub exchange: Exchange,
}

impl<T> Reply<T> {
    /// Keeps the exchange and changes the value.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Reply<U> {
        Reply {
            value: f(self.value),
            exchange: self.exchange,
        }
    }
}

/// Whether a call may be sent again after a 5xx, a timeout or a dropped connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Retry {
    /// Reads, PUTs, DELETEs and searches: sending twice does no harm.
    Safe,
    /// Creates: a second send could create a second record, so never blindly.
    Never,
}

/// One request to send.
#[derive(Debug, Clone)]
pub struct Call {
    pub method: Method,
    /// Path segments, each percent-encoded when the URL is built.
    pub segments: Vec<String>,
    /// Keep a trailing slash (`/contacts/`), as the spec spells some paths.
    pub trailing_slash: bool,
    pub query: Vec<(String, String)>,
    pub body: Option<Value>,
    pub retry: Retry,
}

impl Call {
    /// A call to `method` on the path made of `segments`.
    pub fn new(method: Method, segments: &[&str]) -> Self {
        let retry = if method == Method::POST {
            Retry::Never
        } else {
            Retry::Safe
        };
        Self {
            method,
            segments: segments.iter().map(|s| (*s).to_string()).collect(),
            trailing_slash: false,
            query: Vec::new(),
            body: None,
            retry,
        }
    }

    /// Adds a query parameter.
    #[must_use]
    pub fn query(mut self, key: &str, value: impl std::fmt::Display) -> Self {
        self.query.push((key.to_string(), value.to_string()));
        self
    }

    /// Sets the JSON body.
    #[must_use]
    pub fn body(mut self, body: Value) -> Self {
        self.body = Some(body);
        self
    }

    /// Marks a POST that is a read (search) or idempotent (tag add) as safe to retry.
    #[must_use]
    pub fn retry_safe(mut self) -> Self {
        self.retry = Retry::Safe;
        self
    }

    /// Keeps a trailing slash on the path.
    #[must_use]
    pub fn with_trailing_slash(mut self) -> Self {
        self.trailing_slash = true;
        self
    }
}

/// A raw response: status, headers and body, for `ghl-console api` and the inspector.
#[derive(Debug, Clone)]
pub struct RawResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    /// The body as text; bytes that are not UTF-8 are shown as U+FFFD.
    pub body: String,
    /// Where the first byte that is not UTF-8 was, when the body had one.
    pub invalid_utf8_at: Option<usize>,
}

/// The GHL API client. Cheap to clone; clones share the connection pool, limiter and log.
#[derive(Clone)]
pub struct GhlClient {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    config: ClientConfig,
    token: Mutex<Secret>,
    refresher: Option<Arc<dyn Refresh>>,
    limiter: Option<Limiter>,
    exchanges: broadcast::Sender<Arc<Exchange>>,
    sequence: AtomicU64,
    budget: Mutex<RateBudget>,
}

impl std::fmt::Debug for GhlClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GhlClient")
            .field("base_url", &self.inner.config.base_url)
            .field("location_id", &self.inner.config.location_id)
            .finish_non_exhaustive()
    }
}

/// Installs the TLS crypto provider (ring) once per process. Every place that builds a
/// `reqwest::Client` calls this first; a second call does nothing.
pub fn install_tls() {
    // A second install fails harmlessly: a provider is then already there.
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// The `User-Agent` every request carries.
pub fn user_agent(suffix: Option<&str>) -> String {
    let base = format!("ghl-console/{}", env!("CARGO_PKG_VERSION"));
    suffix.map_or_else(|| base.clone(), |s| format!("{base} {s}"))
}

/// Checks a base URL the way the client uses it: it must parse, and be `http` or `https` (the
/// only schemes the HTTP stack sends to). `config check` calls this too.
pub fn check_base_url(base_url: &str) -> Result<url::Url, String> {
    let url = url::Url::parse(base_url).map_err(|e| format!("base URL {base_url:?}: {e}"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!(
            "base URL {base_url:?}: the scheme must be http or https, not {}",
            url.scheme()
        ));
    }
    Ok(url)
}

/// Checks a `Version` header value: a date, `YYYY-MM-DD` (GHL's versions are the dates they
/// were published). Anything else, a control character above all, could not be sent as a
/// header, and the call would go out without its version.
pub fn check_version(version: &str) -> Result<(), String> {
    let shaped = version.len() == 10
        && version.bytes().enumerate().all(|(i, b)| match i {
            4 | 7 => b == b'-',
            _ => b.is_ascii_digit(),
        })
        && chrono::NaiveDate::parse_from_str(version, "%Y-%m-%d").is_ok();
    if shaped {
        return Ok(());
    }
    let mut shown: String = version.chars().take(40).collect();
    if shown.len() < version.len() {
        shown.push('…');
    }
    Err(format!(
        "must be a date like {API_VERSION} (YYYY-MM-DD), not \"{}\"",
        shown.escape_debug()
    ))
}

impl GhlClient {
    /// Builds a client; fails only when the TLS stack, the base URL or the version cannot be
    /// set up.
    pub fn new(config: ClientConfig) -> Result<Self, GhlError> {
        Self::build(config, None)
    }

    /// A client whose token comes from `refresher` (OAuth): refreshed shortly before expiry,
    /// and once on a 401 before the call is tried again (C30).
    pub fn with_refresh(
        config: ClientConfig,
        refresher: Arc<dyn Refresh>,
    ) -> Result<Self, GhlError> {
        Self::build(config, Some(refresher))
    }

    fn build(config: ClientConfig, refresher: Option<Arc<dyn Refresh>>) -> Result<Self, GhlError> {
        install_tls();
        check_base_url(&config.base_url).map_err(GhlError::Invalid)?;
        check_version(&config.version).map_err(|e| GhlError::Invalid(format!("version {e}")))?;
        let http = reqwest::Client::builder()
            .user_agent(user_agent(config.user_agent_suffix.as_deref()))
            .connect_timeout(Duration::from_secs(10))
            .timeout(config.timeout)
            .build()
            .map_err(|e| GhlError::Network(format!("cannot build the HTTP client: {e}")))?;
        let limiter = config
            .rate_limit
            .map(|(max, window)| Limiter::new(max, window));
        let (exchanges, _) = broadcast::channel(1024);
        Ok(Self {
            inner: Arc::new(Inner {
                http,
                token: Mutex::new(config.token.clone()),
                refresher,
                config,
                limiter,
                exchanges,
                sequence: AtomicU64::new(0),
                budget: Mutex::new(RateBudget::default()),
            }),
        })
    }

    /// The location every call works in.
    pub fn location_id(&self) -> &str {
        &self.inner.config.location_id
    }

    /// The base URL calls go to.
    pub fn base_url(&self) -> &str {
        &self.inner.config.base_url
    }

    /// Every exchange of this client from now on, failures and retries included.
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<Exchange>> {
        self.inner.exchanges.subscribe()
    }

    /// The most requests per second this client may send: its own limiter's pace, tightened by
    /// the burst budget the server last reported. `None` when neither limits it.
    pub fn pace(&self) -> Option<f64> {
        let per_sec = |max: u32, window: Duration| {
            (window > Duration::ZERO).then(|| f64::from(max) / window.as_secs_f64())
        };
        let own = self
            .inner
            .config
            .rate_limit
            .and_then(|(m, w)| per_sec(m, w));
        let budget = self.budget();
        let server = budget
            .max
            .zip(budget.interval)
            .and_then(|(m, w)| per_sec(m, w));
        match (own, server) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// The rate-limit budget the last response reported.
    pub fn budget(&self) -> RateBudget {
        self.inner.budget.lock().map(|b| *b).unwrap_or_default()
    }

    /// Sends a call and decodes a 2xx body as `T`. A safe call whose body does not decode and
    /// is not JSON at all (see [`RawResponse::is_damaged`]) is sent again, as a dropped
    /// connection would be; JSON of the wrong shape is the server's answer and is not.
    pub async fn send<T: DeserializeOwned>(&self, call: Call) -> Result<Reply<T>, GhlError> {
        let needs = needed_scope(&call);
        let mut tries = 0;
        loop {
            tries += 1;
            let reply = self.exchange_call(&call).await?;
            if !(200..300).contains(&reply.value.status) {
                let error = error_from_response(&reply.value, &reply.exchange);
                return Err(self.explain_forbidden(error, needs));
            }
            let error = match decode::<T>(&reply.value) {
                Ok(value) => {
                    return Ok(Reply {
                        value,
                        exchange: reply.exchange,
                    });
                }
                Err(error) => error,
            };
            let again = call.retry == Retry::Safe
                && tries <= self.inner.config.max_retries
                && reply.value.is_damaged();
            if !again {
                return Err(error);
            }
            let wait = backoff(tries);
            tracing::info!(
                tries,
                wait_ms = wait.as_millis(),
                "spoiled body; reading again"
            );
            tokio::time::sleep(wait).await;
        }
    }

    /// The token in use now.
    fn token(&self) -> Secret {
        self.inner
            .token
            .lock()
            .map(|t| t.clone())
            .unwrap_or_default()
    }

    fn set_token(&self, token: Secret) {
        if let Ok(mut slot) = self.inner.token.lock() {
            *slot = token;
        }
    }

    /// Sends a call and returns whatever came back, any status, after retries.
    pub async fn send_raw(&self, call: Call) -> Result<Reply<RawResponse>, GhlError> {
        self.exchange_call(&call).await
    }

    /// [`Self::send_raw`] on a borrowed call.
    async fn exchange_call(&self, call: &Call) -> Result<Reply<RawResponse>, GhlError> {
        let url = self.url_for(call)?;
        if let Some(refresher) = &self.inner.refresher {
            self.set_token(refresher.current().await?);
        }
        let mut attempt = 0;
        let mut refreshed = false;
        loop {
            attempt += 1;
            let outcome = self.attempt(call, &url, attempt).await;
            if let Ok(reply) = &outcome
                && reply.value.status == 401
            {
                if refreshed {
                    return Err(reauthorise(&reply.exchange));
                }
                if let Some(refresher) = &self.inner.refresher {
                    let rejected = self.token();
                    self.set_token(refresher.refresh(&rejected).await?);
                    refreshed = true;
                    continue;
                }
            }
            let Some(wait) = self.retry_wait(call, &outcome, attempt) else {
                return outcome;
            };
            tracing::info!(
                attempt,
                wait_ms = wait.as_millis(),
                path = %super::exchange::log_path(&url),
                "retrying"
            );
            tokio::time::sleep(wait).await;
        }
    }

    /// Words a 403 as what it is: a missing scope or a location the token cannot reach.
    fn explain_forbidden(&self, error: GhlError, needs: &str) -> GhlError {
        let GhlError::Forbidden { message, trace_id } = error else {
            return error;
        };
        let has = self.inner.config.scopes.as_ref().map_or_else(
            || "unknown (a Private Integration Token's scopes are set in GHL)".to_string(),
            |s| {
                if s.is_empty() {
                    "none".into()
                } else {
                    s.join(" ")
                }
            },
        );
        let message = format!(
            "{message}. This call needs the scope {needs} (the token has: {has}), and the token \
             must be allowed into location {}",
            self.location_id()
        );
        GhlError::Forbidden { message, trace_id }
    }

    /// Builds the URL: base, percent-encoded segments, query. Refuses empty segments.
    fn url_for(&self, call: &Call) -> Result<url::Url, GhlError> {
        let mut url = url::Url::parse(&self.inner.config.base_url)
            .map_err(|e| GhlError::Invalid(format!("base URL: {e}")))?;
        {
            let mut path = url
                .path_segments_mut()
                .map_err(|()| GhlError::Invalid("base URL cannot take a path".into()))?;
            path.pop_if_empty();
            for segment in &call.segments {
                if segment.trim().is_empty() {
                    return Err(GhlError::Invalid("an id in the path is empty".into()));
                }
                path.push(segment);
            }
            if call.trailing_slash {
                path.push("");
            }
        }
        if !call.query.is_empty() {
            url.query_pairs_mut().extend_pairs(&call.query);
        }
        Ok(url)
    }

    /// How long to wait before trying again, or `None` to stop here.
    fn retry_wait(
        &self,
        call: &Call,
        outcome: &Result<Reply<RawResponse>, GhlError>,
        attempt: u32,
    ) -> Option<Duration> {
        if attempt > self.inner.config.max_retries {
            return None;
        }
        match outcome {
            Ok(reply) if reply.value.status == 429 => match rate_limit_from(&reply.value.headers) {
                (RateLimitKind::Daily, _) => None,
                (RateLimitKind::Burst, wait) => Some(with_jitter(wait)),
            },
            Ok(reply) if reply.value.status >= 500 && call.retry == Retry::Safe => {
                Some(backoff(attempt))
            }
            Err(e) if e.is_transient() && call.retry == Retry::Safe => Some(backoff(attempt)),
            _ => None,
        }
    }

    /// One try: pace, send, read, record.
    async fn attempt(
        &self,
        call: &Call,
        url: &url::Url,
        attempt: u32,
    ) -> Result<Reply<RawResponse>, GhlError> {
        if let Some(limiter) = &self.inner.limiter {
            let waited = limiter.acquire().await;
            if waited > Duration::from_millis(50) {
                tracing::debug!(waited_ms = waited.as_millis(), "paced by the rate limiter");
            }
        }
        let mut exchange = self.start_exchange(call, url, attempt);
        let started = Instant::now();
        let request = self.build_request(call, url, &mut exchange);
        let result = read_response(request.send().await).await;
        exchange.elapsed = started.elapsed();
        match result {
            Ok((status, headers, (body, invalid_utf8_at))) => {
                self.observe(&headers).await;
                let raw = RawResponse {
                    status: status.as_u16(),
                    headers: header_pairs(&headers),
                    body,
                    invalid_utf8_at,
                };
                self.finish_exchange(&mut exchange, Some(&raw), None);
                // Waiting out a burst 429 helps every request; the daily limit lasts until the
                // day turns, so holding every request for it would only freeze the console:
                // each call fails at once instead, with the daily limit named.
                if status == StatusCode::TOO_MANY_REQUESTS
                    && let (RateLimitKind::Burst, wait) = rate_limit_from(&raw.headers)
                    && let Some(limiter) = &self.inner.limiter
                {
                    limiter.hold_for(wait).await;
                }
                Ok(Reply {
                    value: raw,
                    exchange,
                })
            }
            Err(error) => {
                let error = match error {
                    GhlError::Timeout(_) => GhlError::Timeout(self.inner.config.timeout),
                    other => other,
                };
                self.finish_exchange(&mut exchange, None, Some(&error));
                Err(error)
            }
        }
    }

    fn start_exchange(&self, call: &Call, url: &url::Url, attempt: u32) -> Exchange {
        Exchange {
            id: self.inner.sequence.fetch_add(1, Ordering::Relaxed) + 1,
            started_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            method: call.method.to_string(),
            url: url.to_string(),
            request_body: call.body.as_ref().map(Value::to_string),
            attempt,
            ..Exchange::default()
        }
    }

    fn build_request(
        &self,
        call: &Call,
        url: &url::Url,
        exchange: &mut Exchange,
    ) -> reqwest::RequestBuilder {
        let config = &self.inner.config;
        let mut headers = HeaderMap::new();
        let bearer = format!("Bearer {}", self.token().expose());
        if let Ok(mut value) = HeaderValue::from_str(&bearer) {
            value.set_sensitive(true);
            headers.insert(reqwest::header::AUTHORIZATION, value);
        }
        if let Ok(value) = HeaderValue::from_str(&config.version) {
            headers.insert("Version", value);
        }
        headers.insert(
            reqwest::header::ACCEPT,
            HeaderValue::from_static("application/json"),
        );
        let mut request = self.inner.http.request(call.method.clone(), url.clone());
        if let Some(body) = &call.body {
            request = request.json(body);
            headers.insert(
                reqwest::header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
        }
        exchange.request_headers = header_pairs(&headers);
        exchange.request_headers.push((
            "User-Agent".into(),
            user_agent(config.user_agent_suffix.as_deref()),
        ));
        request.headers(headers)
    }

    async fn observe(&self, headers: &HeaderMap) {
        let Some(budget) = RateBudget::from_headers(headers) else {
            return;
        };
        if let Ok(mut slot) = self.inner.budget.lock() {
            *slot = budget;
        }
        if let Some(limiter) = &self.inner.limiter {
            limiter.observe(&budget).await;
        }
    }

    fn finish_exchange(
        &self,
        ex: &mut Exchange,
        raw: Option<&RawResponse>,
        err: Option<&GhlError>,
    ) {
        if let Some(raw) = raw {
            ex.status = Some(raw.status);
            ex.response_headers.clone_from(&raw.headers);
            ex.trace_id = trace_id_of(&raw.body, &raw.headers);
            ex.response_body = Some(cut(&raw.body));
        }
        ex.error = err.map(ToString::to_string);
        let token = self.token();
        ex.mask(&[&token, &self.inner.config.token]);
        tracing::info!(
            id = ex.id,
            method = %ex.method,
            path = %ex.log_path(),
            status = ex.status,
            elapsed_ms = ex.elapsed.as_millis(),
            attempt = ex.attempt,
            trace_id = ex.trace_id.as_deref(),
            "exchange"
        );
        // Nobody listening is fine.
        let _ = self.inner.exchanges.send(Arc::new(ex.clone()));
    }
}

/// The scope a call needs: reads need `contacts.readonly`, anything else `contacts.write`.
fn needed_scope(call: &Call) -> &'static str {
    let is_search = call.segments.get(1).is_some_and(|s| s == "search");
    if call.method == Method::GET || is_search {
        "contacts.readonly"
    } else {
        "contacts.write"
    }
}

/// Maps a transport failure to a typed error, with every cause in the message.
pub fn transport_error(e: &reqwest::Error) -> GhlError {
    if e.is_timeout() {
        return GhlError::Timeout(Duration::ZERO);
    }
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(inner) = source {
        text.push_str(": ");
        text.push_str(&inner.to_string());
        source = inner.source();
    }
    // The message names the URL; it reaches logs (the console's activity), so it is written
    // the way the request log writes it, with no email or phone in it.
    if let Some(url) = e.url() {
        let origin = url.origin().ascii_serialization();
        let logged = format!("{origin}{}", super::exchange::log_path(url));
        text = text.replace(url.as_str(), &logged);
    }
    GhlError::Network(text)
}

fn header_pairs(headers: &HeaderMap) -> Vec<(String, String)> {
    headers
        .iter()
        .map(|(k, v)| {
            (
                k.to_string(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect()
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

fn cut(body: &str) -> String {
    if body.len() <= MAX_RECORDED_BODY {
        return body.to_string();
    }
    let mut end = MAX_RECORDED_BODY;
    while !body.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}\n… [cut: {} bytes in all]", &body[..end], body.len())
}

/// The `traceId` from a JSON body, else from a header.
fn trace_id_of(body: &str, headers: &[(String, String)]) -> Option<String> {
    serde_json::from_str::<Value>(body)
        .ok()
        .and_then(|v| v.get("traceId").and_then(Value::as_str).map(str::to_string))
        .or_else(|| {
            header(headers, "traceid")
                .or(header(headers, "x-trace-id"))
                .map(Into::into)
        })
}

/// Which limit a 429 hit and how long to wait: Retry-After, else the interval header.
fn rate_limit_from(headers: &[(String, String)]) -> (RateLimitKind, Duration) {
    let daily_left =
        header(headers, "x-ratelimit-daily-remaining").and_then(|v| v.parse::<u64>().ok());
    let kind = if daily_left == Some(0) {
        RateLimitKind::Daily
    } else {
        RateLimitKind::Burst
    };
    let retry_after = header(headers, "retry-after")
        .and_then(|v| v.trim().parse::<f64>().ok())
        .filter(|s| s.is_finite() && *s >= 0.0)
        .map(|s| Duration::from_secs_f64(s.min(600.0)));
    let interval = header(headers, "x-ratelimit-interval-milliseconds")
        .and_then(|v| v.parse::<u64>().ok())
        .map(Duration::from_millis);
    (
        kind,
        retry_after.or(interval).unwrap_or(Duration::from_secs(10)),
    )
}

fn with_jitter(wait: Duration) -> Duration {
    let spread = wait.as_millis().min(2000) / 10 + 20;
    let extra = rand::random_range(0..=u64::try_from(spread).unwrap_or(20));
    wait + Duration::from_millis(extra)
}

fn backoff(attempt: u32) -> Duration {
    let base = 200u64.saturating_mul(1 << attempt.min(6));
    with_jitter(Duration::from_millis(base.min(10_000)))
}

/// The error after a refreshed token was refused too: no loop, ask for a new authorisation.
fn reauthorise(exchange: &Exchange) -> GhlError {
    GhlError::Unauthorized {
        message: "the token was refreshed and is still refused: re-authorise with \
                  `ghl-console auth login`"
            .into(),
        trace_id: exchange.trace_id.clone(),
    }
}

/// Maps a non-2xx response to its typed error, keeping message and `traceId`.
fn error_from_response(raw: &RawResponse, exchange: &Exchange) -> GhlError {
    let parsed = serde_json::from_str::<Value>(&raw.body).ok();
    let messages: Vec<String> = match parsed.as_ref().and_then(|v| v.get("message")) {
        Some(Value::Array(items)) => items
            .iter()
            .map(|m| m.as_str().map_or_else(|| m.to_string(), str::to_string))
            .collect(),
        Some(Value::String(s)) => vec![s.clone()],
        Some(other) => vec![other.to_string()],
        None => parsed
            .as_ref()
            .and_then(|v| v.get("error").and_then(Value::as_str))
            .map_or_else(|| vec![snippet(&raw.body)], |s| vec![s.to_string()]),
    };
    let message = messages.join("; ");
    let trace_id = exchange.trace_id.clone();
    match raw.status {
        400 => GhlError::BadRequest { message, trace_id },
        401 => GhlError::Unauthorized { message, trace_id },
        403 => GhlError::Forbidden { message, trace_id },
        404 => GhlError::NotFound { message, trace_id },
        422 => GhlError::Unprocessable { messages, trace_id },
        429 => {
            let (kind, wait) = rate_limit_from(&raw.headers);
            GhlError::RateLimited {
                kind,
                retry_after: Some(wait),
                message,
                trace_id,
            }
        }
        status => GhlError::Server {
            status,
            message,
            trace_id,
        },
    }
}

fn snippet(body: &str) -> String {
    let text: String = body.chars().take(200).collect();
    if text.trim().is_empty() {
        "(empty body)".to_string()
    } else {
        text
    }
}

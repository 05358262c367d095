//! The OAuth 2.0 endpoints of `apps/oauth.json`: a consent page that answers at once, the code
//! and refresh grants at `POST /oauth/token` (form-encoded), agency location tokens and the
//! installed-locations list.
//!
//! Codes and refresh tokens are one-use: a second use is a 401 `invalid_grant`, as GHL answers,
//! so a client that spends one refresh token twice (C31) is caught. Access tokens expire after
//! `access_ttl`; [`OAuthState::revoke_access_tokens`] expires them at once, which is how tests
//! make a token that the store still believes valid draw a 401 (C30).

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use axum::Json;
use axum::Router;
use axum::extract::{Form, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use http::{HeaderMap, StatusCode};
use rand::Rng;
use serde::Deserialize;
use serde_json::json;

use super::error::ApiError;
use super::state::SharedState;

/// The demo app's client id.
pub const DEMO_CLIENT_ID: &str = "sandbox-app-client-id";
/// The demo app's client secret.
pub const DEMO_CLIENT_SECRET: &str = "sandbox-app-client-secret";
/// The company (agency) the demo app is installed in.
pub const DEMO_COMPANY_ID: &str = "sBxDemoC0mpany000001";

/// The marketplace app the sandbox knows.
#[derive(Debug, Clone, PartialEq)]
pub struct OAuthSettings {
    pub client_id: String,
    pub client_secret: String,
    /// How long an access token lives (GHL: a day).
    pub access_ttl: Duration,
    /// The scopes granted to every token.
    pub scopes: Vec<String>,
    pub company_id: String,
}

impl Default for OAuthSettings {
    fn default() -> Self {
        Self {
            client_id: DEMO_CLIENT_ID.into(),
            client_secret: DEMO_CLIENT_SECRET.into(),
            access_ttl: Duration::from_secs(86_399),
            scopes: [
                "contacts.readonly",
                "contacts.write",
                "locations.readonly",
                "users.readonly",
            ]
            .map(String::from)
            .to_vec(),
            company_id: DEMO_COMPANY_ID.into(),
        }
    }
}

/// Who a grant is for: a location, or a company (agency) when `location` is `None`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Grant {
    pub(crate) location: Option<String>,
    pub(crate) company: String,
}

#[derive(Debug, Default)]
struct Book {
    codes: HashMap<String, Grant>,
    refresh: HashMap<String, (Grant, bool)>,
    access: HashMap<String, (Grant, Instant)>,
    refreshes: u64,
    invalid_grants: u64,
}

/// Counts of what the token endpoint did, for tests.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OAuthStats {
    pub refreshes: u64,
    pub invalid_grants: u64,
}

/// The issued codes and tokens of one sandbox.
#[derive(Debug)]
pub(crate) struct OAuthState {
    settings: OAuthSettings,
    book: Mutex<Book>,
}

fn token(prefix: &str) -> String {
    let mut rng = rand::rng();
    let body: String = (0..32)
        .map(|_| char::from(rng.sample(rand::distr::Alphanumeric)))
        .collect();
    format!("{prefix}-{body}")
}

impl OAuthState {
    pub(crate) fn new(settings: OAuthSettings) -> Self {
        Self {
            settings,
            book: Mutex::new(Book::default()),
        }
    }

    fn book(&self) -> std::sync::MutexGuard<'_, Book> {
        self.book.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The grant behind a live access token.
    pub(crate) fn grant_of(&self, access_token: &str) -> Option<Grant> {
        let book = self.book();
        let (grant, expires) = book.access.get(access_token)?;
        (Instant::now() < *expires).then(|| grant.clone())
    }

    /// Expires every access token now; refresh tokens stay valid.
    pub(crate) fn revoke_access_tokens(&self) {
        let past = Instant::now()
            .checked_sub(Duration::from_secs(1))
            .unwrap_or_else(Instant::now);
        for (_, expires) in self.book().access.values_mut() {
            *expires = past;
        }
    }

    /// Expires every access token and spends every refresh token.
    pub(crate) fn revoke_grants(&self) {
        self.revoke_access_tokens();
        for (_, used) in self.book().refresh.values_mut() {
            *used = true;
        }
    }

    pub(crate) fn stats(&self) -> OAuthStats {
        let book = self.book();
        OAuthStats {
            refreshes: book.refreshes,
            invalid_grants: book.invalid_grants,
        }
    }

    fn issue(&self, grant: &Grant, with_refresh: bool) -> serde_json::Value {
        let access = token("oat");
        let refresh = token("ort");
        let mut book = self.book();
        book.access.insert(
            access.clone(),
            (grant.clone(), Instant::now() + self.settings.access_ttl),
        );
        if with_refresh {
            book.refresh.insert(refresh.clone(), (grant.clone(), false));
        }
        let user_type = if grant.location.is_some() {
            "Location"
        } else {
            "Company"
        };
        let mut answer = json!({
            "access_token": access,
            "token_type": "Bearer",
            "expires_in": self.settings.access_ttl.as_secs(),
            "scope": self.settings.scopes.join(" "),
            "userType": user_type,
            "companyId": grant.company,
            "userId": "uSr0SandboxAlice0001",
        });
        if with_refresh {
            answer["refresh_token"] = json!(refresh);
        }
        if let Some(location) = &grant.location {
            answer["locationId"] = json!(location);
        }
        answer
    }
}

/// The OAuth routes (outside the bearer gate: the token endpoint authenticates by client id).
pub(crate) fn router() -> Router<SharedState> {
    Router::new()
        .route("/oauth/chooselocation", get(choose_location))
        .route("/oauth/token", post(token_endpoint))
        .route("/oauth/locationToken", post(location_token))
        .route("/oauth/installedLocations", get(installed_locations))
}

#[derive(Debug, Deserialize)]
struct Consent {
    redirect_uri: String,
    client_id: String,
    /// Not in GHL's URL: lets a test pick an agency (`Company`) install.
    #[serde(default)]
    user_type: Option<String>,
    /// The client's anti-CSRF value, sent back unchanged with the code.
    #[serde(default)]
    state: Option<String>,
}

/// The consent page, approved at once: redirects with a one-use code for the main location.
async fn choose_location(State(app): State<SharedState>, Query(q): Query<Consent>) -> Response {
    if q.client_id != app.oauth.settings.client_id {
        return ApiError::bad_request("Unknown client_id").into_response();
    }
    let location = match q.user_type.as_deref() {
        Some("Company") => None,
        _ => Some(app.main_location.clone()),
    };
    let grant = Grant {
        location,
        company: app.oauth.settings.company_id.clone(),
    };
    let code = token("code");
    app.oauth.book().codes.insert(code.clone(), grant);
    let sep = if q.redirect_uri.contains('?') {
        '&'
    } else {
        '?'
    };
    let mut target = format!("{}{sep}code={code}", q.redirect_uri);
    if let Some(state) = &q.state {
        let state: String = url::form_urlencoded::byte_serialize(state.as_bytes()).collect();
        target.push_str("&state=");
        target.push_str(&state);
    }
    let mut response = Redirect::to(&target).into_response();
    *response.status_mut() = StatusCode::FOUND;
    response
}

#[derive(Debug, Deserialize)]
struct TokenForm {
    client_id: String,
    client_secret: String,
    grant_type: String,
    #[serde(default)]
    code: Option<String>,
    #[serde(default)]
    refresh_token: Option<String>,
}

fn invalid_grant(app: &SharedState, why: &str) -> Response {
    app.oauth.book().invalid_grants += 1;
    let body = json!({"statusCode": 401, "message": why, "error": "invalid_grant", "traceId": super::error::trace_id()});
    (StatusCode::UNAUTHORIZED, Json(body)).into_response()
}

async fn token_endpoint(State(app): State<SharedState>, Form(form): Form<TokenForm>) -> Response {
    if let Some(status) = app.faults.token_error() {
        let status = StatusCode::from_u16(status)
            .ok()
            .filter(StatusCode::is_server_error)
            .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        return ApiError::new(status, status.canonical_reason().unwrap_or("Server Error"))
            .into_response();
    }
    let settings = &app.oauth.settings;
    if form.client_id != settings.client_id || form.client_secret != settings.client_secret {
        return ApiError::unauthorized().into_response();
    }
    match form.grant_type.as_str() {
        "authorization_code" => {
            let grant = form.code.and_then(|c| app.oauth.book().codes.remove(&c));
            match grant {
                Some(grant) => Json(app.oauth.issue(&grant, true)).into_response(),
                None => invalid_grant(&app, "Invalid grant: the code is unknown or used"),
            }
        }
        "refresh_token" => refresh_grant(&app, form.refresh_token.as_deref()),
        _ => ApiError::invalid("grant_type must be authorization_code or refresh_token")
            .into_response(),
    }
}

/// Spends a refresh token once: a second use is `invalid_grant`.
fn refresh_grant(app: &SharedState, refresh_token: Option<&str>) -> Response {
    let grant = {
        let mut book = app.oauth.book();
        match refresh_token.and_then(|r| book.refresh.get_mut(r)) {
            Some((grant, used)) if !*used => {
                *used = true;
                let grant = grant.clone();
                book.refreshes += 1;
                Some(grant)
            }
            _ => None,
        }
    };
    match grant {
        Some(grant) => Json(app.oauth.issue(&grant, true)).into_response(),
        None => invalid_grant(
            app,
            "Invalid grant: the refresh token was already used or is unknown",
        ),
    }
}

/// The company grant behind a bearer token, for the agency endpoints.
fn company_of(app: &SharedState, headers: &HeaderMap) -> Result<Grant, ApiError> {
    let token = headers
        .get(http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim);
    match token.and_then(|t| app.oauth.grant_of(t)) {
        Some(grant) if grant.location.is_none() => Ok(grant),
        Some(_) => Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "This route needs an agency (Company) token",
        )),
        None => Err(ApiError::unauthorized()),
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct LocationTokenForm {
    company_id: String,
    location_id: String,
}

/// `POST /oauth/locationToken`: an agency token asks for a location's token.
async fn location_token(
    State(app): State<SharedState>,
    headers: HeaderMap,
    Form(form): Form<LocationTokenForm>,
) -> Response {
    let company = match company_of(&app, &headers) {
        Ok(grant) => grant,
        Err(error) => return error.into_response(),
    };
    if form.company_id != company.company || !app.locations.contains(&form.location_id) {
        return ApiError::bad_request("The app is not installed in this location").into_response();
    }
    let grant = Grant {
        location: Some(form.location_id),
        company: company.company,
    };
    Json(app.oauth.issue(&grant, false)).into_response()
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct InstalledQuery {
    company_id: String,
}

/// `GET /oauth/installedLocations`: the locations the app is installed in.
async fn installed_locations(
    State(app): State<SharedState>,
    headers: HeaderMap,
    Query(q): Query<InstalledQuery>,
) -> Response {
    let company = match company_of(&app, &headers) {
        Ok(grant) => grant,
        Err(error) => return error.into_response(),
    };
    if q.company_id != company.company {
        return ApiError::wrong_location().into_response();
    }
    let locations: Vec<_> = app
        .locations
        .iter()
        .enumerate()
        .map(|(i, id)| json!({"_id": id, "name": format!("Sandbox location {}", i + 1), "address": "1 Loopback Way", "isInstalled": true}))
        .collect();
    let count = locations.len();
    Json(json!({"locations": locations, "count": count, "installToFutureLocations": false}))
        .into_response()
}

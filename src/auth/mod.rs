//! OAuth 2.0 for a GHL marketplace app: the code exchange, refresh with rotation, the token
//! store on disk, and agency location tokens.
//!
//! The refresh token rotates on every use and the server accepts each one once (C31). So a
//! refresh runs under an exclusive lock on a file beside the store, re-reads the store once it
//! holds the lock (another process may have refreshed meanwhile, and its new pair is then used
//! as is), and writes the new pair to disk, atomically and 0600, before anyone uses it.

mod store;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use serde::Deserialize;

pub use store::{StoredTokens, TokenStore};

use crate::ghl::client::{BoxFuture, Refresh};
use crate::ghl::{GhlError, Secret};

/// Where an agency or location admin installs the app.
pub const AUTHORIZE_URL: &str = "https://marketplace.gohighlevel.com/v2/oauth/chooselocation";

/// Refresh this long before the access token expires, so no call meets an expired token.
pub const REFRESH_MARGIN: Duration = Duration::from_secs(300);

/// A marketplace app's credentials and where its tokens live.
#[derive(Debug, Clone)]
pub struct OAuthApp {
    /// The API base URL; the token endpoint is `<base>/oauth/token`.
    pub base_url: String,
    pub client_id: String,
    /// `None` when neither `GHL_CLIENT_SECRET` nor `auth.client_secret_file` gives one: an
    /// unexpired stored access token still works, and only a login or a refresh fails.
    pub client_secret: Option<Secret>,
    pub store: TokenStore,
}

/// What to do when the client secret is missing.
pub const NO_CLIENT_SECRET: &str = "set GHL_CLIENT_SECRET or auth.client_secret_file";

/// The token endpoint's answer, as the spec names its fields.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
struct TokenAnswer {
    #[serde(rename = "access_token")]
    access_token: String,
    #[serde(default, rename = "refresh_token")]
    refresh_token: Option<String>,
    #[serde(default, rename = "expires_in")]
    expires_in: Option<u64>,
    #[serde(default)]
    scope: Option<String>,
    #[serde(default)]
    user_type: Option<String>,
    #[serde(default)]
    location_id: Option<String>,
    #[serde(default)]
    company_id: Option<String>,
    #[serde(default)]
    user_id: Option<String>,
}

/// An installed location of an agency app.
#[derive(Debug, Clone, Deserialize)]
pub struct InstalledLocation {
    #[serde(rename = "_id")]
    pub id: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub address: Option<String>,
}

impl OAuthApp {
    /// The client secret, or why it is needed and how to give it: `why` names what needs it.
    pub fn secret(&self, why: &str) -> Result<&Secret, GhlError> {
        self.client_secret.as_ref().ok_or_else(|| {
            GhlError::Invalid(format!("{why} needs the client secret: {NO_CLIENT_SECRET}"))
        })
    }

    /// The URL the admin opens to install the app and pick a location; `state` comes back with
    /// the code, so a callback this login did not start is refused.
    pub fn authorize_url(&self, redirect_uri: &str, scopes: &[String], state: &str) -> String {
        let query = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("response_type", "code")
            .append_pair("redirect_uri", redirect_uri)
            .append_pair("client_id", &self.client_id)
            .append_pair("scope", &scopes.join(" "))
            .append_pair("state", state)
            .finish();
        format!("{AUTHORIZE_URL}?{query}")
    }

    /// Exchanges an authorization code for tokens and stores them.
    pub async fn exchange_code(
        &self,
        code: &str,
        redirect_uri: &str,
    ) -> Result<StoredTokens, GhlError> {
        let secret = self.secret("exchanging the authorization code")?;
        let form = vec![
            ("client_id", self.client_id.clone()),
            ("client_secret", secret.expose().to_string()),
            ("grant_type", "authorization_code".to_string()),
            ("code", code.to_string()),
            ("redirect_uri", redirect_uri.to_string()),
        ];
        let answer = self.post_token(&form).await?;
        let tokens = StoredTokens::from_answer(answer, None);
        self.store.save(&tokens)?;
        Ok(tokens)
    }

    /// Refreshes the pair, one process at a time. `rejected` is the access token the caller
    /// was using: when the store already holds a different one, someone else refreshed and
    /// that one is returned without a call.
    pub async fn refresh(&self, rejected: Option<&Secret>) -> Result<StoredTokens, GhlError> {
        let _lock = self.store.lock().await?;
        let current = self
            .store
            .load()?
            .ok_or_else(|| reauthorise("no stored tokens"))?;
        let someone_else_refreshed =
            rejected.is_some_and(|r| r.expose() != current.access_token.expose());
        if someone_else_refreshed && !current.expires_within(Duration::ZERO) {
            return Ok(current);
        }
        let secret = self.secret(&refresh_reason(&current))?;
        let form = vec![
            ("client_id", self.client_id.clone()),
            ("client_secret", secret.expose().to_string()),
            ("grant_type", "refresh_token".to_string()),
            ("refresh_token", current.refresh_token.expose().to_string()),
            (
                "user_type",
                current
                    .user_type
                    .clone()
                    .unwrap_or_else(|| "Location".into()),
            ),
        ];
        let answer = self.post_token(&form).await.map_err(refresh_failed)?;
        let tokens = StoredTokens::from_answer(answer, Some(&current));
        // Written before it is used: the old refresh token is already spent.
        self.store.save(&tokens)?;
        Ok(tokens)
    }

    /// The stored access token, refreshed first when it expires within [`REFRESH_MARGIN`].
    pub async fn access_token(&self) -> Result<Secret, GhlError> {
        let current = self
            .store
            .load()?
            .ok_or_else(|| reauthorise("no stored tokens"))?;
        if current.expires_within(REFRESH_MARGIN) {
            return Ok(self
                .refresh(Some(&current.access_token))
                .await?
                .access_token);
        }
        Ok(current.access_token)
    }

    /// Agency tokens: the locations the app is installed in.
    pub async fn installed_locations(
        &self,
        company_id: &str,
    ) -> Result<Vec<InstalledLocation>, GhlError> {
        #[derive(Deserialize)]
        struct Answer {
            #[serde(default)]
            locations: Vec<InstalledLocation>,
        }
        let token = self.access_token().await?;
        let url = format!(
            "{}/oauth/installedLocations",
            self.base_url.trim_end_matches('/')
        );
        let response = http()?
            .get(url)
            .bearer_auth(token.expose())
            .header("Version", crate::ghl::API_VERSION)
            .query(&[
                ("companyId", company_id),
                ("appId", self.client_id.as_str()),
                ("isInstalled", "true"),
            ])
            .send()
            .await
            .map_err(|e| crate::ghl::client::transport_error(&e))?;
        let answer: Answer = decode(response).await?;
        Ok(answer.locations)
    }

    /// Agency tokens: a location token for one sub-account (`POST /oauth/locationToken`).
    pub async fn location_token(
        &self,
        company_id: &str,
        location_id: &str,
    ) -> Result<Secret, GhlError> {
        let token = self.access_token().await?;
        let url = format!(
            "{}/oauth/locationToken",
            self.base_url.trim_end_matches('/')
        );
        let response = http()?
            .post(url)
            .bearer_auth(token.expose())
            .header("Version", crate::ghl::API_VERSION)
            .form(&[("companyId", company_id), ("locationId", location_id)])
            .send()
            .await
            .map_err(|e| crate::ghl::client::transport_error(&e))?;
        let answer: TokenAnswer = decode(response).await?;
        Ok(Secret::new(answer.access_token))
    }

    async fn post_token(&self, form: &[(&str, String)]) -> Result<TokenAnswer, GhlError> {
        let url = format!("{}/oauth/token", self.base_url.trim_end_matches('/'));
        let response = http()?
            .post(url)
            .header("Accept", "application/json")
            .form(form)
            .send()
            .await
            .map_err(|e| crate::ghl::client::transport_error(&e))?;
        decode(response).await
    }
}

fn http() -> Result<reqwest::Client, GhlError> {
    crate::ghl::client::install_tls();
    reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .user_agent(crate::ghl::client::user_agent(None))
        .build()
        .map_err(|e| crate::ghl::client::transport_error(&e))
}

async fn decode<T: serde::de::DeserializeOwned>(
    response: reqwest::Response,
) -> Result<T, GhlError> {
    let status = response.status().as_u16();
    let (body, _) =
        crate::ghl::read_capped(response, crate::ghl::client::MAX_RESPONSE_BYTES).await?;
    if (200..300).contains(&status) {
        return serde_json::from_str(&body).map_err(|e| GhlError::Decode {
            status,
            message: e.to_string(),
            body: crate::ghl::exchange::mask_body(&body),
        });
    }
    let message = serde_json::from_str::<serde_json::Value>(&body)
        .ok()
        .and_then(|v| {
            let text = |k: &str| v.get(k).and_then(|m| m.as_str()).map(str::to_string);
            text("error_description")
                .or_else(|| text("message"))
                .or_else(|| text("error"))
        })
        .unwrap_or_else(|| format!("status {status}"));
    Err(match status {
        400 | 401 => reauthorise(&message),
        403 => GhlError::Forbidden {
            message,
            trace_id: None,
        },
        _ => GhlError::Server {
            status,
            message,
            trace_id: None,
        },
    })
}

/// Says a failure happened while refreshing the token, keeping its kind: a refused refresh
/// still asks for a new login, a server error is still one.
fn refresh_failed(error: GhlError) -> GhlError {
    let context = |m: String| format!("refreshing the OAuth access token failed: {m}");
    match error {
        GhlError::Unauthorized { message, trace_id } => GhlError::Unauthorized {
            message: context(message),
            trace_id,
        },
        GhlError::Forbidden { message, trace_id } => GhlError::Forbidden {
            message: context(message),
            trace_id,
        },
        GhlError::Server {
            status,
            message,
            trace_id,
        } => GhlError::Server {
            status,
            message: context(message),
            trace_id,
        },
        GhlError::Network(message) => GhlError::Network(context(message)),
        GhlError::Decode {
            status,
            message,
            body,
        } => GhlError::Decode {
            status,
            message: context(message),
            body,
        },
        other => other,
    }
}

/// Why a refresh is due, as the start of the message saying it needs the client secret.
pub fn refresh_reason(current: &StoredTokens) -> String {
    let at = current.expires_at.format("%Y-%m-%d %H:%M:%S UTC");
    if current.expires_within(Duration::ZERO) {
        format!("the OAuth access token expired at {at}; refreshing it")
    } else if current.expires_within(REFRESH_MARGIN) {
        format!("the OAuth access token expires at {at} and is due a refresh; refreshing it")
    } else {
        "the OAuth access token was refused and needs a refresh; refreshing it".to_string()
    }
}

fn reauthorise(why: &str) -> GhlError {
    GhlError::Unauthorized {
        message: format!("{why}: re-authorise with `ghl-console auth login`"),
        trace_id: None,
    }
}

/// Plugs an [`OAuthApp`] into the client: refresh before expiry and once on a 401.
#[derive(Debug, Clone)]
pub struct OAuthRefresh(pub Arc<OAuthApp>);

impl Refresh for OAuthRefresh {
    fn current(&self) -> BoxFuture<'_, Result<Secret, GhlError>> {
        Box::pin(self.0.access_token())
    }

    fn refresh<'a>(&'a self, rejected: &'a Secret) -> BoxFuture<'a, Result<Secret, GhlError>> {
        Box::pin(async move { Ok(self.0.refresh(Some(rejected)).await?.access_token) })
    }
}

/// Where OAuth tokens are stored by default.
pub fn default_store_path() -> PathBuf {
    crate::config::oauth_store_path(&crate::config::Config::default())
}

/// An agency login working in one location: location tokens from `POST /oauth/locationToken`,
/// fetched once and again after a 401 (the agency token itself refreshes as it needs to).
#[derive(Debug)]
pub struct LocationRefresh {
    app: Arc<OAuthApp>,
    company_id: String,
    location_id: String,
    token: tokio::sync::Mutex<Option<Secret>>,
}

impl LocationRefresh {
    /// Location tokens for `location_id` of the agency `company_id`.
    pub fn new(app: Arc<OAuthApp>, company_id: String, location_id: String) -> Self {
        Self {
            app,
            company_id,
            location_id,
            token: tokio::sync::Mutex::new(None),
        }
    }
}

impl Refresh for LocationRefresh {
    fn current(&self) -> BoxFuture<'_, Result<Secret, GhlError>> {
        Box::pin(async move {
            let mut slot = self.token.lock().await;
            if let Some(token) = slot.as_ref() {
                return Ok(token.clone());
            }
            let token = self
                .app
                .location_token(&self.company_id, &self.location_id)
                .await?;
            *slot = Some(token.clone());
            Ok(token)
        })
    }

    fn refresh<'a>(&'a self, _rejected: &'a Secret) -> BoxFuture<'a, Result<Secret, GhlError>> {
        Box::pin(async move {
            let token = self
                .app
                .location_token(&self.company_id, &self.location_id)
                .await?;
            *self.token.lock().await = Some(token.clone());
            Ok(token)
        })
    }
}

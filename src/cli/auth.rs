//! `ghl-console auth ...`: store a Private Integration Token, or log in with OAuth.

use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{Context, bail};
use clap::Subcommand;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt};

use crate::auth::{OAuthApp, TokenStore};
use crate::config::{self, AuthKind, Settings};
use crate::ghl::Secret;

/// `ghl-console auth ...`.
#[derive(Debug, Subcommand)]
pub enum AuthCommand {
    /// Store a Private Integration Token, read from stdin or typed at a prompt with no echo.
    SetToken {
        /// Where to write it (mode 0600); default: `auth.token_file`, else `<config dir>/token`.
        #[arg(long)]
        file: Option<PathBuf>,
    },
    /// OAuth: print the authorize URL, take the code (loopback redirect or pasted), store tokens.
    Login {
        /// Paste the code (or the whole redirect URL) instead of listening on loopback: the SSH case.
        #[arg(long)]
        paste: bool,
        /// The redirect URI registered with the app; default `http://127.0.0.1:PORT/callback`.
        #[arg(long)]
        redirect_uri: Option<String>,
    },
    /// Show what the stored credentials are: kind, source, expiry, scopes (never the token).
    Status,
    /// OAuth agency token: list the locations the app is installed in.
    Locations,
}

/// How long `auth login` waits for the redirect or a pasted code.
const LOGIN_WAIT: std::time::Duration = std::time::Duration::from_secs(600);

/// Runs an auth subcommand.
pub async fn run(settings: &Settings, command: &AuthCommand) -> anyhow::Result<u8> {
    match command {
        AuthCommand::SetToken { file } => set_token(settings, file.clone()),
        AuthCommand::Login {
            paste,
            redirect_uri,
        } => login(settings, *paste, redirect_uri.clone()).await,
        AuthCommand::Status => status(settings),
        AuthCommand::Locations => locations(settings).await,
    }
}

fn set_token(settings: &Settings, file: Option<PathBuf>) -> anyhow::Result<u8> {
    let path = file
        .or_else(|| {
            settings
                .config
                .auth
                .token_file
                .as_deref()
                .map(config::expand_home)
        })
        .or_else(config::default_token_path)
        .context("no config directory: pass --file")?;
    let token = if std::io::stdin().is_terminal() {
        rpassword::prompt_password("Private Integration Token (input hidden): ")?
    } else {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        line
    };
    let token = token.trim();
    if token.is_empty() {
        bail!("no token given");
    }
    config::write_private(&path, format!("{token}\n").as_bytes())?;
    super::say(format_args!(
        "token stored in {} (mode 0600)",
        path.display()
    ));
    if settings.config.auth.token_file.is_none()
        && Some(&path) != config::default_token_path().as_ref()
    {
        super::say(format_args!(
            "set auth.token_file = {:?} in the config file to use it",
            path.display().to_string()
        ));
    }
    Ok(0)
}

/// The OAuth app described by the settings.
pub fn oauth_app(settings: &Settings) -> anyhow::Result<OAuthApp> {
    let auth = &settings.config.auth;
    if auth.kind != AuthKind::Oauth {
        bail!("auth.kind is \"pit\": set auth.kind = \"oauth\" and auth.client_id to log in");
    }
    let client_id = auth
        .client_id
        .clone()
        .context("auth.client_id is not set")?;
    let secret = match (
        std::env::var(config::CLIENT_SECRET_ENV),
        &auth.client_secret_file,
    ) {
        (Ok(s), _) if !s.trim().is_empty() => Some(Secret::new(s.trim())),
        (_, Some(path)) => Some(settings.read_secret("auth.client_secret_file", path)?),
        // Only a login or a refresh needs it; an unexpired stored token works without.
        _ => None,
    };
    Ok(OAuthApp {
        base_url: settings.config.api.base_url.clone(),
        client_id,
        client_secret: secret,
        store: oauth_store(settings),
    })
}

/// The OAuth token store in force; reading it needs no client secret.
pub fn oauth_store(settings: &Settings) -> TokenStore {
    TokenStore::new(config::oauth_store_path(&settings.config))
}

async fn login(
    settings: &Settings,
    paste: bool,
    redirect_uri: Option<String>,
) -> anyhow::Result<u8> {
    let app = oauth_app(settings)?;
    if app.client_secret.is_none() {
        bail!(
            "no client secret: logging in needs it; {}",
            crate::auth::NO_CLIENT_SECRET
        );
    }
    let mut port = settings.config.auth.redirect_port.unwrap_or(8765);
    // The listener is bound before the URL is printed, so the redirect can never arrive before
    // it listens; port 0 takes a free port, and the URL carries the one taken.
    let listener = if paste {
        None
    } else {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
            .await
            .with_context(|| format!("cannot listen on 127.0.0.1:{port}; use --paste"))?;
        port = listener.local_addr()?.port();
        Some(listener)
    };
    let redirect = redirect_uri.unwrap_or_else(|| format!("http://127.0.0.1:{port}/callback"));
    let state = new_state();
    let url = authorize_url(&app, settings, &redirect, &state);
    super::say(format_args!(
        "Open this URL in a browser, pick the location and approve:\n\n  {url}\n"
    ));
    let code = if let Some(listener) = listener {
        super::say(format_args!(
            "Waiting for the redirect on 127.0.0.1:{port} (or paste the code here):"
        ));
        let pasted = async {
            match read_pasted_code(&state).await {
                Ok(code) => Ok(code),
                // No terminal to paste into (stdin closed): only the redirect can answer.
                Err(_) => std::future::pending().await,
            }
        };
        let waited = tokio::time::timeout(LOGIN_WAIT, async {
            tokio::select! {
                code = listen_for_code(listener, &state) => code,
                code = pasted => code,
            }
        });
        waited
            .await
            .map_err(|_| anyhow::anyhow!("no redirect or code within 10 minutes"))??
    } else {
        super::say(format_args!(
            "Then paste the code, or the whole URL the browser was sent to:"
        ));
        read_pasted_code(&state).await?
    };
    let tokens = app.exchange_code(&code, &redirect).await?;
    super::say(format_args!(
        "logged in: user type {}, location {}, company {}, expires {}, scopes: {}",
        tokens.user_type.as_deref().unwrap_or("?"),
        tokens.location_id.as_deref().unwrap_or("-"),
        tokens.company_id.as_deref().unwrap_or("-"),
        tokens.expires_at.to_rfc3339(),
        if tokens.scopes.is_empty() {
            "(none listed)".into()
        } else {
            tokens.scopes.join(" ")
        }
    ));
    super::say(format_args!(
        "tokens stored in {} (mode 0600)",
        app.store.path().display()
    ));
    Ok(0)
}

/// A callback or pasted URL whose `state` is not the one this login sent: it was not started
/// here (a forged or stale redirect, CSRF), so its code is not exchanged. The login says so and
/// keeps waiting for its own redirect: any local process can reach the loopback listener, and
/// must not be able to end a login it did not start.
#[derive(Debug, thiserror::Error)]
#[error(
    "refused a redirect with a wrong state: it does not match the one this login sent (a \
     redirect this login did not start, possibly forged), so its code is not used; still \
     waiting for this login's redirect"
)]
pub struct StateMismatch;

/// How long the redirect listener waits for one request's first bytes before it drops the
/// connection and listens again, so a connection that sends nothing cannot hold the login.
const REQUEST_WAIT: std::time::Duration = std::time::Duration::from_secs(5);

/// A fresh random `state` for one login: 128 bits, hex.
fn new_state() -> String {
    let bytes: [u8; 16] = rand::random();
    bytes.iter().fold(String::with_capacity(32), |mut out, b| {
        use std::fmt::Write as _;
        let _ = write!(out, "{b:02x}");
        out
    })
}

/// Checks the `state` a redirect carried: it must be the one sent. A bare pasted code carries
/// none (`carried` is `None` and `required` false) and is taken as the user's own.
fn check_state(carried: Option<&str>, sent: &str, required: bool) -> Result<(), StateMismatch> {
    match carried {
        Some(state) if state == sent => Ok(()),
        None if !required => Ok(()),
        _ => Err(StateMismatch),
    }
}

/// The marketplace URL for the real API; a sandbox serves its own consent page.
fn authorize_url(app: &OAuthApp, settings: &Settings, redirect: &str, state: &str) -> String {
    let mut scopes = settings.config.auth.scopes.clone();
    if scopes.is_empty() {
        // Least privilege: what the features in use need, nothing more.
        scopes = crate::cli::doctor::needed_scopes(settings.read_only())
            .into_iter()
            .map(String::from)
            .collect();
    }
    let url = app.authorize_url(redirect, &scopes, state);
    if settings.config.api.base_url == crate::ghl::DEFAULT_BASE_URL {
        return url;
    }
    url.replacen(
        crate::auth::AUTHORIZE_URL,
        &format!(
            "{}/oauth/chooselocation",
            app.base_url.trim_end_matches('/')
        ),
        1,
    )
}

/// Takes `state=...` out of a pasted redirect URL or callback target.
pub fn state_from_paste(text: &str) -> Option<String> {
    let text = text.trim();
    let query = text.split_once('?').map_or(text, |(_, q)| q);
    url::form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == "state")
        .map(|(_, v)| v.into_owned())
}

/// Takes `code=...` out of a pasted redirect URL, or the code itself.
pub fn code_from_paste(text: &str) -> Option<String> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    let query = text.split_once('?').map_or(text, |(_, q)| q);
    url::form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == "code")
        .map(|(_, v)| v.into_owned())
        .or_else(|| (!text.contains(['?', '=', '/', ' '])).then(|| text.to_string()))
}

async fn read_pasted_code(state: &str) -> anyhow::Result<String> {
    let mut lines = tokio::io::BufReader::new(tokio::io::stdin()).lines();
    while let Some(line) = lines.next_line().await? {
        if let Some(code) = code_from_paste(&line) {
            // A pasted URL carries the state it was sent with; a bare code cannot.
            let is_url = line.contains("code=");
            match check_state(state_from_paste(&line).as_deref(), state, is_url) {
                Ok(()) => return Ok(code),
                Err(refused) => {
                    eprintln!("warning: {refused}");
                    super::say(format_args!(
                        "paste the code, or the URL of this login's redirect:"
                    ));
                    continue;
                }
            }
        }
        super::say(format_args!(
            "no code in that; paste the code or the redirect URL:"
        ));
    }
    bail!("stdin closed before a code was pasted")
}

/// Serves redirects on `listener` (loopback) until one carries a `code` with this login's
/// `state`, and returns it. A redirect with another state (or none) is answered 400, said on
/// stderr, and the listener goes on waiting; so does it after a connection that fails or sends
/// nothing within [`REQUEST_WAIT`].
async fn listen_for_code(listener: tokio::net::TcpListener, state: &str) -> anyhow::Result<String> {
    loop {
        let (mut socket, _) = listener.accept().await?;
        let mut buf = vec![0u8; 8192];
        let Ok(Ok(n)) = tokio::time::timeout(REQUEST_WAIT, socket.read(&mut buf)).await else {
            continue;
        };
        let request = String::from_utf8_lossy(&buf[..n]);
        let target = request.split_whitespace().nth(1).unwrap_or_default();
        let code = code_from_paste(target).filter(|_| target.contains("code="));
        let verdict = code
            .as_ref()
            .map(|_| check_state(state_from_paste(target).as_deref(), state, true));
        let (status, page) = match &verdict {
            Some(Ok(())) => ("200 OK", "Authorised: you can close this tab."),
            Some(Err(_)) => (
                "400 Bad Request",
                "Refused: this redirect's state does not match the login that is waiting. \
                 The login goes on waiting for its own redirect.",
            ),
            None => ("200 OK", "No code in this request."),
        };
        let reply = format!(
            "HTTP/1.1 {status}\r\ncontent-type: text/plain\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{page}",
            page.len()
        );
        let _ = socket.write_all(reply.as_bytes()).await;
        match (code, verdict) {
            (Some(code), Some(Ok(()))) => return Ok(code),
            (_, Some(Err(refused))) => eprintln!("warning: {refused}"),
            _ => {}
        }
    }
}

fn status(settings: &Settings) -> anyhow::Result<u8> {
    let mut out = std::io::stdout().lock();
    match settings.config.auth.kind {
        AuthKind::Pit => {
            let source = settings.token_origin.as_deref().unwrap_or("none");
            writeln!(out, "auth: Private Integration Token, from {source}")?;
            if settings.token.is_none() {
                writeln!(
                    out,
                    "no token: run `ghl-console auth set-token` or set GHL_TOKEN"
                )?;
                return Ok(1);
            }
            let location = settings
                .config
                .api
                .location_id
                .as_deref()
                .unwrap_or("(none set)");
            writeln!(out, "location {location}")?;
            writeln!(
                out,
                "a PIT does not expire and its scopes are set in GHL's settings; \
                 `ghl-console doctor` tests it against the location"
            )?;
        }
        AuthKind::Oauth => {
            // Showing what is stored needs no client secret: only a login or refresh does.
            let store = oauth_store(settings);
            let Some(tokens) = store.load()? else {
                writeln!(
                    out,
                    "auth: OAuth, not logged in: run `ghl-console auth login`"
                )?;
                return Ok(1);
            };
            writeln!(
                out,
                "auth: OAuth ({}), store {}",
                tokens.user_type.as_deref().unwrap_or("?"),
                store.path().display()
            )?;
            writeln!(
                out,
                "access token expires {}",
                tokens.expires_at.to_rfc3339()
            )?;
            writeln!(out, "scopes: {}", tokens.scopes.join(" "))?;
            writeln!(
                out,
                "location {} company {}",
                tokens.location_id.as_deref().unwrap_or("-"),
                tokens.company_id.as_deref().unwrap_or("-")
            )?;
        }
    }
    Ok(0)
}

async fn locations(settings: &Settings) -> anyhow::Result<u8> {
    let app = Arc::new(oauth_app(settings)?);
    let tokens = app
        .store
        .load()?
        .context("not logged in: run `ghl-console auth login`")?;
    let company = tokens
        .company_id
        .context("this token has no company: log in as an agency (Company) user")?;
    for location in app.installed_locations(&company).await? {
        super::say(format_args!("{}\t{}", location.id, location.name));
    }
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::{check_state, code_from_paste, state_from_paste};

    #[test]
    fn a_pasted_url_must_carry_the_state_sent() {
        let pasted = "http://127.0.0.1:8765/callback?code=c1&state=abc";
        let carried = state_from_paste(pasted);
        assert!(check_state(carried.as_deref(), "abc", true).is_ok());
        assert!(check_state(carried.as_deref(), "xyz", true).is_err());
        assert!(
            check_state(None, "abc", true).is_err(),
            "a URL without state"
        );
        assert!(check_state(None, "abc", false).is_ok(), "a bare code");
    }

    #[test]
    fn takes_the_code_from_what_is_pasted() {
        assert_eq!(code_from_paste("abc123").as_deref(), Some("abc123"));
        assert_eq!(
            code_from_paste("https://app.test/cb?code=xyz&state=1").as_deref(),
            Some("xyz")
        );
        assert_eq!(
            code_from_paste("/callback?code=q%2Bq").as_deref(),
            Some("q+q")
        );
        assert_eq!(code_from_paste("   "), None);
        assert_eq!(code_from_paste("https://app.test/cb?error=denied"), None);
    }
}

//! `ghl-console doctor`: checks every piece a working setup needs and says how to fix each.

use std::fmt;
use std::path::Path;
use std::time::Instant;

use crate::config::{self, AuthKind, Settings};
use crate::ghl::{GhlClient, GhlError, ListQuery};

/// How one check came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Ok,
    /// Not run, because a check it depends on failed; the detail says which.
    Skip,
    Warn,
    Fail,
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Ok => "ok  ",
            Self::Skip => "skip",
            Self::Warn => "warn",
            Self::Fail => "FAIL",
        })
    }
}

/// One line of the report.
#[derive(Debug, Clone)]
pub struct Check {
    pub level: Level,
    pub name: &'static str,
    pub detail: String,
    /// What to do about it (empty when ok).
    pub fix: String,
}

fn check(
    level: Level,
    name: &'static str,
    detail: impl Into<String>,
    fix: impl Into<String>,
) -> Check {
    Check {
        level,
        name,
        detail: detail.into(),
        fix: fix.into(),
    }
}

/// The scopes the product's features use.
pub fn needed_scopes(read_only: bool) -> Vec<&'static str> {
    let mut scopes = vec!["contacts.readonly", "locations.readonly", "users.readonly"];
    if !read_only {
        scopes.push("contacts.write");
    }
    scopes
}

/// Runs every check against `settings` (the config result is passed in, since a broken config
/// is itself a finding).
pub async fn run_checks(
    settings: Result<Settings, String>,
    config_file: Option<&Path>,
) -> Vec<Check> {
    let mut checks = Vec::new();
    let settings = match settings {
        Ok(s) => {
            let file = s
                .file
                .as_ref()
                .map_or("no config file: defaults and env".into(), |p| {
                    p.display().to_string()
                });
            checks.push(check(Level::Ok, "config", file, ""));
            s
        }
        Err(e) => {
            // A message that carries its own remedy (a file's mode: `chmod 600 …`) gives it as
            // the fix, rather than a general word about the file.
            let (message, fix) = if let Some((message, command)) = e.split_once("; fix it with: ") {
                (message.to_string(), command.to_string())
            } else {
                let fix = config_fix(&e);
                (e, fix)
            };
            checks.push(check(Level::Fail, "config", message, fix));
            checks.extend(skipped(
                &[
                    "keys",
                    "permissions",
                    "token",
                    "scopes",
                    "api",
                    "rate limit",
                    "clock",
                    "store",
                    "webhook keys",
                ],
                "needs a config that loads",
            ));
            return checks;
        }
    };
    let _ = config_file;
    checks.push(keys_check(&settings));
    checks.extend(permission_checks(&settings));
    let scopes = token_checks(&settings, &mut checks);
    checks.extend(scope_checks(&settings, scopes.as_deref()));
    let no_token = settings.config.auth.kind == AuthKind::Pit && settings.token.is_none();
    match crate::cli::client_for(&settings) {
        // The token check above says what to do; the call cannot be tried without one.
        Err(_) if no_token => {
            checks.extend(skipped(&["api"], "needs a token"));
            checks.extend(skipped(API_DEPENDENT, "needs a successful API call"));
        }
        Ok(client) => {
            let oauth = settings.config.auth.kind == AuthKind::Oauth;
            checks.extend(api_checks(&client, oauth, &settings.config.api.version).await);
        }
        Err(e) => {
            checks.push(check(
                Level::Fail,
                "api",
                format!("{e:#}"),
                client_fix(&settings),
            ));
            checks.extend(skipped(API_DEPENDENT, "needs a successful API call"));
        }
    }
    checks.push(store_check(&settings));
    checks.push(webhook_check(&settings));
    checks
}

/// What to do about a config that does not load: a value from the environment or a flag is
/// corrected there (the message names it), anything else in the file.
fn config_fix(message: &str) -> String {
    let named = |prefix: &str| {
        message
            .strip_prefix(prefix)
            .and_then(|rest| rest.split(':').next())
            .map(str::to_string)
    };
    if let Some(var) = named("environment variable ") {
        return format!("correct {var} as the message says, or unset it");
    }
    if let Some(flag) = named("flag ") {
        return format!("correct {flag} as the message says");
    }
    "correct the file as the message says, or start from config.example.toml".into()
}

/// The checks that read the answer of the test call.
const API_DEPENDENT: &[&str] = &["rate limit", "clock"];

/// `names` reported as skipped, each with `why`.
fn skipped(names: &[&'static str], why: &str) -> Vec<Check> {
    names
        .iter()
        .map(|name| check(Level::Skip, name, why, ""))
        .collect()
}

/// What to do when no client can be built for `settings`: the fix for what is actually missing
/// (a PIT, the OAuth login, the client id, the client secret a due refresh needs, an agency
/// login's location), in the order `client_for` needs them.
fn client_fix(settings: &Settings) -> String {
    let auth = &settings.config.auth;
    if auth.kind == AuthKind::Pit {
        return if settings.token.is_none() {
            "run `ghl-console auth set-token` or set GHL_TOKEN".into()
        } else {
            "see the message; `ghl-console config check` lists config problems".into()
        };
    }
    if auth.client_id.is_none() {
        return "set auth.client_id to the marketplace app's client id".into();
    }
    let Ok(app) = crate::cli::auth::oauth_app(settings) else {
        return "make auth.client_secret_file readable (mode 0600), or set GHL_CLIENT_SECRET"
            .into();
    };
    let stored = match app.store.load() {
        Ok(Some(stored)) => stored,
        Ok(None) => return "run `ghl-console auth login`".into(),
        Err(_) => return "see the message; `ghl-console auth login` starts over".into(),
    };
    if app.client_secret.is_none() && stored.expires_within(crate::auth::REFRESH_MARGIN) {
        return format!(
            "the token needs a refresh, which needs the client secret: {}",
            crate::auth::NO_CLIENT_SECRET
        );
    }
    if stored.location_id.is_none() && settings.config.api.location_id.is_none() {
        return "pass --location ID; `ghl-console auth locations` lists them".into();
    }
    "see the message".into()
}

/// The `[ui.keys]` remapping, checked as `config check` does: errors fail, a key taken from
/// another action warns.
fn keys_check(settings: &Settings) -> Check {
    let Some(path) = &settings.file else {
        return check(Level::Ok, "keys", "no remapping (no config file)", "");
    };
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let file = path.display().to_string();
    let (errors, warnings) = crate::cli::key_problems(&file, &text);
    let remapped = config::key_remaps(&text).len();
    let listed = |problems: &[String]| -> String {
        problems
            .iter()
            .map(|p| format!("\n  {p}"))
            .collect::<Vec<_>>()
            .concat()
    };
    if !errors.is_empty() {
        return check(
            Level::Fail,
            "keys",
            format!("[ui.keys]:{}{}", listed(&errors), listed(&warnings)),
            "correct the [ui.keys] entries (action ids are in the console's `?`)",
        );
    }
    if !warnings.is_empty() {
        return check(
            Level::Warn,
            "keys",
            format!("[ui.keys]:{}", listed(&warnings)),
            "the console applies this; remap the other action to silence it",
        );
    }
    check(
        Level::Ok,
        "keys",
        format!("{remapped} action(s) remapped in [ui.keys]"),
        "",
    )
}

fn permission_checks(settings: &Settings) -> Vec<Check> {
    let auth = &settings.config.auth;
    let mut files: Vec<(&'static str, std::path::PathBuf)> = Vec::new();
    if let Some(p) = &auth.token_file {
        files.push(("token file", config::expand_home(p)));
    }
    if let Some(p) = &auth.client_secret_file {
        files.push(("client secret", config::expand_home(p)));
    }
    if auth.kind == AuthKind::Oauth {
        files.push(("oauth store", config::oauth_store_path(&settings.config)));
    }
    files
        .into_iter()
        .filter(|(_, path)| path.exists())
        .map(|(what, path)| match config::check_private(&path) {
            Ok(()) => check(
                Level::Ok,
                "permissions",
                format!("{what} {} is 0600", path.display()),
                "",
            ),
            Err(e) => check(
                Level::Fail,
                "permissions",
                e.to_string(),
                format!("chmod 600 {}", path.display()),
            ),
        })
        .collect()
}

/// Reports the token; returns its scopes when they are known (OAuth).
fn token_checks(settings: &Settings, checks: &mut Vec<Check>) -> Option<Vec<String>> {
    match settings.config.auth.kind {
        AuthKind::Pit => {
            if settings.token.is_none() {
                checks.push(check(
                    Level::Fail,
                    "token",
                    "no token",
                    "run `ghl-console auth set-token` or set GHL_TOKEN",
                ));
                return None;
            }
            checks.push(check(Level::Ok, "token", settings.credential(), ""));
            None
        }
        AuthKind::Oauth => {
            let stored = crate::cli::auth::oauth_store(settings)
                .load()
                .map_err(|e| e.to_string());
            match stored {
                Ok(Some(tokens)) => {
                    let left = tokens.expires_at - chrono::Utc::now();
                    let no_secret = crate::cli::auth::oauth_app(settings)
                        .is_ok_and(|app| app.client_secret.is_none());
                    let (level, fix) = if no_secret
                        && tokens.expires_within(crate::auth::REFRESH_MARGIN)
                    {
                        (
                            Level::Warn,
                            "it is due a refresh, which needs the client secret: set \
                             GHL_CLIENT_SECRET or auth.client_secret_file",
                        )
                    } else if left.num_seconds() <= 0 {
                        (
                            Level::Warn,
                            "it is refreshed on the next call; if that fails run `ghl-console auth login`",
                        )
                    } else {
                        (Level::Ok, "")
                    };
                    let detail = format!(
                        "{} ({} token), expires in {} min",
                        settings.credential(),
                        tokens.user_type.as_deref().unwrap_or("?"),
                        left.num_minutes()
                    );
                    checks.push(check(level, "token", detail, fix));
                    Some(tokens.scopes)
                }
                Ok(None) => {
                    checks.push(check(
                        Level::Fail,
                        "token",
                        "OAuth: not logged in",
                        "run `ghl-console auth login`",
                    ));
                    None
                }
                Err(e) => {
                    checks.push(check(
                        Level::Fail,
                        "token",
                        e,
                        "see the message; `ghl-console auth login` starts over",
                    ));
                    None
                }
            }
        }
    }
}

fn scope_checks(settings: &Settings, scopes: Option<&[String]>) -> Vec<Check> {
    let needed = needed_scopes(settings.read_only());
    let Some(scopes) = scopes else {
        if settings.config.auth.kind == AuthKind::Oauth {
            return vec![check(
                Level::Skip,
                "scopes",
                "needs the stored OAuth tokens",
                "",
            )];
        }
        if settings.token.is_none() {
            return vec![check(Level::Skip, "scopes", "needs a token", "")];
        }
        let detail = format!(
            "not readable from a PIT; the console needs: {}",
            needed.join(" ")
        );
        return vec![check(Level::Ok, "scopes", detail, "")];
    };
    let missing: Vec<&str> = needed
        .iter()
        .copied()
        .filter(|n| !scopes.iter().any(|s| s == n))
        .collect();
    let extra: Vec<&String> = scopes
        .iter()
        .filter(|s| !needed.contains(&s.as_str()))
        .collect();
    let mut out = Vec::new();
    if missing.is_empty() {
        out.push(check(
            Level::Ok,
            "scopes",
            format!("has {}", needed.join(" ")),
            "",
        ));
    } else {
        out.push(check(
            Level::Fail,
            "scopes",
            format!("missing {}", missing.join(" ")),
            "add them to the app and log in again",
        ));
    }
    if !extra.is_empty() {
        let list: Vec<&str> = extra.iter().map(|s| s.as_str()).collect();
        out.push(check(
            Level::Warn,
            "least privilege",
            format!("not needed: {}", list.join(" ")),
            "drop them from auth.scopes and the app",
        ));
    }
    out
}

async fn api_checks(client: &GhlClient, oauth: bool, version: &str) -> Vec<Check> {
    let mut out = Vec::new();
    if client.location_id().is_empty() {
        out.push(check(
            Level::Fail,
            "location",
            "no location id",
            "set GHL_LOCATION_ID, --location or api.location_id",
        ));
        out.push(check(Level::Skip, "api", "needs a location id", ""));
        out.extend(skipped(API_DEPENDENT, "needs a successful API call"));
        return out;
    }
    let started = Instant::now();
    match client
        .list_contacts(&ListQuery {
            limit: Some(1),
            ..ListQuery::default()
        })
        .await
    {
        Ok(reply) => {
            let ms = started.elapsed().as_millis();
            out.push(check(
                Level::Ok,
                "api",
                format!(
                    "GET /contacts/ answered {} in {ms} ms",
                    reply.exchange.status.unwrap_or(0)
                ),
                "",
            ));
            out.push(rate_check(client));
            out.push(skew_check(&reply.exchange.response_headers));
        }
        Err(e) => {
            let fix = match (&e, e.status()) {
                (GhlError::Network(_) | GhlError::Timeout(_), _) => {
                    "check the network and api.base_url"
                }
                (_, Some(401)) if oauth => {
                    "the OAuth token was refused and could not be refreshed: run `ghl-console auth login`"
                }
                (_, Some(401)) => {
                    "the token is invalid or expired: store a new one (`ghl-console auth set-token` or GHL_TOKEN)"
                }
                (_, Some(403)) => {
                    "the token cannot reach this location, or lacks contacts.readonly"
                }
                (_, Some(429)) => "rate limited: wait and try again",
                (_, Some(status)) if status >= 500 => {
                    "the server failed: try again later, or check api.base_url"
                }
                _ => "see the message",
            };
            let fix = match e.status() {
                // GHL answers a `Version` it does not serve with a 400 about the header.
                Some(400) if e.to_string().to_ascii_lowercase().contains("version") => format!(
                    "set api.version (or GHL_VERSION) to a version GHL serves, such as {}; it is {version:?} now",
                    crate::ghl::API_VERSION
                ),
                Some(400) => format!(
                    "GHL refused the request: check api.location_id and api.version (or GHL_VERSION, now {version:?})"
                ),
                _ => fix.to_string(),
            };
            out.push(check(Level::Fail, "api", e.to_string(), fix));
            out.extend(skipped(API_DEPENDENT, "needs a successful API call"));
        }
    }
    out
}

fn rate_check(client: &GhlClient) -> Check {
    let b = client.budget();
    match (b.remaining, b.max, b.daily_remaining) {
        (Some(r), Some(m), daily) => {
            let daily = daily.map_or(String::new(), |d| format!(", {d} left today"));
            let level = if r * 5 < m { Level::Warn } else { Level::Ok };
            check(
                level,
                "rate limit",
                format!("{r}/{m} left in this interval{daily}"),
                "",
            )
        }
        _ => check(
            Level::Warn,
            "rate limit",
            "no X-RateLimit headers seen",
            "pacing falls back to the client's own limit",
        ),
    }
}

fn skew_check(headers: &[(String, String)]) -> Check {
    let date = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("date"))
        .map(|(_, v)| v.clone());
    let Some(server) = date.and_then(|d| chrono::DateTime::parse_from_rfc2822(&d).ok()) else {
        return check(Level::Warn, "clock", "the server sent no Date header", "");
    };
    let skew = (chrono::Utc::now() - server.with_timezone(&chrono::Utc)).num_seconds();
    if skew.abs() > 60 {
        return check(
            Level::Warn,
            "clock",
            format!("{skew} s off the server"),
            "sync the clock (NTP): webhook signatures older than 5 min are refused",
        );
    }
    check(Level::Ok, "clock", format!("{skew} s off the server"), "")
}

fn store_check(settings: &Settings) -> Check {
    let path = settings.config.rankr.store_path.as_deref().map_or_else(
        || config::data_dir().join("rankr.sqlite3"),
        config::expand_home,
    );
    let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let probe = dir.join(".ghl-console-write-test");
    let writable = std::fs::create_dir_all(&dir)
        .and_then(|()| std::fs::write(&probe, b""))
        .and_then(|()| std::fs::remove_file(&probe));
    match writable {
        Ok(()) => check(
            Level::Ok,
            "store",
            format!("{} is writable", dir.display()),
            "",
        ),
        Err(e) => check(
            Level::Fail,
            "store",
            format!("{}: {e}", dir.display()),
            "set rankr.store_path to a writable place",
        ),
    }
}

/// Parses the webhook keys as the receiver will: a key that does not parse is a failure
/// with the reason, not an `ok`.
fn webhook_check(settings: &Settings) -> Check {
    use crate::sync::webhook::signature::{parse_ed25519, parse_rsa_pem};
    let hook = &settings.config.webhook;
    let rsa = match &hook.rsa_public_key_file {
        Some(path) => {
            let path = config::expand_home(path);
            let parsed = std::fs::read_to_string(&path)
                .map_err(|e| e.to_string())
                .and_then(|pem| parse_rsa_pem(&pem).map_err(|e| e.to_string()));
            if let Err(e) = parsed {
                return check(
                    Level::Fail,
                    "webhook keys",
                    format!("{}: {e}", path.display()),
                    "point webhook.rsa_public_key_file at a PEM RSA public key",
                );
            }
            format!("RSA key from {}", path.display())
        }
        None => "GHL's RSA key (shipped)".to_string(),
    };
    let ed = match hook.ed25519_public_key.as_deref().map(parse_ed25519) {
        None => ", no Ed25519 key (x-ghl-signature refused)",
        Some(Ok(_)) => ", Ed25519 key parsed",
        Some(Err(e)) => {
            return check(
                Level::Fail,
                "webhook keys",
                format!("webhook.ed25519_public_key: {e}"),
                "give the key as base64 (32 raw bytes or DER SubjectPublicKeyInfo) or PEM",
            );
        }
    };
    check(Level::Ok, "webhook keys", format!("{rsa}{ed}"), "")
}

/// Prints the report; the exit code is 0 when all is ok, 1 with warnings, 2 with a failure.
pub fn print(checks: &[Check]) -> u8 {
    for c in checks {
        super::say(format_args!("{} {:<16} {}", c.level, c.name, c.detail));
        if !c.fix.is_empty() && c.level != Level::Ok {
            super::say(format_args!("     {:<16} fix: {}", "", c.fix));
        }
    }
    match checks.iter().map(|c| c.level).max() {
        Some(Level::Fail) => 2,
        Some(Level::Warn) => 1,
        // A check skipped is one a failure explains; alone it changes nothing.
        _ => 0,
    }
}

//! The configuration: a TOML file, overridden by environment variables, overridden by flags.
//!
//! Every key is documented in `config.example.toml` at the top of the repository. An unknown
//! key, a wrong type or a missing required value is an error that names the file, the line and
//! the key, so a typo never silently falls back to a default.

mod files;
mod spans;

use std::collections::BTreeMap;
use std::fmt;
use std::ops::RangeInclusive;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

pub use files::{check_private, private_dir, read_secret_file, write_private};

use crate::ghl::{API_VERSION, DEFAULT_BASE_URL, Secret};

/// Why a configuration cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("{path}: {message}")]
    Io { path: PathBuf, message: String },
    /// The file is not valid TOML or does not fit the schema.
    #[error("{path}:{line}:{column}: {message}")]
    Parse {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
    /// A value is missing or out of range; `key` is its dotted name.
    #[error("{origin}: `{key}`: {message}")]
    Invalid {
        origin: String,
        key: String,
        message: String,
    },
    /// A problem of something the config names, said with where that name came from when no
    /// key's line can say it (`auth.token_file` is not set, so the default file was read).
    #[error("{origin}: {message}")]
    Located { origin: String, message: String },
    /// A file holding a secret can be read by others.
    #[error("{path} is readable by group or others (mode {mode:o}); fix it with: chmod 600 {path}")]
    Permissions { path: PathBuf, mode: u32 },
}

/// How the console authenticates.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AuthKind {
    /// A Private Integration Token of a sub-account (or agency).
    #[default]
    Pit,
    /// OAuth 2.0 of a marketplace app, with refresh.
    Oauth,
}

/// The `[api]` table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ApiConfig {
    pub base_url: String,
    pub version: String,
    pub location_id: Option<String>,
    /// Seconds one request may take, within [`TIMEOUT_SECS`].
    pub timeout_secs: u64,
    /// Retries of a failed call, within [`MAX_RETRIES`].
    pub max_retries: u32,
    /// The client's own pacing, as `100/10s` (a window of at most [`MAX_RATE_WINDOW`]), or
    /// `off`.
    pub rate_limit: String,
}

impl Default for ApiConfig {
    fn default() -> Self {
        Self {
            base_url: DEFAULT_BASE_URL.into(),
            version: API_VERSION.into(),
            location_id: None,
            timeout_secs: 30,
            max_retries: 4,
            rate_limit: "100/10s".into(),
        }
    }
}

/// The `[auth]` table.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AuthConfig {
    pub kind: AuthKind,
    /// A file holding the Private Integration Token (mode 0600).
    pub token_file: Option<PathBuf>,
    /// Where OAuth tokens are kept (mode 0600); defaults to the config dir.
    pub oauth_store: Option<PathBuf>,
    pub client_id: Option<String>,
    /// A file holding the OAuth client secret (mode 0600).
    pub client_secret_file: Option<PathBuf>,
    pub scopes: Vec<String>,
    /// The loopback port of the redirect listener for `auth login`.
    pub redirect_port: Option<u16>,
}

/// One `[[locations]]` entry: a location the console can switch to.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LocationConfig {
    pub id: String,
    pub name: Option<String>,
    pub read_only: bool,
}

/// The `[rankr]` table.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RankrConfig {
    /// `sqlite` (the embedded store) or `http`.
    pub target: Option<String>,
    pub store_path: Option<PathBuf>,
    pub http_url: Option<String>,
    pub api_key_file: Option<PathBuf>,
}

/// The `[sync]` table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SyncConfig {
    /// Seconds between the reconciliations of `sync --watch`, within [`INTERVAL_SECS`].
    pub interval_secs: u64,
    /// The country (ISO code like `US`) for phone numbers entered without a country code;
    /// without it such numbers are refused rather than guessed (C06).
    pub default_country: Option<String>,
}

impl Default for SyncConfig {
    fn default() -> Self {
        Self {
            interval_secs: 300,
            default_country: None,
        }
    }
}

/// The `[webhook]` table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct WebhookConfig {
    pub listen: String,
    /// A PEM file with GHL's RSA public key, replacing the one shipped in `assets/`.
    pub rsa_public_key_file: Option<PathBuf>,
    /// The Ed25519 public key for `x-ghl-signature`, base64.
    pub ed25519_public_key: Option<String>,
    /// The largest webhook body accepted, within [`MAX_BODY_BYTES`].
    pub max_body_bytes: usize,
}

impl Default for WebhookConfig {
    fn default() -> Self {
        Self {
            listen: "127.0.0.1:8787".into(),
            rsa_public_key_file: None,
            ed25519_public_key: None,
            max_body_bytes: 256 * 1024,
        }
    }
}

/// The `[ui]` table.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct UiConfig {
    pub read_only: bool,
    /// `auto` (colours unless `NO_COLOR`), `color` or `plain`.
    pub theme: Option<String>,
    /// Action id to keys, e.g. `"task.complete" = ["x", "space"]`; a single key may be given
    /// as a plain string (`quit = "ctrl-q"`), read as a list of one.
    #[serde(deserialize_with = "key_lists")]
    pub keys: BTreeMap<String, Vec<String>>,
}

/// One `[ui.keys]` value: a list of key strings, or one key string alone.
struct KeyList(Vec<String>);

impl<'de> Deserialize<'de> for KeyList {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = KeyList;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a key string or a list of key strings")
            }

            fn visit_str<E: serde::de::Error>(self, key: &str) -> Result<KeyList, E> {
                Ok(KeyList(vec![key.to_string()]))
            }

            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<KeyList, A::Error> {
                let mut keys = Vec::new();
                while let Some(key) = seq.next_element::<String>()? {
                    keys.push(key);
                }
                Ok(KeyList(keys))
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}

/// `[ui.keys]`, each value a list of keys or one key alone.
fn key_lists<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<BTreeMap<String, Vec<String>>, D::Error> {
    let lists = BTreeMap::<String, KeyList>::deserialize(deserializer)?;
    Ok(lists
        .into_iter()
        .map(|(action, keys)| (action, keys.0))
        .collect())
}

/// The `[log]` table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LogConfig {
    pub level: String,
}

impl Default for LogConfig {
    fn default() -> Self {
        Self {
            level: "info".into(),
        }
    }
}

/// The whole configuration file.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    pub api: ApiConfig,
    pub auth: AuthConfig,
    pub locations: Vec<LocationConfig>,
    pub rankr: RankrConfig,
    pub sync: SyncConfig,
    pub webhook: WebhookConfig,
    pub ui: UiConfig,
    pub log: LogConfig,
}

/// Values given on the command line; they win over the file and the environment.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    pub base_url: Option<String>,
    pub location_id: Option<String>,
    pub read_only: bool,
}

/// The environment variable that holds a Private Integration Token.
pub const TOKEN_ENV: &str = "GHL_TOKEN";
/// The environment variable that sets `api.version`.
pub const VERSION_ENV: &str = "GHL_VERSION";
/// The environment variable that holds the OAuth app's client secret.
pub const CLIENT_SECRET_ENV: &str = "GHL_CLIENT_SECRET";
/// The environment variable that holds the remote Rankr's API key.
pub const RANKR_API_KEY_ENV: &str = "RANKR_API_KEY";
/// Every environment variable a secret is read from. A command run for the user
/// (`--alert-cmd`) is started without them, so a secret never reaches a shell it did not need.
pub const SECRET_ENV_VARS: &[&str] = &[TOKEN_ENV, CLIENT_SECRET_ENV, RANKR_API_KEY_ENV];

/// Where a value came from, for `config show`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    Default,
    File,
    Env,
    Flag,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Default => "default",
            Self::File => "file",
            Self::Env => "env",
            Self::Flag => "flag",
        })
    }
}

/// The configuration in force: file, then environment, then flags, with the token resolved.
#[derive(Debug, Clone)]
pub struct Settings {
    pub config: Config,
    /// The file read, if one was found.
    pub file: Option<PathBuf>,
    pub token: Option<Secret>,
    pub token_origin: Option<String>,
    pub origins: BTreeMap<&'static str, Origin>,
}

/// The config dir: `GHL_CONSOLE_CONFIG_DIR` when set, else the platform's
/// (`~/.config/ghl-console` on Linux). It holds `config.toml` and the token `auth set-token`
/// stores.
pub fn config_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("GHL_CONSOLE_CONFIG_DIR").filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(dir));
    }
    directories::ProjectDirs::from("", "", "ghl-console").map(|d| d.config_dir().to_path_buf())
}

/// The default config file: `<config dir>/config.toml`.
pub fn default_path() -> Option<PathBuf> {
    config_dir().map(|d| d.join("config.toml"))
}

/// Where `auth set-token` stores a Private Integration Token: `<config dir>/token`.
pub fn default_token_path() -> Option<PathBuf> {
    config_dir().map(|d| d.join("token"))
}

/// Where OAuth tokens are kept: `auth.oauth_store`, else `oauth.json` in the data dir.
pub fn oauth_store_path(config: &Config) -> PathBuf {
    config
        .auth
        .oauth_store
        .as_deref()
        .map_or_else(|| data_dir().join("oauth.json"), expand_home)
}

/// The default data dir (store, OAuth tokens).
pub fn data_dir() -> PathBuf {
    directories::ProjectDirs::from("", "", "ghl-console").map_or_else(
        || PathBuf::from(".ghl-console"),
        |d| d.data_dir().to_path_buf(),
    )
}

/// Parses a config file's text; `path` only names it in errors.
pub fn parse(text: &str, path: &Path) -> Result<Config, ConfigError> {
    let config = parse_schema(text, path)?;
    validate(&config, &path.display().to_string()).map_err(|e| with_line(e, text, path))?;
    Ok(config)
}

/// serde names the schema's types (`expected struct ApiConfig`): a user wrote TOML, where those
/// are tables.
fn plain_types(message: &str) -> String {
    let mut out = String::new();
    let mut rest = message;
    while let Some(at) = rest.find("struct ") {
        out.push_str(&rest[..at]);
        let after = &rest[at + "struct ".len()..];
        let name_len = after
            .find(|c: char| !c.is_ascii_alphanumeric() && c != '_')
            .unwrap_or(after.len());
        out.push_str("a table");
        rest = &after[name_len..];
    }
    out.push_str(rest);
    out
}

/// Parses a config file's text into the schema, without [`validate`].
fn parse_schema(text: &str, path: &Path) -> Result<Config, ConfigError> {
    toml::from_str(text).map_err(|e| {
        let (line, column) = e.span().map_or((0, 0), |s| line_col(text, s.start));
        let message = plain_types(e.message().trim());
        // The key the fault is in, when one is written on the fault's line.
        let spans = spans::KeySpans::read(text);
        let key = e
            .span()
            .and_then(|s| spans.key_before(s.start))
            .filter(|key| {
                spans
                    .offset_of(key)
                    .is_some_and(|at| line_col(text, at).0 == line)
            })
            .map(str::to_string);
        let message = match key.as_deref().and_then(range_text) {
            Some(takes) => format!("{message}; it takes {takes}"),
            None => message,
        };
        let message = match key {
            // The whole path, even where the message names the key: `unknown field `ui``
            // alone does not say it was read inside `[api]`.
            Some(key) if !message.contains(&format!("`{key}`")) => {
                format!("`{key}`: {message}")
            }
            _ => message,
        };
        ConfigError::Parse {
            path: path.to_path_buf(),
            line,
            column,
            message,
        }
    })
}

/// Adds the line of the offending key to a validation error: the line that sets the key, else
/// the line that opens or sets its table (a required key that is missing belongs there).
pub fn with_line(error: ConfigError, text: &str, path: &Path) -> ConfigError {
    let ConfigError::Invalid { key, message, .. } = error else {
        return error;
    };
    match line_of_key(text, &key) {
        Some(line) => ConfigError::Parse {
            path: path.to_path_buf(),
            line,
            column: 1,
            message: format!("`{key}`: {message}"),
        },
        None => ConfigError::Invalid {
            origin: path.display().to_string(),
            key,
            message,
        },
    }
}

/// The line (1-based) of `text` that sets the dotted `key` (`ui.keys.quit`, `locations[1].id`),
/// else the line of the nearest table above it that the file writes; for messages about a key
/// found valid TOML but wrong.
pub fn line_of_key(text: &str, key: &str) -> Option<usize> {
    spans::KeySpans::read(text)
        .offset_of(key)
        .map(|offset| line_col(text, offset).0)
}

/// Reads and parses a config file.
pub fn load_file(path: &Path) -> Result<Config, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|e| ConfigError::Io {
        path: path.to_path_buf(),
        message: e.to_string(),
    })?;
    parse(&text, path)
}

fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.len() - before.rfind('\n').map_or(0, |i| i + 1) + 1;
    (line, column)
}

/// `api.timeout_secs`: a second to ten minutes.
pub const TIMEOUT_SECS: RangeInclusive<u64> = 1..=600;
/// `api.max_retries`: none to ten (the wait between tries grows to 10 s, so ten retries already
/// hold a call for over a minute).
pub const MAX_RETRIES: RangeInclusive<u64> = 0..=10;
/// `sync.interval_secs`: ten seconds to a day. Each reconciliation costs requests from GHL's
/// budget, so a shorter interval would spend it on finding nothing new.
pub const INTERVAL_SECS: RangeInclusive<u64> = 10..=86_400;
/// `webhook.max_body_bytes`: 4 KiB (a small event) to 4 MiB (the receiver holds up to 32
/// bodies at once).
pub const MAX_BODY_BYTES: RangeInclusive<u64> = 4 * 1024..=4 * 1024 * 1024;
/// The longest window `api.rate_limit` may have: a longer one would hold requests for hours.
pub const MAX_RATE_WINDOW: std::time::Duration = std::time::Duration::from_secs(60 * 60);

/// The numeric settings that have a range: key, range and unit.
fn ranges() -> [(&'static str, RangeInclusive<u64>, &'static str); 4] {
    [
        ("api.timeout_secs", TIMEOUT_SECS, "seconds"),
        ("api.max_retries", MAX_RETRIES, "retries"),
        ("sync.interval_secs", INTERVAL_SECS, "seconds"),
        ("webhook.max_body_bytes", MAX_BODY_BYTES, "bytes"),
    ]
}

/// What a ranged key takes, for a value that is not even a number of the right kind
/// (`-1`, `1e3`, `"soon"`): "a whole number from 1 to 600 seconds".
fn range_text(key: &str) -> Option<String> {
    let (_, range, unit) = ranges().into_iter().find(|(k, _, _)| *k == key)?;
    Some(format!(
        "a whole number from {} to {} {unit}",
        range.start(),
        range.end()
    ))
}

/// The numeric settings outside their range, each as its key and a message that gives the
/// range, its unit and the value found.
fn out_of_range(config: &Config) -> Vec<(&'static str, String)> {
    let value_of = |key: &str| match key {
        "api.timeout_secs" => config.api.timeout_secs,
        "api.max_retries" => u64::from(config.api.max_retries),
        "sync.interval_secs" => config.sync.interval_secs,
        _ => u64::try_from(config.webhook.max_body_bytes).unwrap_or(u64::MAX),
    };
    ranges()
        .into_iter()
        .map(|(key, range, unit)| (key, value_of(key), range, unit))
        .filter(|(_, value, range, _)| !range.contains(value))
        .map(|(key, value, range, unit)| {
            let message = format!(
                "must be from {} to {} {unit}, not {value}",
                range.start(),
                range.end()
            );
            (key, message)
        })
        .collect()
}

/// Checks values that parse but cannot work; the first problem found.
pub fn validate(config: &Config, origin: &str) -> Result<(), ConfigError> {
    match validate_all(config, origin).into_iter().next() {
        Some(problem) => Err(problem),
        None => Ok(()),
    }
}

/// Every value that parses but cannot work, in the order [`validate`] checks them.
pub fn validate_all(config: &Config, origin: &str) -> Vec<ConfigError> {
    let mut problems = Vec::new();
    let invalid = |key: &str, message: &str| ConfigError::Invalid {
        origin: origin.to_string(),
        key: key.to_string(),
        message: message.to_string(),
    };
    if url::Url::parse(&config.api.base_url).is_err() {
        problems.push(invalid(
            "api.base_url",
            "is not a URL (like https://services.leadconnectorhq.com)",
        ));
    }
    if let Err(why) = crate::ghl::client::check_version(&config.api.version) {
        problems.push(invalid(
            "api.version",
            &format!("{why} (GHL's `Version` header; {VERSION_ENV} sets it too)"),
        ));
    }
    for (key, message) in out_of_range(config) {
        problems.push(invalid(key, &message));
    }
    if let Err(why) = parse_rate(&config.api.rate_limit) {
        problems.push(invalid(
            "api.rate_limit",
            &format!(
                "must look like 100/10s (COUNT/WINDOW, a window of at most {}m), or be off: {why}",
                MAX_RATE_WINDOW.as_secs() / 60
            ),
        ));
    }
    if let Some(code) = config.sync.default_country.as_deref()
        && let Err(e) = crate::sync::phone::country(code)
    {
        problems.push(invalid("sync.default_country", &e.to_string()));
    }
    if config.auth.kind == AuthKind::Oauth && config.auth.client_id.is_none() {
        problems.push(invalid(
            "auth.client_id",
            "is required when auth.kind = \"oauth\"",
        ));
    }
    if let Some(target) = config.rankr.target.as_deref() {
        if !matches!(target, "sqlite" | "http") {
            problems.push(invalid("rankr.target", "must be \"sqlite\" or \"http\""));
        }
        if target == "http" && config.rankr.http_url.is_none() {
            problems.push(invalid(
                "rankr.http_url",
                "is required when rankr.target = \"http\"",
            ));
        }
    }
    if let Some(theme) = config.ui.theme.as_deref()
        && !matches!(theme, "auto" | "color" | "plain")
    {
        problems.push(invalid(
            "ui.theme",
            "must be \"auto\", \"color\" or \"plain\"",
        ));
    }
    if config
        .webhook
        .listen
        .parse::<std::net::SocketAddr>()
        .is_err()
    {
        problems.push(invalid(
            "webhook.listen",
            "must be an address like 127.0.0.1:8787",
        ));
    }
    for (i, location) in config.locations.iter().enumerate() {
        if location.id.trim().is_empty() {
            problems.push(invalid(&format!("locations[{i}].id"), "is required"));
        }
    }
    problems
}

/// Settings that validate but that the code using them would refuse: a base URL the HTTP
/// client cannot send to, a webhook Ed25519 key that does not parse. Checked with the same
/// functions the client and the webhook receiver use; `config check` reports them.
pub fn runtime_problems(config: &Config, origin: &str) -> Vec<ConfigError> {
    let invalid = |key: &str, message: String| ConfigError::Invalid {
        origin: origin.to_string(),
        key: key.to_string(),
        message,
    };
    let mut problems = Vec::new();
    if url::Url::parse(&config.api.base_url).is_ok()
        && let Err(e) = crate::ghl::client::check_base_url(&config.api.base_url)
    {
        problems.push(invalid("api.base_url", e));
    }
    if let Some(key) = config.webhook.ed25519_public_key.as_deref()
        && let Err(e) = crate::sync::webhook::signature::parse_ed25519(key)
    {
        problems.push(invalid("webhook.ed25519_public_key", e.to_string()));
    }
    problems
}

/// Every problem `config check` can find in a config file's text, each naming the file and
/// its line. TOML syntax errors stop the parser, so only the first of those is reported; a
/// key that is unknown or of the wrong type is reported, set aside and the rest checked again,
/// so one run lists them all, then the values that parse but cannot work.
pub fn file_problems(text: &str, path: &Path) -> Vec<ConfigError> {
    if toml::from_str::<toml::Table>(text).is_err() {
        return parse(text, path).err().into_iter().collect();
    }
    let origin = path.display().to_string();
    let mut text = text.to_string();
    let mut problems = Vec::new();
    // Each round sets one line aside; the bound only guards against a parser that does not
    // name a line.
    for _ in 0..=text.lines().count() {
        match parse_schema(&text, path) {
            Ok(config) => {
                let found = validate_all(&config, &origin)
                    .into_iter()
                    .chain(runtime_problems(&config, &origin));
                problems.extend(found.map(|e| with_line(e, &text, path)));
                break;
            }
            Err(e) => {
                let line = match &e {
                    ConfigError::Parse { line, .. } => *line,
                    _ => 0,
                };
                problems.push(e);
                let aside: Vec<&str> = text
                    .lines()
                    .enumerate()
                    .map(|(i, l)| if i + 1 == line { "" } else { l })
                    .collect();
                let aside = aside.join("\n");
                // A value over several lines cannot be set aside line by line: stop there.
                if line == 0 || aside == text || toml::from_str::<toml::Table>(&aside).is_err() {
                    break;
                }
                text = aside;
            }
        }
    }
    problems
}

/// The `[ui.keys]` entries of a config file's text that are lists of strings (or one string,
/// a list of one), read even when
/// other parts of the file do not fit the schema, so `config check` can check the remapping in
/// the same run as everything else. An entry of another type is left out: the schema check
/// reports it. Text that is not TOML has none.
pub fn key_remaps(text: &str) -> BTreeMap<String, Vec<String>> {
    let table = toml::from_str::<toml::Table>(text).unwrap_or_default();
    let Some(keys) = table
        .get("ui")
        .and_then(|ui| ui.get("keys"))
        .and_then(toml::Value::as_table)
    else {
        return BTreeMap::new();
    };
    keys.iter()
        .filter_map(|(action, value)| {
            if let Some(key) = value.as_str() {
                return Some((action.clone(), vec![key.to_string()]));
            }
            let strings: Option<Vec<String>> = value
                .as_array()?
                .iter()
                .map(|key| key.as_str().map(str::to_string))
                .collect();
            Some((action.clone(), strings?))
        })
        .collect()
}

/// Parses `100/10s`, `100/1s`, `50/500ms` or `off`.
pub fn parse_rate(text: &str) -> Result<Option<(u32, std::time::Duration)>, String> {
    if text.trim().eq_ignore_ascii_case("off") {
        return Ok(None);
    }
    let (count, window) = text.split_once('/').ok_or("expected COUNT/WINDOW")?;
    let count: u32 = count.trim().parse().map_err(|_| "bad count")?;
    let window = window.trim();
    let (number, unit) = window.split_at(
        window
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(window.len()),
    );
    let number: u64 = if number.is_empty() {
        1
    } else {
        number.parse().map_err(|_| "bad window")?
    };
    let window = match unit {
        "ms" => std::time::Duration::from_millis(number),
        "s" | "" => std::time::Duration::from_secs(number),
        "m" => std::time::Duration::from_secs(number.checked_mul(60).ok_or("window too long")?),
        _ => return Err("window unit must be ms, s or m".into()),
    };
    if count == 0 || window.is_zero() {
        return Err("count and window must be positive".into());
    }
    if window > MAX_RATE_WINDOW {
        return Err(format!(
            "the window is longer than {}m",
            MAX_RATE_WINDOW.as_secs() / 60
        ));
    }
    Ok(Some((count, window)))
}

/// The keys `config show` says the origin of: every key the environment or a flag can set.
const TRACKED_KEYS: &[&str] = &[
    "api.base_url",
    "api.location_id",
    "api.version",
    "auth.token_file",
    "ui.read_only",
    "log.level",
];

/// Loads the configuration in force. `path` (from `--config`) must exist; without it the
/// default file is read when present. Environment variables then flags override it.
pub fn resolve(path: Option<&Path>, overrides: &Overrides) -> Result<Settings, ConfigError> {
    resolve_with_env(path, overrides, &|name| std::env::var(name).ok())
}

/// [`resolve`] with the environment given, for tests.
pub fn resolve_with_env(
    path: Option<&Path>,
    overrides: &Overrides,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Settings, ConfigError> {
    let file = match path {
        Some(p) => Some(p.to_path_buf()),
        None => default_path().filter(|p| p.exists()),
    };
    let mut config = match &file {
        Some(p) => load_file(p)?,
        None => Config::default(),
    };
    let set_in_file: Option<toml::Table> = file
        .as_ref()
        .and_then(|p| std::fs::read_to_string(p).ok())
        .and_then(|t| toml::from_str(&t).ok());
    let mut origins = BTreeMap::new();
    for key in TRACKED_KEYS {
        let (table, leaf) = key.split_once('.').unwrap_or(("", key));
        let in_file = set_in_file
            .as_ref()
            .and_then(|t| t.get(table))
            .and_then(|t| t.get(leaf))
            .is_some();
        origins.insert(
            *key,
            if in_file {
                Origin::File
            } else {
                Origin::Default
            },
        );
    }
    apply_env(&mut config, &mut origins, env);
    apply_flags(&mut config, &mut origins, overrides);
    validate(&config, "environment or flags").map_err(|e| named_source(e, &origins))?;
    let (token, token_origin) = resolve_token(&config, env, &origins, file.as_deref())?;
    Ok(Settings {
        config,
        file,
        token,
        token_origin,
        origins,
    })
}

/// Every problem of what the environment and the flags set, judged on their own and each named
/// by its variable or flag, where loading stops at the first (and never reaches them when the
/// file has problems of its own): `config check` and a refused command list them all.
pub fn override_problems(overrides: &Overrides) -> Vec<ConfigError> {
    override_problems_with_env(overrides, &|name| std::env::var(name).ok())
}

/// [`override_problems`] with the environment given, for tests.
pub fn override_problems_with_env(
    overrides: &Overrides,
    env: &dyn Fn(&str) -> Option<String>,
) -> Vec<ConfigError> {
    let mut config = Config::default();
    let mut origins = BTreeMap::new();
    apply_env(&mut config, &mut origins, env);
    apply_flags(&mut config, &mut origins, overrides);
    let origin = "environment or flags";
    validate_all(&config, origin)
        .into_iter()
        .chain(runtime_problems(&config, origin))
        .filter(|problem| {
            matches!(problem, ConfigError::Invalid { key, .. } if origins.contains_key(key.as_str()))
        })
        .map(|problem| named_source(problem, &origins))
        .collect()
}

/// The keys the environment or a flag can set: key, variable, flag.
const SOURCES: &[(&str, &str, Option<&str>)] = &[
    ("api.base_url", "GHL_BASE_URL", Some("--base-url")),
    ("api.location_id", "GHL_LOCATION_ID", Some("--location")),
    ("api.version", VERSION_ENV, None),
    ("auth.token_file", "GHL_TOKEN_FILE", None),
    ("ui.read_only", "GHL_READ_ONLY", Some("--read-only")),
    ("log.level", "GHL_LOG", None),
];

/// The variable or flag that set `key`, by its origin: `environment variable GHL_VERSION`,
/// `flag --location`; `None` for the file and the defaults.
fn source_name(key: &str, origin: Origin) -> Option<String> {
    let (_, var, flag) = SOURCES.iter().find(|(k, _, _)| *k == key)?;
    match (origin, flag) {
        (Origin::Env, _) => Some(format!("environment variable {var}")),
        (Origin::Flag, Some(flag)) => Some(format!("flag {flag}")),
        _ => None,
    }
}

/// A merged value's problem, said with the variable or flag it came from (`environment
/// variable GHL_VERSION`) rather than "environment or flags".
fn named_source(error: ConfigError, origins: &BTreeMap<&'static str, Origin>) -> ConfigError {
    let ConfigError::Invalid {
        origin,
        key,
        message,
    } = error
    else {
        return error;
    };
    let origin = origins
        .get(key.as_str())
        .and_then(|o| source_name(&key, *o))
        .unwrap_or(origin);
    ConfigError::Invalid {
        origin,
        key,
        message,
    }
}

/// A problem with what `key` names (a secret file that is missing or readable by others), said
/// with where `key` was set: the config file `file` and its line, or the variable or flag.
pub fn located(error: &ConfigError, key: &str, origin: Origin, file: Option<&Path>) -> ConfigError {
    let message = error.to_string();
    if let Some(source) = source_name(key, origin) {
        return ConfigError::Invalid {
            origin: source,
            key: key.to_string(),
            message,
        };
    }
    let Some(file) = file else {
        return ConfigError::Invalid {
            origin: "config".into(),
            key: key.to_string(),
            message,
        };
    };
    let invalid = ConfigError::Invalid {
        origin: file.display().to_string(),
        key: key.to_string(),
        message,
    };
    match std::fs::read_to_string(file) {
        Ok(text) => with_line(invalid, &text, file),
        Err(_) => invalid,
    }
}

fn apply_env(
    config: &mut Config,
    origins: &mut BTreeMap<&'static str, Origin>,
    env: &dyn Fn(&str) -> Option<String>,
) {
    let set = |name: &str| env(name).filter(|v| !v.trim().is_empty());
    if let Some(v) = set("GHL_BASE_URL") {
        config.api.base_url = v;
        origins.insert("api.base_url", Origin::Env);
    }
    if let Some(v) = set("GHL_LOCATION_ID") {
        config.api.location_id = Some(v);
        origins.insert("api.location_id", Origin::Env);
    }
    if let Some(v) = set(VERSION_ENV) {
        config.api.version = v;
        origins.insert("api.version", Origin::Env);
    }
    if let Some(v) = set("GHL_TOKEN_FILE") {
        config.auth.token_file = Some(PathBuf::from(v));
        origins.insert("auth.token_file", Origin::Env);
    }
    if let Some(v) = set("GHL_READ_ONLY") {
        config.ui.read_only = matches!(v.as_str(), "1" | "true" | "yes");
        origins.insert("ui.read_only", Origin::Env);
    }
    if let Some(v) = set("GHL_LOG") {
        config.log.level = v;
        origins.insert("log.level", Origin::Env);
    }
}

fn apply_flags(
    config: &mut Config,
    origins: &mut BTreeMap<&'static str, Origin>,
    flags: &Overrides,
) {
    if let Some(v) = &flags.base_url {
        config.api.base_url.clone_from(v);
        origins.insert("api.base_url", Origin::Flag);
    }
    if let Some(v) = &flags.location_id {
        config.api.location_id = Some(v.clone());
        origins.insert("api.location_id", Origin::Flag);
    }
    if flags.read_only {
        config.ui.read_only = true;
        origins.insert("ui.read_only", Origin::Flag);
    }
}

/// The Private Integration Token: `GHL_TOKEN`, else the token file (which must be 0600). With
/// `auth.kind = "oauth"` there is none: the OAuth store is the only credential sent, so a token
/// left by an earlier `auth set-token` (or a stray `GHL_TOKEN`) never replaces the login.
fn resolve_token(
    config: &Config,
    env: &dyn Fn(&str) -> Option<String>,
    origins: &BTreeMap<&'static str, Origin>,
    file: Option<&Path>,
) -> Result<(Option<Secret>, Option<String>), ConfigError> {
    if config.auth.kind == AuthKind::Oauth {
        let store = oauth_store_path(config);
        return Ok((None, Some(format!("the OAuth store {}", store.display()))));
    }
    if let Some(token) = env(TOKEN_ENV).filter(|t| !t.trim().is_empty()) {
        return Ok((Some(Secret::new(token.trim())), Some(TOKEN_ENV.into())));
    }
    if let Some(path) = &config.auth.token_file {
        let origin = origins
            .get("auth.token_file")
            .copied()
            .unwrap_or(Origin::File);
        let token = read_secret_file(&expand_home(path))
            .map_err(|e| located(&e, "auth.token_file", origin, file))?;
        return Ok((Some(token), Some(path.display().to_string())));
    }
    // Where `auth set-token` writes by default: used without a config entry.
    if let Some(path) = default_token_path().filter(|p| p.exists()) {
        let token = read_secret_file(&path).map_err(|e| ConfigError::Located {
            origin: "`auth.token_file` is not set (nor GHL_TOKEN_FILE), so the token \
                     `auth set-token` stores is read"
                .into(),
            message: e.to_string(),
        })?;
        return Ok((Some(token), Some(path.display().to_string())));
    }
    Ok((None, None))
}

/// Expands a leading `~/` to the home directory.
pub fn expand_home(path: &Path) -> PathBuf {
    match (path.strip_prefix("~"), directories::BaseDirs::new()) {
        (Ok(rest), Some(base)) => base.home_dir().join(rest),
        _ => path.to_path_buf(),
    }
}

impl Settings {
    /// Reads the secret file `path` that the file's `key` names (`auth.client_secret_file`,
    /// `rankr.api_key_file`); a problem with it names the key and its line in the config file.
    pub fn read_secret(&self, key: &str, path: &Path) -> Result<Secret, ConfigError> {
        read_secret_file(&expand_home(path))
            .map_err(|e| located(&e, key, Origin::File, self.file.as_deref()))
    }

    /// Whether the location in force is read-only (global, or its `[[locations]]` entry).
    pub fn read_only(&self) -> bool {
        let location = self.config.api.location_id.as_deref();
        self.config.ui.read_only
            || self
                .config
                .locations
                .iter()
                .any(|l| Some(l.id.as_str()) == location && l.read_only)
    }

    /// The credential that is sent, masked, with where it comes from: what `config show` and
    /// `doctor` report, decided by `auth.kind` as the client decides it.
    pub fn credential(&self) -> String {
        match (self.config.auth.kind, &self.token_origin) {
            (AuthKind::Oauth, _) => {
                let store = oauth_store_path(&self.config);
                let state = if store.exists() {
                    ""
                } else {
                    " (not logged in: run `ghl-console auth login`)"
                };
                format!("OAuth access token **** from {}{state}", store.display())
            }
            (AuthKind::Pit, Some(origin)) => {
                format!("Private Integration Token **** from {origin}")
            }
            (AuthKind::Pit, None) => "(none)".into(),
        }
    }

    /// Whether a key `config show` tracks has a value: the optional ones may have none, and
    /// are then not set rather than set by a default.
    fn is_set(&self, key: &str) -> bool {
        match key {
            "api.location_id" => self.config.api.location_id.is_some(),
            "auth.token_file" => self.config.auth.token_file.is_some(),
            _ => true,
        }
    }

    /// The merged configuration as TOML, secrets masked, with where each key came from.
    pub fn show(&self) -> String {
        let file = self
            .file
            .as_ref()
            .map_or("(none: defaults)".into(), |p| p.display().to_string());
        let mut lines = vec![format!("# file: {file}")];
        lines.extend(self.origins.iter().map(|(key, origin)| {
            if self.is_set(key) {
                format!("# {key} from {origin}")
            } else {
                format!("# {key} not set")
            }
        }));
        lines.push(format!("# token: {}", self.credential()));
        lines.push(toml::to_string_pretty(&self.config).unwrap_or_default());
        lines.join("\n")
    }
}

#[cfg(test)]
mod tests;

//! Command-line arguments and the headless subcommands.

pub mod auth;
pub mod doctor;
pub mod sync;
pub mod webhook;

use std::io::Write;

use anyhow::{Context, bail};
use clap::error::ErrorKind;
use clap::{Args, Parser, Subcommand};
use reqwest::Method;

use crate::config::{self, Overrides, Settings};
use crate::ghl::{Call, ClientConfig, GhlClient};
use crate::tui::keymap::Severity;

/// A terminal console for the HighLevel (GHL) Contacts API and its sync into Rankr.
#[derive(Debug, Parser)]
#[command(name = "ghl-console", version, about, long_about = None)]
pub struct Cli {
    #[command(flatten)]
    pub connection: Connection,
    /// The config file (default: `ghl-console config path`).
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<std::path::PathBuf>,
    /// Open the console on a built-in sandbox with seeded data: no account needed. It takes no
    /// subcommand; for scripts, start one with `ghl-console sandbox`.
    #[arg(long)]
    pub demo: bool,
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Where the API is and which location. The token is read from `GHL_TOKEN` or a token file,
/// never from a flag, so it stays out of shell history.
#[derive(Debug, Clone, Args)]
pub struct Connection {
    /// The API base URL (overrides `GHL_BASE_URL` and the config file).
    #[arg(long)]
    pub base_url: Option<String>,
    /// The location (sub-account) id (overrides `GHL_LOCATION_ID` and the config file).
    #[arg(long = "location")]
    pub location_id: Option<String>,
    /// Refuse every action that changes data (the console, writes through `api`, and the
    /// scopes `auth login` asks for and `doctor` expects). Given only where it means something:
    /// before any subcommand, or after one that talks to GHL.
    #[arg(long)]
    pub read_only: bool,
}

/// The subcommands; none opens the console.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the local GHL emulator (for tests, demos and trying things safely).
    Sandbox(Box<crate::sandbox::SandboxArgs>),
    /// Send one raw request through the client and print the status, headers and body.
    Api(ApiArgs),
    /// Where the configuration is read from, what is in force, and whether a file is valid.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Store a token, log in with OAuth, show what is stored.
    Auth(AuthArgs),
    /// Check the config, permissions, token, scopes, API, clock, store and webhook keys.
    Doctor(DoctorArgs),
    /// Sync GHL contacts, tasks and notes into Rankr (once, or `--watch`).
    Sync(Box<sync::SyncArgs>),
    /// Receive GHL webhooks, queue them in the Rankr store and apply them.
    Webhook(webhook::WebhookArgs),
    /// Print shell completions: `ghl-console completions bash > ~/.local/share/bash-completion/completions/ghl-console`.
    Completions {
        /// bash, zsh, fish, elvish or powershell.
        shell: clap_complete::Shell,
    },
}

/// `ghl-console config ...`.
#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Print the config file path in use.
    Path,
    /// Print the merged configuration (file, env, flags) with secrets masked.
    Show,
    /// Validate the config file (or `--config FILE`); exit 1 on errors, 0 with warnings only.
    Check,
}

/// `ghl-console auth ...`.
#[derive(Debug, Args)]
pub struct AuthArgs {
    #[command(flatten)]
    pub connection: Connection,
    #[command(subcommand)]
    pub command: auth::AuthCommand,
}

/// `ghl-console doctor`.
#[derive(Debug, Args)]
pub struct DoctorArgs {
    #[command(flatten)]
    pub connection: Connection,
}

/// `ghl-console api METHOD PATH`.
#[derive(Debug, Args)]
pub struct ApiArgs {
    #[command(flatten)]
    pub connection: Connection,
    /// GET, POST, PUT or DELETE.
    pub method: String,
    /// The path, with or without a query: `/contacts/abc`, `/contacts/?locationId=...`; or a
    /// full URL under the base URL (any other host is refused).
    pub path: String,
    /// A JSON body. `@file` reads it from a file, `-` from stdin.
    #[arg(long)]
    pub data: Option<String>,
    /// Print the body alone (as received), for piping into jq.
    #[arg(long)]
    pub json: bool,
}

impl Command {
    /// The subcommand's name as typed on the command line.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Sandbox(_) => "sandbox",
            Self::Api(_) => "api",
            Self::Config(_) => "config",
            Self::Auth(_) => "auth",
            Self::Doctor(_) => "doctor",
            Self::Sync(_) => "sync",
            Self::Webhook(_) => "webhook",
            Self::Completions { .. } => "completions",
        }
    }
}

impl Cli {
    /// A usage error clap's rules cannot express, worded and exited (code 2) as clap's own.
    /// `--demo` opens the console on a built-in sandbox; a subcommand after it would run
    /// against the configured account instead, so the two are refused together.
    pub fn usage_error(&self) -> Option<clap::Error> {
        let command = self.command.as_ref().filter(|_| self.demo)?;
        let name = command.name();
        let message = match command {
            // These never reach an account: --demo simply has no meaning with them.
            Command::Sandbox(_) | Command::Completions { .. } | Command::Config(_) => format!(
                "--demo only opens the console and cannot be used with a subcommand; run \
                 `ghl-console {name} ...` without it."
            ),
            _ => format!(
                "--demo only opens the console and cannot be used with a subcommand: `{name}` \
                 would run against the configured account, not the demo.\n\n\
                 For scripts, start a sandbox with `ghl-console sandbox` (it prints its URL, token \
                 and location), then point the command at it:\n  \
                 GHL_TOKEN=<its token> ghl-console --base-url <its URL> --location <its location> \
                 {name} ..."
            ),
        };
        Some(<Self as clap::CommandFactory>::command().error(ErrorKind::ArgumentConflict, message))
    }

    /// Whether `--read-only` was given, before the subcommand or after it.
    pub fn read_only(&self) -> bool {
        let sub = match &self.command {
            Some(Command::Api(a)) => a.connection.read_only,
            Some(Command::Auth(a)) => a.connection.read_only,
            Some(Command::Doctor(a)) => a.connection.read_only,
            Some(Command::Sync(a)) => a.connection.read_only,
            Some(Command::Webhook(a)) => a.connection.read_only,
            _ => false,
        };
        self.connection.read_only || sub
    }

    /// The configuration in force: the file, then the environment, then these flags.
    pub fn settings(&self) -> anyhow::Result<Settings> {
        config::resolve(self.config.as_deref(), &self.overrides())
            .map_err(|error| self.every_problem(error))
    }

    /// What the flags set over the file and the environment.
    fn overrides(&self) -> Overrides {
        let sub = match &self.command {
            Some(Command::Api(a)) => Some(&a.connection),
            Some(Command::Auth(a)) => Some(&a.connection),
            Some(Command::Doctor(a)) => Some(&a.connection),
            Some(Command::Sync(a)) => Some(&a.connection),
            Some(Command::Webhook(a)) => Some(&a.connection),
            _ => None,
        };
        let pick =
            |f: fn(&Connection) -> Option<String>| sub.and_then(f).or_else(|| f(&self.connection));
        Overrides {
            base_url: pick(|c| c.base_url.clone()),
            location_id: pick(|c| c.location_id.clone()),
            read_only: self.read_only(),
        }
    }

    /// The config file in use: `--config`, else the default one when it exists.
    fn config_file(&self) -> Option<std::path::PathBuf> {
        self.config
            .clone()
            .or_else(|| config::default_path().filter(|p| p.exists()))
    }

    /// A config file that cannot be loaded, said with every problem in it (as `config check`
    /// lists them) rather than the first one alone, so one edit can fix them all.
    fn every_problem(&self, first: config::ConfigError) -> anyhow::Error {
        let mut problems: Vec<String> = Vec::new();
        let mut file = String::new();
        if let Some(path) = self.config_file()
            && let Ok(text) = std::fs::read_to_string(&path)
        {
            file = path.display().to_string();
            problems.extend(
                config::file_problems(&text, &path)
                    .iter()
                    .map(|p| format!("{p:#}")),
            );
            problems.extend(key_problems(&file, &text).0);
        }
        for problem in config::override_problems(&self.overrides()) {
            let line = format!("{problem:#}");
            if !problems.contains(&line) {
                problems.push(line);
            }
        }
        if problems.len() < 2 {
            return first.into();
        }
        problems.sort_by_key(|problem| position(&file, problem));
        let lines: Vec<String> = problems.iter().map(|p| format!("  {p}")).collect();
        anyhow::anyhow!(
            "the config has {} problems (`ghl-console config check` lists them too):\n{}",
            problems.len(),
            lines.join("\n")
        )
    }
}

/// A client for the settings in force; fails with what is missing. With `auth.kind = "oauth"`
/// the token comes from the OAuth store and is refreshed as needed.
pub fn client_for(settings: &Settings) -> anyhow::Result<GhlClient> {
    let api = &settings.config.api;
    // The configured kind alone decides the credential: `resolve` gives no PIT under OAuth.
    let oauth = settings.config.auth.kind == config::AuthKind::Oauth;
    let token = match (&settings.token, oauth) {
        (Some(token), _) => token.clone(),
        (None, true) => crate::ghl::Secret::default(),
        (None, false) => bail!(
            "no token: set GHL_TOKEN, or auth.token_file in {}",
            settings.file.as_ref().map_or_else(
                || config::default_path()
                    .map_or("the config file".into(), |p| p.display().to_string()),
                |p| p.display().to_string()
            )
        ),
    };
    let location = api.location_id.clone().unwrap_or_default();
    let mut client_config = ClientConfig::new(&api.base_url, token, location);
    client_config.version.clone_from(&api.version);
    client_config.timeout = std::time::Duration::from_secs(api.timeout_secs);
    client_config.max_retries = api.max_retries;
    client_config.rate_limit = config::parse_rate(&api.rate_limit).map_err(anyhow::Error::msg)?;
    if oauth {
        let app = std::sync::Arc::new(auth::oauth_app(settings)?);
        let stored = app
            .store
            .load()?
            .context("not logged in: run `ghl-console auth login`")?;
        // An unexpired token works without the client secret; one due a refresh cannot.
        if app.client_secret.is_none() && stored.expires_within(crate::auth::REFRESH_MARGIN) {
            bail!(
                "{} needs the client secret: {}",
                crate::auth::refresh_reason(&stored),
                crate::auth::NO_CLIENT_SECRET
            );
        }
        client_config.scopes = Some(stored.scopes.clone());
        if stored.location_id.is_none() {
            return agency_client(client_config, app, &stored);
        }
        if client_config.location_id.is_empty() {
            client_config.location_id = stored.location_id.clone().unwrap_or_default();
        }
        let refresher = std::sync::Arc::new(crate::auth::OAuthRefresh(app));
        return Ok(GhlClient::with_refresh(client_config, refresher)?);
    }
    Ok(GhlClient::new(client_config)?)
}

/// An agency (Company) login: the client works in the chosen location with a location token
/// fetched from `POST /oauth/locationToken`, so switching location is `--location ID`.
fn agency_client(
    client_config: ClientConfig,
    app: std::sync::Arc<crate::auth::OAuthApp>,
    stored: &crate::auth::StoredTokens,
) -> anyhow::Result<GhlClient> {
    let company = stored
        .company_id
        .clone()
        .context("the agency token names no company")?;
    if client_config.location_id.is_empty() {
        bail!("an agency login needs --location ID; `ghl-console auth locations` lists them");
    }
    let refresher =
        crate::auth::LocationRefresh::new(app, company, client_config.location_id.clone());
    Ok(GhlClient::with_refresh(
        client_config,
        std::sync::Arc::new(refresher),
    )?)
}

/// Runs `ghl-console config ...`; returns the exit code.
pub fn run_config(cli: &Cli, command: &ConfigCommand) -> anyhow::Result<u8> {
    match command {
        ConfigCommand::Path => {
            let path = cli.config.clone().or_else(config::default_path);
            let path = path.context("no config directory on this system")?;
            let state = if path.exists() {
                "exists"
            } else {
                "not created yet"
            };
            say(format_args!("{} ({state})", path.display()));
            Ok(0)
        }
        ConfigCommand::Show => {
            say(format_args!("{}", cli.settings()?.show()));
            Ok(0)
        }
        ConfigCommand::Check => Ok(config_check(cli)),
    }
}

/// `config check`: every problem it can find in one run (the file's unknown keys, wrong types
/// and values that cannot work, the merged settings, and `[ui.keys]`), each with its file
/// and line. Errors make it exit 1; warnings (a remapping the console applies by a rule, such
/// as a key taken from another action) are printed and leave it at 0.
fn config_check(cli: &Cli) -> u8 {
    let path = cli.config_file();
    let text = path
        .as_ref()
        .and_then(|p| std::fs::read_to_string(p).ok())
        .unwrap_or_default();
    let file = path
        .as_ref()
        .map_or("(no file: defaults)".into(), |p| p.display().to_string());
    let mut errors = settings_problems(cli, path.as_deref(), &text);
    let (key_errors, warnings) = key_problems(&file, &text);
    errors.extend(key_errors);
    // In the order of the file, so the list reads top to bottom; what has no line goes last.
    errors.sort_by_key(|problem| position(&file, problem));
    print_check(&file, &errors, &warnings);
    u8::from(!errors.is_empty())
}

/// The `[ui.keys]` problems of the config file `file` (its text `text`), as `config check`
/// prints them: the errors, then the warnings, each in the order of the file.
pub fn key_problems(file: &str, text: &str) -> (Vec<String>, Vec<String>) {
    let mut errors = Vec::new();
    let mut warnings = Vec::new();
    let keys = config::key_remaps(text).into_iter().collect();
    for problem in crate::tui::keymap::key_problems(&keys) {
        let line = key_problem_line(file, text, &problem);
        match problem.severity {
            Severity::Error => errors.push(line),
            Severity::Warning => warnings.push(line),
        }
    }
    errors.sort_by_key(|problem| position(file, problem));
    warnings.sort_by_key(|problem| position(file, problem));
    (errors, warnings)
}

/// The line and column a problem of `file` names (`FILE:12:3: ...` or `FILE:12: ...`); one that
/// names none sorts after all that do.
fn position(file: &str, problem: &str) -> (usize, usize) {
    let Some(rest) = problem.strip_prefix(file).and_then(|r| r.strip_prefix(':')) else {
        return (usize::MAX, usize::MAX);
    };
    let number = |text: &str| -> Option<(usize, String)> {
        let digits: String = text.chars().take_while(char::is_ascii_digit).collect();
        let after = text[digits.len()..].strip_prefix(':')?.to_string();
        Some((digits.parse().ok()?, after))
    };
    match number(rest) {
        Some((line, after)) => (line, number(&after).map_or(0, |(column, _)| column)),
        None => (usize::MAX, usize::MAX),
    }
}

/// Prints the verdict of `config check`: `ok` or `invalid` on the first line with the count of
/// errors and of warnings, then the errors (each `error:`), then the warnings (each
/// `warning:`). A single error and nothing else is said on the first line alone.
fn print_check(file: &str, errors: &[String], warnings: &[String]) {
    let counted = |n: usize, what: &str| match n {
        1 => format!("1 {what}"),
        n => format!("{n} {what}s"),
    };
    match (errors, warnings) {
        ([], []) => say(format_args!("ok: {file}")),
        ([], _) => say(format_args!(
            "ok: {file}: {}",
            counted(warnings.len(), "warning")
        )),
        ([one], []) => say(format_args!("invalid: {one}")),
        (_, []) => say(format_args!(
            "invalid: {file}: {}",
            counted(errors.len(), "error")
        )),
        (_, _) => say(format_args!(
            "invalid: {file}: {}, {}",
            counted(errors.len(), "error"),
            counted(warnings.len(), "warning")
        )),
    }
    if errors.len() > 1 || !warnings.is_empty() {
        for error in errors {
            say(format_args!("  error: {error}"));
        }
    }
    for warning in warnings {
        say(format_args!("  warning: {warning}"));
    }
}

/// The problems of the config file at `path` (its text `text`) and of the settings merged from
/// it, the environment and the flags, each once, with its file and line where it has one.
fn settings_problems(cli: &Cli, path: Option<&std::path::Path>, text: &str) -> Vec<String> {
    let mut problems: Vec<String> = match path {
        Some(p) if p.exists() => config::file_problems(text, p)
            .iter()
            .map(|e| format!("{e:#}"))
            .collect(),
        _ => Vec::new(),
    };
    match cli.settings() {
        Ok(settings) => {
            let origin = settings.file.as_ref().map_or_else(
                || "environment or flags".into(),
                |p| p.display().to_string(),
            );
            for problem in config::runtime_problems(&settings.config, &origin) {
                let problem = match &settings.file {
                    Some(p) => config::with_line(problem, text, p),
                    None => problem,
                };
                let line = format!("{problem:#}");
                if !problems.contains(&line) {
                    problems.push(line);
                }
            }
            problems.extend(
                secret_file_problems(&settings)
                    .iter()
                    .map(|e| format!("{e:#}")),
            );
        }
        // The file's own problems say why it cannot be loaded; what the environment and the
        // flags set is judged on its own, every problem of it, not the first alone.
        Err(e) => {
            let had = problems.len();
            for problem in config::override_problems(&cli.overrides()) {
                let line = format!("{problem:#}");
                if !problems.contains(&line) {
                    problems.push(line);
                }
            }
            if problems.len() == had && had == 0 {
                problems.push(format!("{e:#}"));
            }
        }
    }
    problems
}

/// The secret files the settings would read besides the token (the OAuth client secret, the
/// remote Rankr's API key) that cannot be read or are readable by others, each named by its
/// key and line, as the commands that read them say it. A file whose variable is set instead
/// is not read, so not checked.
fn secret_file_problems(settings: &Settings) -> Vec<config::ConfigError> {
    // As `auth::oauth_app` and `sync::http_target` take the variables.
    let secret_set = std::env::var(config::CLIENT_SECRET_ENV).is_ok_and(|v| !v.trim().is_empty());
    let key_set = std::env::var(config::RANKR_API_KEY_ENV).is_ok_and(|v| !v.is_empty());
    let config = &settings.config;
    let mut files = Vec::new();
    if config.auth.kind == config::AuthKind::Oauth
        && !secret_set
        && let Some(path) = &config.auth.client_secret_file
    {
        files.push(("auth.client_secret_file", path));
    }
    if config.rankr.target.as_deref() == Some("http")
        && !key_set
        && let Some(path) = &config.rankr.api_key_file
    {
        files.push(("rankr.api_key_file", path));
    }
    files
        .into_iter()
        .filter_map(|(key, path)| settings.read_secret(key, path).err())
        .collect()
}

/// A `[ui.keys]` problem as `config check` prints it: with the file and the line of the
/// action's entry (`config.toml:12: unknown action "nope" in key remapping`) when it is found.
fn key_problem_line(file: &str, text: &str, problem: &crate::tui::keymap::KeyProblem) -> String {
    let line = problem
        .action
        .as_ref()
        .and_then(|id| config::line_of_key(text, &format!("ui.keys.{id}")));
    match line {
        Some(line) => format!("{file}:{line}: {}", problem.message),
        None => problem.message.clone(),
    }
}

/// Prints completions for `shell` to stdout.
pub fn print_completions(shell: clap_complete::Shell) {
    let mut command = <Cli as clap::CommandFactory>::command();
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut command, "ghl-console", &mut script);
    if shell == clap_complete::Shell::Bash {
        // clap_complete spells a hyphenated bin name two ways in bash scripts (its issue
        // #6421): the loop builds `ghl__console__subcmd__x`, the case arms say
        // `ghl__subcmd__console__subcmd__x`, so nothing past the first word completes.
        let text = String::from_utf8_lossy(&script).replace("ghl__subcmd__console", "ghl__console");
        script = text.into_bytes();
    }
    // A closed pipe (`| head`) is not an error worth a message.
    let _ = std::io::stdout().lock().write_all(&script);
}

/// Prints one line to stdout; a closed pipe ends the output quietly instead of panicking.
pub fn say(args: std::fmt::Arguments<'_>) {
    let _ = writeln!(std::io::stdout().lock(), "{args}");
}

/// Runs `ghl-console api`; the exit code is 0 for a 2xx, 1 for any other status.
pub async fn run_api(settings: &Settings, args: &ApiArgs) -> anyhow::Result<i32> {
    let client = client_for(settings)?;
    let call = api_call(args, &settings.config.api.base_url)?;
    if settings.read_only() && changes_data(&call) {
        bail!(
            "read-only mode: refusing {} {} because it changes data (read-only comes from \
             --read-only, GHL_READ_ONLY, ui.read_only or the location's read_only)",
            call.method,
            args.path
        );
    }
    let create = maybe_applied_hint(&call, settings);
    let reply = match client.send_raw(call).await {
        Ok(reply) => reply,
        Err(error) => {
            if let Some(hint) = &create {
                eprintln!("warning: {hint}");
            }
            return Err(error.into());
        }
    };
    let raw = &reply.value;
    let body = shown_body(&reply);
    let mut out = std::io::stdout().lock();
    if args.json {
        writeln!(out, "{body}")?;
    } else {
        let exchange = &reply.exchange;
        writeln!(out, "{} {}", exchange.method, exchange.url)?;
        writeln!(
            out,
            "status {} ({} ms)",
            raw.status,
            exchange.elapsed.as_millis()
        )?;
        for (name, value) in &exchange.response_headers {
            writeln!(out, "{name}: {value}")?;
        }
        writeln!(out)?;
        writeln!(out, "{}", pretty(&body))?;
    }
    let json_ok = raw.invalid_utf8_at.is_none()
        && (body.trim().is_empty() || serde_json::from_str::<serde_json::Value>(&body).is_ok());
    if let Some(at) = raw.invalid_utf8_at {
        eprintln!(
            "warning: the body is not valid UTF-8 (byte {at}), so not JSON; bad bytes show as U+FFFD"
        );
    } else if !json_ok {
        eprintln!("warning: the body is not valid JSON (an HTML error page or a cut-off answer?)");
    }
    let failed = !(200..300).contains(&raw.status) || !json_ok;
    if let Some(hint) = create.filter(|_| failed) {
        eprintln!("warning: {hint}");
    }
    Ok(i32::from(failed))
}

/// What to say when a POST fails: GHL has been seen to keep a create it answered an error to
/// (C01), so sending it again blindly can make a second copy. A contact create gets the lookup
/// that tells.
fn maybe_applied_hint(call: &Call, settings: &Settings) -> Option<String> {
    if call.method != Method::POST || !changes_data(call) {
        return None;
    }
    let segments: Vec<&str> = call.segments.iter().map(String::as_str).collect();
    let lookup = match segments.as_slice() {
        ["contacts"] | ["contacts", "upsert"] => format!(
            "; look for it first: ghl-console api GET \
             '/contacts/search/duplicate?locationId={}&email=EMAIL' (or &number=PHONE)",
            settings
                .config
                .api
                .location_id
                .as_deref()
                .unwrap_or("LOCATION_ID")
        ),
        _ => String::new(),
    };
    Some(format!(
        "a POST that failed may still have been saved (GHL has kept creates it answered an \
         error to); check before sending it again{lookup}"
    ))
}

/// Whether a raw call could change data: anything but a GET or a search.
fn changes_data(call: &Call) -> bool {
    let search = call.method == Method::POST
        && call.segments.len() == 2
        && call.segments[0] == "contacts"
        && call.segments[1] == "search";
    call.method != Method::GET && call.method != Method::HEAD && !search
}

/// The body with secrets masked, whole (the exchange record cuts very large bodies).
fn shown_body(reply: &crate::ghl::Reply<crate::ghl::RawResponse>) -> String {
    match &reply.exchange.response_body {
        Some(masked) if reply.value.body.len() <= crate::ghl::exchange::MAX_RECORDED_BODY => {
            masked.clone()
        }
        _ => crate::ghl::exchange::mask_body(&reply.value.body),
    }
}

/// The path and query of what was given to `api`: a path as is, or a full URL under the base
/// URL (same scheme, host and port, and below the base URL's own path) cut down to the part
/// after the base URL. Any other absolute URL is refused, so the token is never sent to
/// another host.
fn under_base(given: &str, base_url: &str) -> anyhow::Result<String> {
    if given.starts_with('/') {
        return Ok(given.to_string());
    }
    let Ok(url) = url::Url::parse(given) else {
        return Ok(given.to_string());
    };
    let refuse = || {
        anyhow::anyhow!(
            "give a path like /contacts/ID; {given} is not under the base URL {base_url}"
        )
    };
    let base = url::Url::parse(base_url).map_err(|_| refuse())?;
    if url.origin() != base.origin() || !url.origin().is_tuple() {
        return Err(refuse());
    }
    let prefix = base.path().trim_end_matches('/');
    let rest = url.path().strip_prefix(prefix).ok_or_else(refuse)?;
    if !(rest.is_empty() || rest.starts_with('/')) {
        return Err(refuse());
    }
    Ok(match url.query() {
        Some(query) => format!("{rest}?{query}"),
        None => rest.to_string(),
    })
}

fn api_call(args: &ApiArgs, base_url: &str) -> anyhow::Result<Call> {
    let method = Method::from_bytes(args.method.to_ascii_uppercase().as_bytes())
        .with_context(|| format!("{:?} is not an HTTP method", args.method))?;
    let given = under_base(&args.path, base_url)?;
    let (path, query) = given.split_once('?').unwrap_or((&given, ""));
    let segments: Vec<String> = path
        .split('/')
        .filter(|s| !s.is_empty())
        .map(|s| {
            percent_encoding::percent_decode_str(s)
                .decode_utf8_lossy()
                .into_owned()
        })
        .collect();
    if segments.is_empty() {
        bail!("the path is empty: give one like /contacts/CONTACT_ID");
    }
    let refs: Vec<&str> = segments.iter().map(String::as_str).collect();
    let mut call = Call::new(method, &refs).retry_safe();
    call.retry = if call.method == Method::POST {
        crate::ghl::client::Retry::Never
    } else {
        call.retry
    };
    call.trailing_slash = path.ends_with('/');
    for (key, value) in url::form_urlencoded::parse(query.as_bytes()) {
        call = call.query(&key, value);
    }
    if let Some(data) = &args.data {
        let text = read_data(data)?;
        let body = serde_json::from_str(&text).context("--data is not valid JSON")?;
        call = call.body(body);
    }
    Ok(call)
}

fn read_data(data: &str) -> anyhow::Result<String> {
    if data == "-" {
        return std::io::read_to_string(std::io::stdin()).context("reading the body from stdin");
    }
    if let Some(path) = data.strip_prefix('@') {
        return std::fs::read_to_string(path).with_context(|| format!("reading {path}"));
    }
    Ok(data.to_string())
}

fn pretty(body: &str) -> String {
    serde_json::from_str::<serde_json::Value>(body)
        .ok()
        .and_then(|v| serde_json::to_string_pretty(&v).ok())
        .unwrap_or_else(|| body.to_string())
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;

    #[test]
    fn bash_completion_arms_match_the_loop() {
        let mut command = Cli::command();
        let mut script = Vec::new();
        clap_complete::generate(
            clap_complete::Shell::Bash,
            &mut command,
            "ghl-console",
            &mut script,
        );
        let raw = String::from_utf8(script).unwrap();
        let fixed = raw.replace("ghl__subcmd__console", "ghl__console");
        assert!(
            fixed.contains("ghl__console__subcmd__config)"),
            "an arm for `config`"
        );
        assert!(fixed.contains("cmd=\"ghl__console__subcmd__config\""));
    }

    #[test]
    fn read_only_is_offered_only_where_it_means_something() {
        for args in [
            ["ghl-console", "--read-only", "api", "GET", "/x"].as_slice(),
            &["ghl-console", "api", "--read-only", "GET", "/x"],
            &["ghl-console", "doctor", "--read-only"],
            &["ghl-console", "--read-only"],
        ] {
            let cli = Cli::try_parse_from(args).unwrap();
            assert!(cli.read_only(), "{args:?}");
        }
        for args in [
            ["ghl-console", "config", "show", "--read-only"].as_slice(),
            &["ghl-console", "sandbox", "--read-only"],
            &["ghl-console", "completions", "bash", "--read-only"],
        ] {
            assert!(Cli::try_parse_from(args).is_err(), "{args:?}");
        }
        for sub in ["config", "sandbox", "completions"] {
            let mut command = Cli::command();
            let help = command
                .find_subcommand_mut(sub)
                .unwrap()
                .render_long_help()
                .to_string();
            assert!(!help.contains("--read-only"), "{sub}: {help}");
        }
    }

    #[test]
    fn demo_with_any_subcommand_is_a_usage_error() {
        for args in [
            ["ghl-console", "--demo", "sync", "--dry-run"].as_slice(),
            &["ghl-console", "--demo", "api", "GET", "/contacts/x"],
            &["ghl-console", "--demo", "doctor"],
        ] {
            let cli = Cli::try_parse_from(args).unwrap();
            let error = cli.usage_error().expect("refused").to_string();
            assert_eq!(
                cli.usage_error().map(|e| e.exit_code()),
                Some(2),
                "{args:?}"
            );
            assert!(error.contains("ghl-console sandbox"), "{error}");
            assert!(error.contains(&format!("`{}`", args[2])), "{error}");
        }
        // Commands that reach no account are refused too, without advice about accounts.
        for args in [
            ["ghl-console", "--demo", "config", "show"].as_slice(),
            &["ghl-console", "--demo", "sandbox"],
            &["ghl-console", "--demo", "completions", "bash"],
        ] {
            let cli = Cli::try_parse_from(args).unwrap();
            let error = cli.usage_error().expect("refused").to_string();
            assert!(!error.contains("configured account"), "{error}");
            assert!(
                error.contains(&format!("`ghl-console {} ...`", args[2])),
                "{error}"
            );
        }
        for args in [
            ["ghl-console", "--demo"].as_slice(),
            &["ghl-console", "--demo", "--read-only"],
            &["ghl-console", "sync", "--dry-run"],
        ] {
            let cli = Cli::try_parse_from(args).unwrap();
            assert!(cli.usage_error().is_none(), "{args:?}");
        }
    }

    #[test]
    fn a_full_url_is_taken_only_under_the_base_url() {
        let base = "http://127.0.0.1:18080";
        for (given, wanted) in [
            ("/contacts/abc", "/contacts/abc"),
            ("http://127.0.0.1:18080/contacts/abc", "/contacts/abc"),
            (
                "http://127.0.0.1:18080/contacts/?limit=1",
                "/contacts/?limit=1",
            ),
        ] {
            assert_eq!(under_base(given, base).unwrap(), wanted, "{given}");
        }
        assert_eq!(
            under_base("https://h.test/v2/contacts/a", "https://h.test/v2/").unwrap(),
            "/contacts/a"
        );
        for other in [
            "http://127.0.0.1:18081/contacts/abc",
            "https://127.0.0.1:18080/contacts/abc",
            "http://localhost:18080/contacts/abc",
            "https://services.leadconnectorhq.com/contacts/abc",
            "mailto:someone@example.com",
        ] {
            let error = under_base(other, base).unwrap_err().to_string();
            assert_eq!(
                error,
                format!("give a path like /contacts/ID; {other} is not under the base URL {base}")
            );
        }
        assert!(under_base("https://h.test/v20/contacts", "https://h.test/v2").is_err());
    }

    #[test]
    fn the_command_line_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn connection_flags_work_before_and_after_the_subcommand() {
        let cli =
            Cli::try_parse_from(["ghl-console", "api", "--location", "L1", "GET", "/x"]).unwrap();
        assert!(
            matches!(&cli.command, Some(Command::Api(a)) if a.connection.location_id.as_deref() == Some("L1"))
        );
        let cli = Cli::try_parse_from([
            "ghl-console",
            "--location",
            "L2",
            "sandbox",
            "--location",
            "S",
        ])
        .unwrap();
        assert_eq!(cli.connection.location_id.as_deref(), Some("L2"));
    }
}

//! `ghl-console sync`: one run from GHL into Rankr for cron (exit code, `--json`,
//! `--alert-cmd`), or `--watch`: webhooks plus a reconciliation every `sync.interval_secs`.

use std::io::{IsTerminal as _, Write as _};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context as _, bail};
use clap::{Args, ValueEnum};
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

use super::Connection;
use crate::config::{RANKR_API_KEY_ENV, SECRET_ENV_VARS, Settings};
use crate::ghl::GhlClient;
use crate::rankr::RankrStore;
use crate::rankr::http::HttpTarget;
use crate::sync::{EngineConfig, SyncError, SyncMode, SyncProgress, SyncSummary};

/// Where the sync writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Target {
    /// The embedded store is the Rankr record.
    Sqlite,
    /// A remote Rankr over HTTP (`rankr.http_url`), through the store's outbox.
    Http,
}

/// `ghl-console sync`.
#[derive(Debug, Args)]
#[expect(
    clippy::struct_excessive_bools,
    reason = "each bool is a command-line flag"
)]
pub struct SyncArgs {
    #[command(flatten)]
    pub connection: Connection,
    /// Walk every contact (resuming an unfinished walk) and mark the missing as deleted.
    #[arg(long)]
    pub full: bool,
    /// Print the changes it would apply; write nothing (the store is opened read-only, and
    /// not created when missing).
    #[arg(long, conflicts_with = "watch")]
    pub dry_run: bool,
    /// Sync at most N contacts (1 or more).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub limit: Option<u64>,
    /// Print the summary as JSON (for cron).
    #[arg(long)]
    pub json: bool,
    /// Where to write (default: `rankr.target`, else sqlite).
    #[arg(long, value_enum)]
    pub target: Option<Target>,
    /// Keep running: receive webhooks and reconcile every `sync.interval_secs`.
    #[arg(long)]
    pub watch: bool,
    /// On failure, run this shell command with the JSON summary on its stdin (without
    /// `GHL_TOKEN`, `GHL_CLIENT_SECRET` or `RANKR_API_KEY` in its environment).
    #[arg(long, value_name = "CMD")]
    pub alert_cmd: Option<String>,
    /// The Rankr store (default: `rankr.store_path`, else the data dir).
    #[arg(long, value_name = "FILE")]
    pub store: Option<PathBuf>,
    /// Read phones without a country code in this country (ISO code, e.g. US).
    #[arg(long, value_name = "CC", value_parser = country_code)]
    pub default_country: Option<String>,
    /// Where `--watch` receives webhooks (default: `webhook.listen`).
    #[arg(long, value_name = "ADDR")]
    pub listen: Option<String>,
}

/// Checks `--default-country` as `sync.default_country` is checked: an ISO 3166 code.
fn country_code(code: &str) -> Result<String, crate::sync::phone::PhoneError> {
    crate::sync::phone::country(code).map(|_| code.to_string())
}

/// The engine settings for the settings in force and the flags.
pub fn engine_config(
    settings: &Settings,
    args: Option<&SyncArgs>,
    target: Option<Target>,
) -> anyhow::Result<EngineConfig> {
    let Some(location) = settings
        .config
        .api
        .location_id
        .clone()
        .filter(|l| !l.is_empty())
    else {
        bail!("no location: set api.location_id, GHL_LOCATION_ID or --location");
    };
    let mut config = EngineConfig::new(location);
    config
        .default_country
        .clone_from(&settings.config.sync.default_country);
    if let Some(args) = args {
        config.dry_run = args.dry_run;
        config.limit = args.limit;
        if args.default_country.is_some() {
            config.default_country.clone_from(&args.default_country);
        }
    }
    let configured = settings.config.rankr.target.as_deref();
    let target = target.unwrap_or(if configured == Some("http") {
        Target::Http
    } else {
        Target::Sqlite
    });
    if target == Target::Http {
        config.http_target = Some(http_target(settings)?);
    }
    Ok(config)
}

fn http_target(settings: &Settings) -> anyhow::Result<HttpTarget> {
    let rankr = &settings.config.rankr;
    let Some(url) = rankr.http_url.as_deref() else {
        bail!("the http target needs rankr.http_url");
    };
    let key = match (&rankr.api_key_file, std::env::var(RANKR_API_KEY_ENV)) {
        (_, Ok(key)) if !key.is_empty() => crate::ghl::Secret::new(key),
        (Some(path), _) => settings.read_secret("rankr.api_key_file", path)?,
        (None, _) => bail!("the http target needs rankr.api_key_file or RANKR_API_KEY"),
    };
    Ok(HttpTarget::new(url, key)?)
}

/// Runs `ghl-console sync`; returns the exit code: 0 when everything synced, 1 when records
/// failed or wait in the outbox, 3 when the run stopped (daily limit, GHL error), 130 on
/// Ctrl-C.
pub async fn run(settings: &Settings, args: &SyncArgs) -> anyhow::Result<u8> {
    let client = super::client_for(settings)?;
    let store = if args.dry_run {
        super::webhook::open_store_for_dry_run(settings, args.store.as_ref())?
    } else {
        super::webhook::open_store(settings, args.store.as_ref())?
    };
    let config = engine_config(settings, Some(args), args.target)?;
    if args.watch {
        return watch_loop(settings, args, client, store, config).await;
    }
    let mode = if args.full {
        SyncMode::Full
    } else {
        SyncMode::Auto
    };
    if !args.dry_run {
        report_unfinished_runs(store.as_ref(), &config.location_id)?;
    }
    let cancel = CancellationToken::new();
    tokio::spawn(stop_on_ctrl_c(cancel.clone()));
    let (tx, rx) = watch::channel(SyncProgress::default());
    let last = rx.clone();
    let bar =
        (!args.json && std::io::stderr().is_terminal()).then(|| tokio::spawn(show_progress(rx)));
    let result = crate::sync::run(&config, &client, store.as_ref(), mode, Some(tx), cancel).await;
    if let Some(bar) = bar {
        bar.await.ok();
    }
    let last = last.borrow().clone();
    report(args, result, &last)
}

/// Says which earlier runs of the location never recorded an end: the run about to start marks
/// them `interrupted` in `sync_runs`.
fn report_unfinished_runs(store: &dyn RankrStore, location_id: &str) -> anyhow::Result<()> {
    let unfinished: Vec<String> = store
        .runs(1000)?
        .into_iter()
        .filter(|r| r.location_id == location_id && r.ended_at.is_none() && r.outcome.is_none())
        .map(|r| format!("#{} (started {})", r.id, r.started_at))
        .collect();
    if !unfinished.is_empty() {
        eprintln!(
            "earlier runs never recorded an end (killed?), now marked interrupted: {}",
            unfinished.join(", ")
        );
    }
    Ok(())
}

/// The first Ctrl-C cancels the run: requests in flight are dropped at once (each commit is
/// synchronous, so what was committed stays whole and the cursor covers only it), and the run
/// reports and exits 130. A second Ctrl-C exits at once.
async fn stop_on_ctrl_c(cancel: CancellationToken) {
    if tokio::signal::ctrl_c().await.is_err() {
        return;
    }
    eprintln!("stopping after the current requests… (Ctrl-C again to quit at once)");
    cancel.cancel();
    if tokio::signal::ctrl_c().await.is_ok() {
        eprintln!("quitting now");
        std::process::exit(130);
    }
}

/// Prints the outcome, runs the alert command on failure, and picks the exit code.
fn report(
    args: &SyncArgs,
    result: Result<SyncSummary, SyncError>,
    last: &SyncProgress,
) -> anyhow::Result<u8> {
    let (summary, code, error) = match result {
        Ok(summary) => {
            let code = u8::from(!summary.is_ok());
            (summary, code, None)
        }
        Err(e) => {
            let code = if matches!(e, SyncError::Cancelled { .. }) {
                130
            } else {
                3
            };
            let Some(summary) = e.summary().cloned() else {
                return Err(e.into());
            };
            (summary, code, Some(e.to_string()))
        }
    };
    print_summary(&summary, args.json, error.as_deref())?;
    // The bar counted contacts as they were fetched; the summary counts what was committed.
    if !args.json
        && error.is_some()
        && let Some(note) = last.not_committed()
    {
        super::say(format_args!("  {note}"));
    }
    if let Some(error) = &error {
        eprintln!("error: {error}");
    }
    if code != 0
        && let Some(command) = &args.alert_cmd
    {
        alert(command, &summary)?;
    }
    Ok(code)
}

/// Prints the summary; its message is left out where `error`, printed next on stderr, already
/// says it, so a stopped run gives its reason once.
fn print_summary(summary: &SyncSummary, json: bool, error: Option<&str>) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    if json {
        writeln!(out, "{}", serde_json::to_string_pretty(summary)?)?;
        return Ok(());
    }
    if summary.dry_run {
        writeln!(
            out,
            "dry run: nothing was written; {} changes would be applied",
            summary.changes.len()
        )?;
        for change in &summary.changes {
            writeln!(out, "  {}", change.describe())?;
        }
    }
    writeln!(
        out,
        "{} sync {}: {} in {:.1}s",
        summary.mode,
        summary.outcome,
        summary.counts.describe("tasks/notes changed"),
        Duration::from_millis(summary.elapsed_ms).as_secs_f64()
    )?;
    for failed in &summary.failed {
        writeln!(out, "  failed {}", failed.describe())?;
    }
    if let Some(message) = &summary.message
        && !error.is_some_and(|e| e.contains(message.as_str()))
    {
        writeln!(out, "  {message}")?;
    }
    if summary.walk_pending {
        writeln!(
            out,
            "  the full walk is not finished; the next sync resumes it"
        )?;
    }
    Ok(())
}

/// Runs `command` in a shell with the JSON summary on its stdin, in this process's environment
/// less the variables that hold secrets ([`SECRET_ENV_VARS`]): the alert needs no token.
fn alert(command: &str, summary: &SyncSummary) -> anyhow::Result<()> {
    let mut shell = std::process::Command::new("sh");
    shell
        .arg("-c")
        .arg(command)
        .stdin(std::process::Stdio::piped());
    for name in SECRET_ENV_VARS {
        shell.env_remove(name);
    }
    let mut child = shell
        .spawn()
        .with_context(|| format!("running the alert command {command:?}"))?;
    if let Some(mut stdin) = child.stdin.take() {
        stdin.write_all(serde_json::to_string_pretty(summary)?.as_bytes())?;
    }
    let status = child.wait()?;
    if !status.success() {
        eprintln!("warning: the alert command exited with {status}");
    }
    Ok(())
}

/// Draws a progress bar on stderr from the run's progress until the run ends. Rate and time
/// left are the run's own (`SyncProgress`): contacts an interrupted run covered count in the
/// bar but not in the rate, and a paced run's time left follows the rate limit.
async fn show_progress(mut rx: watch::Receiver<SyncProgress>) {
    let bar = indicatif::ProgressBar::new(0);
    let style = |template: &str| {
        indicatif::ProgressStyle::with_template(template).map(|s| s.progress_chars("=> "))
    };
    let (Ok(known), Ok(unknown)) = (
        style("{prefix} [{bar:30}] {pos}/{len} contacts fetched{msg}"),
        style("{prefix} {pos} contacts fetched{msg}"),
    ) else {
        return;
    };
    let mut total_known = None;
    while rx.changed().await.is_ok() {
        let p = rx.borrow_and_update().clone();
        if total_known != Some(p.total.is_some()) {
            total_known = Some(p.total.is_some());
            bar.set_style(if p.total.is_some() {
                known.clone()
            } else {
                unknown.clone()
            });
        }
        bar.set_length(p.total.unwrap_or(p.done).max(p.done));
        bar.set_position(p.done);
        bar.set_prefix(format!("{} {:?}", p.mode, p.phase).to_lowercase());
        bar.set_message(rate_and_eta(&p));
    }
    // The bar draws at most a few times a second, so the last drawing may be behind the run:
    // it is drawn once more at its final figures and left, so the summary under it agrees.
    bar.finish();
}

/// `, 120 committed, 4.9/s, eta 6m 12s` from the run's own figures: the contacts written so
/// far (the bar counts them as they are fetched, a page is written after), the rate, and the
/// time left once the run has done enough contacts to reckon it (`eta ?` before). The rate and
/// time left are left out before the run has done anything of its own.
fn rate_and_eta(p: &SyncProgress) -> String {
    let committed = format!(", {} committed", p.written);
    if p.rate <= 0.0 {
        return committed;
    }
    let eta = p.eta.map_or_else(
        || "?".to_string(),
        |left| {
            let secs = left.as_secs();
            match (secs / 3600, secs / 60 % 60, secs % 60) {
                (0, 0, s) => format!("{s}s"),
                (0, m, s) => format!("{m}m {s}s"),
                (h, m, _) => format!("{h}h {m}m"),
            }
        },
    );
    format!("{committed}, {:.1}/s, eta {eta}", p.rate)
}

/// `--watch`: the webhook receiver and applier, and an incremental run every interval.
async fn watch_loop(
    settings: &Settings,
    args: &SyncArgs,
    client: GhlClient,
    store: Arc<crate::rankr::SqliteStore>,
    config: EngineConfig,
) -> anyhow::Result<u8> {
    let cancel = CancellationToken::new();
    let listen = args
        .listen
        .clone()
        .unwrap_or_else(|| settings.config.webhook.listen.clone());
    let shared: Arc<dyn RankrStore> = store.clone();
    let addr = super::webhook::start(
        settings,
        &listen,
        shared,
        client.clone(),
        config.clone(),
        &cancel,
    )
    .await?;
    eprintln!(
        "receiving GHL webhooks on http://{addr}/webhook; reconciling every {}s (Ctrl-C stops)",
        settings.config.sync.interval_secs
    );
    let every = Duration::from_secs(settings.config.sync.interval_secs.max(1));
    let mut mode = if args.full {
        SyncMode::Full
    } else {
        SyncMode::Auto
    };
    loop {
        let token = cancel.child_token();
        let result = crate::sync::run(&config, &client, store.as_ref(), mode, None, token).await;
        reconciled(args, &result)?;
        mode = SyncMode::Auto;
        tokio::select! {
            _ = tokio::signal::ctrl_c() => break,
            () = tokio::time::sleep(every) => {}
        }
    }
    cancel.cancel();
    Ok(0)
}

/// Reports one reconciliation of `--watch`, alerting when it did not go through.
fn reconciled(args: &SyncArgs, result: &Result<SyncSummary, SyncError>) -> anyhow::Result<()> {
    let (summary, error) = match result {
        Ok(summary) => (Some(summary), None),
        Err(e) => {
            eprintln!("error: {e}");
            (e.summary(), Some(e.to_string()))
        }
    };
    if let Some(summary) = summary {
        print_summary(summary, args.json, error.as_deref())?;
        if let (Some(command), false) = (&args.alert_cmd, summary.is_ok()) {
            alert(command, summary)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    /// The bar's rate and time left are the run's (a resumed run's carried contacts are not a
    /// burst of thousands a second), with one decimal and minutes spelt out.
    #[test]
    fn the_bar_shows_the_runs_own_rate_and_time_left() {
        let mut p = SyncProgress {
            done: 1436,
            written: 1400,
            total: Some(2000),
            ..SyncProgress::default()
        };
        assert_eq!(
            rate_and_eta(&p),
            ", 1400 committed",
            "nothing of this run's own yet"
        );
        p.rate = 4.912;
        p.eta = Some(Duration::from_secs(372));
        assert_eq!(rate_and_eta(&p), ", 1400 committed, 4.9/s, eta 6m 12s");
        p.eta = Some(Duration::from_secs(2 * 3600 + 5 * 60 + 9));
        assert_eq!(rate_and_eta(&p), ", 1400 committed, 4.9/s, eta 2h 5m");
        p.eta = None;
        assert_eq!(rate_and_eta(&p), ", 1400 committed, 4.9/s, eta ?");
    }

    /// `--limit 0` would do nothing and say the walk is unfinished: it is a usage error.
    #[test]
    fn a_limit_of_zero_is_refused() {
        use clap::Parser;
        let parse = |limit: &str| {
            crate::cli::Cli::try_parse_from(["ghl-console", "sync", "--limit", limit]).map(|_| ())
        };
        let refused = parse("0").unwrap_err();
        assert_eq!(refused.exit_code(), 2);
        assert!(parse("1").is_ok());
    }
}

//! What the benchmarks share: the quick mode, a sandbox on its own runtime, clients, a console
//! with contacts loaded, timing summaries and the table each bench prints.

#![allow(dead_code, reason = "each bench binary uses a part of this module")]
#![allow(
    clippy::cast_precision_loss,
    reason = "counts and durations become f64 only for printed figures, far below 2^52"
)]

use std::fmt::Write as _;
use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

use anyhow::Context as _;
use ghl_console::ghl::models::Contact;
use ghl_console::ghl::{ClientConfig, GhlClient, Secret};
use ghl_console::sandbox::{self, DEMO_LOCATION_ID, DEMO_TOKEN, SandboxConfig, SandboxHandle};
use ghl_console::tui::app::{App, Settings};
use ghl_console::tui::clock::Clock;
use ghl_console::tui::update::{self, Msg};
use ghl_console::worker::messages::{ContactRow, Event};
use tokio::runtime::Runtime;

/// Whether `GHL_BENCH_QUICK` asks for the quick mode: small sizes, nothing judged (CI).
pub fn quick() -> bool {
    std::env::var("GHL_BENCH_QUICK").is_ok_and(|v| !v.is_empty() && v != "0")
}

/// `full` normally, `small` in the quick mode.
pub fn pick<T>(full: T, small: T) -> T {
    if quick() { small } else { full }
}

/// The line every bench starts with: what it measures, on what machine, in which build.
pub fn header(title: &str) {
    let profile = if cfg!(debug_assertions) {
        "debug build (times mean little)"
    } else {
        "optimised build"
    };
    let mode = if quick() {
        "quick mode: small sizes, budgets not judged"
    } else {
        "full sizes"
    };
    println!("== {title}");
    println!("   {}; {profile}; {mode}", machine());
}

/// The machine: cores, CPU model and memory, from `/proc`.
pub fn machine() -> String {
    let cores = std::thread::available_parallelism().map_or(0, std::num::NonZero::get);
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = proc_field(&cpuinfo, "model name").unwrap_or_else(|| "unknown CPU".into());
    let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
    let memory = proc_field(&meminfo, "MemTotal")
        .and_then(|m| m.trim_end_matches("kB").trim().parse::<u64>().ok())
        .map_or_else(
            || "? GiB".into(),
            |kb| format!("{:.1} GiB", kb as f64 / 1_048_576.0),
        );
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let load = load.split_whitespace().next().unwrap_or("?").to_string();
    format!("{cores} cores, {model}, {memory} RAM, load average {load} at the start")
}

fn proc_field(text: &str, name: &str) -> Option<String> {
    text.lines()
        .filter_map(|line| line.split_once(':'))
        .find(|(key, _)| key.trim() == name)
        .map(|(_, value)| value.trim().to_string())
}

/// The resident memory of this process in KiB (`VmRSS` of `/proc/self/status`).
pub fn rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    proc_field(&status, "VmRSS")?
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()
}

/// A sandbox serving from its own runtime, as a remote server would, so its work does not
/// share the console's scheduler.
pub struct Sandbox {
    /// The running sandbox.
    pub handle: SandboxHandle,
    runtime: Runtime,
}

impl Sandbox {
    /// Seeds `config.contacts` contacts and listens on a free loopback port. Call it outside
    /// any runtime.
    pub fn start(config: SandboxConfig) -> anyhow::Result<Self> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .thread_name("sandbox")
            .build()
            .context("starting the sandbox runtime")?;
        let listen = SocketAddr::from((Ipv4Addr::LOCALHOST, 0));
        let handle = runtime
            .block_on(sandbox::spawn(config, listen))
            .context("starting the sandbox")?;
        Ok(Self { handle, runtime })
    }

    /// A sandbox of `contacts` demo contacts without rate limits or faults.
    pub fn unlimited(contacts: usize) -> anyhow::Result<Self> {
        Self::start(SandboxConfig {
            contacts,
            rate_limit: None,
            daily_limit: None,
            ..SandboxConfig::default()
        })
    }

    /// Stops the server and waits for it. Call it outside any runtime.
    pub fn stop(self) {
        self.runtime.block_on(self.handle.shutdown());
    }
}

/// A client of the sandbox's demo location with the given pacing (`None`: no pacing).
pub fn client(base_url: &str, pacing: Option<(u32, Duration)>) -> anyhow::Result<GhlClient> {
    let mut config = ClientConfig::new(base_url, Secret::new(DEMO_TOKEN), DEMO_LOCATION_ID);
    config.rate_limit = pacing;
    GhlClient::new(config).context("building the client")
}

/// The runtime the console, its worker and the sync run on: the product's default.
pub fn console_runtime() -> anyhow::Result<Runtime> {
    Runtime::new().context("starting the console runtime")
}

/// A console of `width` x `height` with `contacts` loaded as one listing, nothing selected
/// beyond the first row.
pub fn console_with(contacts: &[Contact], width: u16, height: u16) -> App {
    let settings = Settings {
        location: DEMO_LOCATION_ID.to_string(),
        save_dir: std::env::temp_dir(),
        ..Settings::default()
    };
    let (mut app, _problems) = App::new(settings, Clock::system());
    app.size = (width, height);
    update::start(&mut app);
    add_page(&mut app, contacts, false);
    app
}

/// Adds a page to the console's current listing, as the worker would.
pub fn add_page(app: &mut App, contacts: &[Contact], more: bool) {
    let total = app.contacts.items.len() + contacts.len();
    let page = Event::Page {
        generation: app.contacts.generation,
        contacts: contacts.iter().map(ContactRow::of).collect(),
        total: total as u64,
        more,
        exchange_id: 0,
    };
    update::update(app, Msg::Worker(page));
}

/// Milliseconds, as a float, for the tables.
pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// The median, 99th percentile and extremes of a set of timings.
#[derive(Debug, Clone, Copy)]
pub struct Spread {
    pub median: Duration,
    pub p99: Duration,
    pub min: Duration,
    pub max: Duration,
    pub count: usize,
}

impl Spread {
    /// Summarises `samples` (empty gives zeros).
    pub fn of(samples: &[Duration]) -> Self {
        let mut sorted = samples.to_vec();
        sorted.sort_unstable();
        // Nearest rank: the smallest sample with at least `percent`% of them at or below it.
        let at = |percent: usize| {
            let rank = (sorted.len() * percent).div_ceil(100).saturating_sub(1);
            sorted.get(rank).copied().unwrap_or_default()
        };
        Self {
            median: at(50),
            p99: at(99),
            min: sorted.first().copied().unwrap_or_default(),
            max: sorted.last().copied().unwrap_or_default(),
            count: sorted.len(),
        }
    }

    /// `median 1.23 ms, p99 2.34 ms (n = 500)`.
    pub fn describe(&self) -> String {
        format!(
            "median {:.3} ms, p99 {:.3} ms, min {:.3}, max {:.3} (n = {})",
            ms(self.median),
            ms(self.p99),
            ms(self.min),
            ms(self.max),
            self.count
        )
    }
}

/// Whether a figure is within its budget.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Met,
    NotMet,
    NotJudged,
    Context,
}

impl Verdict {
    /// `value <= budget`, unless in the quick mode.
    pub fn at_most(value: f64, budget: f64) -> Self {
        if quick() {
            Self::NotJudged
        } else if value <= budget {
            Self::Met
        } else {
            Self::NotMet
        }
    }

    fn text(self) -> &'static str {
        match self {
            Self::Met => "met",
            Self::NotMet => "NOT MET",
            Self::NotJudged => "not judged",
            Self::Context => "",
        }
    }
}

/// The table a bench prints: figure, value, budget, verdict.
#[derive(Debug, Default)]
pub struct Table {
    rows: Vec<(String, String, String, Verdict)>,
}

impl Table {
    /// A figure with a budget.
    pub fn judged(&mut self, figure: &str, value: String, budget: &str, verdict: Verdict) {
        self.rows
            .push((figure.into(), value, budget.into(), verdict));
    }

    /// A figure given for context, without a budget.
    pub fn context(&mut self, figure: &str, value: String) {
        self.rows
            .push((figure.into(), value, String::new(), Verdict::Context));
    }

    /// Prints the table as Markdown, ready for `BENCHMARKS.md`.
    pub fn print(&self) {
        let mut out =
            String::from("| figure | value | budget | verdict |\n| --- | --- | --- | --- |\n");
        for (figure, value, budget, verdict) in &self.rows {
            let _ = writeln!(
                out,
                "| {figure} | {value} | {budget} | {} |",
                verdict.text()
            );
        }
        println!("{out}");
    }
}

/// Runs one sync of the demo location into `store` and returns its summary and wall time.
pub async fn sync_once(
    client: &GhlClient,
    store: &ghl_console::rankr::SqliteStore,
    mode: ghl_console::sync::SyncMode,
) -> anyhow::Result<(ghl_console::sync::SyncSummary, Duration)> {
    let config = ghl_console::sync::EngineConfig::new(DEMO_LOCATION_ID);
    let cancel = tokio_util::sync::CancellationToken::new();
    let began = std::time::Instant::now();
    let summary = ghl_console::sync::run(&config, client, store, mode, None, cancel)
        .await
        .context("running the sync")?;
    anyhow::ensure!(
        summary.is_ok(),
        "the sync ended {}: {:?}",
        summary.outcome,
        summary.message
    );
    Ok((summary, began.elapsed()))
}

/// The requests a sync of `contacts` contacts with their tasks and notes cannot do without: a
/// search page per 100 contacts, plus the empty page that shows a full last page was the last
/// (the search's `total` is not trusted to end a walk); a task and a note request per contact;
/// and for a full run, the one search that reads where the incremental cursor will stand.
pub fn requests_needed(contacts: u64, full: bool) -> u64 {
    let closing = u64::from(contacts.is_multiple_of(100));
    contacts.div_ceil(100) + closing + 2 * contacts + u64::from(full)
}

/// The bare minimum beside it: a page per 100 contacts and their tasks and notes.
pub fn requests_minimum(contacts: u64) -> u64 {
    contacts.div_ceil(100) + 2 * contacts
}

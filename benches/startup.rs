//! Memory and startup: the real console (the `ghl-console` binary, in a pane of a tmux server of
//! the bench's own) opening a location whose Rankr store holds 100,000 contacts, with the
//! sandbox on loopback standing in for GHL. Budgets: from starting the process to the first
//! frame with contacts <= 100 ms; resident memory with every contact listed <= 200 MB.
//!
//! The console writes when it drew its first contacts and when the store's last page was
//! listed to its log file, with the time since its `main` began; the bench reads those lines,
//! and the console's `VmRSS` from `/proc`. Skipped, saying so, when tmux is not installed.

#![allow(
    clippy::cast_precision_loss,
    reason = "sizes become f64 only for printed figures, far below 2^52"
)]

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use chrono::{DateTime, Utc};
use common::{Sandbox, Table, Verdict, ms, pick};
use ghl_console::rankr::{Batch, CursorUpdate, RankrStore, SqliteStore};
use ghl_console::sandbox::{DEMO_LOCATION_ID, DEMO_TOKEN};
use ghl_console::sync::mapping::{map_contact, new_rankr_id};

/// The console's log line when it drew its first contacts from the store.
const FIRST_ROWS: &str = "first stored contacts on screen";

/// The console's log line when the store's last page was listed.
const ALL_LISTED: &str = "every contact of the store is listed";

fn main() -> anyhow::Result<()> {
    common::header("Memory and startup: the console opening a store of many contacts");
    if !tmux_available() {
        println!("skipped: tmux is not installed (the bench drives the real console in tmux)");
        return Ok(());
    }
    let count = pick(100_000, 2_000);
    let dir = tempfile::tempdir()?;
    let store_path = dir.path().join("rankr.sqlite3");
    let sandbox = Sandbox::unlimited(count)?;
    let filled = fill_store(&store_path, &sandbox)?;

    let measured = {
        let console = Console::start(dir.path(), &sandbox.handle.base_url(), &store_path)?;
        console.measure(count)
    };
    sandbox.stop();
    report(count, filled, &measured?, &store_path);
    Ok(())
}

/// Writes the sandbox's contacts into a new store as the sync maps them, and the cursor a sync
/// leaves.
fn fill_store(path: &Path, sandbox: &Sandbox) -> anyhow::Result<Duration> {
    let began = Instant::now();
    let contacts = sandbox.handle.store().contacts(DEMO_LOCATION_ID);
    let store = SqliteStore::open(path)?;
    for chunk in contacts.chunks(5_000) {
        let rows = chunk
            .iter()
            .map(|c| {
                let mut row = map_contact(c, DEMO_LOCATION_ID, None).row;
                row.rankr_id = new_rankr_id();
                row
            })
            .collect();
        store.apply(&Batch {
            contacts: rows,
            ..Batch::default()
        })?;
    }
    let newest = contacts.iter().filter_map(|c| c.date_updated.clone()).max();
    store.apply(&Batch {
        cursor: newest.map(|date_updated| CursorUpdate::Incremental {
            location_id: DEMO_LOCATION_ID.to_string(),
            date_updated,
        }),
        ..Batch::default()
    })?;
    Ok(began.elapsed())
}

/// What the bench saw of the console.
#[derive(Debug, Default)]
struct Figures {
    /// From the bench starting the process to the first frame with contacts.
    first_frame: Duration,
    /// The same, as the console measured it from its `main`.
    first_frame_inside: Duration,
    /// Until then, the console's threads on a CPU, and waiting for one.
    first_frame_cpu: (u64, u64),
    /// How many contacts that first frame had listed.
    first_rows: u64,
    /// From the bench starting the process to the store's last page listed.
    all_listed: Duration,
    rss_listed_kib: u64,
    peak_listed_kib: u64,
    rss_filter_kib: u64,
    filter_screen: String,
}

/// The console in a tmux pane, on a tmux server only the bench uses.
struct Console {
    server: String,
    dir: PathBuf,
    started: DateTime<Utc>,
    pid: u32,
}

impl Console {
    /// Starts the console on the location, with its store, its config and its logs in `dir`.
    fn start(dir: &Path, base_url: &str, store: &Path) -> anyhow::Result<Self> {
        for sub in ["home", "config", "data", "state", "logs"] {
            std::fs::create_dir_all(dir.join(sub))?;
        }
        let config = dir.join("config.toml");
        std::fs::write(
            &config,
            format!(
                "[api]\nbase_url = \"{base_url}\"\nlocation_id = \"{DEMO_LOCATION_ID}\"\n\n\
                 [rankr]\nstore_path = \"{}\"\n",
                store.display()
            ),
        )?;
        let at = |sub: &str| dir.join(sub).display().to_string();
        let command = format!(
            "exec env -u GHL_BASE_URL -u GHL_LOCATION_ID -u GHL_TOKEN_FILE -u GHL_READ_ONLY \
             -u GHL_VERSION HOME='{}' XDG_CONFIG_HOME='{}' XDG_DATA_HOME='{}' XDG_STATE_HOME='{}' \
             GHL_CONSOLE_LOG_DIR='{}' GHL_LOG=info GHL_TOKEN='{DEMO_TOKEN}' '{}' --config '{}'",
            at("home"),
            at("config"),
            at("data"),
            at("state"),
            at("logs"),
            env!("CARGO_BIN_EXE_ghl-console"),
            config.display()
        );
        let mut console = Self {
            server: format!("ghl-bench-startup-{}", std::process::id()),
            dir: dir.to_path_buf(),
            started: Utc::now(),
            pid: 0,
        };
        console.tmux(&[
            "new-session",
            "-d",
            "-s",
            "bench",
            "-x",
            "160",
            "-y",
            "48",
            "sleep 600",
        ])?;
        console.started = Utc::now();
        console.tmux(&["respawn-pane", "-k", "-t", "bench", &command])?;
        console.pid = console
            .tmux(&["display-message", "-p", "-t", "bench", "#{pane_pid}"])?
            .trim()
            .parse()
            .context("the console's pid")?;
        Ok(console)
    }

    fn tmux(&self, args: &[&str]) -> anyhow::Result<String> {
        let out = Command::new("tmux")
            .args(["-L", &self.server, "-f", "/dev/null"])
            .args(args)
            .output()
            .context("running tmux")?;
        anyhow::ensure!(
            out.status.success(),
            "tmux {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    }

    /// Waits for the first frame and the whole store listed, reads the memory, types a filter
    /// keystroke, reads it again, and quits.
    fn measure(&self, count: usize) -> anyhow::Result<Figures> {
        let first = self.wait_for_log(FIRST_ROWS)?;
        let all = self.wait_for_log(ALL_LISTED)?;
        // GHL's first page merges in meanwhile; let it.
        std::thread::sleep(Duration::from_millis(500));
        let (rss_listed_kib, peak_listed_kib) = self.memory()?;

        self.tmux(&["send-keys", "-t", "bench", "/", "a"])?;
        let filter_screen =
            self.wait_for_screen(|s| s.contains(" /a") && !s.contains("filtering"))?;
        let (rss_filter_kib, _) = self.memory()?;

        // Apart, or the terminal reads Escape and q as Alt-q.
        self.tmux(&["send-keys", "-t", "bench", "Escape"])?;
        std::thread::sleep(Duration::from_millis(300));
        self.tmux(&["send-keys", "-t", "bench", "q"])?;
        let deadline = Instant::now() + Duration::from_secs(10);
        while Path::new(&format!("/proc/{}", self.pid)).exists() {
            anyhow::ensure!(Instant::now() < deadline, "the console did not quit");
            std::thread::sleep(Duration::from_millis(20));
        }
        anyhow::ensure!(
            all.field("listed") == Some(count as u64),
            "listed {:?} of {count}",
            all.field("listed")
        );
        Ok(Figures {
            first_frame: since(self.started, first.at),
            first_frame_inside: Duration::from_millis(first.field("since_start_ms").unwrap_or(0)),
            first_frame_cpu: (
                first.field("cpu_ms").unwrap_or(0),
                first.field("waited_for_cpu_ms").unwrap_or(0),
            ),
            first_rows: first.field("rows").unwrap_or(0),
            all_listed: since(self.started, all.at),
            rss_listed_kib,
            peak_listed_kib,
            rss_filter_kib,
            filter_screen: filter_screen
                .lines()
                .find_map(|l| {
                    let from = l.find(" /a")?;
                    let to = from + l[from..].find("found")? + "found".len();
                    Some(l[from + 1..to].to_string())
                })
                .unwrap_or_default(),
        })
    }

    fn wait_for_log(&self, message: &str) -> anyhow::Result<LogLine> {
        let deadline = Instant::now() + Duration::from_secs(120);
        loop {
            if let Some(line) = self
                .log_lines()
                .into_iter()
                .find(|l| l.text.contains(message))
            {
                return Ok(line);
            }
            anyhow::ensure!(
                Instant::now() < deadline,
                "the console never logged {message:?}; screen:\n{}",
                self.tmux(&["capture-pane", "-p", "-t", "bench"])
                    .unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    fn log_lines(&self) -> Vec<LogLine> {
        let Ok(files) = std::fs::read_dir(self.dir.join("logs")) else {
            return Vec::new();
        };
        files
            .flatten()
            .flat_map(|f| {
                std::fs::read_to_string(f.path())
                    .unwrap_or_default()
                    .lines()
                    .map(str::to_string)
                    .collect::<Vec<_>>()
            })
            .filter_map(|l| LogLine::parse(&l))
            .collect()
    }

    fn wait_for_screen(&self, wanted: impl Fn(&str) -> bool) -> anyhow::Result<String> {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let screen = self.tmux(&["capture-pane", "-p", "-t", "bench"])?;
            if wanted(&screen) {
                return Ok(screen);
            }
            anyhow::ensure!(Instant::now() < deadline, "waited; screen:\n{screen}");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// `VmRSS` and `VmHWM` (the peak) of the console, in KiB.
    fn memory(&self) -> anyhow::Result<(u64, u64)> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid))
            .context("the console's /proc status")?;
        let field = |name: &str| -> u64 {
            status
                .lines()
                .find_map(|l| l.strip_prefix(name))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
                .unwrap_or(0)
        };
        Ok((field("VmRSS:"), field("VmHWM:")))
    }
}

impl Drop for Console {
    fn drop(&mut self) {
        // The server is the bench's own; whatever it still runs goes with it.
        let _ = self.tmux(&["kill-server"]);
    }
}

/// A line of the console's log: when, and what.
struct LogLine {
    at: DateTime<Utc>,
    text: String,
}

impl LogLine {
    fn parse(line: &str) -> Option<Self> {
        let (stamp, text) = line.split_once(' ')?;
        let at = DateTime::parse_from_rfc3339(stamp).ok()?.to_utc();
        Some(Self {
            at,
            text: text.to_string(),
        })
    }

    /// A numeric field (`name=123`) of the line.
    fn field(&self, name: &str) -> Option<u64> {
        let prefix = format!("{name}=");
        self.text
            .split_whitespace()
            .find_map(|word| word.strip_prefix(&prefix))
            .and_then(|value| value.parse().ok())
    }
}

fn since(from: DateTime<Utc>, to: DateTime<Utc>) -> Duration {
    (to - from).to_std().unwrap_or_default()
}

fn tmux_available() -> bool {
    Command::new("tmux")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success())
}

fn report(count: usize, filled: Duration, figures: &Figures, path: &Path) {
    let mib = |kib: u64| kib as f64 / 1024.0;
    let store_size = std::fs::metadata(path).map_or(0, |m| m.len());
    let mut table = Table::default();
    table.context(
        "store",
        format!(
            "{count} contacts, {:.1} MiB on disk, filled in {:.1} s",
            store_size as f64 / 1_048_576.0,
            filled.as_secs_f64()
        ),
    );
    table.judged(
        "process started to first frame with contacts (from the store)",
        format!(
            "{:.1} ms ({} contacts listed)",
            ms(figures.first_frame),
            figures.first_rows
        ),
        "<= 100 ms",
        Verdict::at_most(ms(figures.first_frame), 100.0),
    );
    table.context(
        "the same, as the console measured it from its main",
        format!("{:.1} ms", ms(figures.first_frame_inside)),
    );
    table.context(
        "until then, the console's threads on a CPU / waiting for one",
        format!(
            "{} ms / {} ms",
            figures.first_frame_cpu.0, figures.first_frame_cpu.1
        ),
    );
    table.context(
        "process started to every stored contact listed",
        format!("{:.1} ms", ms(figures.all_listed)),
    );
    table.judged(
        "resident memory, every contact listed (VmRSS)",
        format!("{:.1} MiB", mib(figures.rss_listed_kib)),
        "<= 200 MB",
        Verdict::at_most(figures.rss_listed_kib as f64 * 1024.0, 200e6),
    );
    table.context(
        "peak resident memory until then (VmHWM)",
        format!("{:.1} MiB", mib(figures.peak_listed_kib)),
    );
    table.context(
        "resident memory after a filter keystroke",
        format!(
            "{:.1} MiB (`{}`)",
            mib(figures.rss_filter_kib),
            figures.filter_screen
        ),
    );
    table.print();
}

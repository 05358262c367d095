//! Logging to a file under the state dir, never to the terminal the console draws on.

use std::path::PathBuf;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use tracing_appender::non_blocking::WorkerGuard;
use tracing_subscriber::EnvFilter;

/// When the process began its work.
static STARTED: OnceLock<Instant> = OnceLock::new();

/// Notes that the process begins its work now: the first thing `main` does, so the log can say
/// how long opening the console took.
pub fn mark_start() {
    STARTED.get_or_init(Instant::now);
}

/// The time since [`mark_start`] (or since the first call of either).
pub fn since_start() -> Duration {
    STARTED.get_or_init(Instant::now).elapsed()
}

/// How long the process's threads have run on a CPU so far, and how long they waited for one
/// while ready to run (Linux's `/proc/self/task/*/schedstat`); `None` where that is not there.
/// On a busy machine the second tells how much of a wait was the machine's, not the work's.
pub fn cpu_so_far() -> Option<(Duration, Duration)> {
    let (mut ran, mut waited) = (0_u64, 0_u64);
    for task in std::fs::read_dir("/proc/self/task").ok()?.flatten() {
        // A thread that ended meanwhile has no file any more; its time is not counted.
        let Ok(text) = std::fs::read_to_string(task.path().join("schedstat")) else {
            continue;
        };
        let mut fields = text.split_whitespace().map(str::parse::<u64>);
        if let (Some(Ok(on_cpu)), Some(Ok(queued))) = (fields.next(), fields.next()) {
            ran += on_cpu;
            waited += queued;
        }
    }
    Some((Duration::from_nanos(ran), Duration::from_nanos(waited)))
}

/// Where log files go: the state dir from `directories` (`$XDG_STATE_HOME/ghl-console`), else
/// the local data dir, else the temp dir.
pub fn log_dir() -> PathBuf {
    if let Ok(dir) = std::env::var("GHL_CONSOLE_LOG_DIR") {
        return PathBuf::from(dir);
    }
    directories::ProjectDirs::from("", "", "ghl-console").map_or_else(
        || std::env::temp_dir().join("ghl-console"),
        |dirs| {
            dirs.state_dir()
                .unwrap_or(dirs.data_local_dir())
                .join("logs")
        },
    )
}

/// The file logs are written to today (the appender rolls daily).
pub fn log_file_hint() -> PathBuf {
    log_dir().join("ghl-console.log.<date>")
}

/// Starts file logging at `level` (an `EnvFilter` directive; `GHL_LOG` overrides). Keep the
/// guard alive until exit so the last lines are flushed. Returns `None` when the directory
/// cannot be made; the program then runs without logs rather than failing.
pub fn init(level: &str) -> Option<WorkerGuard> {
    let dir = log_dir();
    std::fs::create_dir_all(&dir).ok()?;
    let appender = tracing_appender::rolling::daily(&dir, "ghl-console.log");
    let (writer, guard) = tracing_appender::non_blocking(appender);
    let filter = EnvFilter::try_from_env("GHL_LOG")
        .or_else(|_| EnvFilter::try_new(level))
        .unwrap_or_else(|_| EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_writer(writer)
        .with_ansi(false)
        .with_env_filter(filter)
        .try_init()
        .ok()?;
    Some(guard)
}

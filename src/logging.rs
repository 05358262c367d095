//! Logging to a file under the state dir, never to the terminal the console draws on.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use tracing_appender::non_blocking::WorkerGuard;
use tracing_appender::rolling::{RollingFileAppender, Rotation};
use tracing_subscriber::EnvFilter;

use crate::config::private_dir;

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

/// The name log files start with; the appender adds the day.
const PREFIX: &str = "ghl-console.log";

/// How logging started, for help to show: the files' common path, or why nothing is written.
static LOGGING: OnceLock<Result<PathBuf, String>> = OnceLock::new();

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

/// The path log files share before the appender adds the day.
pub fn log_base() -> PathBuf {
    log_dir().join(PREFIX)
}

/// The file a daily appender writing to `base` writes to at `now`: it names files by the UTC
/// day, `ghl-console.log.2026-12-04`.
pub fn daily_file(base: &Path, now: DateTime<Utc>) -> PathBuf {
    let mut name = base.as_os_str().to_owned();
    name.push(format!(".{}", now.format("%Y-%m-%d")));
    PathBuf::from(name)
}

/// How logging started in this process: `Ok` with the files' base path, `Err` with why nothing
/// is written; `None` before [`init`] ran.
pub fn started() -> Option<Result<PathBuf, String>> {
    LOGGING.get().cloned()
}

/// Starts file logging at `level` (an `EnvFilter` directive; `GHL_LOG` overrides). Keep the
/// guard alive until exit so the last lines are flushed. When the directory cannot be made or
/// written the program runs without logs rather than failing, and the error says why (the
/// caller warns on stderr; help shows it).
pub fn init(level: &str) -> Result<WorkerGuard, String> {
    let outcome = start(&log_dir(), level);
    let recorded = outcome.as_ref().map(|_| log_base()).map_err(Clone::clone);
    LOGGING.set(recorded).ok();
    outcome
}

fn start(dir: &Path, level: &str) -> Result<WorkerGuard, String> {
    private_dir(dir)
        .map_err(|e| format!("cannot create the log directory {}: {e}", dir.display()))?;
    let appender = RollingFileAppender::builder()
        .rotation(Rotation::DAILY)
        .filename_prefix(PREFIX)
        .build(dir)
        .map_err(|e| format!("cannot write logs in {}: {e}", dir.display()))?;
    let (writer, guard) = tracing_appender::non_blocking(appender);
    let filter = EnvFilter::try_from_env("GHL_LOG")
        .or_else(|_| EnvFilter::try_new(level))
        .unwrap_or_else(|_| EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_writer(writer)
        .with_ansi(false)
        .with_env_filter(filter)
        .try_init()
        .map_err(|e| format!("cannot start logging: {e}"))?;
    Ok(guard)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_daily_file_is_named_by_the_utc_day() {
        let at = DateTime::parse_from_rfc3339("2026-12-04T23:30:00-05:00")
            .unwrap()
            .to_utc();
        let file = daily_file(Path::new("/state/logs/ghl-console.log"), at);
        assert_eq!(
            file,
            PathBuf::from("/state/logs/ghl-console.log.2026-12-05")
        );
    }

    #[cfg(unix)]
    #[test]
    fn the_log_dir_is_the_owners_alone() {
        use std::os::unix::fs::PermissionsExt;
        let root = std::env::temp_dir().join(format!("ghl-log-mode-{}", std::process::id()));
        let dir = root.join("state").join("logs");
        private_dir(&dir).unwrap();
        let mode = std::fs::metadata(&dir).unwrap().permissions().mode() & 0o777;
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
        private_dir(&dir).unwrap();
        let again = std::fs::metadata(&dir).unwrap().permissions().mode() & 0o777;
        std::fs::remove_dir_all(&root).unwrap();
        assert_eq!((mode, again), (0o700, 0o700));
    }

    #[test]
    fn an_unwritable_log_dir_is_an_error_not_a_panic() {
        let dir = std::env::temp_dir().join(format!("ghl-log-test-{}", std::process::id()));
        std::fs::write(&dir, "a file where the directory should be").unwrap();
        let started = start(&dir, "info");
        std::fs::remove_file(&dir).unwrap();
        let error = started.err().unwrap_or_default();
        assert!(
            error.starts_with("cannot create the log directory"),
            "{error}"
        );
    }
}

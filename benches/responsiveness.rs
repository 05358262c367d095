//! Responsiveness under load: the console's own loop (on a test backend, with its worker
//! listing the contacts) answers key presses while a full sync runs flat out on the same
//! runtime. The loop reports when it drew the frame that answers each key. Budget: p99 from
//! key to frame <= 50 ms.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use common::{Sandbox, Spread, Table, Verdict, ms, pick};
use crossterm::event::{Event as TermEvent, KeyCode, KeyEvent};
use futures_util::Stream;
use ghl_console::rankr::SqliteStore;
use ghl_console::sandbox::DEMO_LOCATION_ID;
use ghl_console::sync::SyncMode;
use ghl_console::tui::app::{App, Settings};
use ghl_console::tui::clock::Clock;
use ghl_console::tui::run::drive;
use ghl_console::tui::theme::Theme;
use ghl_console::worker::{self, WorkerOptions};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use tokio::sync::{mpsc, oneshot};

/// Time between key presses: a held key repeats about this fast.
const KEY_EVERY: Duration = Duration::from_millis(25);

/// What the run observed.
struct Observed {
    idle: Vec<Duration>,
    loaded: Vec<Duration>,
    sync_wall: Duration,
    sync_requests: u64,
}

fn main() -> anyhow::Result<()> {
    common::header("Responsiveness under load: key to frame while a full sync runs");
    let contacts = pick(5_000, 300);
    let sandbox = Sandbox::unlimited(contacts)?;
    let runtime = common::console_runtime()?;
    let observed = runtime.block_on(run(&sandbox.handle.base_url()))?;
    drop(runtime);
    sandbox.stop();

    let idle = Spread::of(&observed.idle);
    let loaded = Spread::of(&observed.loaded);
    let mut table = Table::default();
    table.context(
        "sync running meanwhile",
        format!(
            "full sync of {contacts} contacts, unpaced: {} requests in {:.1} s",
            observed.sync_requests,
            observed.sync_wall.as_secs_f64()
        ),
    );
    table.judged(
        "key to frame during the sync, p99",
        format!("{:.2} ms", ms(loaded.p99)),
        "<= 50 ms",
        Verdict::at_most(ms(loaded.p99), 50.0),
    );
    table.context("key to frame during the sync, spread", loaded.describe());
    table.context("key to frame with no sync, spread", idle.describe());
    table.print();
    Ok(())
}

async fn run(base_url: &str) -> anyhow::Result<Observed> {
    let dir = tempfile::tempdir()?;
    let store = SqliteStore::open(&dir.path().join("rankr.sqlite3"))?;
    let sync_client = common::client(base_url, None)?;
    let (start_sync, started) = oneshot::channel::<()>();
    let finished = Arc::new(AtomicBool::new(false));
    let done = finished.clone();
    // The sync runs on the same runtime as the console's loop and worker, as in the console.
    let sync = tokio::spawn(async move {
        started.await.ok();
        let result = common::sync_once(&sync_client, &store, SyncMode::Full).await;
        done.store(true, Ordering::SeqCst);
        result
    });

    let (keys_tx, keys_rx) = mpsc::unbounded_channel();
    let injector = tokio::spawn(press_keys(keys_tx, start_sync, finished));

    let mut worker = worker::spawn(common::client(base_url, None)?, WorkerOptions::default());
    let settings = Settings {
        location: DEMO_LOCATION_ID.to_string(),
        save_dir: std::env::temp_dir(),
        ..Settings::default()
    };
    let (mut app, _) = App::new(settings, Clock::system());
    app.size = (160, 48);
    let mut terminal = Terminal::new(TestBackend::new(160, 48))?;
    let theme = Theme::default_colors();
    let (frames_tx, mut frames_rx) = mpsc::unbounded_channel();
    let mut keys = key_stream(keys_rx);
    drive(
        &mut app,
        &theme,
        &mut worker,
        &mut terminal,
        &mut keys,
        Some(&frames_tx),
    )
    .await?;

    let (idle_sent, loaded_sent) = injector.await.context("the key presser")?;
    let (summary, sync_wall) = sync.await.context("the sync task")??;
    let mut frames = Vec::new();
    while let Ok(at) = frames_rx.try_recv() {
        frames.push(at);
    }
    anyhow::ensure!(
        frames.len() == idle_sent.len() + loaded_sent.len(),
        "{} frames answered {} keys",
        frames.len(),
        idle_sent.len() + loaded_sent.len()
    );
    let (idle_frames, loaded_frames) = frames.split_at(idle_sent.len());
    Ok(Observed {
        idle: latencies(&idle_sent, idle_frames),
        loaded: latencies(&loaded_sent, loaded_frames),
        sync_wall,
        sync_requests: summary.counts.requests,
    })
}

/// Presses keys every [`KEY_EVERY`]: a while with no sync, then until the sync finishes. Returns
/// when each key was pressed, before and during the sync.
async fn press_keys(
    keys: mpsc::UnboundedSender<TermEvent>,
    start_sync: oneshot::Sender<()>,
    finished: Arc<AtomicBool>,
) -> (Vec<Instant>, Vec<Instant>) {
    // Let the first page of the listing arrive before the first key.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let cycle = ['j', 'j', 'j', 'k', 'k', 'k'];
    let mut next = cycle.iter().copied().cycle();
    let mut press = || -> Option<Instant> {
        let code = KeyCode::Char(next.next().unwrap_or('j'));
        let at = Instant::now();
        keys.send(TermEvent::Key(KeyEvent::from(code))).ok()?;
        Some(at)
    };
    let mut idle = Vec::new();
    for _ in 0..pick(80, 10) {
        idle.extend(press());
        tokio::time::sleep(KEY_EVERY).await;
    }
    let _ = start_sync.send(());
    let mut loaded = Vec::new();
    while !finished.load(Ordering::SeqCst) {
        loaded.extend(press());
        tokio::time::sleep(KEY_EVERY).await;
    }
    (idle, loaded)
}

/// The keys as the terminal event stream the console reads; it ends when the presser is done.
fn key_stream(
    keys: mpsc::UnboundedReceiver<TermEvent>,
) -> impl Stream<Item = std::io::Result<TermEvent>> + Unpin {
    Box::pin(futures_util::stream::unfold(keys, |mut keys| async move {
        keys.recv().await.map(|event| (Ok(event), keys))
    }))
}

fn latencies(sent: &[Instant], drawn: &[Instant]) -> Vec<Duration> {
    sent.iter()
        .zip(drawn)
        .map(|(sent, drawn)| drawn.saturating_duration_since(*sent))
        .collect()
}

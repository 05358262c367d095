//! The run loop: terminal events, worker events, a tick and signals, one `tokio::select!`. It
//! draws, feeds `update`, and carries out the effects; it never waits on the network itself.

use std::time::{Duration, Instant};

use anyhow::Context;
use chrono::Utc;
use crossterm::event::{Event as TermEvent, EventStream, KeyCode, KeyEventKind};
use futures_util::{Stream, StreamExt};
use ratatui::Terminal;
use ratatui::backend::Backend;
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Wrap};
use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::mpsc;

use crate::worker::WorkerHandle;

use super::app::{App, Level};
use super::filter_task::FilterRunner;
use super::terminal::{self, Tui};
use super::theme::Theme;
use super::update::{self, Effect, Msg};
use super::view;

/// How often the clock, toasts and the spinner move.
const TICK: Duration = Duration::from_millis(250);

/// How long the loop takes queued worker events before it draws again.
const DRAIN: Duration = Duration::from_millis(8);

/// The numbers of the signals that end the console.
const SIGHUP: u8 = 1;
const SIGINT: u8 = 2;
const SIGTERM: u8 = 15;

/// Why the loop ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stop {
    /// The operator quit.
    Quit,
    /// The terminal's event stream ended or failed.
    TerminalGone,
    /// A signal, by number.
    Signal(u8),
}

impl Stop {
    /// The process exit status: 0 when the operator quit or the terminal went away, and
    /// 128 plus the signal's number after a signal, as a shell reports a process it killed.
    fn exit_code(self) -> u8 {
        match self {
            Self::Quit | Self::TerminalGone => 0,
            Self::Signal(number) => 128 + number,
        }
    }
}

/// Runs the console until the operator quits, a signal arrives or the terminal goes away, and
/// returns the exit status for the process; the terminal is given back before it returns.
pub async fn run(mut app: App, theme: &Theme, mut worker: WorkerHandle) -> anyhow::Result<u8> {
    let (mut tui, _restore) = terminal::init().context("taking over the terminal")?;
    let size = tui.size().context("reading the terminal size")?;
    app.size = (size.width, size.height);
    let mut keys = EventStream::new();
    let stop = drive(&mut app, theme, &mut worker, &mut tui, &mut keys, None).await?;
    match stop {
        Stop::Quit => tracing::info!("console closed by the operator"),
        Stop::TerminalGone => tracing::info!("terminal went away; closing"),
        Stop::Signal(number) => tracing::info!(number, "signal received; closing"),
    }
    Ok(stop.exit_code())
}

/// The loop of [`run`] on any terminal and event stream: draws, feeds `update`, carries out
/// the effects. Benchmarks drive it on a test backend with synthetic keys, and pass `answered`
/// to learn when the frame that answers each key press was drawn.
pub async fn drive<B, K>(
    app: &mut App,
    theme: &Theme,
    worker: &mut WorkerHandle,
    tui: &mut Terminal<B>,
    keys: &mut K,
    answered: Option<&mpsc::UnboundedSender<Instant>>,
) -> anyhow::Result<Stop>
where
    B: Backend,
    B::Error: std::error::Error + Send + Sync + 'static,
    K: Stream<Item = std::io::Result<TermEvent>> + Unpin,
{
    let mut ticker = tokio::time::interval(TICK);
    let mut term = signal(SignalKind::terminate()).context("listening for SIGTERM")?;
    let mut hangup = signal(SignalKind::hangup()).context("listening for SIGHUP")?;
    // Ctrl-C in the terminal is a key (raw mode); a SIGINT comes from `kill -INT` and the like,
    // and ends the console as cleanly as SIGTERM does.
    let mut interrupt = signal(SignalKind::interrupt()).context("listening for SIGINT")?;
    let mut filter = FilterRunner::start();
    let first = update::start(app);
    apply(app, worker, &mut filter, first);
    let mut answering = false;
    let (mut rows_shown, mut stored_shown) = (false, false);
    let stop = loop {
        update::after(app);
        // A terminal that cannot be written to any more (its pty closed, the SSH link dropped)
        // ends the console like one that cannot be read from.
        if let Err(error) = tui.draw(|frame| view::render(frame, app, theme)) {
            tracing::info!(%error, "the terminal cannot be drawn on");
            break Stop::TerminalGone;
        }
        filter.release();
        if std::mem::take(&mut answering)
            && let Some(answered) = answered
        {
            // The bench reading these may be gone; the console goes on either way.
            let _ = answered.send(Instant::now());
        }
        if !rows_shown && app.contacts.listed() > 0 {
            rows_shown = true;
            log_first_rows(app, "first contacts on screen");
        }
        if !stored_shown && app.contacts.stored_rows() > 0 {
            stored_shown = true;
            log_first_rows(app, "first stored contacts on screen");
        }
        let msg = tokio::select! {
            event = keys.next() => match event {
                Some(Ok(event)) => match to_msg(event) {
                    Some(msg) => msg,
                    None => continue,
                },
                Some(Err(_)) | None => break Stop::TerminalGone,
            },
            Some(event) = worker.events.recv() => Msg::Worker(event),
            Some(done) = filter.recv() => Msg::Filtered(done),
            _ = ticker.tick() => Msg::Tick(Utc::now()),
            _ = term.recv() => break Stop::Signal(SIGTERM),
            _ = hangup.recv() => break Stop::Signal(SIGHUP),
            _ = interrupt.recv() => break Stop::Signal(SIGINT),
        };
        answering = matches!(msg, Msg::Key(_));
        if handle(app, worker, &mut filter, msg) {
            break Stop::Quit;
        }
        // Events that queued up meanwhile, but only for about a frame: a flood of them (the
        // store's pages, a sync's progress) must not keep the next frame from being drawn.
        let drained_by = Instant::now() + DRAIN;
        while Instant::now() < drained_by
            && let Ok(event) = worker.events.try_recv()
        {
            if handle(app, worker, &mut filter, Msg::Worker(event)) {
                break;
            }
        }
        if app.quit {
            break Stop::Quit;
        }
    };
    Ok(stop)
}

/// Notes in the log when the first contacts (or the first of the store's) were drawn, and from
/// where: how long opening the console took.
fn log_first_rows(app: &App, what: &'static str) {
    let from = if app.contacts.stored().is_some() {
        "the Rankr store"
    } else {
        "GHL"
    };
    let since_start_ms = crate::logging::since_start().as_millis();
    let (cpu, waited) = crate::logging::cpu_so_far().unwrap_or_default();
    tracing::info!(
        rows = app.contacts.listed(),
        from,
        since_start_ms,
        cpu_ms = cpu.as_millis(),
        waited_for_cpu_ms = waited.as_millis(),
        "{what}"
    );
}

/// Applies one message; returns whether the console should end.
fn handle(app: &mut App, worker: &WorkerHandle, filter: &mut FilterRunner, msg: Msg) -> bool {
    let effects = update::update(app, msg);
    apply(app, worker, filter, effects)
}

fn apply(
    app: &mut App,
    worker: &WorkerHandle,
    filter: &mut FilterRunner,
    effects: Vec<Effect>,
) -> bool {
    let mut quit = false;
    for effect in effects {
        match effect {
            Effect::Filter(job) => filter.hold(job),
            Effect::Send(command) => {
                if worker.commands.send(command).is_err() {
                    app.toast(Level::Error, "The worker stopped; restart the console.");
                }
            }
            Effect::Copy(text) => {
                if let Err(error) = super::clipboard::copy(&text) {
                    app.toast(Level::Error, format!("Copy failed: {error}"));
                }
            }
            Effect::Quit => quit = true,
        }
    }
    quit
}

fn to_msg(event: TermEvent) -> Option<Msg> {
    match event {
        TermEvent::Key(key) => Some(Msg::Key(key)),
        TermEvent::Mouse(mouse) => Some(Msg::Mouse(mouse)),
        TermEvent::Paste(text) => Some(Msg::Paste(text)),
        TermEvent::Resize(width, height) => Some(Msg::Resize(width, height)),
        TermEvent::FocusGained | TermEvent::FocusLost => None,
    }
}

/// The first-run screen, shown when no token or location is configured: it says what is
/// missing and offers the demo. Returns whether the operator asked for the demo.
pub async fn first_run(missing: &[String], theme: &Theme) -> anyhow::Result<bool> {
    let (mut tui, _restore) = terminal::init().context("taking over the terminal")?;
    let mut keys = EventStream::new();
    loop {
        draw_first_run(&mut tui, missing, theme)?;
        match keys.next().await {
            Some(Ok(TermEvent::Key(key))) if key.kind != KeyEventKind::Release => match key.code {
                KeyCode::Char('d' | 'D') => return Ok(true),
                KeyCode::Char('q') | KeyCode::Esc => return Ok(false),
                KeyCode::Char('c')
                    if key
                        .modifiers
                        .contains(crossterm::event::KeyModifiers::CONTROL) =>
                {
                    return Ok(false);
                }
                _ => {}
            },
            Some(Ok(_)) => {}
            Some(Err(_)) | None => return Ok(false),
        }
    }
}

/// The text of the first-run screen.
pub fn first_run_lines(missing: &[String]) -> Vec<String> {
    let mut lines = vec![
        "Welcome to ghl-console.".to_string(),
        String::new(),
        "To open a real HighLevel location the console needs:".to_string(),
    ];
    lines.extend(missing.iter().map(|m| format!("  • {m}")));
    lines.extend([
        String::new(),
        "Set them in the environment and start again, for example:".to_string(),
        "  export GHL_TOKEN=...   (a private integration token; never passed as a flag)"
            .to_string(),
        "  export GHL_LOCATION_ID=...".to_string(),
        "  GHL_BASE_URL or --base-url changes the API address.".to_string(),
        String::new(),
        "Press d to open the demo: a sandbox on 127.0.0.1 with made-up contacts.".to_string(),
        "Press q to quit.".to_string(),
    ]);
    lines
}

fn draw_first_run(tui: &mut Tui, missing: &[String], theme: &Theme) -> anyhow::Result<()> {
    let lines: Vec<Line> = first_run_lines(missing)
        .into_iter()
        .map(|l| Line::styled(l, theme.text))
        .collect();
    tui.draw(|frame| {
        let block = view::pane_block("ghl-console: first run", true, theme);
        let body = Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(block);
        frame.render_widget(body, frame.area());
    })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signal_ends_the_console_with_a_non_zero_status() {
        assert_eq!(Stop::Quit.exit_code(), 0);
        assert_eq!(Stop::TerminalGone.exit_code(), 0);
        assert_eq!(Stop::Signal(SIGTERM).exit_code(), 143);
        assert_eq!(Stop::Signal(SIGHUP).exit_code(), 129);
    }
}

//! The Sync pane: the sync log from the Rankr store, newest first, with the running sync's
//! progress (or the last run) and the filter underneath; `v` shows the console's own activity
//! instead (the log pane).

use std::time::Duration;

use chrono::DateTime;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

use crate::rankr::{Level as LogLevel, LogEntry};
use crate::sync::SyncProgress;
use crate::tui::actions::Action;
use crate::tui::app::{App, Pane};
use crate::tui::sync_log::{FOOTER_ROWS, SyncView, counts_text};
use crate::tui::text::fit;
use crate::tui::theme::Theme;
use crate::tui::view::{newer_note, pane_block};

/// Draws the Sync pane.
pub fn render(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    if app.sync.view == SyncView::Activity {
        super::log::render(frame, area, app, theme);
        return;
    }
    let focused = app.focus == Pane::Log;
    let shown = app.sync.entries.len();
    let inner = pane_block("", focused, theme).inner(area);
    let [list, footer] =
        Layout::vertical([Constraint::Min(0), Constraint::Length(FOOTER_ROWS)]).areas(inner);
    let newer = newer_note(
        app,
        app.sync.cursor,
        usize::from(list.height),
        shown,
        "newer lines",
    );
    let title = if app.sync.more {
        format!("Sync log latest {shown}{newer}")
    } else {
        format!("Sync log {shown}{newer}")
    };
    frame.render_widget(pane_block(&title, focused, theme), area);
    render_list(frame, list, app, theme);
    let width = usize::from(footer.width);
    let lines: Vec<Line> = footer_lines(app, width, theme)
        .into_iter()
        .map(|(text, style)| Line::styled(fit(&text, width), style))
        .collect();
    frame.render_widget(Paragraph::new(lines), footer);
}

fn render_list(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let focused = app.focus == Pane::Log;
    let width = usize::from(area.width);
    let total = app.sync.entries.len();
    let mut cursor = app.sync.cursor;
    let mut lines = Vec::new();
    for row in cursor.visible(usize::from(area.height), total) {
        let Some(entry) = app.sync.entries.get(row) else {
            break;
        };
        let style = if focused && row == app.sync.cursor.selected {
            theme.selection
        } else {
            level_style(entry.level, theme)
        };
        lines.push(Line::styled(fit(&entry_text(app, entry), width), style));
    }
    if total == 0 {
        let text = if app.sync.request == 0 {
            "Loading the sync log…"
        } else {
            "No sync log lines match."
        };
        lines.push(Line::styled(text, theme.dim));
    }
    frame.render_widget(Paragraph::new(lines), area);
}

fn level_style(level: LogLevel, theme: &Theme) -> Style {
    match level {
        LogLevel::Debug => theme.dim,
        LogLevel::Info => theme.text,
        LogLevel::Warn => theme.warning,
        LogLevel::Error => theme.error,
    }
}

/// One log line: time, level mark, entity, action, record id, message and exchange.
fn entry_text(app: &App, entry: &LogEntry) -> String {
    let time = DateTime::parse_from_rfc3339(&entry.at).map_or_else(
        |_| entry.at.clone(),
        |at| {
            let shown = app.clock.absolute(at.to_utc());
            shown.get(11..).unwrap_or(&shown).to_string()
        },
    );
    let mark = match entry.level {
        LogLevel::Debug => "·",
        LogLevel::Info => " ",
        LogLevel::Warn => "!",
        LogLevel::Error => "✗",
    };
    let id = entry.entity_id.as_deref().unwrap_or("");
    let exchange = entry
        .exchange_id
        .map_or_else(String::new, |e| format!("  #{e}"));
    format!(
        "{time} {mark} {:<7} {:<9} {id}  {}{exchange}",
        entry.entity, entry.action, entry.message
    )
}

/// The three rows under the list: the run, the filter and keys, and a notice.
fn footer_lines(app: &App, width: usize, theme: &Theme) -> Vec<(String, Style)> {
    let sync = &app.sync;
    let run = match (&sync.running, &sync.progress, &sync.last) {
        (Some(_), Some(progress), _) => (progress_text(progress), theme.title),
        (Some(mode), None, _) => (
            format!(
                "Sync starting ({})…",
                crate::tui::sync_log::mode_name(*mode)
            ),
            theme.title,
        ),
        // The session's last run, when it ran in the location shown.
        (None, _, Some(last)) if last.location_id == app.settings.location => {
            let secs = Duration::from_millis(last.elapsed_ms).as_secs_f64();
            let style = if last.is_ok() {
                theme.ok
            } else {
                theme.warning
            };
            // Failures first: the counts after them are cut at 80 columns.
            let failed = match last.counts.failed {
                0 => String::new(),
                n => format!(", {n} failed"),
            };
            let text = format!(
                "Last sync {} in {secs:.1}s{failed} ({})",
                last.outcome,
                counts_text(last)
            );
            (with_error(text, sync.last_error.as_deref()), style)
        }
        (None, _, _) => (stored_run_text(app), theme.dim),
    };
    let level = sync.min_level.map_or("debug", LogLevel::as_str);
    let entity = sync.entity.unwrap_or("all");
    let how = |action| app.keymap.how(action);
    let filter = format!(
        "level ≥ {level} · entity {entity} · {} sync · {} full · {} cancel · {} opens the line",
        how(Action::SyncRun),
        how(Action::SyncFull),
        how(Action::SyncCancel),
        how(Action::Open)
    );
    let notice = sync
        .notice
        .as_ref()
        .filter(|(row, _)| *row == sync.cursor.selected);
    let notice = match (notice, &sync.log_error) {
        (Some((_, notice)), _) => (notice.clone(), theme.warning),
        (None, Some(error)) => (format!("Sync log: {error}"), theme.error),
        (None, None) => (cut_message(app, width).unwrap_or_default(), theme.dim),
    };
    vec![run, (filter, theme.dim), notice]
}

/// The selected line's message when the list cuts the line, for the row under the filter: a
/// run's summary is wider than the list, and its counts are at its end. (Enter shows the whole
/// line of one with no exchange.)
fn cut_message(app: &App, width: usize) -> Option<String> {
    if app.focus != Pane::Log {
        return None;
    }
    let entry = app.sync.entries.get(app.sync.cursor.selected)?;
    let cut = crate::tui::text::width(&entry_text(app, entry)) > width;
    cut.then(|| format!("↳ {}", entry.message))
}

/// The error first, so a narrow screen cuts the counts rather than the reason.
fn with_error(text: String, error: Option<&str>) -> String {
    match error {
        Some(error) => format!("{error} · {text}"),
        None => text,
    }
}

/// The location's newest run in the store, when this session has not run one there.
fn stored_run_text(app: &App) -> String {
    let Some(run) = app.sync.runs.first() else {
        return format!(
            "No sync yet: {} syncs the changes (full the first time), {} runs a full sync.",
            app.keymap.how(Action::SyncRun),
            app.keymap.how(Action::SyncFull)
        );
    };
    let c = &run.counts;
    format!(
        "Last run #{} {} {} at {}: {} seen, {} created, {} updated, {} failed",
        run.id,
        run.mode,
        run.outcome.as_deref().unwrap_or("unfinished"),
        run.started_at,
        c.seen,
        c.created,
        c.updated,
        c.failed
    )
}

/// The running sync in one line: step, counts, rate and time left.
pub fn progress_text(p: &SyncProgress) -> String {
    let total = p.total.map_or_else(String::new, |t| format!("/{t}"));
    let eta = p
        .eta
        .map_or_else(|| "ETA ?".to_string(), |e| format!("ETA {}s", e.as_secs()));
    let phase = format!("{:?}", p.phase).to_lowercase();
    // Fetched and committed are told apart: a contact counts as fetched once its tasks and
    // notes are in, and is written with its page; the counts are of what was written.
    format!(
        "{} sync, {phase}: {}{total} fetched, {} committed · {:.1}/s · {eta} · {} created, {} \
         updated, {} failed",
        p.mode, p.done, p.written, p.rate, p.counts.created, p.counts.updated, p.counts.failed
    )
}

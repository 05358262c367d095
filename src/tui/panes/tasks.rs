//! The tasks pane: open tasks first, then done ones; due dates relative and by day, overdue
//! ones highlighted; the selected task's due time, assignee, completion and body below.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

use crate::ghl::models::{Task, parse_date};
use crate::tui::app::{App, Pane};
use crate::tui::text::fit;
use crate::tui::theme::Theme;
use crate::tui::view::pane_block;

/// How far a due date is, in a few characters: `+3d`, `-963d`, `-5h`, `now`.
fn compact_relative(
    due: chrono::DateTime<chrono::Utc>,
    now: chrono::DateTime<chrono::Utc>,
) -> String {
    let seconds = (due - now).num_seconds();
    let magnitude = seconds.unsigned_abs();
    let (amount, unit) = match magnitude {
        0..60 => return "now".to_string(),
        60..3_600 => (magnitude / 60, "m"),
        3_600..86_400 => (magnitude / 3_600, "h"),
        _ => (magnitude / 86_400, "d"),
    };
    let sign = if seconds > 0 { '+' } else { '-' };
    format!("{sign}{amount}{unit}")
}

/// The due cell of a row: compact relative time, and the date where the pane is wide. The
/// full date and time are in the selected task's details below the list.
fn due_text(task: &Task, app: &App, wide: bool) -> (String, bool) {
    let Some(at) = task.due_date.as_deref().and_then(parse_date) else {
        return (String::new(), false);
    };
    let overdue = !task.completed && at < app.clock.now;
    let relative = if task.completed {
        "done".to_string()
    } else {
        compact_relative(at, app.clock.now)
    };
    if wide {
        let date = app.clock.absolute(at);
        let day = date.split(' ').next().unwrap_or_default();
        (format!("{relative:>6} {day}"), overdue)
    } else {
        (relative, overdue)
    }
}

/// The selected task's details: due date and time in the display zone with how far it is,
/// assignee by name, completion, then the body.
fn details(task: &Task, app: &App) -> Vec<(String, String)> {
    let due = task.due_date.as_deref().and_then(parse_date).map_or_else(
        || "none".to_string(),
        |at| {
            format!(
                "{} ({})",
                app.clock.absolute(at),
                crate::tui::dates::format_relative(at, app.clock.now)
            )
        },
    );
    let assignee = task
        .assigned_to
        .as_deref()
        .filter(|a| !a.is_empty())
        .map_or_else(|| "nobody".to_string(), |id| app.directory.user_label(id));
    let status = if task.completed { "done" } else { "open" };
    vec![
        ("Due".to_string(), due),
        ("Assignee".to_string(), assignee),
        ("Status".to_string(), status.to_string()),
    ]
}

/// Draws the tasks pane.
pub fn render(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let focused = app.focus == Pane::Tasks;
    let record = &app.tasks;
    let count = record.ready().map(|t| {
        let open = t.iter().filter(|t| !t.completed).count();
        format!("Tasks {open} open / {}", t.len())
    });
    let block = pane_block(count.as_deref().unwrap_or("Tasks"), focused, theme);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let Some(tasks) = record.ready() else {
        if let Some(notice) = super::load_notice(&record.load, theme) {
            super::render_notice(frame, inner, notice);
        }
        return;
    };
    let width = usize::from(inner.width);
    let wide = width >= 60;
    let due_width = if wide { 17 } else { 6 };
    let title_width = width.saturating_sub(due_width + 6);
    let header = format!(
        "    {} {}",
        fit("Title", title_width),
        fit("Due", due_width)
    );
    let mut lines = vec![Line::styled(header, theme.dim)];
    let mut cursor = record.cursor;
    for index in cursor.visible(usize::from(inner.height.saturating_sub(1)), tasks.len()) {
        let task = &tasks[index];
        let (due, overdue) = due_text(task, app, wide);
        let check = if task.completed { "[x]" } else { "[ ]" };
        let title = task.title.as_deref().unwrap_or("(untitled)");
        let text = format!(
            " {check} {} {}",
            fit(title, title_width),
            fit(&due, due_width)
        );
        let style = if focused && index == record.cursor.selected {
            theme.selection
        } else if task.completed {
            theme.done
        } else if overdue {
            theme.overdue
        } else {
            theme.text
        };
        lines.push(Line::styled(fit(&text, width), style));
    }
    if tasks.is_empty() {
        lines.push(Line::styled(" No tasks.", theme.dim));
    } else if let Some(task) = tasks.get(record.cursor.selected) {
        let room = usize::from(inner.height).saturating_sub(lines.len() + 1);
        if room > 1 {
            lines.push(Line::styled("─".repeat(width), theme.dim));
            let facts = details(task, app).into_iter().map(|(label, value)| {
                Line::styled(fit(&format!("{label:<9} {value}"), width), theme.text)
            });
            let body = task.body.as_deref().unwrap_or_default().lines();
            let body = body.map(|l| Line::styled(fit(l, width), theme.text));
            lines.extend(facts.chain(body).take(room - 1));
        }
    }
    frame.render_widget(Paragraph::new(lines), inner);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_due_cell_is_compact() {
        let now = parse_date("2026-12-01T12:00:00Z").unwrap();
        let at = |s: &str| parse_date(s).unwrap();
        assert_eq!(compact_relative(at("2024-04-16T09:00:00Z"), now), "-959d");
        assert_eq!(compact_relative(at("2026-12-04T12:00:00Z"), now), "+3d");
        assert_eq!(compact_relative(at("2026-12-01T09:00:00Z"), now), "-3h");
        assert_eq!(compact_relative(at("2026-12-01T12:00:30Z"), now), "now");
    }
}

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
        app.clock.due_span(at).compact()
    };
    if wide {
        let date = app.clock.absolute(at);
        let day = date.split(' ').next().unwrap_or_default();
        (format!("{relative:>6} {day}"), overdue)
    } else {
        (relative, overdue)
    }
}

/// The selected task's details: due date and time in the display zone with how far it is
/// (a done task is never overdue), assignee by name, completion, then the body.
fn details(task: &Task, app: &App) -> Vec<(String, String)> {
    let due = task.due_date.as_deref().and_then(parse_date).map_or_else(
        || "none".to_string(),
        |at| {
            let span = app.clock.due_span(at);
            let words = if task.completed {
                span.words_done()
            } else {
                span.words()
            };
            format!("{} ({words})", app.clock.absolute(at))
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
    use chrono::{FixedOffset, TimeDelta};

    use super::*;
    use crate::tui::clock::{Clock, Zone};

    fn compact(at: &str, now: &str) -> String {
        let clock = Clock::fixed(parse_date(now).unwrap());
        clock.due_span(parse_date(at).unwrap()).compact()
    }

    #[test]
    fn the_due_cell_is_compact() {
        let now = "2026-12-01T12:00:00Z";
        assert_eq!(compact("2024-04-16T09:00:00Z", now), "-959d");
        assert_eq!(compact("2026-12-04T12:00:00Z", now), "+3d");
        assert_eq!(compact("2026-12-01T09:00:00Z", now), "-3h");
        assert_eq!(compact("2026-12-01T12:00:30Z", now), "now");
    }

    /// A task saved due "+3d" showed `+2d` in the list and `(in 3 d)` in its details, and one
    /// due "+128d" `+128d` and `in 129 d`: both now count calendar days in the display zone.
    #[test]
    fn the_due_cell_and_the_details_count_the_same_days() {
        let now = parse_date("2026-03-11T12:00:00Z").unwrap();
        for zone in [0, 5 * 3600, -8 * 3600] {
            let clock = Clock {
                now,
                zone: Zone::Fixed(FixedOffset::east_opt(zone).unwrap()),
            };
            for seconds in (-200 * 86_400..200 * 86_400).step_by(3_917) {
                let at = now + TimeDelta::seconds(seconds);
                let span = clock.due_span(at);
                let cell = span.compact();
                let words = span.words();
                let digits = |s: &str| s.chars().filter(char::is_ascii_digit).collect::<String>();
                assert_eq!(digits(&cell), digits(&words), "{at}: {cell} vs {words}");
            }
            // Saved "+3d" a few seconds ago, and "+128d".
            let plus =
                |days: i64| clock.due_span(now + TimeDelta::days(days) - TimeDelta::seconds(5));
            assert_eq!(plus(3).compact(), "+3d");
            assert_eq!(plus(3).words(), "in 3 d");
            assert_eq!(plus(128).compact(), "+128d");
            assert_eq!(plus(128).words(), "in 128 d");
        }
        // Due the day after tomorrow, early: 34 hours away, and still 2 days.
        let late = Clock::fixed(parse_date("2026-03-11T23:00:00Z").unwrap());
        let due = parse_date("2026-03-13T09:00:00Z").unwrap();
        assert_eq!(late.due_span(due).compact(), "+2d");
        assert_eq!(late.due_span(due).words(), "in 2 d");
    }
}

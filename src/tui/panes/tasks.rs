//! The tasks pane: open tasks first, then done ones; due dates relative and absolute, overdue
//! ones highlighted.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

use crate::ghl::models::{Task, parse_date};
use crate::tui::app::{App, Pane};
use crate::tui::text::fit;
use crate::tui::theme::Theme;
use crate::tui::view::pane_block;

fn due_text(task: &Task, app: &App, wide: bool) -> (String, bool) {
    let Some(at) = task.due_date.as_deref().and_then(parse_date) else {
        return (String::new(), false);
    };
    let overdue = !task.completed && at < app.clock.now;
    let relative = if task.completed {
        "done".to_string()
    } else {
        crate::tui::dates::format_relative(at, app.clock.now)
    };
    if wide {
        (
            format!("{relative:<12} {}", app.clock.absolute(at)),
            overdue,
        )
    } else {
        (relative, overdue)
    }
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
    let due_width = if wide { 28 } else { 12 };
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
    } else if let Some(body) = tasks
        .get(record.cursor.selected)
        .and_then(|t| t.body.as_deref())
    {
        let room = usize::from(inner.height).saturating_sub(lines.len() + 1);
        if room > 1 {
            lines.push(Line::styled("─".repeat(width), theme.dim));
            lines.extend(
                body.lines()
                    .take(room - 1)
                    .map(|l| Line::styled(fit(l, width), theme.text)),
            );
        }
    }
    frame.render_widget(Paragraph::new(lines), inner);
}

//! One file per pane: each draws its part of the state into a rectangle.

pub mod appointments;
pub mod contacts;
pub mod detail;
pub mod inspector;
pub mod log;
pub mod notes;
pub mod sync;
pub mod tasks;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

use super::app::{App, Pane};
use super::record::Load;
use super::theme::Theme;

/// Draws a pane into `area`.
pub fn render(frame: &mut Frame, pane: Pane, area: Rect, app: &App, theme: &Theme) {
    match pane {
        Pane::Contacts => contacts::render(frame, area, app, theme),
        Pane::Detail => detail::render(frame, area, app, theme),
        Pane::Tasks => tasks::render(frame, area, app, theme),
        Pane::Notes => notes::render(frame, area, app, theme),
        Pane::Appointments => appointments::render(frame, area, app, theme),
        Pane::Inspector => inspector::render(frame, area, app, theme),
        Pane::Log => sync::render(frame, area, app, theme),
    }
}

/// A line saying where a load stands, when it is not ready; `None` once it is.
pub fn load_notice<T>(load: &Load<T>, theme: &Theme) -> Option<Line<'static>> {
    match load {
        Load::Idle => Some(Line::styled("Select a contact.", theme.dim)),
        Load::Loading => Some(Line::styled("Loading…", theme.dim)),
        Load::Failed(error) => Some(Line::styled(
            format!("Could not load: {error}"),
            theme.error,
        )),
        Load::Ready(_) => None,
    }
}

/// Draws a one-line notice inside a pane's frame.
pub fn render_notice(frame: &mut Frame, area: Rect, notice: Line<'static>) {
    frame.render_widget(
        Paragraph::new(notice).wrap(ratatui::widgets::Wrap { trim: true }),
        area,
    );
}

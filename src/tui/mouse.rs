//! Mouse: a click on a pane's tab in the header or on the pane focuses it, a click on a row
//! selects it, the wheel scrolls.

use crossterm::event::{MouseButton, MouseEvent, MouseEventKind};
use ratatui::layout::{Position, Rect};

use super::app::{App, Pane};
use super::perform::{focus, select_in, step_in};
use super::update::Effects;

/// How many rows a wheel notch scrolls.
const WHEEL_ROWS: isize = 3;

/// Applies a mouse event.
pub fn on_mouse(app: &mut App, mouse: MouseEvent, _fx: &mut Effects) {
    if app.modal.is_some() {
        return;
    }
    let at = Position::new(mouse.column, mouse.row);
    if let (MouseEventKind::Down(MouseButton::Left), Some(pane)) =
        (mouse.kind, super::view::tab_at(app, at))
    {
        focus(app, pane);
        return;
    }
    let Some((pane, rect)) = super::view::pane_at(app, at) else {
        return;
    };
    match mouse.kind {
        MouseEventKind::Down(MouseButton::Left) => {
            focus(app, pane);
            if let Some(row) = row_under(app, pane, rect, at) {
                select_in(app, pane, row);
            }
        }
        MouseEventKind::ScrollDown => step_in(app, pane, WHEEL_ROWS),
        MouseEventKind::ScrollUp => step_in(app, pane, -WHEEL_ROWS),
        _ => {}
    }
}

/// The list row under a point of a pane, if the point is on a row.
fn row_under(app: &App, pane: Pane, rect: Rect, at: Position) -> Option<usize> {
    let top = rect.y + super::view::first_row_offset(pane);
    let bottom = rect.y + rect.height.saturating_sub(1);
    if at.y < top || at.y >= bottom {
        return None;
    }
    let offset = super::view::scroll_offset(app, pane);
    Some(offset + usize::from(at.y - top))
}

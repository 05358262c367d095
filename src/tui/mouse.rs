//! Mouse: a click on a pane's tab in the header or on the pane focuses it, a click on a row
//! selects it, the wheel scrolls what is under it. In Raw, the list and the body are told
//! apart: a click gives the movement keys to the side clicked, the wheel scrolls the side it
//! is over whichever has the keys.

use crossterm::event::{MouseButton, MouseEvent, MouseEventKind};
use ratatui::layout::{Position, Rect};

use super::app::{App, Pane};
use super::perform::{focus, select_in, step_list};
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
    let on_body = pane == Pane::Inspector && on_raw_body(rect, at);
    match mouse.kind {
        MouseEventKind::Down(MouseButton::Left) => {
            focus(app, pane);
            click(app, pane, rect, at, on_body);
        }
        MouseEventKind::ScrollDown => wheel(app, pane, on_body, WHEEL_ROWS),
        MouseEventKind::ScrollUp => wheel(app, pane, on_body, -WHEEL_ROWS),
        _ => {}
    }
}

/// Whether a point of the inspector's `rect` is on its body side.
fn on_raw_body(rect: Rect, at: Position) -> bool {
    let [_, body] = super::panes::inspector::sides(rect);
    body.contains(at)
}

/// A click on a focused pane: the row under it is selected; in Raw, the side clicked takes the
/// movement keys.
fn click(app: &mut App, pane: Pane, rect: Rect, at: Position, on_body: bool) {
    if pane == Pane::Inspector && on_body {
        app.inspector.body.focus_body();
        return;
    }
    if pane == Pane::Inspector {
        app.inspector.body.focus_list();
    }
    if let Some(row) = row_under(app, pane, rect, at) {
        select_in(app, pane, row);
    }
}

/// A wheel notch: the Raw body scrolls when it is under the pointer, any other list moves.
fn wheel(app: &mut App, pane: Pane, on_body: bool, delta: isize) {
    if on_body {
        app.inspector.body.scroll(delta);
    } else {
        step_list(app, pane, delta);
    }
}

/// The list row under a point of a pane, if the point is on a row.
fn row_under(app: &App, pane: Pane, rect: Rect, at: Position) -> Option<usize> {
    let top = rect.y + super::view::first_row_offset(app, pane);
    let bottom = rect.y + rect.height.saturating_sub(1);
    if at.y < top || at.y >= bottom {
        return None;
    }
    let offset = super::view::scroll_offset(app, pane);
    Some(offset + usize::from(at.y - top))
}

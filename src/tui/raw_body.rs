//! The body of the exchange selected in the inspector, in the JSON viewer: scroll, `/` search
//! with `n`/`N` and a match count, fold and unfold, and sideways scrolling of the whole
//! exchange (its head lines and body move together) to read long lines.

use std::cell::{Cell, RefCell};

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use super::forms::line_input::LineInput;
use super::theme::Theme;
use super::widgets::JsonView;

/// Which of an exchange's bodies the viewer holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum BodySide {
    /// What came back (the default: what a pane showed came from it).
    #[default]
    Response,
    /// What was sent.
    Request,
}

/// The body viewer's state.
#[derive(Debug, Default)]
pub struct RawBody {
    /// The exchange shown.
    pub exchange_id: Option<u64>,
    /// Which body the viewer holds.
    pub side: BodySide,
    /// The side the viewer was filled from, with `exchange_id`.
    shown_side: BodySide,
    /// The viewer. Drawing it records the size it was drawn at (for paging), which is the one
    /// change a frame makes, so it sits in a `RefCell` and the views keep `&App`.
    view: RefCell<Option<JsonView>>,
    /// Whether keys go to the search input.
    pub searching: bool,
    /// The search typed.
    pub search: LineInput,
    /// Whether everything is folded.
    folded_all: bool,
    /// Whether the body (not the exchange list) takes the movement keys.
    focused: bool,
    /// The width of the widest head line drawn whole (the URL line, headers, the request
    /// body), recorded by the last frame, so scrolling right goes as far as they reach too.
    head_width: Cell<usize>,
}

/// The cells a sideways step moves before the body has been drawn and knows its width.
const FIRST_SIDEWAYS_STEP: usize = 8;

impl RawBody {
    /// Shows a body, keeping the position when it is the same exchange. Another exchange drops
    /// the search (its term and count belonged to the body searched), unless the search input
    /// is open: then the term typed so far is matched in the new body.
    /// The term searched carries over when only the side changes, so the same value can be
    /// looked for in what was sent and what came back.
    pub fn show(&mut self, exchange_id: u64, body: &str) {
        let same_exchange = self.exchange_id == Some(exchange_id);
        if same_exchange && self.shown_side == self.side {
            return;
        }
        if self.exchange_id.is_some() && !same_exchange && !self.searching {
            self.search.set("");
        }
        self.exchange_id = Some(exchange_id);
        self.shown_side = self.side;
        let mut view = JsonView::from_body(body);
        view.set_query(self.search.text());
        self.folded_all = false;
        *self.view.get_mut() = Some(view);
    }

    fn with_view(&mut self, change: impl FnOnce(&mut JsonView)) {
        if let Some(view) = self.view.get_mut() {
            change(view);
        }
    }

    /// Swaps the viewer between the request's body and the response's.
    pub fn toggle_side(&mut self) {
        self.side = match self.side {
            BodySide::Response => BodySide::Request,
            BodySide::Request => BodySide::Response,
        };
    }

    /// Whether movement keys scroll the body.
    pub fn has_focus(&self) -> bool {
        self.focused
    }

    /// Moves the movement keys between the list and the body.
    pub fn toggle_focus(&mut self) {
        self.focused = !self.focused;
    }

    /// Gives the movement keys to the exchange list.
    pub fn focus_list(&mut self) {
        self.focused = false;
    }

    /// Gives the movement keys to the body.
    pub fn focus_body(&mut self) {
        self.focused = true;
    }

    /// The line the body's cursor is on, counted from 0 (0 before a body is shown).
    pub fn cursor_line(&self) -> usize {
        self.view.borrow().as_ref().map_or(0, JsonView::cursor_line)
    }

    /// Moves the body's cursor.
    pub fn scroll(&mut self, delta: isize) {
        let lines = delta.unsigned_abs();
        self.with_view(|v| {
            if delta < 0 {
                v.cursor_up(lines);
            } else {
                v.cursor_down(lines);
            }
        });
    }

    /// Goes to the body's first line and back to its first column.
    pub fn go_top(&mut self) {
        self.with_view(|v| {
            v.go_top();
            v.scroll_left(usize::MAX);
        });
    }

    /// How many cells the exchange is scrolled to the right.
    pub fn column(&self) -> usize {
        self.view.borrow().as_ref().map_or(0, JsonView::column)
    }

    /// Scrolls the exchange sideways by half its width: right as far as the widest line on
    /// screen (head or body) reaches, left back to the first column.
    pub fn scroll_sideways(&mut self, right: bool) {
        let head = self.head_width.get();
        self.with_view(|v| {
            let width = v.width();
            let step = if width == 0 {
                FIRST_SIDEWAYS_STEP
            } else {
                (width / 2).max(1)
            };
            if right {
                let limit = v.widest_on_screen().max(head).saturating_sub(width);
                let to = (v.column() + step).min(limit).max(v.column());
                v.scroll_right(to - v.column());
            } else {
                v.scroll_left(step);
            }
        });
    }

    /// Scrolls the exchange back to its first column.
    pub fn line_start(&mut self) {
        self.with_view(|v| v.scroll_left(usize::MAX));
    }

    /// Records how wide the widest head line drawn is (see [`RawBody::scroll_sideways`]).
    pub fn set_head_width(&self, cells: usize) {
        self.head_width.set(cells);
    }

    /// Opens the search input for a new query; the previous one is cleared, not appended to.
    pub fn start_search(&mut self) {
        self.searching = true;
        self.focused = true;
        self.search.set("");
        self.with_view(|v| v.set_query(""));
    }

    /// A key typed into the search: Enter keeps the search, Esc drops it.
    pub fn search_key(&mut self, key: KeyEvent) {
        match key.code {
            KeyCode::Enter => self.searching = false,
            KeyCode::Esc => {
                self.searching = false;
                self.search.set("");
            }
            _ => {
                self.search.handle(key);
            }
        }
        let query = self.search.text().to_string();
        self.with_view(|v| v.set_query(&query));
    }

    /// Goes to the next (or previous) match.
    pub fn next_match(&mut self, forward: bool) {
        self.with_view(|v| {
            if forward {
                v.next_match();
            } else {
                v.prev_match();
            }
        });
    }

    /// Folds or unfolds the object or array at the cursor.
    pub fn toggle_fold(&mut self) {
        self.with_view(JsonView::toggle_fold);
    }

    /// Folds everything, or unfolds everything when it was folded.
    pub fn toggle_fold_all(&mut self) {
        self.folded_all = !self.folded_all;
        let fold = self.folded_all;
        self.with_view(|v| {
            if fold {
                v.fold_all();
            } else {
                v.unfold_all();
            }
        });
    }

    /// "3/12" for the search, or nothing.
    pub fn match_count(&self) -> Option<String> {
        if self.search.text().is_empty() {
            return None;
        }
        let view = self.view.borrow();
        let view = view.as_ref()?;
        let at = view.current_match().map_or(0, |c| c + 1);
        Some(format!("{at}/{}", view.match_count()))
    }

    /// Draws the body into `area`.
    pub fn render(&self, area: Rect, buf: &mut Buffer, theme: &Theme) {
        if let Ok(mut view) = self.view.try_borrow_mut()
            && let Some(view) = view.as_mut()
        {
            view.render(area, buf, theme);
        }
    }
}

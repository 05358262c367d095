//! A scrollable, foldable, searchable view of a JSON body for the raw HTTP inspector.
//!
//! The body is laid out once into a flat list of lines; folding only changes which of those
//! lines are shown, and drawing touches only the lines on screen, so a body of megabytes stays
//! quick. A body that is not JSON (HTML, a truncated or invalid document, or JSON nested deeper
//! than `serde_json` parses) is shown as plain text instead, with the same scrolling and search
//! but no folding or colours. Lines wider than the view are cut off at its right edge, with a
//! `…` in the last cell (and in the first when text is scrolled off to the left); the view
//! scrolls sideways with [`JsonView::scroll_right`] and jumps sideways to a search match.
//!
//! In the plain-text view a line longer than 2,000 bytes is cut into several lines, so a
//! minified body of megabytes stays quick to draw; a search match cannot span such a cut.

mod document;
#[cfg(test)]
mod fuzz;
mod render;
mod search;
#[cfg(test)]
mod tests;

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::widgets::StatefulWidget;
use serde_json::Value;

use self::document::Document;
use self::search::Match;
use crate::tui::text;
use crate::tui::theme::Theme;

/// How many rows a page is before the view has been drawn and knows its height.
const DEFAULT_PAGE: usize = 20;

/// The state of a JSON view: the laid-out body, what is folded, where the cursor is and what
/// is being searched for. Draw it with [`JsonViewWidget`] or [`JsonView::render`].
///
/// Its `Debug` output gives sizes and positions only, never the body, so it is safe to log.
#[derive(Clone)]
pub struct JsonView {
    doc: Document,
    /// Whether each row, if it opens a container, is folded.
    folded: Vec<bool>,
    /// The rows on screen when scrolled through, in order; rows inside folds are left out.
    visible: Vec<usize>,
    /// The row the cursor is on; always a visible row, or 0 in an empty view.
    cursor: usize,
    /// The position in `visible` of the first row drawn.
    top: usize,
    /// How many cells the view is scrolled to the right.
    column: usize,
    /// The size the view was last drawn at.
    height: usize,
    width: usize,
    query: String,
    matches: Vec<Match>,
    current: Option<usize>,
}

impl JsonView {
    /// A view of a JSON value.
    pub fn from_value(value: &Value) -> Self {
        Self::with_document(Document::from_value(value))
    }

    /// A view of a response or request body: JSON when it parses, plain text otherwise.
    pub fn from_body(body: &str) -> Self {
        match serde_json::from_str::<Value>(body) {
            Ok(value) => Self::from_value(&value),
            Err(_) => Self::with_document(Document::from_text(body)),
        }
    }

    /// A view of a body given as bytes; invalid UTF-8 is replaced and shown as text.
    pub fn from_bytes(body: &[u8]) -> Self {
        Self::from_body(&String::from_utf8_lossy(body))
    }

    fn with_document(doc: Document) -> Self {
        let rows = doc.rows.len();
        let mut view = Self {
            doc,
            folded: vec![false; rows],
            visible: Vec::new(),
            cursor: 0,
            top: 0,
            column: 0,
            height: DEFAULT_PAGE,
            width: 0,
            query: String::new(),
            matches: Vec::new(),
            current: None,
        };
        view.rebuild_visible();
        view
    }

    /// Whether the body was JSON; false when it is shown as plain text.
    pub fn is_json(&self) -> bool {
        self.doc.is_json()
    }

    /// How many lines the body has with everything unfolded.
    pub fn line_count(&self) -> usize {
        self.doc.rows.len()
    }

    /// How many lines can be scrolled through with the current folds.
    pub fn visible_line_count(&self) -> usize {
        self.visible.len()
    }

    /// The line the cursor is on, counted from 0 over all lines, folded or not.
    pub fn cursor_line(&self) -> usize {
        self.cursor
    }

    /// The body as text for saving: pretty-printed JSON, or a non-JSON body exactly as given.
    pub fn to_pretty_string(&self) -> String {
        self.doc.to_pretty_string()
    }

    /// Moves the cursor up by `lines`, stopping at the first line.
    pub fn cursor_up(&mut self, lines: usize) {
        let position = self.cursor_position().saturating_sub(lines);
        self.move_to_position(position);
    }

    /// Moves the cursor down by `lines`, stopping at the last line.
    pub fn cursor_down(&mut self, lines: usize) {
        let position = self.cursor_position().saturating_add(lines);
        self.move_to_position(position);
    }

    /// Moves the cursor up by one screenful.
    pub fn page_up(&mut self) {
        self.cursor_up(self.page());
    }

    /// Moves the cursor down by one screenful.
    pub fn page_down(&mut self) {
        self.cursor_down(self.page());
    }

    /// Moves the cursor to the first line.
    pub fn go_top(&mut self) {
        self.move_to_position(0);
    }

    /// Moves the cursor to the last line.
    pub fn go_bottom(&mut self) {
        self.move_to_position(usize::MAX);
    }

    /// Scrolls the view `cells` to the left, back towards the start of the lines.
    pub fn scroll_left(&mut self, cells: usize) {
        self.column = self.column.saturating_sub(cells);
    }

    /// Scrolls the view `cells` to the right, to read the ends of long lines.
    pub fn scroll_right(&mut self, cells: usize) {
        self.column = self.column.saturating_add(cells).min(usize::from(u16::MAX));
    }

    /// How many cells the view is scrolled to the right.
    pub fn column(&self) -> usize {
        self.column
    }

    /// How many cells wide the view was last drawn (0 before it was drawn).
    pub fn width(&self) -> usize {
        self.width
    }

    /// The width of the widest row on screen, drawn whole: how far scrolling right can go
    /// before every row on screen has scrolled out of view.
    pub fn widest_on_screen(&self) -> usize {
        self.visible
            .iter()
            .skip(self.top)
            .take(self.height)
            .map(|&row| render::row_width(self, row))
            .max()
            .unwrap_or(0)
    }

    /// Folds or unfolds the object or array opened on the cursor line; on any other line, folds
    /// the object or array the line belongs to and puts the cursor on its first line.
    pub fn toggle_fold(&mut self) {
        let Some(row) = self.doc.rows.get(self.cursor) else {
            return;
        };
        let target = if row.fold.is_some() {
            Some(self.cursor)
        } else {
            row.parent
        };
        let Some(target) = target else {
            return;
        };

        if let Some(folded) = self.folded.get_mut(target) {
            *folded = !*folded;
        }
        self.cursor = target;
        self.rebuild_visible();
    }

    /// Folds every nested object and array, leaving the outermost one open so its keys show.
    pub fn fold_all(&mut self) {
        for (row, folded) in self.doc.rows.iter().zip(self.folded.iter_mut()) {
            *folded = row.fold.is_some() && row.depth > 0;
        }
        self.rebuild_visible();
    }

    /// Unfolds everything.
    pub fn unfold_all(&mut self) {
        self.folded.fill(false);
        self.rebuild_visible();
    }

    /// Searches for `query`, ignoring case, in every line including folded ones, and moves to
    /// the first match at or after the cursor. An empty query clears the search.
    pub fn set_query(&mut self, query: &str) {
        query.clone_into(&mut self.query);
        self.matches = search::find_all(&self.doc, query);
        self.current = if self.matches.is_empty() {
            None
        } else {
            let after = self.matches.partition_point(|m| m.row < self.cursor);
            Some(if after < self.matches.len() { after } else { 0 })
        };
        self.reveal_current();
    }

    /// The text being searched for; empty when there is no search.
    pub fn query(&self) -> &str {
        &self.query
    }

    /// How many matches the search found.
    pub fn match_count(&self) -> usize {
        self.matches.len()
    }

    /// Which match, counted from 0, the cursor is on; `None` when nothing matched.
    pub fn current_match(&self) -> Option<usize> {
        self.current
    }

    /// Moves to the next match, wrapping to the first after the last, and unfolds what hides
    /// it.
    pub fn next_match(&mut self) {
        let count = self.matches.len();
        if count == 0 {
            return;
        }
        self.current = Some(self.current.map_or(0, |current| (current + 1) % count));
        self.reveal_current();
    }

    /// Moves to the previous match, wrapping to the last before the first, and unfolds what
    /// hides it.
    pub fn prev_match(&mut self) {
        let count = self.matches.len();
        if count == 0 {
            return;
        }
        self.current = Some(
            self.current
                .map_or(count - 1, |current| (current + count - 1) % count),
        );
        self.reveal_current();
    }

    /// Draws the visible part of the view into `area` of `buf`, and remembers the area's size
    /// for paging and for keeping the cursor on screen. An area taller than the last one shows
    /// the lines above first, as a list's window does when it grows.
    pub fn render(&mut self, area: Rect, buf: &mut Buffer, theme: &Theme) {
        let height = usize::from(area.height).max(1);
        if height > self.height {
            let cursor = self.cursor_position();
            self.top =
                crate::tui::cursor::offset_after_growth(self.top, cursor, self.height, height);
        }
        self.height = height;
        self.width = usize::from(area.width);
        self.follow_cursor();
        render::draw(self, area, buf, theme);
    }

    /// The cursor's place among the visible rows.
    fn cursor_position(&self) -> usize {
        self.visible.partition_point(|&row| row < self.cursor)
    }

    /// Puts the cursor on the visible row at `position`, or the last one.
    fn move_to_position(&mut self, position: usize) {
        let last = self.visible.len().saturating_sub(1);
        if let Some(&row) = self.visible.get(position.min(last)) {
            self.cursor = row;
        }
        self.follow_cursor();
    }

    /// The number of rows a page moves, one less than the view's height so a line of context
    /// stays.
    fn page(&self) -> usize {
        self.height.saturating_sub(1).max(1)
    }

    /// Scrolls vertically just enough to keep the cursor on screen.
    fn follow_cursor(&mut self) {
        let position = self.cursor_position();
        if position < self.top {
            self.top = position;
        } else if position >= self.top + self.height {
            self.top = position + 1 - self.height;
        }
        let last_top = self.visible.len().saturating_sub(self.height);
        self.top = self.top.min(last_top);
    }

    /// Works out which rows show with the current folds, and moves a hidden cursor to the
    /// folded line that hides it.
    fn rebuild_visible(&mut self) {
        self.visible.clear();
        let mut row = 0;
        while row < self.doc.rows.len() {
            self.visible.push(row);
            row = match self.doc.rows[row].fold {
                Some(fold) if self.folded[row] => fold.close.max(row) + 1,
                _ => row + 1,
            };
        }

        let at_or_before = self.visible.partition_point(|&row| row <= self.cursor);
        self.cursor = at_or_before
            .checked_sub(1)
            .and_then(|position| self.visible.get(position).copied())
            .unwrap_or(0);
        self.follow_cursor();
    }

    /// Unfolds whatever hides the current match, puts the cursor on it and scrolls so it shows.
    fn reveal_current(&mut self) {
        let Some(found) = self
            .current
            .and_then(|index| self.matches.get(index).copied())
        else {
            return;
        };

        let mut unfolded = false;
        let mut parent = self.doc.rows.get(found.row).and_then(|row| row.parent);
        while let Some(row) = parent {
            if let Some(folded) = self.folded.get_mut(row).filter(|folded| **folded) {
                *folded = false;
                unfolded = true;
            }
            parent = self.doc.rows.get(row).and_then(|row| row.parent);
        }
        self.cursor = found.row;
        if unfolded {
            self.rebuild_visible();
        }
        self.follow_cursor();
        self.show_columns(found);
    }

    /// Scrolls sideways so the match's columns are on screen, when the width is known, clear
    /// of the `…` marks a cut row has at its edges.
    fn show_columns(&mut self, found: Match) {
        if self.width == 0 {
            return;
        }
        let line = self.doc.line(found.row);
        let indent = render::indent_width(self.doc.rows.get(found.row).map_or(0, |r| r.depth));
        let start = indent + text::width(line.get(..found.start).unwrap_or(""));
        let end = indent + text::width(line.get(..found.end).unwrap_or(""));
        let first = self.column + usize::from(self.column > 0);
        let cut_right = render::row_width(self, found.row) > self.column + self.width;
        let last = self.column + self.width - usize::from(cut_right);
        if start < first || end > last {
            self.column = start.saturating_sub(self.width / 4);
        }
    }
}

impl std::fmt::Debug for JsonView {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JsonView")
            .field("is_json", &self.is_json())
            .field("lines", &self.line_count())
            .field("visible", &self.visible.len())
            .field("cursor", &self.cursor)
            .field("matches", &self.matches.len())
            .finish_non_exhaustive()
    }
}

/// Draws a [`JsonView`] with the styles of a [`Theme`].
#[derive(Debug, Clone, Copy)]
pub struct JsonViewWidget<'t> {
    theme: &'t Theme,
}

impl<'t> JsonViewWidget<'t> {
    /// A widget that draws with `theme`.
    pub fn new(theme: &'t Theme) -> Self {
        Self { theme }
    }
}

impl StatefulWidget for JsonViewWidget<'_> {
    type State = JsonView;

    fn render(self, area: Rect, buf: &mut Buffer, state: &mut JsonView) {
        state.render(area, buf, self.theme);
    }
}

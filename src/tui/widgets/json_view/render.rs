//! Drawing the rows of a JSON view that are on screen, coloured by token, with search matches
//! and the cursor line marked, and a `…` at each edge a row is cut at.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Widget};
use unicode_segmentation::UnicodeSegmentation;

use super::JsonView;
use super::document::{Fold, MAX_INDENT_DEPTH, Token};
use crate::tui::text;
use crate::tui::theme::Theme;

/// The cells of indentation drawn for a line `depth` levels deep.
pub(super) fn indent_width(depth: usize) -> usize {
    2 * depth.min(MAX_INDENT_DEPTH)
}

/// Draws the rows of `view` that fit in `area`, starting at its scroll position.
pub(super) fn draw(view: &JsonView, area: Rect, buf: &mut Buffer, theme: &Theme) {
    if area.is_empty() {
        return;
    }
    Clear.render(area, buf);
    buf.set_style(area, theme.text);
    if view.visible.is_empty() {
        buf.set_stringn(
            area.x,
            area.y,
            "(empty body)",
            usize::from(area.width),
            theme.dim,
        );
        return;
    }

    let cursor_offset = view.cursor_position().checked_sub(view.top);
    if let Some(offset) = cursor_offset.and_then(|offset| u16::try_from(offset).ok())
        && offset < area.height
    {
        let cursor_area = Rect {
            y: area.y + offset,
            height: 1,
            ..area
        };
        buf.set_style(cursor_area, theme.selection);
    }

    let lines: Vec<Line<'_>> = view
        .visible
        .iter()
        .skip(view.top)
        .take(usize::from(area.height))
        .map(|&row| row_line(view, row, theme))
        .collect();
    let column = u16::try_from(view.column).unwrap_or(u16::MAX);
    Paragraph::new(lines).scroll((0, column)).render(area, buf);
    mark_cut_edges(view, area, buf);
}

/// Puts a `…` in the first cell of each row with text scrolled off to the left, and in the last
/// cell of each row that goes on past the right edge, so a cut line never reads as whole.
fn mark_cut_edges(view: &JsonView, area: Rect, buf: &mut Buffer) {
    let width = usize::from(area.width);
    let rows = view
        .visible
        .iter()
        .skip(view.top)
        .take(usize::from(area.height));
    for (y, &row) in (area.y..).zip(rows) {
        let Some(info) = view.doc.rows.get(row) else {
            continue;
        };
        let indent = indent_width(info.depth);
        let full = row_width(view, row);
        if view.column > indent && full > indent {
            mark_cell(buf, area.x, y, Side::Left);
        }
        if full > view.column + width {
            mark_cell(buf, area.x + area.width - 1, y, Side::Right);
        }
    }
}

/// Which edge of a row a cut mark is on.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Side {
    Left,
    Right,
}

/// Writes the cut mark into the cell at `(x, y)`, blanking the other half of a wide character
/// the mark replaces half of, so the row keeps its cells.
fn mark_cell(buf: &mut Buffer, x: u16, y: u16, side: Side) {
    let Some(cell) = buf.cell_mut((x, y)) else {
        return;
    };
    let continuation = cell.symbol().is_empty();
    cell.set_symbol("…");
    let neighbour = match side {
        // A wide character starting under the left mark leaves its second half after it.
        Side::Left => x.checked_add(1),
        // The right mark on a wide character's second half leaves its first half before it.
        Side::Right if continuation => x.checked_sub(1),
        Side::Right => None,
    };
    if let Some(cell) = neighbour.and_then(|x| buf.cell_mut((x, y)))
        && (side == Side::Right || cell.symbol().is_empty())
    {
        cell.set_symbol(" ");
    }
}

/// How many cells a row takes drawn whole: indentation, text and a folded value's summary.
pub(super) fn row_width(view: &JsonView, row: usize) -> usize {
    let Some(info) = view.doc.rows.get(row) else {
        return 0;
    };
    let folded = info
        .fold
        .filter(|_| view.folded.get(row).copied().unwrap_or(false))
        .map_or(0, |fold| {
            let (close, summary) = fold_suffix(fold);
            text::width(close) + text::width(&summary)
        });
    indent_width(info.depth) + text::width(view.doc.line(row)) + folded
}

/// What a folded object or array shows after its opening line: its close, keeping the comma
/// its closing line has so the JSON reads right, and how many items or keys it holds.
fn fold_suffix(fold: Fold) -> (&'static str, String) {
    let close = match (fold.array, fold.comma) {
        (true, false) => "…]",
        (true, true) => "…],",
        (false, false) => "…}",
        (false, true) => "…},",
    };
    let noun = match (fold.array, fold.children) {
        (true, 1) => "item",
        (true, _) => "items",
        (false, 1) => "key",
        (false, _) => "keys",
    };
    (close, format!(" {} {noun}", fold.children))
}

/// The style a token is drawn in.
fn token_style(theme: &Theme, token: Token) -> Style {
    match token {
        Token::Key => theme.json_key,
        Token::String => theme.json_string,
        Token::Number => theme.json_number,
        Token::Bool => theme.json_bool,
        Token::Null => theme.json_null,
        Token::Punct => theme.json_punct,
        Token::Text => theme.text,
    }
}

/// One row as styled spans: indentation, the coloured text with matches marked, and the
/// summary of a folded object or array.
fn row_line<'v>(view: &'v JsonView, row: usize, theme: &Theme) -> Line<'v> {
    let Some(info) = view.doc.rows.get(row) else {
        return Line::default();
    };
    let text = view.doc.line(row);
    let on_cursor = row == view.cursor;
    let style = |base: Style| {
        if on_cursor {
            base.patch(theme.selection)
        } else {
            base
        }
    };

    let mut spans = Vec::with_capacity(8);
    let indent = indent_width(info.depth);
    if indent > 0 {
        spans.push(Span::styled(" ".repeat(indent), style(theme.text)));
    }

    let marks = row_marks(view, row, theme);
    for (start, end, token) in info.segments() {
        if start < end {
            push_marked(
                &mut spans,
                text,
                (start, end),
                style(token_style(theme, token)),
                &marks,
            );
        }
    }

    if let Some(fold) = info
        .fold
        .filter(|_| view.folded.get(row).copied().unwrap_or(false))
    {
        let (close, summary) = fold_suffix(fold);
        spans.push(Span::styled(close, style(theme.json_punct)));
        spans.push(Span::styled(summary, style(theme.dim)));
    }
    Line::from(spans)
}

/// The byte ranges of the matches on `row`, each with the style that marks it. A range is
/// widened to whole grapheme clusters: a span that began with a combining mark or a joiner
/// would lose it when drawn.
fn row_marks(view: &JsonView, row: usize, theme: &Theme) -> Vec<(usize, usize, Style)> {
    let first = view.matches.partition_point(|m| m.row < row);
    let after = view.matches.partition_point(|m| m.row <= row);
    let found = view.matches.get(first..after).unwrap_or_default();
    if found.is_empty() {
        return Vec::new();
    }
    let text = view.doc.line(row);
    let mut bounds: Vec<usize> = text.grapheme_indices(true).map(|(at, _)| at).collect();
    bounds.push(text.len());
    let floor = |at: usize| bounds[bounds.partition_point(|&b| b <= at).saturating_sub(1)];
    let ceil = |at: usize| {
        let index = bounds.partition_point(|&b| b < at);
        bounds.get(index).copied().unwrap_or(text.len())
    };
    found
        .iter()
        .enumerate()
        .map(|(offset, m)| {
            let mark = if view.current == Some(first + offset) {
                theme.current_match
            } else {
                theme.search_match
            };
            (floor(m.start), ceil(m.end), mark)
        })
        .collect()
}

/// Pushes the stretch `range` of `text` as spans in `style`, cut wherever a match mark starts
/// or ends so the marked parts carry the mark's style on top.
fn push_marked<'v>(
    spans: &mut Vec<Span<'v>>,
    text: &'v str,
    (start, end): (usize, usize),
    style: Style,
    marks: &[(usize, usize, Style)],
) {
    let mut push = |from: usize, to: usize, style: Style| {
        if let Some(piece) = text.get(from..to).filter(|piece| !piece.is_empty()) {
            spans.push(Span::styled(piece, style));
        }
    };

    let mut at = start;
    for &(mark_start, mark_end, mark) in marks {
        if mark_end <= at || mark_start >= end {
            continue;
        }
        push(at, mark_start.max(at), style);
        let marked_end = mark_end.min(end);
        push(mark_start.max(at), marked_end, style.patch(mark));
        at = marked_end;
    }
    push(at, end, style);
}

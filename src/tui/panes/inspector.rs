//! The raw inspector: every HTTP exchange of the session, newest first; the selected one's
//! request and response headers (already masked) and its body.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::{Block, Paragraph};

use crate::ghl::Exchange;
use crate::ghl::models::parse_date;
use crate::tui::actions::Action;
use crate::tui::app::{App, Pane};
use crate::tui::keymap::Keymap;
use crate::tui::text::{self, fit, fit_path, window};
use crate::tui::theme::Theme;
use crate::tui::view::{newer_note, pane_block};

fn summary(exchange: &Exchange, app: &App, width: usize) -> String {
    let status = exchange
        .status
        .map_or_else(|| "---".to_string(), |s| s.to_string());
    let time = parse_date(&exchange.started_at)
        .map(|at| app.clock.absolute(at))
        .and_then(|t| t.get(11..).map(str::to_string))
        .unwrap_or_default();
    let elapsed = format!("{}ms", exchange.elapsed.as_millis());
    let path_width = width.saturating_sub(time.len() + status.len() + elapsed.len() + 10);
    let path = fit_path(&exchange.path(), path_width);
    fit(
        &format!("{time} {status} {:<6} {path} {elapsed}", exchange.method),
        width,
    )
}

fn list_share(area: Rect) -> u16 {
    if area.width < 120 { 50 } else { 40 }
}

/// Where the inspector's two sides go in its `area`: the exchange list, then the exchange.
pub fn sides(area: Rect) -> [Rect; 2] {
    Layout::horizontal([
        Constraint::Percentage(list_share(area)),
        Constraint::Min(20),
    ])
    .areas(area)
}

/// Draws the inspector.
pub fn render(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let focused = app.focus == Pane::Inspector;
    let [list_area, body_area] = sides(area);
    let exchanges = &app.inspector.exchanges;
    let list_focus = focused && !app.inspector.body.has_focus();
    let inner = pane_block("", list_focus, theme).inner(list_area);
    let rows = usize::from(inner.height.saturating_sub(1));
    let newer = newer_note(app, app.inspector.cursor, rows, exchanges.len(), "newer");
    let title = format!("Exchanges {}{newer}", exchanges.len());
    frame.render_widget(pane_block(&title, list_focus, theme), list_area);
    let width = usize::from(inner.width);
    let mut lines = vec![Line::styled(
        fit("Time  Code Method Path / ms", width),
        theme.dim,
    )];
    let mut cursor = app.inspector.cursor;
    for row in cursor.visible(usize::from(inner.height.saturating_sub(1)), exchanges.len()) {
        let Some(exchange) = exchanges
            .len()
            .checked_sub(row + 1)
            .and_then(|i| exchanges.get(i))
        else {
            break;
        };
        let style = if row == app.inspector.cursor.selected {
            theme.selection
        } else if exchange.is_success() {
            theme.text
        } else {
            theme.error
        };
        lines.push(Line::styled(summary(exchange, app, width), style));
    }
    if exchanges.is_empty() {
        lines.push(Line::styled("No requests yet.", theme.dim));
    }
    frame.render_widget(Paragraph::new(lines), inner);
    render_detail(
        frame,
        body_area,
        app,
        theme,
        focused && app.inspector.body.has_focus(),
    );
}

/// The head lines of an exchange as drawn `width` cells wide, scrolled `column` cells to the
/// right, each cut with a `…` where it goes on past an edge. Unscrolled, the request line keeps
/// the ends of a long URL and the status in view (cut in its middle); scrolled, it is the whole
/// line, so all of it can be read.
fn drawn(lines: Vec<HeadLine>, width: usize, column: usize) -> Vec<(String, Style)> {
    lines
        .into_iter()
        .map(|(whole, short, style)| {
            let text = match short {
                Some(short) if column == 0 => short,
                _ => window(&whole, column, width),
            };
            (text, style)
        })
        .collect()
}

/// A head line: its whole text, the form it takes unscrolled when that differs, its style.
type HeadLine = (String, Option<String>, Style);

/// The head of an exchange: the request line, trace id, error, request body and headers, each
/// whole, with the form it takes unscrolled when that differs (the request line, and the note
/// fitted to the pane) and its style.
fn header_lines(
    exchange: &Exchange,
    keymap: &Keymap,
    theme: &Theme,
    width: usize,
) -> Vec<HeadLine> {
    let status = exchange
        .status
        .map_or_else(|| "no response".to_string(), |s| s.to_string());
    let url_width = width.saturating_sub(exchange.method.len() + status.len() + 4);
    let url = fit_path(&exchange.url, url_width);
    let short = fit(
        &format!("{} {} → {status}", exchange.method, url.trim_end()),
        width,
    );
    let whole = format!("{} {} → {status}", exchange.method, exchange.url);
    let mut lines = vec![(whole, Some(short), theme.title)];
    if let Some(trace) = &exchange.trace_id {
        lines.push((format!("traceId {trace}"), None, theme.warning));
    }
    if let Some(error) = &exchange.error {
        lines.push((error.clone(), None, theme.error));
    }
    // The request body comes first: the head is cut to half the pane, and headers are long.
    if let Some(body) = &exchange.request_body {
        lines.push(("— request body".to_string(), None, theme.dim));
        lines.extend(request_body_lines(body, keymap, theme, width));
    }
    for (title, headers) in [
        ("request", &exchange.request_headers),
        ("response", &exchange.response_headers),
    ] {
        lines.push((format!("— {title} headers"), None, theme.dim));
        for (name, value) in headers {
            lines.push((format!("{name}: {value}"), None, theme.text));
        }
    }
    lines
}

/// The request body, pretty when it is JSON, at most [`REQUEST_BODY_LINES`] lines, and a note
/// (fitted to the pane unscrolled) when there is more.
fn request_body_lines(body: &str, keymap: &Keymap, theme: &Theme, width: usize) -> Vec<HeadLine> {
    let pretty = serde_json::from_str::<serde_json::Value>(body)
        .ok()
        .and_then(|v| serde_json::to_string_pretty(&v).ok())
        .unwrap_or_else(|| body.to_string());
    let all: Vec<&str> = pretty.lines().collect();
    let mut lines: Vec<_> = all
        .iter()
        .take(REQUEST_BODY_LINES)
        .map(|l| ((*l).to_string(), None, theme.text))
        .collect();
    if all.len() > REQUEST_BODY_LINES {
        let more = all.len() - REQUEST_BODY_LINES;
        let note = format!(
            "… {more} more lines ({} saves the whole exchange, {} copies it as curl)",
            keymap.how(Action::Save),
            keymap.how(Action::CopyCurl)
        );
        let fitted = fit(&note, width);
        lines.push((note, Some(fitted), theme.dim));
    }
    lines
}

/// Cuts the head of an exchange to `rows`, its last row then saying how many lines did not fit
/// and where the whole exchange is (a short pane showed some headers and silently not the rest).
fn cut_head(
    lines: &mut Vec<(String, Style)>,
    rows: usize,
    width: usize,
    keymap: &Keymap,
    theme: &Theme,
) {
    if lines.len() <= rows || rows == 0 {
        return;
    }
    let kept = rows - 1;
    let hidden = lines.len() - kept;
    lines.truncate(kept);
    let note = format!(
        "… {hidden} more lines ({} saves all, {} copies as curl)",
        keymap.how(Action::Save),
        keymap.how(Action::CopyCurl)
    );
    lines.push((fit(&note, width), theme.dim));
}

/// How many lines of a request body the head of the exchange shows.
const REQUEST_BODY_LINES: usize = 8;

fn render_detail(frame: &mut Frame, area: Rect, app: &App, theme: &Theme, focused: bool) {
    let body = &app.inspector.body;
    let mut title = "Exchange".to_string();
    if body.searching || body.match_count().is_some() {
        // A search longer than the border shows its end, so the end being typed and the count
        // stay in view (the border's corners and the title's spaces take 4 cells).
        let count = body.match_count().unwrap_or_default();
        let cursor = if body.searching { "▏" } else { "" };
        let fixed = 4 + text::width(&title) + 3 + usize::from(!cursor.is_empty()) + count.len();
        let room = usize::from(area.width).saturating_sub(fixed);
        let search = text::tail(body.search.text(), room);
        title = format!("{title} /{search}{cursor} {count}");
    }
    let block = pane_block(&title, focused, theme);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let Some(exchange) = app.selected_exchange() else {
        return;
    };
    let width = usize::from(inner.width);
    let whole = header_lines(exchange, &app.keymap, theme, width);
    let head_height = u16::try_from(whole.len())
        .unwrap_or(u16::MAX)
        .min(inner.height / 2);
    let shown = usize::from(head_height);
    // Scrolling right goes as far as the head lines on screen reach, as for the body's.
    let kept = if whole.len() > shown {
        shown.saturating_sub(1)
    } else {
        shown
    };
    let widest = whole
        .iter()
        .take(kept)
        .map(|(text, _, _)| text::width(text));
    body.set_head_width(widest.max().unwrap_or(0));
    let mut headers = drawn(whole, width, body.column());
    cut_head(&mut headers, shown, width, &app.keymap, theme);
    let [head, rest] =
        Layout::vertical([Constraint::Length(head_height), Constraint::Min(1)]).areas(inner);
    let headers: Vec<Line> = headers
        .into_iter()
        .map(|(text, style)| Line::styled(text, style))
        .collect();
    frame.render_widget(Paragraph::new(headers), head);
    let (shown_side, other_side) = if body.side == crate::tui::raw_body::BodySide::Request {
        ("request", "response")
    } else {
        ("response", "request")
    };
    // Short: at 80 columns the pane is half of them.
    let title = format!(
        "— {shown_side} body ({}: {other_side})",
        app.keymap.how(Action::BodySide)
    );
    let block = Block::new().title(Line::styled(
        fit(&title, usize::from(rest.width)).trim_end().to_string(),
        theme.dim,
    ));
    let text_area = block.inner(rest);
    frame.render_widget(block, rest);
    body.render(text_area, frame.buffer_mut(), theme);
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn texts(n: usize) -> Vec<(String, Style)> {
        (0..n)
            .map(|i| (format!("h{i}"), Style::default()))
            .collect()
    }

    #[test]
    fn a_head_cut_to_the_pane_says_how_much_is_hidden() {
        let keymap = Keymap::default();
        let mut lines = texts(12);
        cut_head(&mut lines, 5, 80, &keymap, &Theme::plain());
        assert_eq!(lines.len(), 5);
        let last = &lines[4].0;
        assert!(last.starts_with("… 8 more lines (s saves all"), "{last}");
        let mut short = texts(3);
        cut_head(&mut short, 5, 80, &keymap, &Theme::plain());
        assert_eq!(short.len(), 3, "nothing hidden, nothing said");
    }

    /// The note named `s` and `c` whatever they were remapped to.
    #[test]
    fn the_cut_head_names_the_keys_as_mapped() {
        let remap = HashMap::from([
            ("raw.save".to_string(), vec!["ctrl-s".to_string()]),
            ("raw.curl".to_string(), Vec::new()),
        ]);
        let (keymap, _) = Keymap::new(&remap);
        let mut lines = texts(12);
        cut_head(&mut lines, 5, 80, &keymap, &Theme::plain());
        let last = &lines[4].0;
        assert!(
            last.starts_with("… 8 more lines (ctrl-s saves all, :raw.curl copies as curl)"),
            "{last}"
        );
    }

    #[test]
    fn the_request_body_is_shown_before_the_headers() {
        let exchange = Exchange {
            method: "POST".into(),
            url: "http://127.0.0.1:1/contacts/c/notes".into(),
            request_body: Some(r#"{"body":"Called"}"#.into()),
            request_headers: vec![("version".into(), "2021-07-28".into())],
            ..Exchange::default()
        };
        let text: Vec<String> = header_lines(&exchange, &Keymap::default(), &Theme::plain(), 60)
            .into_iter()
            .map(|(whole, _, _)| whole)
            .collect();
        let body = text
            .iter()
            .position(|l| l.contains("\"body\": \"Called\""))
            .unwrap();
        let headers = text
            .iter()
            .position(|l| l.contains("request headers"))
            .unwrap();
        assert!(body < headers, "{text:?}");
    }

    /// Scrolled, the request line is the whole URL, cut with a `…` at each edge it goes past.
    #[test]
    fn the_request_line_scrolls_whole() {
        let exchange = Exchange {
            method: "GET".into(),
            url: "http://127.0.0.1:1/contacts/abcdefghijklmnopqrstuvwxyz/tasks?limit=100".into(),
            status: Some(200),
            ..Exchange::default()
        };
        let lines = header_lines(&exchange, &Keymap::default(), &Theme::plain(), 30);
        let unscrolled = &drawn(lines.clone(), 30, 0)[0].0;
        assert!(unscrolled.ends_with("→ 200"), "{unscrolled}");
        let scrolled = &drawn(lines.clone(), 30, 20)[0].0;
        assert_eq!(scrolled, "…1/contacts/abcdefghijklmnopq…");
        let end = &drawn(lines, 30, 60)[0].0;
        assert!(
            end.starts_with('…') && end.contains("limit=100 → 200"),
            "{end}"
        );
    }
}

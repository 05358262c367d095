//! The raw inspector: every HTTP exchange of the session, newest first; the selected one's
//! request and response headers (already masked) and its body.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Block, Paragraph};

use crate::ghl::Exchange;
use crate::ghl::models::parse_date;
use crate::tui::app::{App, Pane};
use crate::tui::text::{fit, fit_path};
use crate::tui::theme::Theme;
use crate::tui::view::pane_block;

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
    let title = format!("Exchanges {}", exchanges.len());
    let list_focus = focused && !app.inspector.body.has_focus();
    let block = pane_block(&title, list_focus, theme);
    let inner = block.inner(list_area);
    frame.render_widget(block, list_area);
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

fn header_lines(exchange: &Exchange, theme: &Theme, width: usize) -> Vec<Line<'static>> {
    let status = exchange
        .status
        .map_or_else(|| "no response".to_string(), |s| s.to_string());
    let url_width = width.saturating_sub(exchange.method.len() + status.len() + 4);
    let url = fit_path(&exchange.url, url_width);
    let mut lines = vec![Line::styled(
        fit(
            &format!("{} {} → {status}", exchange.method, url.trim_end()),
            width,
        ),
        theme.title,
    )];
    if let Some(trace) = &exchange.trace_id {
        lines.push(Line::styled(
            fit(&format!("traceId {trace}"), width),
            theme.warning,
        ));
    }
    if let Some(error) = &exchange.error {
        lines.push(Line::styled(fit(error, width), theme.error));
    }
    // The request body comes first: the head is cut to half the pane, and headers are long.
    if let Some(body) = &exchange.request_body {
        lines.push(Line::styled("— request body", theme.dim));
        lines.extend(request_body_lines(body, width, theme));
    }
    for (title, headers) in [
        ("request", &exchange.request_headers),
        ("response", &exchange.response_headers),
    ] {
        lines.push(Line::styled(format!("— {title} headers"), theme.dim));
        for (name, value) in headers {
            lines.push(Line::styled(
                fit(&format!("{name}: {value}"), width),
                theme.text,
            ));
        }
    }
    lines
}

/// The request body, pretty when it is JSON, at most [`REQUEST_BODY_LINES`] lines.
fn request_body_lines(body: &str, width: usize, theme: &Theme) -> Vec<Line<'static>> {
    let pretty = serde_json::from_str::<serde_json::Value>(body)
        .ok()
        .and_then(|v| serde_json::to_string_pretty(&v).ok())
        .unwrap_or_else(|| body.to_string());
    let all: Vec<&str> = pretty.lines().collect();
    let mut lines: Vec<Line<'static>> = all
        .iter()
        .take(REQUEST_BODY_LINES)
        .map(|l| Line::styled(fit(l, width), theme.text))
        .collect();
    if all.len() > REQUEST_BODY_LINES {
        let more = all.len() - REQUEST_BODY_LINES;
        let note = format!("… {more} more lines (s saves the whole exchange, c copies it as curl)");
        lines.push(Line::styled(fit(&note, width), theme.dim));
    }
    lines
}

/// Cuts the head of an exchange to `rows`, its last row then saying how many lines did not fit
/// and where the whole exchange is (a short pane showed some headers and silently not the rest).
fn cut_head(lines: &mut Vec<Line<'static>>, rows: usize, width: usize, theme: &Theme) {
    if lines.len() <= rows || rows == 0 {
        return;
    }
    let kept = rows - 1;
    let hidden = lines.len() - kept;
    lines.truncate(kept);
    let note = format!("… {hidden} more lines (s saves all, c copies as curl)");
    lines.push(Line::styled(fit(&note, width), theme.dim));
}

/// How many lines of a request body the head of the exchange shows.
const REQUEST_BODY_LINES: usize = 8;

fn render_detail(frame: &mut Frame, area: Rect, app: &App, theme: &Theme, focused: bool) {
    let body = &app.inspector.body;
    let mut title = "Exchange".to_string();
    if let Some(count) = body.match_count() {
        title = format!(
            "{title} /{} {count}",
            crate::tui::text::sanitize(body.search.text())
        );
    }
    let block = pane_block(&title, focused, theme);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let Some(exchange) = app.selected_exchange() else {
        return;
    };
    let width = usize::from(inner.width);
    let mut headers = header_lines(exchange, theme, width);
    let head_height = u16::try_from(headers.len())
        .unwrap_or(u16::MAX)
        .min(inner.height / 2);
    cut_head(&mut headers, usize::from(head_height), width, theme);
    let [head, rest] =
        Layout::vertical([Constraint::Length(head_height), Constraint::Min(1)]).areas(inner);
    frame.render_widget(Paragraph::new(headers), head);
    let block = Block::new().title(Line::styled("— response body", theme.dim));
    let text_area = block.inner(rest);
    frame.render_widget(block, rest);
    body.render(text_area, frame.buffer_mut(), theme);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_head_cut_to_the_pane_says_how_much_is_hidden() {
        let theme = Theme::plain();
        let mut lines: Vec<Line<'static>> = (0..12).map(|i| Line::raw(format!("h{i}"))).collect();
        cut_head(&mut lines, 5, 80, &theme);
        assert_eq!(lines.len(), 5);
        let last = lines[4].to_string();
        assert!(last.starts_with("… 8 more lines (s saves all"), "{last}");
        let mut short: Vec<Line<'static>> = (0..3).map(|i| Line::raw(format!("h{i}"))).collect();
        cut_head(&mut short, 5, 80, &theme);
        assert_eq!(short.len(), 3, "nothing hidden, nothing said");
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
        let text: Vec<String> = header_lines(&exchange, &Theme::plain(), 60)
            .iter()
            .map(|l| {
                l.spans
                    .iter()
                    .map(|s| s.content.as_ref())
                    .collect::<String>()
            })
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
}

//! The layout of the screen and the bars around the panes. Each pane draws itself (see
//! `panes`); this module decides where, and draws the header, status bar, hint bar, toast and
//! dialogs.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Paragraph, Wrap};

use super::actions::{Action, REGISTRY, Scope};
use super::app::{App, Connection, Level, Pane};
use super::forms::Modal;
use super::forms::help::HelpContext;
use super::text::fit;
use super::theme::Theme;

/// Below this size the console shows "terminal too small" instead of the panes.
pub const MIN_SIZE: (u16, u16) = (60, 16);

/// Whether a terminal of `size` (width, height) is below [`MIN_SIZE`], so the panes are hidden.
pub fn too_small(size: (u16, u16)) -> bool {
    size.0 < MIN_SIZE.0 || size.1 < MIN_SIZE.1
}

/// Where the parts of the screen go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Areas {
    /// The header line with the pane tabs.
    pub header: Rect,
    /// The contacts list, unless a wide pane has the body.
    pub contacts: Option<Rect>,
    /// The pane beside the contacts (or the wide pane) and where it is.
    pub main: (Pane, Rect),
    /// The status bar.
    pub status: Rect,
    /// The key hints.
    pub hints: Rect,
}

/// Lays out a screen of `area` for the current state.
pub fn areas(app: &App, area: Rect) -> Areas {
    let [header, body, status, hints] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(area);
    if app.focus.is_wide() {
        return Areas {
            header,
            contacts: None,
            main: (app.focus, body),
            status,
            hints,
        };
    }
    let left = match area.width {
        140.. => 60,
        120.. => 50,
        _ => 46,
    };
    let [contacts, side] =
        Layout::horizontal([Constraint::Percentage(left), Constraint::Min(1)]).areas(body);
    Areas {
        header,
        contacts: Some(contacts),
        main: (app.side, side),
        status,
        hints,
    }
}

fn screen(app: &App) -> Rect {
    Rect::new(0, 0, app.size.0, app.size.1)
}

/// The pane under a point of the screen, with its rectangle.
pub fn pane_at(app: &App, at: Position) -> Option<(Pane, Rect)> {
    let areas = areas(app, screen(app));
    let contacts = areas.contacts.map(|r| (Pane::Contacts, r));
    [contacts, Some(areas.main)]
        .into_iter()
        .flatten()
        .find(|(_, rect)| rect.contains(at))
}

/// The rows from a pane's top edge to its first list row (border, column header).
pub fn first_row_offset(app: &App, pane: Pane) -> u16 {
    match pane {
        Pane::Contacts | Pane::Inspector | Pane::Tasks | Pane::Appointments => 2,
        // Holding the list's row only, Detail says so on its first line.
        Pane::Detail if app.detail_preview.is_some() => 2,
        _ => 1,
    }
}

/// The rectangle a pane has (or would have if it were shown).
pub fn pane_rect(app: &App, pane: Pane) -> Rect {
    let areas = areas(app, screen(app));
    match (pane, areas.contacts) {
        (Pane::Contacts, Some(rect)) => rect,
        _ => areas.main.1,
    }
}

/// How many list rows a pane shows.
pub fn list_rows(app: &App, pane: Pane) -> usize {
    let rect = pane_rect(app, pane);
    let height = match pane {
        Pane::Notes => super::panes::notes::list_height(rect),
        Pane::Log => super::sync_log::list_height(app, rect),
        _ => rect.height,
    };
    usize::from(height.saturating_sub(first_row_offset(app, pane) + 1))
}

/// The first visible row of a pane's list.
pub fn scroll_offset(app: &App, pane: Pane) -> usize {
    let cursor = match pane {
        Pane::Contacts => app.contacts.cursor,
        Pane::Detail => app.detail.cursor,
        Pane::Tasks => app.tasks.cursor,
        Pane::Notes => app.notes.cursor,
        Pane::Appointments => app.appointments.cursor,
        Pane::Inspector => app.inspector.cursor,
        Pane::Log => super::sync_log::cursor(app),
    };
    cursor.offset
}

/// Keeps every list's scroll window around its selection, for the next frame and for mouse hits.
pub fn sync_scroll(app: &mut App) {
    for pane in Pane::ALL {
        let rows = list_rows(app, pane);
        let len = super::perform::list_len(app, pane);
        let cursor = super::perform::cursor_mut(app, pane);
        cursor.visible(rows, len);
    }
}

/// The note a newest-first list's title gets while it is scrolled away from its top, where
/// newer rows arrive: `· 12 newer lines (g)`, `what` naming the rows, with the key that goes
/// back up as mapped; nothing at the top, where the list shows new rows as they come.
pub fn newer_note(
    app: &App,
    cursor: super::cursor::Cursor,
    rows: usize,
    len: usize,
    what: &str,
) -> String {
    let mut cursor = cursor;
    let above = cursor.visible(rows, len).start;
    if above == 0 {
        return String::new();
    }
    format!(" · {above} {what} ({})", app.keymap.how(Action::Top))
}

/// The frame of a pane, highlighted when focused.
pub fn pane_block<'a>(title: &str, focused: bool, theme: &Theme) -> Block<'a> {
    let style = if focused {
        theme.border_focused
    } else {
        theme.border_unfocused
    };
    Block::bordered()
        .border_type(if focused {
            BorderType::Thick
        } else {
            BorderType::Plain
        })
        .border_style(style)
        .title(Line::styled(format!(" {title} "), theme.title))
}

/// Draws the whole screen.
pub fn render(frame: &mut Frame, app: &App, theme: &Theme) {
    let area = frame.area();
    if too_small((area.width, area.height)) {
        render_too_small(frame, area, app, theme);
        return;
    }
    let areas = areas(app, area);
    render_header(frame, areas.header, app, theme);
    if let Some(rect) = areas.contacts {
        super::panes::contacts::render(frame, rect, app, theme);
    }
    let (pane, rect) = areas.main;
    super::panes::render(frame, pane, rect, app, theme);
    render_status(frame, areas.status, app, theme);
    render_hints(frame, areas.hints, app, theme);
    // An open dialog's keys are not covered by a toast: forms show their own errors, and the
    // toast is in the activity log and shows again once the dialog closes, if still current.
    if app.modal.is_none() {
        render_toast(frame, areas.hints, app, theme);
    }
    render_modal(frame, area, app, theme);
}

fn render_too_small(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let last = if let Some(Modal::Discard(question)) = &app.modal {
        Line::styled(question.text(), theme.warning)
    } else {
        // Ctrl-C quits whatever the remapping: it is the key to name when quit has none.
        let quit = app
            .keymap
            .keys_of(Action::Quit)
            .first()
            .map_or_else(|| "ctrl-c".to_string(), ToString::to_string);
        Line::styled(format!("Resize, or press {quit} to quit."), theme.dim)
    };
    let text = vec![
        Line::styled("Terminal too small", theme.title),
        Line::styled(
            format!(
                "{}x{} now, {}x{} needed",
                area.width, area.height, MIN_SIZE.0, MIN_SIZE.1
            ),
            theme.text,
        ),
        last,
    ];
    frame.render_widget(Paragraph::new(text).wrap(Wrap { trim: true }), area);
}

/// The product name that starts the header line.
const HEADER_TITLE: &str = " ghl-console ";

/// The header's pane tabs: each pane with the columns its tab spans, left to right.
fn header_tabs() -> impl Iterator<Item = (Pane, std::ops::Range<u16>)> {
    let columns = |text: &str| u16::try_from(super::text::width(text)).unwrap_or(u16::MAX);
    let mut x = columns(HEADER_TITLE);
    Pane::ALL.into_iter().map(move |pane| {
        let start = x.saturating_add(1);
        let end = start
            .saturating_add(columns(pane.title()))
            .saturating_add(2);
        x = end;
        (pane, start..end)
    })
}

/// The pane whose tab in the header is under a point, if any.
pub fn tab_at(app: &App, at: Position) -> Option<Pane> {
    let header = areas(app, screen(app)).header;
    if !header.contains(at) {
        return None;
    }
    let column = at.x - header.x;
    header_tabs()
        .find(|(_, columns)| columns.contains(&column))
        .map(|(pane, _)| pane)
}

fn render_header(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let mut spans = vec![Span::styled(HEADER_TITLE, theme.title)];
    for (pane, _) in header_tabs() {
        let style = if pane == app.focus {
            theme.selection
        } else if pane == app.side && !app.focus.is_wide() {
            theme.key_hint
        } else {
            theme.dim
        };
        spans.push(Span::raw(" "));
        spans.push(Span::styled(format!(" {} ", pane.title()), style));
    }
    frame.render_widget(Line::from(spans), area);
}

const SPINNER: [&str; 10] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

fn status_text(app: &App) -> String {
    let status = &app.status;
    let mut parts = vec![format!("loc {}", app.settings.location)];
    if let Some(stored) = app
        .contacts
        .stored()
        .filter(|_| app.contacts.stored_rows() > 0)
    {
        let synced = stored
            .synced_at
            .as_deref()
            .and_then(crate::ghl::models::parse_date)
            .map_or_else(
                || "never synced".to_string(),
                |at| format!("synced {}", app.clock.relative(at)),
            );
        parts.push(format!("FROM STORE ({synced})"));
    }
    parts.push(
        match status.connection {
            Connection::Connecting => "connecting",
            Connection::Online => "online",
            Connection::Offline => "OFFLINE",
            Connection::Unauthorized => "AUTH FAILED (401)",
            Connection::Failing => "SERVER ERRORS",
        }
        .to_string(),
    );
    if status.in_flight > 0 {
        let frame = SPINNER[usize::try_from(status.ticks % 10).unwrap_or(0)];
        parts.push(format!("{frame} {} in flight", status.in_flight));
    }
    if let Some((left, max)) = status.budget {
        let max = max.map_or_else(String::new, |m| format!("/{m}"));
        parts.push(format!("budget {left}{max}"));
    }
    if let Some(daily) = status.daily {
        parts.push(format!("day {daily}"));
    }
    if app.settings.read_only {
        parts.push("READ-ONLY".to_string());
    }
    if let Some(error) = &status.last_error {
        parts.push(format!("error: {error}"));
    }
    format!(" {}", parts.join(" │ "))
}

fn render_status(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let text = fit(&status_text(app), usize::from(area.width));
    frame.render_widget(Line::styled(text, theme.status_bar), area);
}

/// The hints for the focused pane: its own actions first, then the global ones. In Raw they
/// start with the side that has the movement keys and the key that hands them to the other.
/// While a dialog is open they are the dialog's keys instead.
pub fn hint_text(app: &App) -> String {
    if let Some(modal) = &app.modal {
        return modal.hints().to_string();
    }
    let hints = action_hints(app);
    match raw_side_hint(app) {
        Some(side) => format!("{side}  {hints}"),
        None => hints,
    }
}

/// "[list] enter body" or "[body] esc list" while Raw is focused, with the keys as mapped.
fn raw_side_hint(app: &App) -> Option<String> {
    if app.focus != Pane::Inspector {
        return None;
    }
    let (side, action, other) = if app.inspector.body.has_focus() {
        ("body", Action::Back, "list")
    } else {
        ("list", Action::Open, "body")
    };
    let key = app.keymap.keys_of(action).first()?;
    Some(format!("[{side}] {key} {other}"))
}

fn action_hints(app: &App) -> String {
    let shown = |global: bool| {
        REGISTRY.iter().filter(move |spec| {
            spec.hint
                && spec.applies_to(app.focus)
                && (spec.scope == Scope::Global) == global
                && !(app.settings.read_only && spec.changes_data)
        })
    };
    shown(false)
        .chain(shown(true))
        .filter_map(|spec| {
            let key = app.keymap.keys_of(spec.action).first()?;
            let word = spec.id.rsplit('.').next().unwrap_or(spec.id);
            Some(format!("{key} {word}"))
        })
        .collect::<Vec<_>>()
        .join("  ")
}

fn render_hints(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let text = fit(&format!(" {}", hint_text(app)), usize::from(area.width));
    frame.render_widget(Line::styled(text, theme.key_hint), area);
}

fn render_toast(frame: &mut Frame, line: Rect, app: &App, theme: &Theme) {
    let Some(toast) = &app.toast else {
        return;
    };
    let style = match toast.level {
        Level::Info => theme.ok,
        Level::Warn => theme.warning,
        Level::Error => theme.error,
    };
    let width = usize::from(line.width);
    let text = fit(&format!(" {}", toast.text), width);
    frame.render_widget(Line::styled(text, style), line);
}

fn render_modal(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    match &app.modal {
        None => {}
        Some(Modal::Confirm(confirm)) => confirm.render(frame, area, theme),
        Some(Modal::Task(form)) => form.render(frame, area, theme),
        Some(Modal::Note(form)) => form.render(frame, area, theme),
        Some(Modal::Field(form)) => form.render(frame, area, theme),
        Some(Modal::Tags(input)) => input.render(frame, area, theme),
        Some(Modal::Palette(palette)) => palette.render(frame, area, &app.keymap, theme),
        Some(Modal::Help(help)) => {
            let log = match (&app.settings.log_error, &app.settings.log_path) {
                (Some(why), _) => format!("not written: {why}"),
                (None, Some(base)) => crate::logging::daily_file(base, app.clock.now)
                    .display()
                    .to_string(),
                (None, None) => "not written".to_string(),
            };
            let ctx = HelpContext {
                keymap: &app.keymap,
                log: &log,
                read_only: app.settings.read_only,
            };
            help.render(frame, area, &ctx, theme);
        }
        Some(Modal::Message(message)) => message.render(frame, area, theme),
        Some(Modal::Locations(picker)) => picker.render(frame, area, theme),
        Some(Modal::Discard(question)) => question.render(frame, area, theme),
    }
}

//! The `?` help: every action with its keys, where it applies and whether it writes; typing
//! filters the list. It also says where the log file is.

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

use crate::tui::actions::{REGISTRY, Scope};
use crate::tui::keymap::Keymap;
use crate::tui::text::{fit, wrap};
use crate::tui::theme::Theme;

use super::dialog_block;
use super::line_input::LineInput;

/// The help screen's state.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Help {
    /// The search typed.
    pub search: LineInput,
    /// The first row shown.
    pub scroll: usize,
    /// How many rows the last frame showed, and the last first row it could show: PgUp/PgDn
    /// move by the one and stop at the other. Drawing records them (it sees the size).
    shown: std::cell::Cell<(usize, usize)>,
}

/// The page PgUp/PgDn move by before help has been drawn.
const FIRST_PAGE: usize = 10;

/// What a key did to help.
#[derive(Debug, PartialEq, Eq)]
pub enum HelpOutcome {
    /// Still open.
    Open,
    /// Closed.
    Closed,
}

/// The columns of the keys and the action id.
const KEYS: usize = 14;
const ID: usize = 17;

/// The narrowest description column: below it, help wraps whole rows instead.
const MIN_DESCRIPTION: usize = 16;

/// What a row of help says: its keys, action id and description with where it applies and
/// whether it writes.
fn entries(keymap: &Keymap, search: &str, read_only: bool) -> Vec<(String, &'static str, String)> {
    REGISTRY
        .iter()
        .filter(|spec| super::palette::matches(spec, search))
        .map(|spec| {
            let scope = match spec.scope {
                Scope::Global => String::new(),
                Scope::Panes(panes) if panes.len() > 4 => " (lists)".to_string(),
                Scope::Panes(panes) => {
                    let names: Vec<&str> = panes.iter().map(|p| p.title()).collect();
                    format!(" ({})", names.join(", "))
                }
            };
            let writes = match (spec.changes_data, read_only) {
                (true, true) => " [writes: off, read-only]",
                (true, false) => " [writes]",
                _ => "",
            };
            let text = format!("{}{scope}{writes}", spec.description);
            (keymap.label(spec.action), spec.id, text)
        })
        .collect()
}

/// One row of help per action: keys, action id, description, where, writes.
pub fn rows(keymap: &Keymap, search: &str, read_only: bool) -> Vec<String> {
    entries(keymap, search, read_only)
        .into_iter()
        .map(|(keys, id, text)| format!("{} {} {text}", fit(&keys, KEYS), fit(id, ID)))
        .collect()
}

/// The lines help draws in `width` cells: each action's row, its keys and description
/// wrapped onto continuation lines under their columns, so nothing is cut off.
pub fn wrapped_rows(keymap: &Keymap, search: &str, read_only: bool, width: usize) -> Vec<String> {
    let room = width.saturating_sub(KEYS + ID + 2);
    if room < MIN_DESCRIPTION {
        return rows(keymap, search, read_only)
            .iter()
            .flat_map(|row| wrap(row, width))
            .collect();
    }
    let mut out = Vec::new();
    for (keys, id, text) in entries(keymap, search, read_only) {
        let keys = wrap(&keys, KEYS);
        let text = wrap(&text, room);
        for i in 0..keys.len().max(text.len()) {
            let key = keys.get(i).map_or("", String::as_str);
            let id = if i == 0 { id } else { "" };
            let words = text.get(i).map_or("", String::as_str);
            let line = format!("{} {} {words}", fit(key, KEYS), fit(id, ID));
            out.push(line.trim_end().to_string());
        }
    }
    out
}

impl Help {
    /// Reads a key: typing searches, arrows and PgUp/PgDn scroll, Home and End go to the first
    /// and the last entry, Esc closes (the help key too, with no search: the caller knows it).
    pub fn handle(&mut self, key: KeyEvent) -> HelpOutcome {
        match key.code {
            KeyCode::Esc => return HelpOutcome::Closed,
            KeyCode::Up => self.scroll = self.scroll.saturating_sub(1),
            KeyCode::Down => self.scroll = self.last_start().min(self.scroll + 1),
            KeyCode::PageUp => self.scroll = self.scroll.saturating_sub(self.page()),
            KeyCode::PageDown => self.scroll = self.last_start().min(self.scroll + self.page()),
            // Ctrl-A and Ctrl-E still move in the search.
            KeyCode::Home => self.scroll = 0,
            KeyCode::End => self.scroll = self.last_start(),
            _ => {
                self.search.handle(key);
                self.scroll = 0;
            }
        }
        HelpOutcome::Open
    }

    /// The rows a page holds: what the last frame showed.
    fn page(&self) -> usize {
        match self.shown.get() {
            (0, _) => FIRST_PAGE,
            (room, _) => room,
        }
    }

    /// The last first row: the one that shows the end of the list (unbounded before drawing).
    fn last_start(&self) -> usize {
        match self.shown.get() {
            (0, _) => usize::MAX,
            (_, last) => last,
        }
    }

    /// Draws help over `area`.
    pub fn render(&self, frame: &mut Frame, area: Rect, ctx: &HelpContext<'_>, theme: &Theme) {
        let rect = super::centered(area, 100, area.height.saturating_sub(2));
        super::clear_under(frame, rect);
        // "Search: " and the cursor take 9 cells of the dialog's inner width.
        let room = usize::from(rect.width.saturating_sub(2)).saturating_sub(9);
        let mut lines = vec![
            Line::styled(
                format!(
                    "Search: {}▏",
                    crate::tui::text::tail(self.search.text(), room)
                ),
                theme.title,
            ),
            Line::styled(format!("Log file: {}", ctx.log), theme.dim),
            Line::raw(""),
        ];
        let width = usize::from(rect.width.saturating_sub(2));
        let all = wrapped_rows(ctx.keymap, self.search.text(), ctx.read_only, width);
        let room = usize::from(rect.height.saturating_sub(5));
        let last = all.len().saturating_sub(room);
        self.shown.set((room, last));
        let start = self.scroll.min(last);
        for row in all.iter().skip(start).take(room) {
            lines.push(Line::styled(fit(row, width), theme.text));
        }
        if all.is_empty() {
            let typed = crate::tui::text::sanitize(self.search.text());
            let text = format!("no action matches \"{typed}\"");
            lines.push(Line::styled(fit(&text, width), theme.dim));
        }
        let body =
            Paragraph::new(lines).block(dialog_block("Help (type to search, esc closes)", theme));
        frame.render_widget(body, rect);
    }
}

/// What help shows besides the actions.
#[derive(Debug, Clone, Copy)]
pub struct HelpContext<'a> {
    /// The keys.
    pub keymap: &'a Keymap,
    /// The log file written now, or why none is.
    pub log: &'a str,
    /// Whether writes are off.
    pub read_only: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn help_lists_every_action_exactly_once() {
        let keymap = Keymap::default();
        let all = rows(&keymap, "", false);
        assert_eq!(all.len(), REGISTRY.len());
        for spec in REGISTRY {
            let id = fit(spec.id, 17);
            let hits = all
                .iter()
                .filter(|row| row.contains(&format!(" {id} ")))
                .count();
            assert_eq!(hits, 1, "{} is listed {hits} times", spec.id);
        }
    }

    /// Page Down moves a page of the rows help shows, stops at the end, and Page Up goes back a page
    /// from where the list shows (not from beyond its end).
    #[test]
    fn page_keys_move_by_the_rows_shown() {
        use crossterm::event::KeyModifiers;
        use ratatui::Terminal;
        use ratatui::backend::TestBackend;
        let keymap = Keymap::default();
        let ctx = HelpContext {
            keymap: &keymap,
            log: "log",
            read_only: false,
        };
        // The dialog's 98 columns inside its border.
        let total = wrapped_rows(&keymap, "", false, 98).len();
        let mut terminal = Terminal::new(TestBackend::new(100, 24)).unwrap();
        let mut help = Help::default();
        let mut draw = |help: &Help| {
            terminal
                .draw(|f| help.render(f, f.area(), &ctx, &Theme::plain()))
                .unwrap();
        };
        let press = |help: &mut Help, code| {
            help.handle(KeyEvent::new(code, KeyModifiers::NONE));
        };
        draw(&help);
        // 24 rows: a 22-row dialog, less its borders and the three lines above the list.
        let room = 17;
        assert!(total > 2 * room, "enough rows to page: {total}");
        press(&mut help, KeyCode::PageDown);
        assert_eq!(help.scroll, room);
        draw(&help);
        for _ in 0..total {
            press(&mut help, KeyCode::PageDown);
        }
        assert_eq!(help.scroll, total - room, "stops where the end shows");
        press(&mut help, KeyCode::PageUp);
        assert_eq!(help.scroll, total - 2 * room);
        press(&mut help, KeyCode::Down);
        assert_eq!(help.scroll, total - 2 * room + 1);
        press(&mut help, KeyCode::Home);
        assert_eq!(help.scroll, 0, "home: the first entry");
        press(&mut help, KeyCode::End);
        assert_eq!(help.scroll, total - room, "end: the last entry shows");
    }

    /// At 80x24 every description is there whole, wrapped onto continuation lines under its
    /// column, and nothing is cut off with "…".
    #[test]
    fn every_description_can_be_read_at_80_columns() {
        let keymap = Keymap::default();
        // 80 columns: the dialog's 78 inside its border.
        let shown = wrapped_rows(&keymap, "", true, 78);
        for line in &shown {
            assert!(!line.contains('…'), "cut: {line:?}");
            assert!(crate::tui::text::width(line) <= 78, "too wide: {line:?}");
        }
        let text = shown
            .iter()
            .map(|l| l.get(KEYS + ID + 2..).unwrap_or("").trim())
            .collect::<Vec<_>>()
            .join(" ");
        for spec in REGISTRY {
            assert!(text.contains(spec.description), "{}: {text}", spec.id);
        }
        assert!(shown.len() > REGISTRY.len(), "some rows wrap");
    }

    #[test]
    fn a_search_with_no_match_says_so() {
        use ratatui::Terminal;
        use ratatui::backend::TestBackend;
        let keymap = Keymap::default();
        let ctx = HelpContext {
            keymap: &keymap,
            log: "log",
            read_only: false,
        };
        let mut help = Help::default();
        help.search.set("zzzz");
        let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
        terminal
            .draw(|f| help.render(f, f.area(), &ctx, &Theme::plain()))
            .unwrap();
        let screen = terminal.backend().to_string();
        assert!(screen.contains("no action matches \"zzzz\""), "{screen}");
    }

    #[test]
    fn search_narrows_the_list() {
        let keymap = Keymap::default();
        let found = rows(&keymap, "curl", false);
        assert_eq!(found.len(), 1);
        assert!(found[0].contains("raw.curl"));
    }
}

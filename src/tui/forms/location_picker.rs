//! The location picker (`L`): the known locations filtered as you type; Enter switches to the
//! highlighted one, or to the id typed when nothing matches.

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

use crate::tui::text::fit;
use crate::tui::theme::Theme;

use super::dialog_block;
use super::line_input::LineInput;

/// One location offered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PickerEntry {
    /// The location id.
    pub id: String,
    /// Its name, possibly empty.
    pub name: String,
    /// Whether its config entry makes it read-only.
    pub read_only: bool,
}

/// The picker's state.
#[derive(Debug, Clone, PartialEq)]
pub struct LocationPicker {
    /// What is typed: part of a name or id, or a whole id.
    pub input: LineInput,
    /// The highlighted entry of those shown.
    pub selected: usize,
    /// Every location offered.
    pub entries: Vec<PickerEntry>,
    /// The location in use.
    pub current: String,
    /// Whether the worker's list of installed locations is still awaited.
    pub loading: bool,
    /// Why the installed locations could not be listed.
    pub error: Option<String>,
}

/// What a key did to the picker.
#[derive(Debug, PartialEq, Eq)]
pub enum PickerOutcome {
    /// Still choosing.
    Choosing,
    /// Closed without a choice.
    Cancelled,
    /// Switch to this location id.
    Switch(String),
}

impl LocationPicker {
    /// A picker over `entries`, `current` being the location in use.
    pub fn new(entries: Vec<PickerEntry>, current: &str) -> Self {
        Self {
            input: LineInput::default(),
            selected: 0,
            entries,
            current: current.to_string(),
            loading: true,
            error: None,
        }
    }

    /// Takes the worker's list (the config's entries and the installed locations).
    pub fn set_entries(&mut self, entries: Vec<PickerEntry>, error: Option<String>) {
        self.entries = entries;
        self.loading = false;
        self.error = error;
        self.selected = self.selected.min(self.shown().len().saturating_sub(1));
    }

    /// The entries matching what is typed.
    pub fn shown(&self) -> Vec<&PickerEntry> {
        let typed = self.input.text().trim().to_lowercase();
        self.entries
            .iter()
            .filter(|e| {
                typed.is_empty()
                    || e.id.to_lowercase().contains(&typed)
                    || e.name.to_lowercase().contains(&typed)
            })
            .collect()
    }

    /// Reads a key: arrows choose, Enter switches, Esc closes, the rest types.
    pub fn handle(&mut self, key: KeyEvent) -> PickerOutcome {
        match key.code {
            KeyCode::Esc => return PickerOutcome::Cancelled,
            KeyCode::Enter => {
                let typed = self.input.text().trim().to_string();
                return match self.shown().get(self.selected) {
                    Some(entry) => PickerOutcome::Switch(entry.id.clone()),
                    None if !typed.is_empty() => PickerOutcome::Switch(typed),
                    None => PickerOutcome::Cancelled,
                };
            }
            KeyCode::Up => self.selected = self.selected.saturating_sub(1),
            KeyCode::Down => {
                self.selected = (self.selected + 1).min(self.shown().len().saturating_sub(1));
            }
            _ => {
                self.input.handle(key);
                self.selected = 0;
            }
        }
        PickerOutcome::Choosing
    }

    /// Draws the picker over `area`.
    pub fn render(&self, frame: &mut Frame, area: Rect, theme: &Theme) {
        let rect = super::centered(area, 72, 16);
        super::clear_under(frame, rect);
        let width = usize::from(rect.width.saturating_sub(2));
        let mut lines = vec![super::prompt_line(
            "location: ",
            self.input.text(),
            width,
            theme,
        )];
        let shown = self.shown();
        let room = usize::from(rect.height.saturating_sub(5));
        let start = self.selected.saturating_sub(room.saturating_sub(1));
        for (i, entry) in shown.iter().enumerate().skip(start).take(room) {
            lines.push(self.entry_line(i, entry, width, theme));
        }
        if shown.is_empty() {
            let text = if self.input.text().trim().is_empty() {
                "No locations known: type a location id."
            } else {
                "No match: Enter switches to the id typed."
            };
            lines.push(Line::styled(text, theme.dim));
        }
        lines.push(Line::styled(self.footer(), theme.dim));
        let body = Paragraph::new(lines).block(dialog_block("Switch location", theme));
        frame.render_widget(body, rect);
    }

    fn entry_line(&self, i: usize, entry: &PickerEntry, width: usize, theme: &Theme) -> Line<'_> {
        let mut text = format!("{}  {}", entry.id, entry.name);
        if entry.read_only {
            text.push_str("  (read-only)");
        }
        if entry.id == self.current {
            text.push_str("  ← current");
        }
        let style = if i == self.selected {
            theme.selection
        } else {
            theme.text
        };
        Line::styled(fit(&text, width), style)
    }

    fn footer(&self) -> String {
        match (&self.error, self.loading) {
            (Some(error), _) => format!("Installed locations: {error}"),
            (None, true) => "Looking for installed locations…".to_string(),
            (None, false) => "Enter switches · Esc closes".to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::event::KeyModifiers;

    fn entry(id: &str, name: &str) -> PickerEntry {
        PickerEntry {
            id: id.into(),
            name: name.into(),
            read_only: false,
        }
    }

    #[test]
    fn filters_by_name_and_switches_to_a_typed_id() {
        let entries = vec![entry("loc1", "Main office"), entry("loc2", "Second shop")];
        let mut picker = LocationPicker::new(entries, "loc1");
        for c in "shop".chars() {
            picker.handle(KeyEvent::from(KeyCode::Char(c)));
        }
        assert_eq!(picker.shown().len(), 1);
        let enter = KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE);
        assert_eq!(picker.handle(enter), PickerOutcome::Switch("loc2".into()));

        picker.input.set("brandNewId");
        assert_eq!(
            picker.handle(enter),
            PickerOutcome::Switch("brandNewId".into())
        );
    }
}

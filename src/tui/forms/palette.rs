//! The `:` command palette: type part of an action's name or description, Enter runs it.

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::tui::actions::{Action, ActionSpec, REGISTRY};
use crate::tui::app::Pane;
use crate::tui::keymap::Keymap;
use crate::tui::theme::Theme;

use super::dialog_block;
use super::line_input::LineInput;

/// The palette's state.
#[derive(Debug, Clone, PartialEq)]
pub struct Palette {
    /// What is typed.
    pub input: LineInput,
    /// The highlighted entry.
    pub selected: usize,
    /// The pane the palette was opened from: only its actions are offered.
    pub pane: Pane,
    /// Whether changing actions are left out.
    pub read_only: bool,
}

/// What a key did to the palette.
#[derive(Debug, PartialEq, Eq)]
pub enum PaletteOutcome {
    /// Still choosing.
    Choosing,
    /// Closed.
    Cancelled,
    /// Run this.
    Run(Action),
}

/// Whether every word typed appears in the action's id or description.
pub fn matches(spec: &ActionSpec, typed: &str) -> bool {
    let haystack = format!("{} {}", spec.id, spec.description).to_lowercase();
    typed
        .to_lowercase()
        .split_whitespace()
        .all(|word| haystack.contains(word))
}

impl Palette {
    /// An empty palette over the actions of `pane`.
    pub fn new(pane: Pane, read_only: bool) -> Self {
        Self {
            input: LineInput::default(),
            selected: 0,
            pane,
            read_only,
        }
    }

    /// The actions offered for what is typed.
    pub fn entries(&self) -> Vec<&'static ActionSpec> {
        REGISTRY
            .iter()
            .filter(|s| s.applies_to(self.pane) && s.action != Action::Palette)
            .filter(|s| !(self.read_only && s.changes_data))
            .filter(|s| matches(s, self.input.text()))
            .collect()
    }

    /// Reads a key: arrows choose, Enter runs, Esc closes, the rest types.
    pub fn handle(&mut self, key: KeyEvent) -> PaletteOutcome {
        match key.code {
            KeyCode::Esc => return PaletteOutcome::Cancelled,
            KeyCode::Enter => {
                return self
                    .entries()
                    .get(self.selected)
                    .map_or(PaletteOutcome::Cancelled, |s| PaletteOutcome::Run(s.action));
            }
            KeyCode::Up => self.selected = self.selected.saturating_sub(1),
            KeyCode::Down => {
                self.selected = (self.selected + 1).min(self.entries().len().saturating_sub(1));
            }
            _ => {
                self.input.handle(key);
                self.selected = 0;
            }
        }
        PaletteOutcome::Choosing
    }

    /// Draws the palette over `area`.
    pub fn render(&self, frame: &mut Frame, area: Rect, keymap: &Keymap, theme: &Theme) {
        let rect = super::centered(area, 64, 16);
        super::clear_under(frame, rect);
        let mut lines = vec![Line::from(vec![
            Span::styled(": ", theme.title),
            Span::styled(
                crate::tui::text::sanitize(self.input.text()).into_owned(),
                theme.text,
            ),
            Span::styled("▏", theme.title),
        ])];
        let room = usize::from(rect.height.saturating_sub(3));
        let start = self.selected.saturating_sub(room.saturating_sub(1));
        for (i, spec) in self.entries().iter().enumerate().skip(start).take(room) {
            let style = if i == self.selected {
                theme.selection
            } else {
                theme.text
            };
            let keys = crate::tui::text::fit(&keymap.label(spec.action), 12);
            let text = crate::tui::text::fit(&format!("{keys} {}", spec.description), 60);
            lines.push(Line::styled(text, style));
        }
        let body = Paragraph::new(lines).block(dialog_block("Run an action", theme));
        frame.render_widget(body, rect);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::event::KeyModifiers;

    #[test]
    fn finds_actions_by_words_and_hides_writes_in_read_only() {
        let mut palette = Palette::new(Pane::Tasks, false);
        palette.input.set("complete reopen");
        assert_eq!(palette.entries()[0].action, Action::TaskToggle);
        let enter = KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE);
        assert_eq!(
            palette.handle(enter),
            PaletteOutcome::Run(Action::TaskToggle)
        );
        let read_only = Palette {
            read_only: true,
            ..palette
        };
        assert!(read_only.entries().is_empty());
    }
}

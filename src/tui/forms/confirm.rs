//! The y/n question asked before anything is deleted, or a running sync is cancelled by a
//! location switch. The default is no.

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Wrap};

use crate::tui::theme::Theme;
use crate::worker::messages::Command;

use super::dialog_block;

/// A question and what happens on yes.
#[derive(Debug, Clone, PartialEq)]
pub struct Confirm {
    /// The question, naming what is at stake.
    pub question: String,
    /// What is sent on yes.
    pub on_yes: Command,
}

impl Confirm {
    /// Reads a key: `Some(true)` on `y`, `Some(false)` on anything that says no (Enter, Esc,
    /// `n`), `None` on other keys.
    pub fn answer(key: KeyEvent) -> Option<bool> {
        match key.code {
            KeyCode::Char('y' | 'Y') => Some(true),
            KeyCode::Char('n' | 'N' | 'q') | KeyCode::Esc | KeyCode::Enter => Some(false),
            _ => None,
        }
    }

    /// Draws the question centred in `area`.
    pub fn render(&self, frame: &mut Frame, area: Rect, theme: &Theme) {
        let lines = vec![
            Line::styled(self.question.clone(), theme.text),
            Line::raw(""),
            Line::styled("y = yes   n / Enter / Esc = no", theme.dim),
        ];
        let rect = super::centered(area, 56, 7);
        super::clear_under(frame, rect);
        let block = dialog_block("Confirm", theme).border_style(theme.warning);
        let body = Paragraph::new(lines).wrap(Wrap { trim: true }).block(block);
        frame.render_widget(body, rect);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::event::KeyModifiers;

    #[test]
    fn only_y_says_yes() {
        let key = |code| KeyEvent::new(code, KeyModifiers::NONE);
        assert_eq!(Confirm::answer(key(KeyCode::Char('y'))), Some(true));
        assert_eq!(Confirm::answer(key(KeyCode::Enter)), Some(false));
        assert_eq!(Confirm::answer(key(KeyCode::Esc)), Some(false));
        assert_eq!(Confirm::answer(key(KeyCode::Char('x'))), None);
    }
}

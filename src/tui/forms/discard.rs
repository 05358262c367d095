//! The question asked before quitting, or closing a form with Esc, over unsaved text. The
//! default is no, which goes back to the form as it was.

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Wrap};

use crate::tui::theme::Theme;

use super::{Modal, dialog_block};

/// The question before quitting, as shown in the dialog and on the "terminal too small" screen.
pub const QUESTION: &str = "Discard unsaved changes and quit? (y/N)";

/// The question before closing a form with Esc.
pub const CLOSE_QUESTION: &str = "Discard unsaved changes and close? (y/N)";

/// The question and the form it would discard.
#[derive(Debug)]
pub struct DiscardQuestion {
    /// The form with the unsaved text, shown again on no.
    pub form: Modal,
    /// Whether yes quits the console (else it only closes the form).
    pub quit: bool,
}

impl DiscardQuestion {
    /// Asks before quitting over `form`.
    pub fn quitting(form: Modal) -> Self {
        Self { form, quit: true }
    }

    /// Asks before closing `form`.
    pub fn closing(form: Modal) -> Self {
        Self { form, quit: false }
    }

    /// The question asked.
    pub fn text(&self) -> &'static str {
        if self.quit { QUESTION } else { CLOSE_QUESTION }
    }

    /// Reads a key: `Some(true)` on `y`, `Some(false)` on `n`, Enter or Esc, `None` on others.
    pub fn answer(key: KeyEvent) -> Option<bool> {
        match key.code {
            KeyCode::Char('y' | 'Y') => Some(true),
            KeyCode::Char('n' | 'N') | KeyCode::Esc | KeyCode::Enter => Some(false),
            _ => None,
        }
    }

    /// Draws the form with the question over it.
    pub fn render(&self, frame: &mut Frame, area: Rect, theme: &Theme) {
        match &self.form {
            Modal::Task(form) => form.render(frame, area, theme),
            Modal::Note(form) => form.render(frame, area, theme),
            Modal::Tags(input) => input.render(frame, area, theme),
            Modal::Field(form) => form.render(frame, area, theme),
            _ => {}
        }
        let (title, yes) = if self.quit {
            ("Quit", "y = discard and quit")
        } else {
            ("Close", "y = discard and close")
        };
        let lines = vec![
            Line::styled(self.text(), theme.text),
            Line::raw(""),
            Line::styled(format!("{yes}   n / Enter / Esc = back"), theme.dim),
        ];
        let rect = super::centered(area, 56, 5);
        super::clear_under(frame, rect);
        let block = dialog_block(title, theme).border_style(theme.warning);
        let body = Paragraph::new(lines).wrap(Wrap { trim: true }).block(block);
        frame.render_widget(body, rect);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::event::KeyModifiers;

    #[test]
    fn only_y_discards() {
        let key = |code| KeyEvent::new(code, KeyModifiers::NONE);
        assert_eq!(DiscardQuestion::answer(key(KeyCode::Char('y'))), Some(true));
        assert_eq!(DiscardQuestion::answer(key(KeyCode::Enter)), Some(false));
        assert_eq!(
            DiscardQuestion::answer(key(KeyCode::Char('n'))),
            Some(false)
        );
        assert_eq!(DiscardQuestion::answer(key(KeyCode::Char('q'))), None);
    }
}

//! The form that writes a new note or edits one: a multi-line body.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;
use ratatui_textarea::TextArea;

use crate::ghl::models::NoteInput;
use crate::tui::theme::Theme;
use crate::worker::messages::Command;

use super::dialog_block;

/// A note being written.
#[derive(Debug)]
pub struct NoteForm {
    /// The contact the note belongs to.
    pub contact_id: String,
    /// The note edited, or `None` for a new one.
    pub note_id: Option<String>,
    /// The body being typed.
    pub body: TextArea<'static>,
    /// Why the last save was refused or failed.
    pub error: Option<String>,
    /// Whether a save was sent and its answer is awaited; keys wait meanwhile, except Esc.
    pub saving: bool,
    /// The body the form opened with, to tell whether anything was typed.
    initial: String,
}

/// What a key did to the form.
#[derive(Debug, PartialEq)]
pub enum NoteOutcome {
    /// Still editing.
    Editing,
    /// Closed without saving.
    Cancelled,
    /// Save this.
    Save(Command),
}

impl NoteForm {
    /// A form for a new note, or for editing one with its current body.
    pub fn new(contact_id: String, note_id: Option<String>, body: &str) -> Self {
        let lines: Vec<String> = body.lines().map(str::to_string).collect();
        let mut area = TextArea::new(if lines.is_empty() {
            vec![String::new()]
        } else {
            lines
        });
        area.move_cursor(ratatui_textarea::CursorMove::Bottom);
        area.move_cursor(ratatui_textarea::CursorMove::End);
        // Notes are prose: long lines wrap at words, keeping the cursor in view.
        area.set_wrap_mode(ratatui_textarea::WrapMode::WordOrGlyph);
        Self {
            contact_id,
            note_id,
            body: area,
            error: None,
            saving: false,
            initial: body.lines().collect::<Vec<_>>().join("\n"),
        }
    }

    /// Takes the answer to a save: `None` when it worked, else why it failed, shown in the
    /// form with the text kept for another try.
    pub fn settle(&mut self, error: Option<String>) {
        self.saving = false;
        self.error = error;
    }

    /// Whether the body differs from what the form opened with.
    pub fn has_changes(&self) -> bool {
        self.body.lines().join("\n") != self.initial
    }

    /// Reads a key: Ctrl-S saves, Esc cancels, the rest edits the body.
    pub fn handle(&mut self, key: KeyEvent) -> NoteOutcome {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        match key.code {
            KeyCode::Esc => NoteOutcome::Cancelled,
            _ if self.saving => NoteOutcome::Editing,
            KeyCode::Char('s') if ctrl => self.save(),
            // One field: Shift-Tab has nowhere to go back to, and the editor would type spaces.
            KeyCode::BackTab => NoteOutcome::Editing,
            _ => {
                self.body.input(key);
                NoteOutcome::Editing
            }
        }
    }

    /// Inserts pasted text.
    pub fn paste(&mut self, text: &str) {
        self.body.insert_str(text);
    }

    fn save(&mut self) -> NoteOutcome {
        let body = self.body.lines().join("\n");
        if body.trim().is_empty() {
            self.error = Some("A note needs some text.".to_string());
            return NoteOutcome::Editing;
        }
        let note = NoteInput {
            body,
            ..NoteInput::default()
        };
        let contact_id = self.contact_id.clone();
        NoteOutcome::Save(match &self.note_id {
            Some(note_id) => Command::UpdateNote {
                contact_id,
                note_id: note_id.clone(),
                note,
            },
            None => Command::CreateNote { contact_id, note },
        })
    }

    /// Draws the form over `area`.
    pub fn render(&self, frame: &mut Frame, area: Rect, theme: &Theme) {
        let rect = super::centered(area, 72, 16);
        super::clear_under(frame, rect);
        let title = if self.note_id.is_some() {
            "Edit note"
        } else {
            "New note"
        };
        let block = dialog_block(title, theme);
        let inner = block.inner(rect);
        frame.render_widget(block, rect);
        let [editor, footer] = ratatui::layout::Layout::vertical([
            ratatui::layout::Constraint::Min(1),
            ratatui::layout::Constraint::Length(1),
        ])
        .areas(inner);
        frame.render_widget(&self.body, editor);
        let hint = match &self.error {
            _ if self.saving => Line::styled("Saving…   esc close", theme.dim),
            Some(error) => Line::styled(error.clone(), theme.error),
            None => Line::styled("ctrl-s save   esc cancel", theme.dim),
        };
        frame.render_widget(Paragraph::new(hint), footer);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn saves_multi_line_text_and_refuses_empty() {
        let mut form = NoteForm::new("c1".into(), None, "");
        let ctrl_s = KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL);
        assert_eq!(form.handle(ctrl_s), NoteOutcome::Editing);
        assert!(form.error.is_some());
        form.paste("first\nsecond");
        let NoteOutcome::Save(Command::CreateNote { note, .. }) = form.handle(ctrl_s) else {
            panic!("expected a create");
        };
        assert_eq!(note.body, "first\nsecond");
    }

    #[test]
    fn shift_tab_types_nothing() {
        let mut form = NoteForm::new("c1".into(), None, "");
        form.paste("text");
        let back = KeyEvent::new(KeyCode::BackTab, KeyModifiers::SHIFT);
        assert_eq!(form.handle(back), NoteOutcome::Editing);
        assert_eq!(form.body.lines().join("\n"), "text");
    }
}

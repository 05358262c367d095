//! Dialogs drawn over the panes: forms, the delete question, tag input, the palette, help and
//! messages. While one is open it takes every key.

pub mod confirm;
pub mod discard;
pub mod help;
pub mod line_input;
pub mod location_picker;
pub mod note_form;
pub mod palette;
pub mod tag_input;
pub mod task_form;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Block, BorderType, Clear, Paragraph, Wrap};

use super::theme::Theme;

pub use confirm::Confirm;
pub use discard::DiscardQuestion;
pub use help::Help;
pub use note_form::NoteForm;
pub use palette::Palette;
pub use tag_input::TagInput;
pub use task_form::TaskForm;

/// The dialog on top of the panes.
#[derive(Debug)]
pub enum Modal {
    Confirm(Confirm),
    Task(Box<TaskForm>),
    Note(Box<NoteForm>),
    Tags(TagInput),
    Palette(Palette),
    Help(Help),
    Message(Message),
    Locations(location_picker::LocationPicker),
    /// Quit over unsaved text?
    Discard(Box<DiscardQuestion>),
}

impl Modal {
    /// Whether the dialog is a task or note form holding text that was never saved.
    pub fn has_unsaved_changes(&self) -> bool {
        match self {
            Self::Task(form) => form.has_changes(),
            Self::Note(form) => form.has_changes(),
            _ => false,
        }
    }
}

/// A message that stays until a key is pressed: bulk results, errors worth reading.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// The title.
    pub title: String,
    /// The lines of text.
    pub lines: Vec<String>,
}

impl Message {
    /// Draws the message centred in `area`.
    pub fn render(&self, frame: &mut Frame, area: Rect, theme: &Theme) {
        let height = u16::try_from(self.lines.len() + 4).unwrap_or(u16::MAX);
        let rect = centered(area, 70, height);
        frame.render_widget(Clear, rect);
        let mut lines: Vec<Line> = self
            .lines
            .iter()
            .map(|l| Line::styled(l.clone(), theme.text))
            .collect();
        lines.push(Line::styled("any key closes", theme.dim));
        let body = Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(dialog_block(&self.title, theme));
        frame.render_widget(body, rect);
    }
}

/// The frame of every dialog.
pub fn dialog_block<'a>(title: &str, theme: &Theme) -> Block<'a> {
    Block::bordered()
        .border_type(BorderType::Rounded)
        .border_style(theme.border_focused)
        .title(Line::styled(format!(" {title} "), theme.title))
}

/// A rectangle of at most `width` x `height` centred in `area`.
pub fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let width = width.min(area.width);
    let height = height.min(area.height);
    Rect {
        x: area.x + (area.width - width) / 2,
        y: area.y + (area.height - height) / 2,
        width,
        height,
    }
}

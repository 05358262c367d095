//! Dialogs drawn over the panes: forms, the delete question, tag input, the palette, help and
//! messages. While one is open it takes every key.

pub mod confirm;
pub mod discard;
pub mod field_form;
pub mod help;
pub mod line_input;
pub mod location_picker;
pub mod note_form;
pub mod palette;
pub mod tag_input;
pub mod task_form;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Clear, Paragraph, Wrap};

use super::theme::Theme;

pub use confirm::Confirm;
pub use discard::DiscardQuestion;
pub use field_form::FieldForm;
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
    /// One field of a contact.
    Field(Box<FieldForm>),
    Tags(TagInput),
    Palette(Palette),
    Help(Help),
    Message(Message),
    Locations(location_picker::LocationPicker),
    /// Quit over unsaved text?
    Discard(Box<DiscardQuestion>),
}

impl Modal {
    /// Whether the dialog holds typed text that was never saved or applied: a changed task,
    /// note or field form, or tags typed but not applied.
    pub fn has_unsaved_changes(&self) -> bool {
        match self {
            Self::Task(form) => form.has_changes(),
            Self::Note(form) => form.has_changes(),
            Self::Tags(input) => !input.tags().is_empty(),
            Self::Field(form) => form.has_changes(),
            _ => false,
        }
    }
}

impl Modal {
    /// The keys the dialog takes, for the hint bar while it is open (the panes' keys do
    /// nothing then).
    pub fn hints(&self) -> &'static str {
        match self {
            Self::Confirm(_) => "y yes  n/enter/esc no",
            Self::Discard(question) if question.quit => "y discard and quit  n/enter/esc back",
            Self::Discard(_) => "y discard and close  n/enter/esc back",
            Self::Task(form) if form.saving => "saving…  esc close",
            Self::Note(form) if form.saving => "saving…  esc close",
            Self::Field(form) if form.saving => "saving…  esc close",
            Self::Task(_) => {
                "tab/shift-tab field  enter next  ctrl-u clear line  ctrl-s save  esc cancel"
            }
            Self::Note(_) => "enter new line  ctrl-s save  esc cancel",
            Self::Field(_) => "enter save  ctrl-u clear  esc cancel",
            Self::Tags(_) => "tab complete  enter apply  esc cancel",
            Self::Palette(_) => "type to search  ↑/↓ choose  enter run  esc close",
            Self::Help(_) => "type to search  ↑/↓ pgup/pgdn scroll  home/end first/last  esc close",
            Self::Message(_) => "any key closes",
            Self::Locations(_) => "type to filter  ↑/↓ choose  enter switch  esc close",
        }
    }
}

/// Clears the cells a dialog covers, so the panes do not show through it.
///
/// A double-width character drawn just left of the dialog would still spill over the dialog's
/// left border: the terminal draws both of its halves, and the cell the border took is skipped
/// as that character's second half. Such a character, cut in two by the dialog, becomes a
/// space.
pub fn clear_under(frame: &mut Frame, rect: Rect) {
    frame.render_widget(Clear, rect);
    let Some(left) = rect.x.checked_sub(1) else {
        return;
    };
    let buffer = frame.buffer_mut();
    for y in rect.top()..rect.bottom() {
        if let Some(cell) = buffer.cell_mut((left, y))
            && super::text::width(cell.symbol()) > 1
        {
            cell.set_symbol(" ");
        }
    }
}

/// How wide a message's dialog is, at most.
const MESSAGE_WIDTH: u16 = 70;

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
        // Long lines wrap: the dialog is as tall as their wrapped rows, so none is cut off.
        let inner = usize::from(area.width.min(MESSAGE_WIDTH).saturating_sub(2));
        let rows: usize = self
            .lines
            .iter()
            .map(|l| super::text::wrap(l, inner).len())
            .sum();
        let height = u16::try_from(rows + 4).unwrap_or(u16::MAX);
        let rect = centered(area, MESSAGE_WIDTH, height);
        clear_under(frame, rect);
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

/// A one-line input as a dialog shows it in `width` cells: `prompt`, the text made safe to
/// draw, a cursor. A text longer than the line shows its end, led by `…`, so the end being
/// typed and the cursor stay in view.
pub fn prompt_line(prompt: &'static str, text: &str, width: usize, theme: &Theme) -> Line<'static> {
    let room = width.saturating_sub(super::text::width(prompt) + 1);
    Line::from(vec![
        Span::styled(prompt, theme.title),
        Span::styled(super::text::tail(text, room), theme.text),
        Span::styled("▏", theme.title),
    ])
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

#[cfg(test)]
mod tests {
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;
    use ratatui::layout::Rect;
    use ratatui::widgets::{Block, Borders};

    #[test]
    fn a_wide_character_cut_by_a_dialog_does_not_hide_its_border() {
        let mut terminal = Terminal::new(TestBackend::new(12, 3)).unwrap();
        terminal
            .draw(|frame| {
                for y in 0..3 {
                    frame.buffer_mut().set_string(
                        0,
                        y,
                        "王王王王王王",
                        ratatui::style::Style::default(),
                    );
                }
                // The dialog starts on the second half of the second 王.
                let rect = Rect::new(3, 0, 6, 3);
                super::clear_under(frame, rect);
                frame.render_widget(Block::default().borders(Borders::ALL), rect);
            })
            .unwrap();
        let buffer = terminal.backend().buffer();
        for y in 0..3 {
            assert_eq!(buffer[(2, y)].symbol(), " ", "the cut 王 is blanked");
            assert_eq!(buffer[(0, y)].symbol(), "王", "a whole one stays");
            let border = buffer[(3, y)].symbol();
            assert!(["┌", "│", "└"].contains(&border), "row {y}: {border:?}");
        }
        // What the terminal is sent draws the border cell too.
        let drawn: Vec<(u16, u16)> = buffer
            .diff(&ratatui::buffer::Buffer::empty(buffer.area))
            .into_iter()
            .map(|(x, y, _)| (x, y))
            .collect();
        assert!(drawn.contains(&(3, 1)), "{drawn:?}");
    }
}

//! The tag input: one or more tags (comma separated) to add to or remove from the selected or
//! marked contacts, with completion from the tags seen in the location.

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

use crate::tui::theme::Theme;
use crate::worker::messages::Command;

use super::dialog_block;
use super::line_input::LineInput;

/// How many completions are shown.
const SHOWN: usize = 6;

/// A tag change being typed.
#[derive(Debug, Clone, PartialEq)]
pub struct TagInput {
    /// Whether the tags are added (else removed).
    pub add: bool,
    /// The contacts the change applies to.
    pub targets: Vec<String>,
    /// What is typed.
    pub input: LineInput,
    /// The tags the completion offers from.
    pub known: Vec<String>,
}

/// What a key did to the input.
#[derive(Debug, PartialEq)]
pub enum TagOutcome {
    /// Still typing.
    Editing,
    /// Closed without a change.
    Cancelled,
    /// Apply this.
    Apply(Command),
}

impl TagInput {
    /// An empty input for `targets`; removal completes from the targets' own tags.
    pub fn new(add: bool, targets: Vec<String>, known: Vec<String>) -> Self {
        Self {
            add,
            targets,
            input: LineInput::default(),
            known,
        }
    }

    /// The tag being typed (after the last comma).
    fn current(&self) -> &str {
        self.input
            .text()
            .rsplit(',')
            .next()
            .unwrap_or_default()
            .trim()
    }

    /// The known tags that start with (or else contain) what is being typed.
    pub fn completions(&self) -> Vec<&str> {
        let typed = self.current().to_lowercase();
        let mut starts: Vec<&str> = Vec::new();
        let mut contains: Vec<&str> = Vec::new();
        for tag in &self.known {
            let lower = tag.to_lowercase();
            if lower.starts_with(&typed) {
                starts.push(tag);
            } else if lower.contains(&typed) {
                contains.push(tag);
            }
        }
        starts.extend(contains);
        starts.truncate(SHOWN);
        starts
    }

    /// The tags typed, trimmed, empty ones dropped.
    pub fn tags(&self) -> Vec<String> {
        self.input
            .text()
            .split(',')
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_string)
            .collect()
    }

    /// Reads a key: Tab completes, Enter applies, Esc cancels.
    pub fn handle(&mut self, key: KeyEvent) -> TagOutcome {
        match key.code {
            KeyCode::Esc => TagOutcome::Cancelled,
            KeyCode::Tab => {
                self.complete();
                TagOutcome::Editing
            }
            KeyCode::Enter => {
                let tags = self.tags();
                if tags.is_empty() || self.targets.is_empty() {
                    return TagOutcome::Cancelled;
                }
                TagOutcome::Apply(Command::ChangeTags {
                    contact_ids: self.targets.clone(),
                    tags,
                    add: self.add,
                })
            }
            _ => {
                self.input.handle(key);
                TagOutcome::Editing
            }
        }
    }

    fn complete(&mut self) {
        let Some(first) = self.completions().first().map(|s| (*s).to_string()) else {
            return;
        };
        let text = self.input.text();
        let head = text.rfind(',').map_or("", |i| &text[..=i]);
        let spacer = if head.is_empty() { "" } else { " " };
        let completed = format!("{head}{spacer}{first}");
        self.input.set(completed);
    }

    /// Draws the input over `area`.
    pub fn render(&self, frame: &mut Frame, area: Rect, theme: &Theme) {
        let rect = super::centered(area, 60, 12);
        super::clear_under(frame, rect);
        let verb = if self.add { "Add tags" } else { "Remove tags" };
        let who = match self.targets.len() {
            1 => "1 contact".to_string(),
            n => format!("{n} contacts"),
        };
        let mut lines = vec![
            Line::styled(format!("{verb} on {who} (comma separated)"), theme.dim),
            super::prompt_line("> ", self.input.text(), usize::from(rect.width - 2), theme),
            Line::raw(""),
        ];
        for tag in self.completions() {
            lines.push(Line::styled(format!("  {tag}"), theme.tag));
        }
        lines.push(Line::styled(
            "tab complete   enter apply   esc cancel",
            theme.dim,
        ));
        let body = Paragraph::new(lines).block(dialog_block(verb, theme));
        frame.render_widget(body, rect);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::event::KeyModifiers;

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    #[test]
    fn completes_the_last_tag_and_applies_all() {
        let known = vec![
            "vip".to_string(),
            "newsletter".to_string(),
            "lead-hot".to_string(),
        ];
        let mut input = TagInput::new(true, vec!["c1".into(), "c2".into()], known);
        input.input.set("vip, new");
        input.handle(key(KeyCode::Tab));
        assert_eq!(input.input.text(), "vip, newsletter");
        let TagOutcome::Apply(Command::ChangeTags {
            contact_ids,
            tags,
            add,
        }) = input.handle(key(KeyCode::Enter))
        else {
            panic!("expected a tag change");
        };
        assert!(add);
        assert_eq!(contact_ids.len(), 2);
        assert_eq!(tags, vec!["vip", "newsletter"]);
    }
}

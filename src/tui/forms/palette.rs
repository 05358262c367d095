//! The `:` command palette: type part of an action's name or description, Enter runs it.

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
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
    rank(spec, typed).is_some()
}

/// How well what is typed names an action, higher first; `None` when a word is missing. Each
/// word scores most where a part of the id starts with it (`t` for `task.new`), less where a
/// word of the description does, least anywhere inside. Quitting ranks after every other
/// action that matches as well, so a short query and Enter never close the console by
/// surprise.
fn rank(spec: &ActionSpec, typed: &str) -> Option<(u32, bool)> {
    let id = spec.id.to_lowercase();
    let description = spec.description.to_lowercase();
    let mut score = 0;
    for word in typed.to_lowercase().split_whitespace() {
        score += if id.split(['.', '-']).any(|part| part.starts_with(word)) {
            3
        } else if description.split_whitespace().any(|w| w.starts_with(word)) {
            2
        } else if id.contains(word) || description.contains(word) {
            1
        } else {
            return None;
        };
    }
    Some((score, spec.action != Action::Quit))
}

/// How the palette names a group of actions: their word when they share it (`edit` for
/// `contact.edit`, `task.edit` and `note.edit`), else their ids; and whether that is several
/// things (a plural verb) rather than one.
fn naming(specs: &[&ActionSpec]) -> (String, bool) {
    let word = |s: &ActionSpec| s.id.rsplit('.').next().unwrap_or(s.id);
    match specs.first() {
        Some(first) if specs.iter().all(|s| word(s) == word(first)) => {
            (word(first).to_string(), false)
        }
        _ => {
            let ids: Vec<&str> = specs.iter().map(|s| s.id).collect();
            (ids.join(", "), ids.len() > 1)
        }
    }
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
        let typed = self.input.text();
        let mut ranked: Vec<_> = REGISTRY
            .iter()
            .filter(|s| s.applies_to(self.pane) && s.action != Action::Palette)
            .filter(|s| !(self.read_only && s.changes_data))
            .filter_map(|s| rank(s, typed).map(|r| (r, s)))
            .collect();
        // Stable: equal ranks keep the registry's order.
        ranked.sort_by(|(a, _), (b, _)| b.cmp(a));
        ranked.into_iter().map(|(_, s)| s).collect()
    }

    /// What the palette says when nothing is offered for what is typed: why the best matches
    /// are not offered here, all of them (`edit applies in Detail, Tasks, Notes`; `note.new,
    /// note.edit, note.delete apply in Notes`), read-only mode first (`edit is off in read-only
    /// mode`, wherever it applies), or that no command matches at all.
    pub fn no_match(&self) -> String {
        let typed = self.input.text();
        let ranked: Vec<_> = REGISTRY
            .iter()
            .filter(|s| s.action != Action::Palette)
            .filter_map(|s| rank(s, typed).map(|r| (r, s)))
            .collect();
        let Some(best) = ranked.iter().map(|(r, _)| *r).max() else {
            let typed = crate::tui::text::sanitize(typed);
            return format!("no command matches \"{typed}\"");
        };
        let top: Vec<&ActionSpec> = ranked
            .into_iter()
            .filter(|(r, _)| *r == best)
            .map(|(_, s)| s)
            .collect();
        let usable: Vec<&ActionSpec> = top
            .iter()
            .copied()
            .filter(|s| !(self.read_only && s.changes_data))
            .collect();
        let panes: Vec<&str> = Pane::ALL
            .into_iter()
            .filter(|p| *p != self.pane && usable.iter().any(|s| s.applies_to(*p)))
            .map(Pane::title)
            .collect();
        if panes.is_empty() {
            let (what, many) = naming(&top);
            let verb = if many { "are" } else { "is" };
            return format!("{what} {verb} off in read-only mode");
        }
        let (what, many) = naming(&usable);
        let verb = if many { "apply" } else { "applies" };
        format!("{what} {verb} in {}", panes.join(", "))
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
        let inner = usize::from(rect.width.saturating_sub(2));
        let mut lines = vec![super::prompt_line(": ", self.input.text(), inner, theme)];
        let room = usize::from(rect.height.saturating_sub(3));
        let start = self.selected.saturating_sub(room.saturating_sub(1));
        let entries = self.entries();
        if entries.is_empty() {
            let text = crate::tui::text::fit(&self.no_match(), 60);
            lines.push(Line::styled(text, theme.dim));
        }
        for (i, spec) in entries.iter().enumerate().skip(start).take(room) {
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

    #[test]
    fn no_match_says_why() {
        let mut palette = Palette::new(Pane::Tasks, false);
        palette.input.set("zzzz");
        assert!(palette.entries().is_empty());
        assert_eq!(palette.no_match(), "no command matches \"zzzz\"");
        palette.input.set("sort");
        assert!(
            palette.entries().is_empty(),
            "sorting is the contacts' only"
        );
        assert_eq!(palette.no_match(), "sort applies in Contacts");
        let mut palette = Palette::new(Pane::Tasks, true);
        palette.input.set("complete reopen");
        assert_eq!(palette.no_match(), "toggle is off in read-only mode");
    }

    /// `:edit` in Contacts named Detail alone though Tasks and Notes have an edit too, `:note`
    /// named one of the note actions, and in read-only mode Notes offered `edit applies in
    /// Detail`. Every pane the best matches apply in is named, read-only mode first.
    #[test]
    fn no_match_names_every_pane_and_read_only_comes_first() {
        let said = |pane, read_only, typed: &str| {
            let mut palette = Palette::new(pane, read_only);
            palette.input.set(typed);
            assert!(palette.entries().is_empty(), "{pane:?} {typed}");
            palette.no_match()
        };
        assert_eq!(
            said(Pane::Contacts, false, "edit"),
            "edit applies in Detail, Tasks, Notes"
        );
        assert_eq!(
            said(Pane::Detail, false, "note"),
            "note.new, note.edit, note.delete apply in Notes"
        );
        assert_eq!(
            said(Pane::Notes, true, "edit"),
            "edit is off in read-only mode"
        );
        assert_eq!(
            said(Pane::Contacts, true, "note"),
            "note.new, note.edit, note.delete are off in read-only mode"
        );
        assert_eq!(said(Pane::Tasks, true, "sort"), "sort applies in Contacts");
        assert_eq!(
            said(Pane::Tasks, false, "fold"),
            "raw.fold, raw.fold_all apply in Raw"
        );
    }

    #[test]
    fn a_short_query_and_enter_never_quits() {
        for pane in Pane::ALL {
            for typed in ["t", "e", "o", "th", "c"] {
                let mut palette = Palette::new(pane, false);
                palette.input.set(typed);
                let first = palette.entries().first().map(|s| s.action);
                assert_ne!(first, Some(Action::Quit), "{pane:?} {typed:?}");
            }
        }
        let mut palette = Palette::new(Pane::Tasks, false);
        palette.input.set("qu");
        assert_eq!(
            palette.entries()[0].action,
            Action::Quit,
            "asked for by name"
        );
        palette.input.set("del");
        assert_eq!(palette.entries()[0].action, Action::TaskDelete);
    }
}

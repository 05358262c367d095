//! The named styles the console draws with, in colour or, under `NO_COLOR`, in modifiers only.
//!
//! The colour theme uses only the 16 basic ANSI colours, so it looks the same on `TERM=xterm`
//! as on a true-colour terminal, and the user's terminal palette decides the exact shades.

use std::ffi::OsStr;

use ratatui::style::{Color, Modifier, Style};

/// Every style the console draws with, one field per kind of thing on screen.
///
/// Panes take the styles from here rather than naming colours, so `NO_COLOR` and any later
/// palette change reach the whole screen at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Theme {
    /// Ordinary text.
    pub text: Style,
    /// Secondary text: counts, hints inside content, placeholders.
    pub dim: Style,
    /// The highlighted row or cell under the cursor.
    pub selection: Style,
    /// The border of the pane that has the keyboard.
    pub border_focused: Style,
    /// The border of every other pane.
    pub border_unfocused: Style,
    /// Pane and modal titles.
    pub title: Style,
    /// Error messages and failed states.
    pub error: Style,
    /// Warnings: rate limits close to the cap, read-only refusals.
    pub warning: Style,
    /// Success: a saved edit, a finished sync.
    pub ok: Style,
    /// A contact tag drawn as a chip.
    pub tag: Style,
    /// A task whose due date has passed.
    pub overdue: Style,
    /// A completed task.
    pub done: Style,
    /// Object keys in the JSON view.
    pub json_key: Style,
    /// String values in the JSON view.
    pub json_string: Style,
    /// Number values in the JSON view.
    pub json_number: Style,
    /// `true` and `false` in the JSON view.
    pub json_bool: Style,
    /// `null` in the JSON view.
    pub json_null: Style,
    /// Braces, brackets, colons and commas in the JSON view.
    pub json_punct: Style,
    /// Every search match that is not the current one.
    pub search_match: Style,
    /// The search match the cursor is on.
    pub current_match: Style,
    /// The status bar along the bottom of the screen.
    pub status_bar: Style,
    /// A key name in the key-hint bar and the help screen.
    pub key_hint: Style,
}

impl Theme {
    /// Picks the theme for this process: [`Theme::plain`] when `NO_COLOR` is set to anything
    /// non-empty, [`Theme::default_colors`] otherwise.
    pub fn from_env() -> Self {
        Self::for_no_color(std::env::var_os("NO_COLOR").as_deref())
    }

    /// Picks the theme for a given value of `NO_COLOR`; the testable core of [`Theme::from_env`].
    pub fn for_no_color(no_color: Option<&OsStr>) -> Self {
        match no_color {
            Some(value) if !value.is_empty() => Self::plain(),
            _ => Self::default_colors(),
        }
    }

    /// A theme without any colour: selection, matches and emphasis use bold, reversed,
    /// underlined and dim, so everything that matters stays visible.
    pub fn plain() -> Self {
        let none = Style::new();
        Self {
            text: none,
            dim: none.add_modifier(Modifier::DIM),
            selection: none.add_modifier(Modifier::REVERSED),
            border_focused: none.add_modifier(Modifier::BOLD),
            border_unfocused: none.add_modifier(Modifier::DIM),
            title: none.add_modifier(Modifier::BOLD),
            error: none.add_modifier(Modifier::BOLD | Modifier::UNDERLINED),
            warning: none.add_modifier(Modifier::BOLD),
            ok: none,
            tag: none.add_modifier(Modifier::ITALIC),
            overdue: none.add_modifier(Modifier::BOLD),
            done: none.add_modifier(Modifier::DIM),
            json_key: none.add_modifier(Modifier::BOLD),
            json_string: none,
            json_number: none,
            json_bool: none,
            json_null: none.add_modifier(Modifier::ITALIC),
            json_punct: none.add_modifier(Modifier::DIM),
            search_match: none.add_modifier(Modifier::UNDERLINED),
            current_match: none.add_modifier(Modifier::BOLD | Modifier::UNDERLINED),
            status_bar: none.add_modifier(Modifier::REVERSED),
            key_hint: none.add_modifier(Modifier::BOLD),
        }
    }

    /// The colour theme, built from the 16 basic ANSI colours only.
    pub fn default_colors() -> Self {
        let none = Style::new();
        Self {
            text: none,
            dim: none.fg(Color::DarkGray),
            selection: none.fg(Color::Black).bg(Color::Cyan),
            border_focused: none.fg(Color::Cyan).add_modifier(Modifier::BOLD),
            border_unfocused: none.fg(Color::DarkGray),
            title: none.fg(Color::Cyan).add_modifier(Modifier::BOLD),
            error: none.fg(Color::LightRed).add_modifier(Modifier::BOLD),
            warning: none.fg(Color::Yellow),
            ok: none.fg(Color::Green),
            tag: none.fg(Color::Black).bg(Color::Blue),
            overdue: none.fg(Color::LightRed),
            done: none.fg(Color::DarkGray).add_modifier(Modifier::CROSSED_OUT),
            json_key: none.fg(Color::Blue).add_modifier(Modifier::BOLD),
            json_string: none.fg(Color::Green),
            json_number: none.fg(Color::Yellow),
            json_bool: none.fg(Color::Magenta),
            json_null: none.fg(Color::Red),
            json_punct: none.fg(Color::Gray),
            search_match: none.fg(Color::Black).bg(Color::Yellow),
            current_match: none
                .fg(Color::Black)
                .bg(Color::LightRed)
                .add_modifier(Modifier::BOLD),
            status_bar: none.fg(Color::Black).bg(Color::Gray),
            key_hint: none.fg(Color::Cyan).add_modifier(Modifier::BOLD),
        }
    }

    /// Every style of the theme, for checks that must hold across all of them.
    fn all(&self) -> [Style; 22] {
        [
            self.text,
            self.dim,
            self.selection,
            self.border_focused,
            self.border_unfocused,
            self.title,
            self.error,
            self.warning,
            self.ok,
            self.tag,
            self.overdue,
            self.done,
            self.json_key,
            self.json_string,
            self.json_number,
            self.json_bool,
            self.json_null,
            self.json_punct,
            self.search_match,
            self.current_match,
            self.status_bar,
            self.key_hint,
        ]
    }

    /// Whether any style of the theme sets a colour; false for [`Theme::plain`].
    pub fn uses_color(&self) -> bool {
        self.all()
            .iter()
            .any(|style| style.fg.is_some() || style.bg.is_some())
    }
}

impl Default for Theme {
    fn default() -> Self {
        Self::default_colors()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn is_basic(color: Option<Color>) -> bool {
        !matches!(
            color,
            Some(Color::Rgb(..) | Color::Indexed(_) | Color::Reset)
        )
    }

    #[test]
    fn no_color_set_to_anything_gives_plain() {
        assert_eq!(Theme::for_no_color(Some(OsStr::new("1"))), Theme::plain());
        assert_eq!(Theme::for_no_color(Some(OsStr::new("yes"))), Theme::plain());
    }

    #[test]
    fn no_color_unset_or_empty_gives_colours() {
        assert_eq!(Theme::for_no_color(None), Theme::default_colors());
        assert_eq!(
            Theme::for_no_color(Some(OsStr::new(""))),
            Theme::default_colors()
        );
    }

    #[test]
    fn plain_has_no_colour_but_keeps_selection_visible() {
        let plain = Theme::plain();
        assert!(!plain.uses_color());
        assert!(plain.selection.add_modifier.contains(Modifier::REVERSED));
        assert_ne!(plain.search_match, plain.text);
        assert_ne!(plain.current_match, plain.search_match);
        assert_ne!(plain.border_focused, plain.border_unfocused);
    }

    #[test]
    fn colours_are_basic_ansi_only() {
        let theme = Theme::default_colors();
        assert!(theme.uses_color());
        for style in theme.all() {
            assert!(is_basic(style.fg), "{style:?}");
            assert!(is_basic(style.bg), "{style:?}");
        }
    }

    #[test]
    fn colour_theme_tells_matches_and_selection_apart() {
        let theme = Theme::default_colors();
        assert_ne!(theme.selection.bg, theme.search_match.bg);
        assert_ne!(theme.search_match.bg, theme.current_match.bg);
    }
}

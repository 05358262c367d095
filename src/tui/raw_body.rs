//! The body of the exchange selected in the inspector: scroll, `/` search with `n`/`N` and a
//! match count, fold and unfold.
//!
//! The JSON viewer widget is being written on its own branch; until it is merged this shows the
//! pretty-printed body as lines, searches them, and cannot fold.

use crossterm::event::{KeyCode, KeyEvent};

use super::forms::line_input::LineInput;

/// The body viewer's state.
#[derive(Debug, Default)]
pub struct RawBody {
    /// The exchange shown.
    pub exchange_id: Option<u64>,
    /// The lines of the body.
    pub lines: Vec<String>,
    /// Whether keys go to the search input.
    pub searching: bool,
    /// The search typed.
    pub search: LineInput,
    /// The lines that match the search.
    pub matches: Vec<usize>,
    /// The current match.
    pub current: usize,
    /// The first line shown.
    pub top: usize,
    /// Whether the body (not the exchange list) takes the movement keys.
    focused: bool,
}

/// Pretty-prints a JSON body; other text is kept as it is.
pub fn pretty(body: &str) -> String {
    serde_json::from_str::<serde_json::Value>(body)
        .ok()
        .and_then(|v| serde_json::to_string_pretty(&v).ok())
        .unwrap_or_else(|| body.to_string())
}

impl RawBody {
    /// Shows a body, keeping the position when it is the same exchange.
    pub fn show(&mut self, exchange_id: u64, body: &str) {
        if self.exchange_id == Some(exchange_id) {
            return;
        }
        self.exchange_id = Some(exchange_id);
        self.lines = pretty(body).lines().map(str::to_string).collect();
        self.top = 0;
        self.refresh_matches();
    }

    /// Whether movement keys scroll the body.
    pub fn has_focus(&self) -> bool {
        self.focused
    }

    /// Moves the movement keys between the list and the body.
    pub fn toggle_focus(&mut self) {
        self.focused = !self.focused;
    }

    /// Scrolls the body.
    pub fn scroll(&mut self, delta: isize) {
        let last = self.lines.len().saturating_sub(1);
        self.top = self.top.saturating_add_signed(delta).min(last);
    }

    /// Opens the search input.
    pub fn start_search(&mut self) {
        self.searching = true;
        self.focused = true;
    }

    /// A key typed into the search: Enter keeps the search, Esc drops it.
    pub fn search_key(&mut self, key: KeyEvent) {
        match key.code {
            KeyCode::Enter => self.searching = false,
            KeyCode::Esc => {
                self.searching = false;
                self.search.set("");
            }
            _ => {
                self.search.handle(key);
            }
        }
        self.refresh_matches();
        self.jump();
    }

    fn refresh_matches(&mut self) {
        let needle = self.search.text().to_lowercase();
        self.current = 0;
        self.matches = if needle.is_empty() {
            Vec::new()
        } else {
            let hit = |(i, l): (usize, &String)| l.to_lowercase().contains(&needle).then_some(i);
            self.lines.iter().enumerate().filter_map(hit).collect()
        };
    }

    fn jump(&mut self) {
        if let Some(line) = self.matches.get(self.current) {
            self.top = line.saturating_sub(3);
        }
    }

    /// Goes to the next (or previous) match.
    pub fn next_match(&mut self, forward: bool) {
        let count = self.matches.len();
        if count == 0 {
            return;
        }
        self.current = if forward {
            (self.current + 1) % count
        } else {
            (self.current + count - 1) % count
        };
        self.jump();
    }

    /// Folds or unfolds the node at the top line (needs the JSON viewer).
    pub fn toggle_fold(&mut self) {}

    /// Folds or unfolds everything (needs the JSON viewer).
    pub fn toggle_fold_all(&mut self) {}

    /// "3/12" for the search, or nothing.
    pub fn match_count(&self) -> Option<String> {
        if self.search.text().is_empty() {
            return None;
        }
        let at = if self.matches.is_empty() {
            0
        } else {
            self.current + 1
        };
        Some(format!("{at}/{}", self.matches.len()))
    }
}

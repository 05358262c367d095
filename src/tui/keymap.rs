//! Key strings ("ctrl-r", "S", "enter") and the map from keys to actions, built from the
//! registry's defaults and the config's remapping.

use std::collections::HashMap;
use std::fmt;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::actions::{Action, ActionSpec, REGISTRY, Scope, by_id};
use super::app::Pane;

/// One key with its modifiers, normalised so a typed key and a parsed key string compare equal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key {
    /// The key itself.
    pub code: KeyCode,
    /// Ctrl and Alt only: Shift is part of the character or of `BackTab`.
    pub modifiers: KeyModifiers,
}

impl Key {
    /// A key without modifiers.
    pub const fn plain(code: KeyCode) -> Self {
        Self {
            code,
            modifiers: KeyModifiers::NONE,
        }
    }

    /// Normalises a terminal key event.
    pub fn from_event(event: KeyEvent) -> Self {
        let mut modifiers = event.modifiers & (KeyModifiers::CONTROL | KeyModifiers::ALT);
        let code = match event.code {
            KeyCode::Tab if event.modifiers.contains(KeyModifiers::SHIFT) => KeyCode::BackTab,
            KeyCode::Char(c) if modifiers.contains(KeyModifiers::CONTROL) => {
                KeyCode::Char(c.to_ascii_lowercase())
            }
            other => other,
        };
        if code == KeyCode::BackTab {
            modifiers = KeyModifiers::NONE;
        }
        Self { code, modifiers }
    }

    /// Parses a key string: `ctrl-r`, `alt-x`, `S`, `?`, `enter`, `shift-tab`, `f1`, `space`.
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut modifiers = KeyModifiers::NONE;
        let mut rest = text;
        loop {
            let lower = rest.to_ascii_lowercase();
            if rest.len() > 1 && lower.starts_with("ctrl-") {
                modifiers |= KeyModifiers::CONTROL;
                rest = &rest[5..];
            } else if rest.len() > 1 && lower.starts_with("alt-") {
                modifiers |= KeyModifiers::ALT;
                rest = &rest[4..];
            } else {
                break;
            }
        }
        let code = parse_code(rest).ok_or_else(|| format!("unknown key \"{text}\""))?;
        let event = KeyEvent::new(code, modifiers);
        Ok(Self::from_event(event))
    }
}

fn parse_code(name: &str) -> Option<KeyCode> {
    let mut chars = name.chars();
    if let (Some(c), None) = (chars.next(), chars.clone().next()) {
        return Some(KeyCode::Char(c));
    }
    let code = match name.to_ascii_lowercase().as_str() {
        "enter" | "return" => KeyCode::Enter,
        "esc" | "escape" => KeyCode::Esc,
        "tab" => KeyCode::Tab,
        "shift-tab" | "backtab" => KeyCode::BackTab,
        "space" => KeyCode::Char(' '),
        "backspace" => KeyCode::Backspace,
        "delete" | "del" => KeyCode::Delete,
        "insert" | "ins" => KeyCode::Insert,
        "up" => KeyCode::Up,
        "down" => KeyCode::Down,
        "left" => KeyCode::Left,
        "right" => KeyCode::Right,
        "home" => KeyCode::Home,
        "end" => KeyCode::End,
        "pgup" | "pageup" => KeyCode::PageUp,
        "pgdn" | "pagedown" => KeyCode::PageDown,
        other => {
            let number = other.strip_prefix('f')?.parse::<u8>().ok()?;
            return (1..=12).contains(&number).then_some(KeyCode::F(number));
        }
    };
    Some(code)
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.modifiers.contains(KeyModifiers::CONTROL) {
            f.write_str("ctrl-")?;
        }
        if self.modifiers.contains(KeyModifiers::ALT) {
            f.write_str("alt-")?;
        }
        match self.code {
            KeyCode::Char(' ') => f.write_str("space"),
            KeyCode::Char(c) => write!(f, "{c}"),
            KeyCode::Enter => f.write_str("enter"),
            KeyCode::Esc => f.write_str("esc"),
            KeyCode::Tab => f.write_str("tab"),
            KeyCode::BackTab => f.write_str("shift-tab"),
            KeyCode::Up => f.write_str("↑"),
            KeyCode::Down => f.write_str("↓"),
            KeyCode::Left => f.write_str("←"),
            KeyCode::Right => f.write_str("→"),
            KeyCode::PageUp => f.write_str("pgup"),
            KeyCode::PageDown => f.write_str("pgdn"),
            KeyCode::F(n) => write!(f, "f{n}"),
            other => write!(f, "{other:?}"),
        }
    }
}

/// The keys of every action, after remapping.
#[derive(Debug, Clone)]
pub struct Keymap {
    keys: HashMap<Action, Vec<Key>>,
}

impl Default for Keymap {
    fn default() -> Self {
        Self::new(&HashMap::new()).0
    }
}

impl Keymap {
    /// Builds the map from the registry's defaults, replacing the keys of every action the
    /// remapping names. A remapped key that another action uses where both apply moves to the
    /// remapped action (the other loses it), so no key means two things. Returns the problems
    /// found: unknown action ids, unreadable keys and such moved keys.
    pub fn new(remap: &HashMap<String, Vec<String>>) -> (Self, Vec<String>) {
        let (map, problems) = Self::build(remap);
        (map, problems.into_iter().map(|p| p.message).collect())
    }

    /// [`Keymap::new`] with each problem tagged with the remapped action id it comes from and
    /// its severity.
    fn build(remap: &HashMap<String, Vec<String>>) -> (Self, Vec<KeyProblem>) {
        let mut defaults = Vec::new();
        let mut keys: HashMap<Action, Vec<Key>> = REGISTRY
            .iter()
            .map(|spec| (spec.action, parse_all(spec.default_keys, &mut defaults)))
            .collect();
        let mut problems: Vec<KeyProblem> = defaults
            .into_iter()
            .map(|message| KeyProblem {
                action: None,
                message,
                severity: Severity::Error,
            })
            .collect();
        let mut ids: Vec<&String> = remap.keys().collect();
        ids.sort();
        // First every remapped action gets its keys, so a key is judged against what the
        // whole remapping makes of the others, not against defaults it also replaces.
        let mut remapped: Vec<(&'static ActionSpec, &String, Vec<Key>)> = Vec::new();
        for id in ids {
            let mut errors = Vec::new();
            match by_id(id) {
                Some(spec) => {
                    let strings: Vec<&str> = remap[id].iter().map(String::as_str).collect();
                    let mut parsed = parse_all(&strings, &mut errors);
                    let mut seen = Vec::new();
                    parsed.retain(|key| {
                        let first = !seen.contains(key);
                        seen.push(*key);
                        first
                    });
                    keys.insert(spec.action, parsed.clone());
                    remapped.push((spec, id, parsed));
                }
                None => errors.push(format!("unknown action \"{id}\" in key remapping")),
            }
            problems.extend(errors.into_iter().map(|message| KeyProblem {
                action: Some(id.clone()),
                message,
                severity: Severity::Error,
            }));
        }
        for (at, (spec, id, wanted)) in remapped.iter().enumerate() {
            let mut found = Vec::new();
            take_keys(
                &mut keys,
                spec,
                wanted,
                &remapped[..at],
                &remapped,
                &mut found,
            );
            problems.extend(found.into_iter().map(|(message, severity)| KeyProblem {
                action: Some((*id).clone()),
                message,
                severity,
            }));
        }
        (Self { keys }, problems)
    }

    /// The action a key triggers in a pane: an action of that pane wins over a global one.
    pub fn lookup(&self, pane: Pane, key: Key) -> Option<Action> {
        let bound =
            |spec: &&ActionSpec| spec.applies_to(pane) && self.keys_of(spec.action).contains(&key);
        let candidates: Vec<&ActionSpec> = REGISTRY.iter().filter(bound).collect();
        candidates
            .iter()
            .find(|s| s.scope != Scope::Global)
            .or_else(|| candidates.first())
            .map(|s| s.action)
    }

    /// The keys bound to an action.
    pub fn keys_of(&self, action: Action) -> &[Key] {
        self.keys.get(&action).map_or(&[], Vec::as_slice)
    }

    /// How to ask for an action, for a message that names it: its first key (`s`), or its
    /// palette entry (`:sync.run`) when the remapping left it no key.
    pub fn how(&self, action: Action) -> String {
        match self.keys_of(action).first() {
            Some(key) => key.to_string(),
            None => format!(":{}", super::actions::spec_of(action).id),
        }
    }

    /// The keys of an action as text, for help and hints: `j/↓`.
    pub fn label(&self, action: Action) -> String {
        let keys: Vec<String> = self.keys_of(action).iter().map(Key::to_string).collect();
        keys.join("/")
    }
}

/// A problem in a `[ui.keys]` remapping, with the action id whose entry has it (`None` for a
/// default binding), so `config check` can name its line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyProblem {
    /// The action id as written in `[ui.keys]`.
    pub action: Option<String>,
    /// What is wrong.
    pub message: String,
    /// Whether the console can apply the entry anyway.
    pub severity: Severity,
}

/// How much a [`KeyProblem`] matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    /// The entry cannot be applied as written: an unknown action id, a key that does not parse.
    Error,
    /// The entry is applied, a rule settling what it meant: a key taken from another action
    /// that had it, which no longer does.
    Warning,
}

/// [`validate_keys`] with each problem's action id.
#[expect(
    clippy::implicit_hasher,
    reason = "the same map type as the config's [ui.keys] and Keymap::new"
)]
pub fn key_problems(keys: &HashMap<String, Vec<String>>) -> Vec<KeyProblem> {
    Keymap::build(keys).1
}

/// Checks a `[ui.keys]` remapping without building a console: unknown action ids, unreadable
/// key strings and keys that collide with another action's, one message each.
#[expect(
    clippy::implicit_hasher,
    reason = "the same map type as the config's [ui.keys] and Keymap::new"
)]
pub fn validate_keys(keys: &HashMap<String, Vec<String>>) -> Vec<String> {
    Keymap::new(keys).1
}

/// Whether two actions can be asked for in the same pane.
fn overlaps(a: Scope, b: Scope) -> bool {
    match (a, b) {
        (Scope::Global, _) | (_, Scope::Global) => true,
        (Scope::Panes(a), Scope::Panes(b)) => a.iter().any(|pane| b.contains(pane)),
    }
}

/// Settles the keys `spec` was remapped to against every other action that applies where it
/// does. A key an action has by default moves to `spec` (a warning: the rule settles it). A key
/// two remapped actions were both given is an error, reported once, by the later of the two
/// (`earlier` are the remapped actions before `spec`; `all` every remapped one).
fn take_keys(
    keys: &mut HashMap<Action, Vec<Key>>,
    spec: &ActionSpec,
    wanted: &[Key],
    earlier: &[(&'static ActionSpec, &String, Vec<Key>)],
    all: &[(&'static ActionSpec, &String, Vec<Key>)],
    found: &mut Vec<(String, Severity)>,
) {
    for other in REGISTRY {
        if other.action == spec.action || !overlaps(spec.scope, other.scope) {
            continue;
        }
        let chosen = all.iter().any(|(s, _, _)| s.action == other.action);
        let reported = earlier.iter().any(|(s, _, _)| s.action == other.action);
        let Some(bound) = keys.get_mut(&other.action) else {
            continue;
        };
        for key in wanted.iter().filter(|key| bound.contains(key)) {
            if !chosen {
                found.push((
                    format!(
                        "key \"{key}\" of \"{}\" was also bound to \"{}\"; it now does only \"{}\"",
                        spec.id, other.id, spec.id
                    ),
                    Severity::Warning,
                ));
            } else if reported {
                found.push((
                    format!(
                        "key \"{key}\" is given to both \"{}\" and \"{}\", which apply in the same pane; give it to one",
                        other.id, spec.id
                    ),
                    Severity::Error,
                ));
            }
        }
        if !chosen {
            bound.retain(|key| !wanted.contains(key));
        }
    }
}

fn parse_all(strings: &[&str], problems: &mut Vec<String>) -> Vec<Key> {
    strings
        .iter()
        .filter_map(|s| Key::parse(s).map_err(|e| problems.push(e)).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_key_strings() {
        let ctrl_r = Key::parse("ctrl-r").unwrap();
        assert_eq!(ctrl_r.code, KeyCode::Char('r'));
        assert_eq!(ctrl_r.modifiers, KeyModifiers::CONTROL);
        assert_eq!(Key::parse("S").unwrap(), Key::plain(KeyCode::Char('S')));
        assert_eq!(Key::parse("enter").unwrap(), Key::plain(KeyCode::Enter));
        assert_eq!(
            Key::parse("shift-tab").unwrap(),
            Key::plain(KeyCode::BackTab)
        );
        assert_eq!(Key::parse("f5").unwrap(), Key::plain(KeyCode::F(5)));
        assert_eq!(Key::parse("-").unwrap(), Key::plain(KeyCode::Char('-')));
        assert!(Key::parse("hyper-x").is_err());
        assert!(Key::parse("f13").is_err());
    }

    #[test]
    fn typed_keys_match_parsed_ones() {
        let typed = KeyEvent::new(KeyCode::Char('G'), KeyModifiers::SHIFT);
        assert_eq!(Key::from_event(typed), Key::parse("G").unwrap());
        let backtab = KeyEvent::new(KeyCode::BackTab, KeyModifiers::SHIFT);
        assert_eq!(Key::from_event(backtab), Key::parse("shift-tab").unwrap());
    }

    #[test]
    fn pane_actions_win_and_remapping_replaces_defaults() {
        let map = Keymap::default();
        let n = Key::parse("n").unwrap();
        assert_eq!(map.lookup(Pane::Tasks, n), Some(Action::TaskNew));
        assert_eq!(map.lookup(Pane::Inspector, n), Some(Action::NextMatch));
        assert_eq!(map.lookup(Pane::Log, n), None);

        let remap = HashMap::from([
            ("task.toggle".to_string(), vec!["ctrl-t".to_string()]),
            ("nope".to_string(), vec!["z".to_string()]),
        ]);
        let (map, problems) = Keymap::new(&remap);
        assert_eq!(problems.len(), 1);
        let x = Key::parse("x").unwrap();
        assert_eq!(map.lookup(Pane::Tasks, x), None);
        let ctrl_t = Key::parse("ctrl-t").unwrap();
        assert_eq!(map.lookup(Pane::Tasks, ctrl_t), Some(Action::TaskToggle));
    }

    #[test]
    fn a_remap_takes_its_key_from_the_action_that_had_it() {
        let remap = HashMap::from([("quit".to_string(), vec!["j".to_string()])]);
        let (map, problems) = Keymap::new(&remap);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].contains("move.down"), "{problems:?}");
        let j = Key::parse("j").unwrap();
        assert_eq!(map.lookup(Pane::Contacts, j), Some(Action::Quit));
        assert_eq!(map.label(Action::Down), "↓");
        assert_eq!(map.label(Action::Quit), "j");
    }

    #[test]
    fn keys_of_other_panes_do_not_collide() {
        let remap = HashMap::from([("task.toggle".to_string(), vec!["e".to_string()])]);
        let (map, problems) = Keymap::new(&remap);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].contains("task.edit"));
        let e = Key::parse("e").unwrap();
        assert_eq!(map.lookup(Pane::Notes, e), Some(Action::NoteEdit));
        assert_eq!(map.lookup(Pane::Tasks, e), Some(Action::TaskToggle));
    }

    #[test]
    fn validate_keys_reports_every_problem() {
        assert!(validate_keys(&HashMap::new()).is_empty());
        let keys = HashMap::from([
            ("help".to_string(), vec!["ctrl-zz".to_string()]),
            ("no.such".to_string(), vec!["z".to_string()]),
            ("yank".to_string(), vec!["q".to_string()]),
        ]);
        let problems = validate_keys(&keys);
        assert_eq!(problems.len(), 3, "{problems:?}");
        assert!(problems.iter().any(|p| p.contains("ctrl-zz")));
        assert!(problems.iter().any(|p| p.contains("no.such")));
        assert!(problems.iter().any(|p| p.contains("\"quit\"")));
    }

    #[test]
    fn each_problem_names_the_action_it_comes_from() {
        let keys = HashMap::from([
            ("nope.action".to_string(), vec!["x".to_string()]),
            ("quit".to_string(), vec!["ctrl-zz".to_string()]),
        ]);
        let problems = key_problems(&keys);
        let tagged: Vec<(Option<&str>, bool)> = problems
            .iter()
            .map(|p| (p.action.as_deref(), p.message.contains("unknown")))
            .collect();
        assert_eq!(tagged, [(Some("nope.action"), true), (Some("quit"), true)]);
        let messages: Vec<String> = problems.into_iter().map(|p| p.message).collect();
        assert_eq!(messages, validate_keys(&keys));
    }

    #[test]
    fn a_key_taken_from_another_action_is_a_warning_and_the_rest_are_errors() {
        let keys = HashMap::from([
            ("task.new".to_string(), vec!["q".to_string()]),
            ("help".to_string(), vec!["notakey+++".to_string()]),
            ("no.such".to_string(), vec!["z".to_string()]),
        ]);
        let problems = key_problems(&keys);
        let severities: Vec<(Option<&str>, Severity)> = problems
            .iter()
            .map(|p| (p.action.as_deref(), p.severity))
            .collect();
        assert_eq!(
            severities,
            [
                (Some("help"), Severity::Error),
                (Some("no.such"), Severity::Error),
                (Some("task.new"), Severity::Warning),
            ]
        );
        assert!(problems[2].message.contains("\"quit\""), "{problems:?}");
    }

    /// A remapping is judged as a whole: a key whose default owner is itself remapped away is
    /// no conflict, a key listed twice counts once, and one key given to two remapped actions
    /// that share a pane is an error (said once), not a silent loss of one of them.
    #[test]
    fn a_remapping_is_judged_as_a_whole() {
        let keys = HashMap::from([
            ("task.toggle".to_string(), vec!["z".to_string()]),
            ("task.edit".to_string(), vec!["z".to_string()]),
            (
                "task.new".to_string(),
                vec!["x".to_string(), "x".to_string()],
            ),
        ]);
        let problems = key_problems(&keys);
        let said: Vec<(Option<&str>, Severity, &str)> = problems
            .iter()
            .map(|p| (p.action.as_deref(), p.severity, p.message.as_str()))
            .collect();
        assert_eq!(
            said,
            [(
                Some("task.toggle"),
                Severity::Error,
                "key \"z\" is given to both \"task.edit\" and \"task.toggle\", which apply \
                 in the same pane; give it to one"
            )],
            "{problems:?}"
        );
        let (map, _) = Keymap::new(&keys);
        let x = Key::parse("x").unwrap();
        assert_eq!(map.keys_of(Action::TaskNew), [x]);
    }
}

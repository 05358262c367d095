//! The form that edits one field of a contact from the Detail pane: a standard field the
//! update endpoint accepts, or a custom field written typed by its definition (C22). Saving
//! sends only that field (C03); tags are never edited here (C20).

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Wrap};
use serde_json::Value;

use crate::ghl::directory::{FieldKind, typed_value};
use crate::ghl::models::{Contact, ContactUpdate, CustomFieldValue};
use crate::tui::theme::Theme;
use crate::worker::messages::Command;

use super::dialog_block;
use super::line_input::LineInput;

/// A standard contact field the update endpoint (`UpdateContactDto`) accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StandardField {
    FirstName,
    LastName,
    Email,
    Phone,
    Source,
    Timezone,
}

impl StandardField {
    fn slot(self, contact: &mut Contact) -> &mut Option<String> {
        match self {
            Self::FirstName => &mut contact.first_name,
            Self::LastName => &mut contact.last_name,
            Self::Email => &mut contact.email,
            Self::Phone => &mut contact.phone,
            Self::Source => &mut contact.source,
            Self::Timezone => &mut contact.timezone,
        }
    }
}

/// What a Detail row edits.
#[derive(Debug, Clone, PartialEq)]
pub enum FieldTarget {
    /// A standard field.
    Standard(StandardField),
    /// A custom field by id; `kind` is `None` when the location has no definition for it, and
    /// the value is then edited as text. `options` are the values a pick-list field takes
    /// (empty for a free-form one): what is typed must be among them.
    Custom {
        id: String,
        kind: Option<FieldKind>,
        options: Vec<String>,
    },
}

/// One field of a contact being edited.
#[derive(Debug)]
pub struct FieldForm {
    /// The contact as it was when the form opened.
    pub contact: Box<Contact>,
    /// The row's label, used in the title and in messages.
    pub label: String,
    /// The field edited.
    pub target: FieldTarget,
    /// The value being typed.
    pub input: LineInput,
    /// Why the last save was refused or failed.
    pub error: Option<String>,
    /// Whether a save was sent and its answer is awaited; keys wait meanwhile, except Esc.
    pub saving: bool,
    initial: String,
}

/// What a key did to the form.
#[derive(Debug, PartialEq)]
pub enum FieldOutcome {
    /// Still editing.
    Editing,
    /// Closed without saving.
    Cancelled,
    /// Nothing was changed, so nothing is sent.
    Unchanged,
    /// Save this.
    Save(Command),
}

/// A custom field value as one line of text: lists joined with commas, whole numbers without
/// a fraction however they are stored (`1e5` typed is kept as `100000.0`, shown `100000`, as
/// `42` is shown `42`).
pub fn value_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        Value::Number(number) => number_text(number),
        Value::Array(items) => items
            .iter()
            .map(|v| match v {
                Value::String(s) => s.clone(),
                other => value_text(other),
            })
            .collect::<Vec<_>>()
            .join(", "),
        other => other.to_string(),
    }
}

/// The largest whole number a double holds exactly, past which a float is shown as stored.
const EXACT_WHOLE: f64 = 9_007_199_254_740_992.0;

/// A number as typed back: a whole float without `.0`, anything else as JSON writes it.
fn number_text(number: &serde_json::Number) -> String {
    match number.as_f64() {
        Some(float)
            if !number.is_i64()
                && !number.is_u64()
                && float.fract() == 0.0
                && float.abs() < EXACT_WHOLE =>
        {
            format!("{float:.0}")
        }
        _ => number.to_string(),
    }
}

/// Checks a pick-list value against its field's options and spells each as the option does
/// (`gold` becomes `Gold`); a value outside them is refused, naming the options. Free-form
/// fields (no options) and cleared values pass as they are.
fn picked(value: Value, options: &[String]) -> Result<Value, String> {
    if options.is_empty() {
        return Ok(value);
    }
    let pick = |typed: &str| {
        options
            .iter()
            .find(|o| o.as_str() == typed)
            .or_else(|| options.iter().find(|o| o.eq_ignore_ascii_case(typed)))
            .or_else(|| {
                options
                    .iter()
                    .find(|o| o.to_lowercase() == typed.to_lowercase())
            })
            .cloned()
            .ok_or_else(|| format!("{typed:?} is not an option ({})", options.join(", ")))
    };
    match value {
        Value::Array(items) => {
            // `golf, Golf` are one option: each is kept once, where it first stood.
            let mut picked: Vec<String> = Vec::new();
            for item in &items {
                let option = pick(item.as_str().unwrap_or_default())?;
                if !picked.contains(&option) {
                    picked.push(option);
                }
            }
            Ok(Value::from(picked))
        }
        Value::String(text) if text.trim().is_empty() => Ok(Value::String(text)),
        Value::String(text) => pick(text.trim()).map(Value::from),
        other => Ok(other),
    }
}

/// A time zone as GHL names them, the IANA name (`America/New_York`), spelt as the database
/// spells it whatever case was typed; anything else is refused. Empty clears it.
fn time_zone(text: &str) -> Result<String, String> {
    let typed = text.trim();
    if typed.is_empty() {
        return Ok(String::new());
    }
    chrono_tz::TZ_VARIANTS
        .iter()
        .map(|zone| zone.name())
        .find(|name| name.eq_ignore_ascii_case(typed))
        .map(str::to_string)
        .ok_or_else(|| format!("Timezone: {typed:?} is not a time zone name like Europe/Berlin"))
}

impl FieldForm {
    /// A form for `target` of `contact`, holding its current value.
    pub fn new(contact: Box<Contact>, label: String, target: FieldTarget) -> Self {
        let current = match &target {
            FieldTarget::Standard(field) => {
                let mut copy = (*contact).clone();
                field.slot(&mut copy).clone().unwrap_or_default()
            }
            FieldTarget::Custom { id, .. } => contact
                .custom_fields
                .iter()
                .find(|f| &f.id == id)
                .map(|f| value_text(&f.value))
                .unwrap_or_default(),
        };
        Self {
            contact,
            label,
            target,
            input: LineInput::with_text(current.clone()),
            error: None,
            saving: false,
            initial: current,
        }
    }

    /// Whether the value differs from what the form opened with.
    pub fn has_changes(&self) -> bool {
        self.input.text() != self.initial
    }

    /// Takes the answer to a save: `None` when it worked, else why it failed.
    pub fn settle(&mut self, error: Option<String>) {
        self.saving = false;
        self.error = error;
    }

    /// Reads a key: Enter saves, Esc cancels, the rest edits the value.
    pub fn handle(&mut self, key: KeyEvent) -> FieldOutcome {
        match key.code {
            KeyCode::Esc => FieldOutcome::Cancelled,
            _ if self.saving => FieldOutcome::Editing,
            KeyCode::Enter => self.save(),
            _ => {
                self.input.handle(key);
                FieldOutcome::Editing
            }
        }
    }

    fn save(&mut self) -> FieldOutcome {
        match self.update() {
            Ok(update) if update.is_empty() => FieldOutcome::Unchanged,
            Ok(update) => FieldOutcome::Save(Command::UpdateContact {
                contact_id: self.contact.id.clone(),
                update: Box::new(update),
            }),
            Err(error) => {
                self.error = Some(error);
                FieldOutcome::Editing
            }
        }
    }

    /// The update that carries only this field's new value.
    fn update(&self) -> Result<ContactUpdate, String> {
        let mut edited = (*self.contact).clone();
        let text = self.input.text();
        match &self.target {
            FieldTarget::Standard(field) => {
                let slot = field.slot(&mut edited);
                if slot.as_deref().unwrap_or_default() == text {
                    return Ok(ContactUpdate::default());
                }
                let text = match field {
                    StandardField::Timezone => time_zone(text)?,
                    _ => text.to_string(),
                };
                *slot = Some(text);
            }
            FieldTarget::Custom { id, kind, options } => {
                if !self.has_changes() {
                    return Ok(ContactUpdate::default());
                }
                let value = typed_value(*kind, text)
                    .and_then(|value| picked(value, options))
                    .map_err(|e| format!("{}: {e}", self.label))?;
                match edited.custom_fields.iter_mut().find(|f| &f.id == id) {
                    Some(field) => field.value = value,
                    None => edited.custom_fields.push(CustomFieldValue {
                        id: id.clone(),
                        value,
                        ..CustomFieldValue::default()
                    }),
                }
            }
        }
        Ok(ContactUpdate::changes(&self.contact, &edited))
    }

    fn hint(&self) -> String {
        let choices = |options: &[String]| crate::tui::text::fit(&options.join(", "), 100);
        match &self.target {
            FieldTarget::Custom {
                kind: Some(FieldKind::Number),
                ..
            } => "a number; empty clears it".to_string(),
            FieldTarget::Custom {
                kind: Some(FieldKind::List),
                options,
                ..
            } if !options.is_empty() => format!(
                "any of: {}; comma separated, empty clears them",
                choices(options).trim_end()
            ),
            FieldTarget::Custom {
                kind: Some(FieldKind::List),
                ..
            } => "options, comma separated; empty clears them".to_string(),
            FieldTarget::Custom { options, .. } if !options.is_empty() => {
                format!("one of: {}; empty clears it", choices(options).trim_end())
            }
            FieldTarget::Custom { kind: None, .. } => "unknown field: saved as text".to_string(),
            FieldTarget::Standard(StandardField::Timezone) => {
                "a time zone name like America/New_York; empty clears it".to_string()
            }
            _ => "text; empty clears it".to_string(),
        }
    }

    /// Draws the form over `area`.
    pub fn render(&self, frame: &mut Frame, area: Rect, theme: &Theme) {
        let rect = super::centered(area, 64, 8);
        super::clear_under(frame, rect);
        let title = format!("Edit {}", crate::tui::text::fit(&self.label, 40).trim_end());
        let footer = match &self.error {
            _ if self.saving => Line::styled("Saving…   esc close", theme.dim),
            Some(error) => Line::styled(error.clone(), theme.error),
            None => Line::styled("enter save   ctrl-u clear   esc cancel", theme.dim),
        };
        let lines = vec![
            Line::styled(self.hint(), theme.dim),
            // The value wraps onto more lines rather than showing only its end: all of a value
            // being edited stays readable.
            super::prompt_line("> ", self.input.text(), usize::MAX, theme),
            Line::raw(""),
            footer,
        ];
        let body = Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(dialog_block(&title, theme));
        frame.render_widget(body, rect);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::event::KeyModifiers;
    use serde_json::json;

    fn contact() -> Box<Contact> {
        Box::new(
            serde_json::from_value(json!({
                "id": "c1", "firstName": "Ada", "lastName": "Lovelace",
                "tags": ["vip"], "additionalEmails": ["a@b.c"],
                "customFields": [{"id": "num", "value": 12.5}, {"id": "zzz", "value": "x"}]
            }))
            .unwrap(),
        )
    }

    fn type_in(form: &mut FieldForm, text: &str) -> FieldOutcome {
        form.input.set(text);
        form.handle(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE))
    }

    fn body(outcome: FieldOutcome) -> Value {
        let FieldOutcome::Save(Command::UpdateContact { update, .. }) = outcome else {
            panic!("expected an update, got {outcome:?}");
        };
        serde_json::to_value(update).unwrap()
    }

    #[test]
    fn a_name_edit_sends_only_that_name() {
        let target = FieldTarget::Standard(StandardField::LastName);
        let mut form = FieldForm::new(contact(), "Last name".into(), target);
        assert_eq!(form.input.text(), "Lovelace");
        assert_eq!(
            body(type_in(&mut form, "Byron")),
            json!({"lastName": "Byron"})
        );
        assert_eq!(type_in(&mut form, "Lovelace"), FieldOutcome::Unchanged);
    }

    #[test]
    fn a_numeric_field_is_sent_as_a_number_and_refuses_text() {
        let target = FieldTarget::Custom {
            id: "num".into(),
            kind: Some(FieldKind::Number),
            options: Vec::new(),
        };
        let mut form = FieldForm::new(contact(), "Lifetime value".into(), target);
        assert_eq!(form.input.text(), "12.5");
        assert_eq!(
            body(type_in(&mut form, "40")),
            json!({"customFields": [{"id": "num", "field_value": 40}]})
        );
        assert_eq!(type_in(&mut form, "forty"), FieldOutcome::Editing);
        assert!(form.error.as_deref().unwrap().contains("not a number"));
    }

    #[test]
    fn an_unknown_field_edits_as_text() {
        let target = FieldTarget::Custom {
            id: "zzz".into(),
            kind: None,
            options: Vec::new(),
        };
        let mut form = FieldForm::new(contact(), "Unknown field".into(), target);
        assert_eq!(
            body(type_in(&mut form, "42")),
            json!({"customFields": [{"id": "zzz", "field_value": "42"}]})
        );
    }

    /// A pick-list field takes only its options, spelt as the definition spells them, and the
    /// form says which they are.
    #[test]
    fn a_pick_list_takes_only_its_options() {
        let options = vec!["Gold".to_string(), "Silver".to_string()];
        let multi = FieldTarget::Custom {
            id: "tier".into(),
            kind: Some(FieldKind::List),
            options: options.clone(),
        };
        let mut form = FieldForm::new(contact(), "Tier".into(), multi);
        assert!(form.hint().contains("Gold, Silver"), "{}", form.hint());
        assert_eq!(
            body(type_in(&mut form, "gold, Silver, Gold,gold")),
            json!({"customFields": [{"id": "tier", "field_value": ["Gold", "Silver"]}]})
        );
        assert_eq!(type_in(&mut form, "Gold, Bronze"), FieldOutcome::Editing);
        let error = form.error.clone().unwrap();
        assert!(
            error.contains("\"Bronze\" is not an option (Gold, Silver)"),
            "{error}"
        );
        let single = FieldTarget::Custom {
            id: "tier".into(),
            kind: Some(FieldKind::Text),
            options,
        };
        let mut form = FieldForm::new(contact(), "Tier".into(), single);
        assert!(form.hint().starts_with("one of: Gold, Silver"));
        assert_eq!(
            body(type_in(&mut form, " silver ")),
            json!({"customFields": [{"id": "tier", "field_value": "Silver"}]})
        );
        assert_eq!(type_in(&mut form, "Gold, Silver"), FieldOutcome::Editing);
    }

    /// A time zone is one the zone database names, in its spelling; "Mars/Olympus" is refused.
    #[test]
    fn a_time_zone_must_be_a_zone_name() {
        let target = FieldTarget::Standard(StandardField::Timezone);
        let mut form = FieldForm::new(contact(), "Timezone".into(), target);
        assert_eq!(
            body(type_in(&mut form, "america/new_york")),
            json!({"timezone": "America/New_York"})
        );
        assert_eq!(
            body(type_in(&mut form, "Asia/Calcutta")),
            json!({"timezone": "Asia/Calcutta"}),
            "the database's older names are names too"
        );
        assert_eq!(type_in(&mut form, "Mars/Olympus"), FieldOutcome::Editing);
        let error = form.error.clone().unwrap_or_default();
        assert!(error.contains("not a time zone name"), "{error}");
    }
}

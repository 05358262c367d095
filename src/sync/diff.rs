//! What changed between the stored record and GHL's: field by field for the log and the dry
//! run, and the stage (type, tags, DND) for its own log line.

use serde::Serialize;
use serde_json::Value;

use crate::rankr::{StoredContact, StoredNote, StoredTask};

/// What happened to a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    /// New in Rankr.
    Created,
    /// Changed in Rankr.
    Updated,
    /// Gone from GHL: a tombstone (contacts) or removed (tasks, notes).
    Deleted,
}

impl Action {
    /// The word in the log.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Created => "created",
            Self::Updated => "updated",
            Self::Deleted => "deleted",
        }
    }
}

/// One field that changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldChange {
    /// The field's name.
    pub field: String,
    /// The stored value, as text.
    pub old: String,
    /// GHL's value, as text.
    pub new: String,
}

/// One change to a Rankr record: what the sync applied, or (dry run) would apply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    /// `contact`, `task` or `note`.
    pub entity: &'static str,
    /// The GHL id.
    pub id: String,
    /// What happened.
    pub action: Action,
    /// A name or title to show.
    pub label: String,
    /// The fields that changed (updates only).
    pub fields: Vec<FieldChange>,
}

impl Change {
    /// One line for a person: `updated contact abc (Pat Lee): email: a -> b`.
    pub fn describe(&self) -> String {
        let mut line = format!("{} {} {}", self.action.as_str(), self.entity, self.id);
        if !self.label.is_empty() {
            line.push_str(" (");
            line.push_str(&self.label);
            line.push(')');
        }
        if !self.fields.is_empty() {
            let fields: Vec<String> = self
                .fields
                .iter()
                .map(|f| format!("{}: {} -> {}", f.field, f.old, f.new))
                .collect();
            line.push_str(": ");
            line.push_str(&fields.join("; "));
        }
        line
    }
}

fn text<T: Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(Value::Null) => "(none)".into(),
        Ok(Value::String(s)) => format!("{s:?}"),
        Ok(other) => other.to_string(),
        Err(_) => String::new(),
    }
}

fn push<T: Serialize + PartialEq>(out: &mut Vec<FieldChange>, field: &str, old: &T, new: &T) {
    if old != new {
        out.push(FieldChange {
            field: field.into(),
            old: text(old),
            new: text(new),
        });
    }
}

/// The fields of a contact that differ.
pub fn contact_fields(old: &StoredContact, new: &StoredContact) -> Vec<FieldChange> {
    let mut out = Vec::new();
    push(&mut out, "name", &old.name, &new.name);
    push(&mut out, "email", &old.email, &new.email);
    push(&mut out, "phone", &old.phone, &new.phone);
    push(&mut out, "phoneE164", &old.phone_e164, &new.phone_e164);
    push(&mut out, "type", &old.contact_type, &new.contact_type);
    push(&mut out, "tags", &old.tags, &new.tags);
    push(&mut out, "dnd", &old.dnd, &new.dnd);
    push(
        &mut out,
        "dndSettings",
        &old.dnd_settings,
        &new.dnd_settings,
    );
    push(
        &mut out,
        "customFields",
        &old.custom_fields,
        &new.custom_fields,
    );
    push(&mut out, "ghlId", &old.ghl_id, &new.ghl_id);
    out
}

/// A description of a stage change (type, tags, DND), or `None` when the stage is the same.
pub fn stage_change(old: &StoredContact, new: &StoredContact) -> Option<String> {
    let mut parts = Vec::new();
    if old.contact_type != new.contact_type {
        parts.push(format!(
            "type {} -> {}",
            old.contact_type.as_deref().unwrap_or("(none)"),
            new.contact_type.as_deref().unwrap_or("(none)")
        ));
    }
    let added: Vec<String> = new
        .tags
        .iter()
        .filter(|t| !old.tags.contains(t))
        .map(|t| format!("+{t}"))
        .collect();
    let removed: Vec<String> = old
        .tags
        .iter()
        .filter(|t| !new.tags.contains(t))
        .map(|t| format!("-{t}"))
        .collect();
    if !added.is_empty() || !removed.is_empty() {
        parts.push(format!("tags {}", [added, removed].concat().join(" ")));
    }
    if old.dnd != new.dnd || old.dnd_settings != new.dnd_settings {
        parts.push(format!("dnd {} -> {}", on_off(old.dnd), on_off(new.dnd)));
    }
    (!parts.is_empty()).then(|| parts.join("; "))
}

fn on_off(flag: bool) -> &'static str {
    if flag { "on" } else { "off" }
}

/// The fields of a task that differ.
pub fn task_fields(old: &StoredTask, new: &StoredTask) -> Vec<FieldChange> {
    let mut out = Vec::new();
    push(&mut out, "title", &old.title, &new.title);
    push(&mut out, "body", &old.body, &new.body);
    push(&mut out, "dueDate", &old.due_date, &new.due_date);
    push(&mut out, "completed", &old.completed, &new.completed);
    push(&mut out, "assignedTo", &old.assigned_to, &new.assigned_to);
    out
}

/// The fields of a note that differ.
pub fn note_fields(old: &StoredNote, new: &StoredNote) -> Vec<FieldChange> {
    let mut out = Vec::new();
    push(&mut out, "body", &old.body, &new.body);
    push(&mut out, "pinned", &old.pinned, &new.pinned);
    push(&mut out, "dateAdded", &old.date_added, &new.date_added);
    push(&mut out, "userId", &old.user_id, &new.user_id);
    out
}

//! A record of the selected contact (its tasks, notes, ...) and where its load stands.

use super::cursor::Cursor;

/// Where a load stands.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum Load<T> {
    /// Nothing asked yet.
    #[default]
    Idle,
    /// Asked, no answer yet.
    Loading,
    /// Here it is.
    Ready(T),
    /// The load failed with this message.
    Failed(String),
}

/// One record of the selected contact, with a cursor over its rows.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Record<T> {
    /// Whose record this is.
    pub contact_id: Option<String>,
    /// The load.
    pub load: Load<T>,
    /// The exchange that brought it, for the inspector.
    pub exchange_id: Option<u64>,
    /// The selected row.
    pub cursor: Cursor,
}

impl<T> Record<T> {
    /// Forgets the record and makes it belong to another contact.
    pub fn reset(&mut self, contact_id: Option<String>) {
        self.contact_id = contact_id;
        self.load = Load::Idle;
        self.exchange_id = None;
        self.cursor = Cursor::default();
    }

    /// The value, when loaded.
    pub fn ready(&self) -> Option<&T> {
        match &self.load {
            Load::Ready(value) => Some(value),
            _ => None,
        }
    }

    /// Whether the record belongs to this contact.
    pub fn is_for(&self, contact_id: &str) -> bool {
        self.contact_id.as_deref() == Some(contact_id)
    }
}

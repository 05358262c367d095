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

impl<T> Record<Vec<T>> {
    /// Shows newly loaded rows, keeping the selection on the same row by id (`id_of`) when it
    /// is still there, so a re-sort after a change moves the cursor with the changed row.
    pub fn show_rows(&mut self, rows: Vec<T>, id_of: impl Fn(&T) -> &str) {
        let selected = self
            .ready()
            .and_then(|old| old.get(self.cursor.selected))
            .map(|row| id_of(row).to_string());
        let at = selected.and_then(|id| rows.iter().position(|row| id_of(row) == id));
        if let Some(at) = at {
            self.cursor.selected = at;
        }
        self.cursor.clamp(rows.len());
        self.load = Load::Ready(rows);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_selection_follows_its_row_by_id() {
        let mut record: Record<Vec<(&str, u8)>> = Record::default();
        record.show_rows(vec![("a", 0), ("b", 0), ("c", 0)], |r| r.0);
        record.cursor.selected = 1;
        record.show_rows(vec![("a", 0), ("c", 0), ("b", 1)], |r| r.0);
        assert_eq!(record.cursor.selected, 2);
        record.show_rows(vec![("a", 0)], |r| r.0);
        assert_eq!(record.cursor.selected, 0, "gone: clamped");
    }
}

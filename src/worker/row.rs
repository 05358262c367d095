//! A contact as the contact list holds it: what the list shows, filters, sorts and acts on, and
//! nothing more. The full contact is loaded when it is opened, so 100,000 listed contacts cost
//! a few hundred bytes each instead of the whole model's custom fields, DND settings and extra
//! fields.

use crate::ghl::models::Contact;

/// One row of the contact list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContactRow {
    /// The GHL contact id.
    pub id: String,
    /// The name to show (see [`Contact::display_name`]).
    pub name: String,
    /// The email.
    pub email: Option<String>,
    /// The phone, as entered.
    pub phone: Option<String>,
    /// The tags.
    pub tags: Vec<String>,
    /// GHL's `dateUpdated`.
    pub date_updated: Option<String>,
    /// Whether the row was read from the Rankr store rather than from GHL in this session.
    pub stored: bool,
}

impl ContactRow {
    /// The row of a contact GHL sent.
    pub fn of(contact: &Contact) -> Self {
        Self {
            id: contact.id.clone(),
            name: contact.display_name(),
            email: contact.email.clone(),
            phone: contact.phone.clone(),
            tags: contact.tags.clone(),
            date_updated: contact.date_updated.clone(),
            stored: false,
        }
    }

    /// The row of a contact as the Rankr store lists it.
    pub fn stored(contact: crate::rankr::ListedContact) -> Self {
        let name = contact
            .name
            .filter(|n| !n.trim().is_empty())
            .or_else(|| contact.email.clone())
            .or_else(|| contact.phone.clone())
            .unwrap_or_else(|| contact.ghl_id.clone());
        Self {
            id: contact.ghl_id,
            name,
            email: contact.email,
            phone: contact.phone,
            tags: contact.tags,
            date_updated: contact.date_updated,
            stored: true,
        }
    }

    /// What the detail pane can show before the full contact has loaded.
    pub fn to_contact(&self) -> Contact {
        Contact {
            id: self.id.clone(),
            name: Some(self.name.clone()),
            email: self.email.clone(),
            phone: self.phone.clone(),
            tags: self.tags.clone(),
            date_updated: self.date_updated.clone(),
            ..Contact::default()
        }
    }

    /// The text the local filter matches: name, email, phone and tags.
    pub fn search_text(&self) -> String {
        let mut text = self.name.clone();
        for part in [&self.email, &self.phone].into_iter().flatten() {
            text.push(' ');
            text.push_str(part);
        }
        for tag in &self.tags {
            text.push(' ');
            text.push_str(tag);
        }
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_row_keeps_what_the_list_needs() {
        let contact = Contact {
            id: "c1".into(),
            first_name: Some("Ada".into()),
            last_name: Some("Lovelace".into()),
            email: Some("ada@example.test".into()),
            phone: Some("+15550100".into()),
            company_name: Some("Analytical Engines".into()),
            tags: vec!["vip".into()],
            date_updated: Some("2026-02-28T12:00:00Z".into()),
            ..Contact::default()
        };
        let row = ContactRow::of(&contact);
        assert_eq!(row.name, "Ada Lovelace");
        assert!(!row.stored);
        assert_eq!(
            row.search_text(),
            "Ada Lovelace ada@example.test +15550100 vip"
        );
        let shown = row.to_contact();
        assert_eq!(shown.display_name(), "Ada Lovelace");
        assert_eq!(shown.company_name, None, "the rest waits for the full load");
    }

    #[test]
    fn a_stored_row_without_a_name_shows_the_email() {
        let row = ContactRow::stored(crate::rankr::ListedContact {
            ghl_id: "c9".into(),
            name: Some("  ".into()),
            email: Some("x@example.test".into()),
            ..crate::rankr::ListedContact::default()
        });
        assert_eq!(row.name, "x@example.test");
        assert!(row.stored);
    }
}

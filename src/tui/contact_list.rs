//! The contact listing: pages as they stream in, the local filter over them, marks for bulk
//! changes, and when to ask for the next page.

use std::collections::BTreeSet;

use crate::ghl::models::Contact;
use crate::worker::messages::ContactSort;

use super::cursor::Cursor;
use super::filter::FuzzyIndex;

/// When the selection is this close to the end of what is loaded, the next page is asked for.
pub const PREFETCH_ROWS: usize = 60;

/// The contacts of the location as far as they are loaded.
#[derive(Debug, Default)]
pub struct ContactList {
    /// Every contact loaded, in the server's order.
    pub items: Vec<Contact>,
    /// The rows shown when a filter is active: indices into `items`, best match first.
    pub shown: Option<Vec<usize>>,
    /// The selected row (of the shown rows).
    pub cursor: Cursor,
    /// The listing the pages belong to; pages of older listings are dropped.
    pub generation: u64,
    /// The server's count of matching contacts.
    pub total: u64,
    /// Whether the server has more pages.
    pub more: bool,
    /// Whether a page is on its way.
    pub loading: bool,
    /// The listing the rows belong to: older than `generation` while the rows of the previous
    /// listing stay on screen until the new one's first page arrives (or stay as stale when it
    /// fails).
    pub rows_of: u64,
    /// The server-side search of the listing.
    pub query: Option<String>,
    /// The order rows are shown in: the server's (last update first) or by name.
    pub sort: ContactSort,
    /// The local filter text.
    pub filter: String,
    /// Whether keys go to the filter input.
    pub editing_filter: bool,
    /// Ids of the contacts marked for a bulk change.
    pub marked: BTreeSet<String>,
    /// The exchange of the last page, for the inspector.
    pub exchange_id: Option<u64>,
    /// Every tag seen on a loaded contact, for completion.
    pub known_tags: BTreeSet<String>,
    /// The fuzzy index over `items`, entry `i` for item `i`, extended as pages arrive so the
    /// first keystroke of a filter does not wait for it.
    index: FuzzyIndex,
}

impl ContactList {
    /// Starts a new listing and returns its generation. The rows loaded so far stay until its
    /// first page arrives, so a refresh that fails leaves them readable.
    pub fn restart(&mut self, query: Option<String>) -> u64 {
        self.generation += 1;
        self.more = false;
        self.loading = true;
        self.query = query;
        self.generation
    }

    /// Whether the rows shown are from an earlier listing than the current one.
    pub fn is_stale(&self) -> bool {
        self.rows_of != self.generation
    }

    /// Drops the previous listing's rows when the first page of the new one arrives, keeping
    /// the selected contact's id to select it again.
    /// Empties the list at once (another location's rows must not stay on screen).
    pub fn clear(&mut self) {
        self.drop_stale();
        self.total = 0;
    }

    fn drop_stale(&mut self) -> Option<String> {
        let selected = self.selected().map(|c| c.id.clone());
        self.rows_of = self.generation;
        self.items.clear();
        self.shown = None;
        self.cursor = Cursor::default();
        self.index = FuzzyIndex::default();
        selected
    }

    /// Selects the row of the contact with `id`, if it is shown.
    fn select_id(&mut self, id: &str) {
        let row = (0..self.len()).find(|row| self.at(*row).is_some_and(|c| c.id == id));
        if let Some(row) = row {
            self.cursor.selected = row;
        }
    }

    /// Adds a page of the listing `generation`; returns false when it belongs to an older one.
    pub fn add_page(
        &mut self,
        generation: u64,
        page: Vec<Contact>,
        total: u64,
        more: bool,
    ) -> bool {
        if generation != self.generation {
            return false;
        }
        let reselect = if self.is_stale() {
            self.drop_stale()
        } else {
            None
        };
        for contact in &page {
            self.known_tags.extend(contact.tags.iter().cloned());
            self.index.push(self.index.len(), &search_text(contact));
        }
        self.items.extend(page);
        self.total = total;
        self.more = more;
        self.loading = false;
        if !self.filter.is_empty() || self.sort == ContactSort::Name {
            self.refilter();
        }
        if let Some(id) = reselect {
            self.select_id(&id);
        }
        true
    }

    /// How many rows are shown.
    pub fn len(&self) -> usize {
        self.shown.as_ref().map_or(self.items.len(), Vec::len)
    }

    /// Whether no row is shown.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The contact on a shown row.
    pub fn at(&self, row: usize) -> Option<&Contact> {
        let index = match &self.shown {
            Some(rows) => *rows.get(row)?,
            None => row,
        };
        self.items.get(index)
    }

    /// The selected contact.
    pub fn selected(&self) -> Option<&Contact> {
        self.at(self.cursor.selected)
    }

    /// Whether the next page should be asked for now.
    pub fn wants_next_page(&self) -> bool {
        self.more && !self.loading && self.cursor.selected + PREFETCH_ROWS >= self.len()
    }

    /// Marks or unmarks the selected contact.
    pub fn toggle_mark(&mut self) {
        if let Some(id) = self.selected().map(|c| c.id.clone())
            && !self.marked.remove(&id)
        {
            self.marked.insert(id);
        }
    }

    /// The contacts a tag change applies to: the marked ones, else the selected one.
    pub fn targets(&self) -> Vec<String> {
        if self.marked.is_empty() {
            self.selected()
                .map(|c| vec![c.id.clone()])
                .unwrap_or_default()
        } else {
            self.marked.iter().cloned().collect()
        }
    }

    /// Replaces a contact's copy in the list (after a reload).
    pub fn replace(&mut self, contact: &Contact) {
        if let Some(position) = self.items.iter().position(|c| c.id == contact.id) {
            self.items[position] = contact.clone();
            self.index.replace(position, &search_text(contact));
        }
        self.known_tags.extend(contact.tags.iter().cloned());
    }

    /// Sets the filter text and recomputes the shown rows.
    pub fn set_filter(&mut self, text: String) {
        self.filter = text;
        self.refilter();
        self.cursor = Cursor::default();
    }

    /// Switches between the server's order (last update) and by name, over what is loaded.
    pub fn toggle_sort(&mut self) {
        self.sort = match self.sort {
            ContactSort::Updated => ContactSort::Name,
            ContactSort::Name => ContactSort::Updated,
        };
        self.refilter();
        self.cursor = Cursor::default();
    }

    /// Recomputes the shown rows from the filter text (best match first) or, without one, from
    /// the sort.
    pub fn refilter(&mut self) {
        if self.filter.trim().is_empty() {
            self.shown = (self.sort == ContactSort::Name).then(|| self.by_name());
            return;
        }
        self.shown = Some(self.index.filter(&self.filter));
    }
}

impl ContactList {
    fn by_name(&self) -> Vec<usize> {
        let keys: Vec<String> = self
            .items
            .iter()
            .map(|c| c.display_name().to_lowercase())
            .collect();
        let mut rows: Vec<usize> = (0..self.items.len()).collect();
        rows.sort_by(|a, b| keys[*a].cmp(&keys[*b]));
        rows
    }
}

/// What the filter matches a contact on: name, email, phone and tags.
fn search_text(contact: &Contact) -> String {
    let mut text = contact.display_name();
    for part in [&contact.email, &contact.phone].into_iter().flatten() {
        text.push(' ');
        text.push_str(part);
    }
    for tag in &contact.tags {
        text.push(' ');
        text.push_str(tag);
    }
    text
}

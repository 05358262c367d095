//! The contact listing: pages as they stream in (from the Rankr store first, then from GHL),
//! the local filter over them, marks for bulk changes, and when to ask for the next page.
//!
//! The list holds slim rows ([`ContactRow`]); the detail pane loads the full contact. The
//! fuzzy filter runs off the console's thread: changing the filter text asks for a pass (a
//! [`FilterJob`], taken by `update` and handed to the filter thread), and the rows shown stay
//! those of the last answer until the next one arrives.

mod stored;

use std::collections::BTreeSet;
use std::sync::Arc;

use crate::ghl::models::Contact;
use crate::worker::messages::{ContactRow, ContactSort};

use super::cursor::Cursor;
use super::filter::FuzzyIndex;
use super::filter_task::{FilterJob, Filtered};

pub use stored::StoredRows;

/// When the selection is this close to the end of what is loaded, the next page is asked for.
pub const PREFETCH_ROWS: usize = 60;

/// The contacts of the location as far as they are loaded.
#[derive(Debug, Default)]
pub struct ContactList {
    /// Every contact of the listing loaded so far, in the order it arrived. A contact's position
    /// here is its entry in the fuzzy index.
    pub items: Vec<ContactRow>,
    /// The listing's order, as positions in `items`: GHL's rows first, then the store's rows
    /// GHL has not sent yet.
    order: Vec<u32>,
    /// How many rows at the front of `order` came from GHL.
    live: usize,
    /// The store's copy of the location, while rows of it are listed.
    stored: Option<StoredRows>,
    /// The rows shown when a filter or the name order is active: positions in `items`.
    shown: Option<Arc<[u32]>>,
    /// The selected row (of the shown rows).
    pub cursor: Cursor,
    /// The listing the pages belong to; pages of older listings are dropped.
    pub generation: u64,
    /// The server's count of matching contacts (the store's, until GHL answers).
    pub total: u64,
    /// Whether the server has more pages.
    pub more: bool,
    /// Whether a page is on its way.
    pub loading: bool,
    /// Why the last page asked for could not be loaded (until the listing starts again or a
    /// page arrives).
    pub error: Option<String>,
    /// How many pages of this listing GHL has sent.
    ghl_pages: u64,
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
    /// The listing whose end was asked for (`G`) while its rows were still arriving (or the
    /// previous one's rows still showed): as its pages arrive the last row is selected, until
    /// the last page, not where the end of the rows loaded so far was.
    pub end_for: Option<u64>,
    /// The contact (its position in `items`) selected when the filter text was typed, to
    /// select again when the filter is cleared with nothing selected (no row matched).
    before_filter: Option<usize>,
    /// The fuzzy index over `items`, entry `i` for item `i`, extended as pages arrive so the
    /// first keystroke of a filter does not wait for it.
    index: FuzzyIndex,
    /// Where the filter passes stand.
    filtering: Filtering,
}

/// The filter passes asked for and answered. Requests are numbered; an answer is shown only
/// when it is newer than the one shown, so a late answer never replaces a newer one.
#[derive(Debug, Default)]
struct Filtering {
    /// The newest request.
    requested: u64,
    /// The request the shown rows answer (or that cleared the filter).
    applied: u64,
    /// The query of the shown rows.
    answers: Option<String>,
    /// A pass to hand to the filter thread.
    job: Option<FilterJob>,
}

impl Filtering {
    /// Drops every answer still on its way (the rows they point at are gone).
    fn forget(&mut self) {
        self.requested += 1;
        self.applied = self.requested;
        self.answers = None;
        self.job = None;
    }
}

impl ContactList {
    /// Starts a new listing and returns its generation. The rows loaded so far stay until its
    /// first page arrives, so a refresh that fails leaves them readable.
    pub fn restart(&mut self, query: Option<String>) -> u64 {
        self.generation += 1;
        self.more = false;
        self.loading = true;
        self.error = None;
        self.query = query;
        self.generation
    }

    /// Whether the rows shown are from an earlier listing than the current one.
    pub fn is_stale(&self) -> bool {
        self.rows_of != self.generation
    }

    /// Empties the list at once (another location's rows must not stay on screen).
    pub fn clear(&mut self) {
        self.drop_stale();
        self.total = 0;
    }

    /// Drops the previous listing's rows when the first page of the new one arrives, keeping
    /// the selected contact's id to select it again.
    fn drop_stale(&mut self) -> Option<String> {
        let selected = self.selected().map(|c| c.id.clone());
        self.rows_of = self.generation;
        self.items.clear();
        self.order.clear();
        self.live = 0;
        self.ghl_pages = 0;
        self.stored = None;
        self.shown = None;
        self.before_filter = None;
        self.cursor = Cursor::default();
        self.index = FuzzyIndex::default();
        self.filtering.forget();
        selected
    }

    /// Selects the row of the contact with `id`, if it is shown.
    fn select_id(&mut self, id: &str) {
        let row = (0..self.len()).find(|row| self.at(*row).is_some_and(|c| c.id == id));
        if let Some(row) = row {
            self.cursor.selected = row;
        }
    }

    /// Adds a page of GHL's listing `generation`; returns false when it belongs to an older
    /// one. Its rows replace the store's copies of the same contacts.
    pub fn add_page(
        &mut self,
        generation: u64,
        page: Vec<ContactRow>,
        total: u64,
        more: bool,
    ) -> bool {
        if generation != self.generation {
            return false;
        }
        self.error = None;
        let reselect = if self.is_stale() {
            self.drop_stale()
        } else {
            None
        };
        self.add_live(page);
        self.total = total;
        self.more = more;
        self.loading = false;
        self.ghl_pages += 1;
        let reselect = if !more && self.stored.is_some() {
            self.drop_stored().or(reselect)
        } else {
            reselect
        };
        self.pages_changed(reselect);
        true
    }

    /// After rows came or went: the shown rows follow, and the selection stays on its contact,
    /// or goes to the last row when the end was asked for; while pages are still to come, it
    /// goes there again as each arrives (they are asked for as the selection nears the end).
    fn pages_changed(&mut self, reselect: Option<String>) {
        if !self.filter.trim().is_empty() {
            self.refilter();
        }
        let to_end = self.end_for.take() == Some(self.rows_of);
        if to_end {
            self.cursor.selected = self.len().saturating_sub(1);
            if self.more || self.loading {
                self.end_for = Some(self.rows_of);
            }
        } else if let Some(id) = reselect {
            self.select_id(&id);
        }
    }

    /// Appends a row to the items and the index; returns its position.
    fn push(&mut self, row: ContactRow) -> u32 {
        self.learn_tags(&row.tags);
        self.index.push(&row.search_text());
        self.items.push(row);
        u32::try_from(self.items.len() - 1).unwrap_or(u32::MAX)
    }

    /// Adds tags to the ones known for completion (copying only the new ones).
    fn learn_tags(&mut self, tags: &[String]) {
        for tag in tags {
            if !self.known_tags.contains(tag) {
                self.known_tags.insert(tag.clone());
            }
        }
    }

    /// How many rows are shown.
    pub fn len(&self) -> usize {
        self.shown
            .as_ref()
            .map_or(self.order.len(), |rows| rows.len())
    }

    /// Whether no row is shown.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// How many contacts the listing holds, filter or not.
    pub fn listed(&self) -> usize {
        self.order.len()
    }

    /// The position in `items` of a shown row.
    fn position(&self, row: usize) -> Option<usize> {
        let position = match &self.shown {
            Some(rows) => rows.get(row)?,
            None => self.order.get(row)?,
        };
        Some(*position as usize)
    }

    /// The contact on a shown row.
    pub fn at(&self, row: usize) -> Option<&ContactRow> {
        self.items.get(self.position(row)?)
    }

    /// The selected contact.
    pub fn selected(&self) -> Option<&ContactRow> {
        self.at(self.cursor.selected)
    }

    /// Whether the next page should be asked for now: the selection nears the end of what GHL
    /// sent (of the rows shown, when a filter or the name order mixes in the store's rows).
    pub fn wants_next_page(&self) -> bool {
        let end = if self.shown.is_none() && self.stored.is_some() {
            self.live
        } else {
            self.len()
        };
        self.more && !self.loading && self.cursor.selected + PREFETCH_ROWS >= end
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

    /// Replaces a contact's row with what GHL just sent for it (after a reload).
    pub fn replace(&mut self, contact: &Contact) {
        if let Some(position) = self.position_of(&contact.id) {
            let row = ContactRow::of(contact);
            self.index.replace(position, &row.search_text());
            self.items[position] = row;
        }
        self.learn_tags(&contact.tags);
    }

    /// Adds or removes tags on the rows of the contacts `ids` (after a bulk change).
    pub fn retag(&mut self, ids: &[String], tags: &[String], add: bool) {
        for id in ids {
            let Some(position) = self.position_of(id) else {
                continue;
            };
            let row = &mut self.items[position];
            if add {
                for tag in tags {
                    if !row.tags.contains(tag) {
                        row.tags.push(tag.clone());
                    }
                }
            } else {
                row.tags.retain(|t| !tags.contains(t));
            }
            let text = row.search_text();
            self.index.replace(position, &text);
        }
        if add {
            self.learn_tags(tags);
        }
    }

    fn position_of(&self, id: &str) -> Option<usize> {
        match &self.stored {
            Some(stored) => stored.position_of(id),
            None => self.items.iter().position(|c| c.id == id),
        }
    }

    /// Sets the filter text and asks for the shown rows to follow.
    pub fn set_filter(&mut self, text: String) {
        self.filter = text;
        self.refilter();
    }

    /// Switches between last update and name order; the caller starts a listing in it (GHL
    /// sorts, so the order holds however far the list is paged).
    pub fn toggle_sort(&mut self) {
        self.sort = match self.sort {
            ContactSort::Updated => ContactSort::Name,
            ContactSort::Name => ContactSort::Updated,
        };
    }

    /// Recomputes the shown rows: without filter text at once, from the sort, with the
    /// selected contact still selected; with it, by asking the filter thread for a pass (best
    /// match first).
    fn refilter(&mut self) {
        self.filtering.requested += 1;
        if self.filter.trim().is_empty() {
            let before = self.before_filter.take();
            let selected = self.position(self.cursor.selected).or(before);
            self.shown = None;
            self.filtering.applied = self.filtering.requested;
            self.filtering.answers = None;
            self.filtering.job = None;
            if let Some(row) =
                selected.and_then(|p| self.order.iter().position(|o| *o as usize == p))
            {
                self.cursor.selected = row;
            }
            self.cursor.clamp(self.len());
            return;
        }
        if self.shown.is_none() && self.before_filter.is_none() {
            self.before_filter = self.position(self.cursor.selected);
        }
        self.filtering.job = Some(FilterJob {
            seq: self.filtering.requested,
            query: self.filter.clone(),
            index: self.index.clone(),
        });
    }

    /// The filter pass to hand to the filter thread, if one was asked for since the last call.
    pub fn take_filter_job(&mut self) -> Option<FilterJob> {
        self.filtering.job.take()
    }

    /// Whether a filter pass was asked for and not answered yet.
    pub fn filter_pending(&self) -> bool {
        self.filtering.requested > self.filtering.applied
    }

    /// Shows the answer of a filter pass, unless a newer one is shown already (or the filter
    /// was cleared since). A new query selects its best match; a newer answer to the same query
    /// (more contacts loaded) keeps the selected contact selected. Returns whether it was shown.
    pub fn apply_filtered(&mut self, done: Filtered) -> bool {
        let filtering = &mut self.filtering;
        if done.seq <= filtering.applied || done.seq > filtering.requested {
            return false;
        }
        let same_query = filtering.answers.as_deref() == Some(done.query.as_str());
        filtering.applied = done.seq;
        filtering.answers = Some(done.query);
        let keep = same_query
            .then(|| self.position(self.cursor.selected))
            .flatten();
        self.shown = Some(done.rows);
        match keep {
            Some(position) => {
                self.cursor.selected = self.row_of(position).unwrap_or(self.cursor.selected);
            }
            None => self.cursor = Cursor::default(),
        }
        self.cursor.clamp(self.len());
        true
    }

    fn row_of(&self, position: usize) -> Option<usize> {
        let rows = self.shown.as_ref()?;
        rows.iter().position(|p| *p as usize == position)
    }
}

#[cfg(test)]
mod tests;

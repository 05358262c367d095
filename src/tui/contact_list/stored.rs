//! The store's rows in the listing: read from the Rankr store when a listing of the whole
//! location starts, shown at once, and replaced contact by contact as GHL's pages arrive. A row
//! GHL sends takes its store copy's place in the index and moves to GHL's part of the order;
//! when GHL's listing ends, the store rows it never sent (contacts gone since the last sync) are
//! dropped.

use std::collections::HashMap;

use crate::worker::messages::ContactRow;

use super::ContactList;

/// The store's copy of the location while rows of it are listed.
#[derive(Debug, Default)]
pub struct StoredRows {
    /// When the store last synced the location (RFC 3339).
    pub synced_at: Option<String>,
    /// How many contacts the store holds for the location.
    pub total: u64,
    /// Whether more pages of it are on their way.
    pub reading: bool,
    /// The position in `items` of every contact listed, by id.
    ids: HashMap<String, u32>,
}

impl StoredRows {
    /// The position of a contact's row.
    pub fn position_of(&self, id: &str) -> Option<usize> {
        self.ids.get(id).map(|p| *p as usize)
    }
}

impl ContactList {
    /// Adds a page of the store's copy for the listing `generation`; returns false when it
    /// belongs to an older one. Contacts GHL already sent are skipped, and so is the whole page
    /// once GHL's listing is complete.
    pub fn add_stored_page(
        &mut self,
        generation: u64,
        page: Vec<ContactRow>,
        (total, synced_at): (u64, Option<String>),
        more: bool,
    ) -> bool {
        if generation != self.generation {
            return false;
        }
        if self.ghl_pages > 0 && !self.more && !self.is_stale() {
            return true;
        }
        let reselect = if self.is_stale() {
            self.drop_stale()
        } else {
            None
        };
        if self.stored.is_none() {
            let ids = self.items.iter().enumerate();
            let ids = ids.filter_map(|(p, c)| Some((c.id.clone(), u32::try_from(p).ok()?)));
            self.stored = Some(StoredRows {
                ids: ids.collect(),
                ..StoredRows::default()
            });
        }
        for row in page {
            if self.stored_position(&row.id).is_some() {
                continue;
            }
            let id = row.id.clone();
            let position = self.push(row);
            self.order.push(position);
            if let Some(stored) = &mut self.stored {
                stored.ids.insert(id, position);
            }
        }
        if let Some(stored) = &mut self.stored {
            stored.total = total;
            stored.synced_at = synced_at;
            stored.reading = more;
        }
        if self.ghl_pages == 0 {
            self.total = total;
        }
        self.pages_changed(reselect);
        true
    }

    fn stored_position(&self, id: &str) -> Option<usize> {
        self.stored.as_ref()?.position_of(id)
    }

    /// Adds GHL's rows after the ones it sent before; each takes the place of its store copy.
    pub(super) fn add_live(&mut self, page: Vec<ContactRow>) {
        if self.stored.is_none() {
            for row in page {
                let position = self.push(row);
                self.order.push(position);
            }
            self.live = self.order.len();
            return;
        }
        let mut arrived = Vec::with_capacity(page.len());
        for row in page {
            if let Some(position) = self.stored_position(&row.id) {
                self.learn_tags(&row.tags);
                self.index.replace(position, &row.search_text());
                self.items[position] = row;
                arrived.extend(u32::try_from(position).ok());
            } else {
                let id = row.id.clone();
                let position = self.push(row);
                arrived.push(position);
                if let Some(stored) = &mut self.stored {
                    stored.ids.insert(id, position);
                }
            }
        }
        self.move_to_live(&arrived);
    }

    /// Puts the rows at `arrived` (GHL's order) after GHL's earlier rows, taking them out of
    /// the store's part.
    fn move_to_live(&mut self, arrived: &[u32]) {
        const WAITING: u8 = 1;
        const PLACED: u8 = 2;
        let mut state = vec![0_u8; self.items.len()];
        for &position in arrived {
            state[position as usize] = WAITING;
        }
        let (live, rest) = self.order.split_at(self.live.min(self.order.len()));
        let mut order = Vec::with_capacity(self.order.len() + arrived.len());
        order.extend(live.iter().filter(|p| state[**p as usize] == 0));
        for &position in arrived {
            if state[position as usize] == WAITING {
                order.push(position);
                state[position as usize] = PLACED;
            }
        }
        self.live = order.len();
        order.extend(rest.iter().filter(|p| state[**p as usize] == 0));
        self.order = order;
    }

    /// GHL's listing is complete: the store rows it did not send are contacts gone since the
    /// last sync, and leave the list. Positions close up, so answers of filter passes still on
    /// their way are dropped. Returns the selected contact's id, to select it again.
    pub(super) fn drop_stored(&mut self) -> Option<String> {
        let selected = self.selected().map(|c| c.id.clone());
        let mut keep = vec![false; self.items.len()];
        for &position in &self.order[..self.live.min(self.order.len())] {
            keep[position as usize] = true;
        }
        let mut renumbered = vec![0_u32; self.items.len()];
        let mut next = 0_u32;
        for (position, kept) in keep.iter().enumerate() {
            renumbered[position] = next;
            next += u32::from(*kept);
        }
        let items = std::mem::take(&mut self.items);
        self.items = items
            .into_iter()
            .zip(&keep)
            .filter_map(|(row, kept)| kept.then_some(row))
            .collect();
        self.index.retain(|position| keep[position]);
        self.order.truncate(self.live);
        for position in &mut self.order {
            *position = renumbered[*position as usize];
        }
        self.stored = None;
        self.shown = None;
        self.before_filter = self
            .before_filter
            .filter(|p| keep.get(*p).copied().unwrap_or(false))
            .map(|p| renumbered[p] as usize);
        self.filtering.forget();
        self.cursor.clamp(self.order.len());
        selected
    }

    /// The store's copy, while rows of it are listed.
    pub fn stored(&self) -> Option<&StoredRows> {
        self.stored.as_ref()
    }

    /// How many rows of the listing are still the store's copy.
    pub fn stored_rows(&self) -> usize {
        if self.stored.is_some() {
            self.order.len() - self.live.min(self.order.len())
        } else {
            0
        }
    }
}

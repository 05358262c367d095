//! Listing from the Rankr store: when a listing of the whole location starts, the contacts the
//! store holds for it are read a page at a time and sent ahead of GHL's pages, so the console
//! shows the location at once, marked as the store's copy, while GHL is asked.

use std::sync::Arc;

use tokio::sync::oneshot;

use crate::rankr::{ListedContact, ListingKey, RankrError, RankrStore};

use super::Shared;
use super::messages::{ContactRow, Event};

/// Contacts in the first page read from the store: a few screens, on screen within
/// milliseconds.
pub(super) const FIRST_PAGE: usize = 200;

/// Contacts per page read from the store after the first.
pub(super) const STORE_PAGE: usize = 1_000;

/// The pause after the first page: a frame, so that reading the rest does not take the CPU from
/// the console while it draws the first page.
const AFTER_FIRST: std::time::Duration = std::time::Duration::from_millis(16);

/// Sends the store's contacts of the client's location as pages of the listing `generation`.
/// Does nothing without a store or when it holds nothing for the location; a store that fails
/// is logged and the listing goes on from GHL alone. `first_sent` is told (or dropped) once the
/// first page is on its way, or there is none.
pub(super) async fn list(shared: Shared, generation: u64, first_sent: oneshot::Sender<()>) {
    let Some((store, _)) = shared.extras.sync.clone() else {
        return;
    };
    let _busy = shared.busy();
    let location = shared.client.location_id().to_string();
    if let Err(error) = send_pages(&shared, store, (location, generation), first_sent).await {
        tracing::warn!(%error, "the console lists from GHL alone");
    }
}

async fn send_pages(
    shared: &Shared,
    store: Arc<dyn RankrStore>,
    (location, generation): (String, u64),
    first_sent: oneshot::Sender<()>,
) -> Result<(), RankrError> {
    let mut first_sent = Some(first_sent);
    let synced_at = {
        let (store, location) = (store.clone(), location.clone());
        blocking(move || store.last_synced(&location)).await?
    };
    let mut after: Option<ListingKey> = None;
    let (mut listed, mut total) = (0, None);
    loop {
        let limit = if after.is_none() {
            FIRST_PAGE
        } else {
            STORE_PAGE
        };
        let page = {
            let (store, location, from) = (store.clone(), location.clone(), after.clone());
            blocking(move || store.listing_page(&location, from.as_ref(), limit)).await?
        };
        if page.is_empty() && after.is_none() {
            return Ok(());
        }
        let more = page.len() == limit;
        after = page.last().map(ListedContact::key);
        listed += page.len() as u64;
        let contacts = page.into_iter().map(ContactRow::stored).collect();
        shared.send(Event::StoredPage {
            generation,
            contacts,
            // Until it is counted (after the first page is on its way), what is listed so far.
            total: total.unwrap_or(listed),
            synced_at: synced_at.clone(),
            more,
        });
        if let Some(first) = first_sent.take() {
            let _ = first.send(());
            if more {
                tokio::time::sleep(AFTER_FIRST).await;
            }
        }
        if !more {
            return Ok(());
        }
        if total.is_none() {
            let (store, location) = (store.clone(), location.clone());
            total = Some(blocking(move || store.listing_count(&location)).await?);
        }
    }
}

/// Runs a store read on the blocking pool: `SQLite` calls wait on the disk.
async fn blocking<T: Send + 'static>(
    read: impl FnOnce() -> Result<T, RankrError> + Send + 'static,
) -> Result<T, RankrError> {
    tokio::task::spawn_blocking(read)
        .await
        .map_err(|_| RankrError::Poisoned)?
}

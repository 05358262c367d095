//! The worker's command loop and the jobs it runs.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::{Mutex, mpsc};
use tokio::task::JoinHandle;

use crate::ghl::models::SearchRequest;
use crate::ghl::{GhlError, SearchPager};

use super::Shared;
use super::messages::{
    Command, ContactRow, ContactSort, Event, LOADING_CONTACTS, Loaded, Resource,
};
use super::sync_jobs::{self, SyncSlot};

/// How long GHL's first page waits for the store's first page at most.
const STORE_HEAD_START: Duration = Duration::from_millis(100);

/// The listing being paged: its generation and its pager.
type Listing = Arc<Mutex<Option<(u64, SearchPager)>>>;

/// Takes commands until the console drops its sender.
pub(super) async fn run(mut shared: Shared, mut commands: mpsc::UnboundedReceiver<Command>) {
    let listing: Listing = Arc::new(Mutex::new(None));
    let mut paging: Option<JoinHandle<()>> = None;
    let mut stored: Option<JoinHandle<()>> = None;
    let mut loads: HashMap<Resource, JoinHandle<()>> = HashMap::new();
    let mut last_contact_load = None;
    let mut sync = SyncSlot::default();
    while let Some(command) = commands.recv().await {
        match command {
            Command::SwitchLocation { location_id } => {
                if let Some(job) = stored.take() {
                    job.abort();
                }
                let stopped = (&mut paging, &mut loads, &listing, &sync);
                switch(&mut shared, stopped, location_id).await;
            }
            Command::Sync { mode } => sync.start(&shared, mode),
            Command::CancelSync => sync.cancel(),
            Command::SyncLog { request, filter } => {
                tokio::spawn(sync_jobs::read_log(shared.clone(), request, filter));
            }
            Command::Locations => {
                tokio::spawn(sync_jobs::list_locations(shared.clone()));
            }
            Command::LoadDirectory => {
                tokio::spawn(load_directory(shared.clone()));
            }
            Command::Search {
                generation,
                query,
                sort,
            } => {
                for job in [paging.take(), stored.take()].into_iter().flatten() {
                    job.abort();
                }
                let (head_start, store_first) = tokio::sync::oneshot::channel();
                // The store lists by last update only.
                if query.is_none() && sort == ContactSort::Updated {
                    stored = Some(tokio::spawn(super::stored::list(
                        shared.clone(),
                        generation,
                        head_start,
                    )));
                }
                let pager = shared.client.search_pager(template(&shared, query, sort));
                *listing.lock().await = Some((generation, pager));
                let (shared, listing) = (shared.clone(), listing.clone());
                paging = Some(tokio::spawn(async move {
                    // The store's first page goes first (it is there in milliseconds), so the
                    // console opens on it; GHL's pages then replace it.
                    let _ = tokio::time::timeout(STORE_HEAD_START, store_first).await;
                    next_page(shared, listing, generation).await;
                }));
            }
            Command::NextPage { generation } => {
                if paging.as_ref().is_none_or(JoinHandle::is_finished) {
                    paging = Some(tokio::spawn(next_page(
                        shared.clone(),
                        listing.clone(),
                        generation,
                    )));
                }
            }
            Command::Load {
                seq,
                resource,
                contact_id,
            } => {
                if let Some(job) = loads.remove(&resource) {
                    job.abort();
                }
                let wait = if resource == Resource::Contact {
                    settle_for(&mut last_contact_load, shared.options.settle)
                } else {
                    Duration::ZERO
                };
                let job = tokio::spawn(load(shared.clone(), seq, resource, contact_id, wait));
                loads.insert(resource, job);
            }
            other => {
                tokio::spawn(super::writes::write(shared.clone(), other));
            }
        }
    }
    for job in loads.into_values().chain(paging).chain(stored) {
        job.abort();
    }
    sync.abort();
}

/// The jobs a switch stops: the paging, the loads, the listing and the sync.
type Running<'a> = (
    &'a mut Option<JoinHandle<()>>,
    &'a mut HashMap<Resource, JoinHandle<()>>,
    &'a Listing,
    &'a SyncSlot,
);

/// Works in another location: builds its client first (a failure keeps the current one), then
/// stops the listing, the loads and the sync of the old one and swaps the client. Writes
/// already sent finish on the old client.
async fn switch(shared: &mut Shared, running: Running<'_>, location_id: String) {
    let (paging, loads, listing, sync) = running;
    let client = match sync_jobs::build_client(shared, &location_id).await {
        Ok(client) => client,
        Err(error) => {
            shared.send(Event::Failed {
                what: format!("Switching to {location_id}"),
                error,
            });
            return;
        }
    };
    for (_, job) in loads.drain() {
        job.abort();
    }
    if let Some(job) = paging.take() {
        job.abort();
    }
    sync.cancel();
    *listing.lock().await = None;
    shared.client = client;
    super::forward_exchanges(&shared.client, shared.events.clone());
    tracing::info!(location = %location_id, "switched location");
    shared.send(Event::Switched { location_id });
    shared.activity();
}

fn template(shared: &Shared, query: Option<String>, sort: ContactSort) -> SearchRequest {
    SearchRequest {
        page_limit: shared.options.page_size,
        query,
        sort: sort.keys(),
        ..SearchRequest::default()
    }
}

async fn next_page(shared: Shared, listing: Listing, generation: u64) {
    let _busy = shared.busy();
    let mut guard = listing.lock().await;
    let Some((current, pager)) = guard.as_mut() else {
        return;
    };
    if *current != generation {
        return;
    }
    let limit = usize::try_from(shared.options.page_size).unwrap_or(usize::MAX);
    match pager.next_page().await {
        Ok(Some(reply)) => {
            let page = reply.value;
            let more = page.contacts.len() >= limit
                && page
                    .contacts
                    .last()
                    .is_some_and(|c| c.search_after.is_some());
            shared.send(Event::Page {
                generation,
                contacts: page.contacts.iter().map(ContactRow::of).collect(),
                total: page.total,
                more,
                exchange_id: reply.exchange.id,
            });
        }
        Ok(None) => shared.send(Event::Page {
            generation,
            contacts: Vec::new(),
            total: 0,
            more: false,
            exchange_id: 0,
        }),
        Err(error) => failed(&shared, LOADING_CONTACTS, &error),
    }
}

/// How long a contact load waits before it is sent: nothing when the last one was asked for
/// longer than `settle` ago (an operator opening a contact), `settle` while they come quickly
/// (scrolling), so that only the contact the selection stops on is fetched.
fn settle_for(last: &mut Option<Instant>, settle: Duration) -> Duration {
    let now = Instant::now();
    let scrolling = last.is_some_and(|at| now.duration_since(at) < settle);
    *last = Some(now);
    if scrolling { settle } else { Duration::ZERO }
}

async fn load(shared: Shared, seq: u64, resource: Resource, contact_id: String, wait: Duration) {
    if !wait.is_zero() {
        tokio::time::sleep(wait).await;
    }
    let _busy = shared.busy();
    let client = &shared.client;
    let id = contact_id.as_str();
    let result = match resource {
        Resource::Contact => client
            .get_contact(id)
            .await
            .map(|r| (Loaded::Contact(Box::new(r.value)), r.exchange.id)),
        Resource::Tasks => client
            .tasks(id)
            .await
            .map(|r| (Loaded::Tasks(r.value), r.exchange.id)),
        Resource::Notes => client
            .notes(id)
            .await
            .map(|r| (Loaded::Notes(r.value), r.exchange.id)),
        Resource::Appointments => client
            .appointments(id)
            .await
            .map(|r| (Loaded::Appointments(r.value), r.exchange.id)),
    };
    match result {
        Ok((value, exchange_id)) => shared.send(Event::Loaded {
            seq,
            contact_id,
            value,
            exchange_id,
        }),
        Err(error) => failed(&shared, &format!("Loading {resource:?}"), &error),
    }
}

/// Loads the location's custom field definitions and users, side by side.
async fn load_directory(shared: Shared) {
    let _busy = shared.busy();
    let client = &shared.client;
    let (fields, users) = tokio::join!(client.custom_fields(), client.users());
    let explain = |what: &str, error: GhlError| {
        tracing::warn!(what, status = ?error.status(), "directory load failed");
        error.to_string()
    };
    shared.send(Event::Directory {
        location_id: client.location_id().to_string(),
        fields: fields
            .map(|r| r.value)
            .map_err(|e| explain("custom fields", e)),
        users: users.map(|r| r.value).map_err(|e| explain("users", e)),
    });
}

/// Reports a failed job to the console and the log file.
pub(super) fn failed(shared: &Shared, what: &str, error: &GhlError) {
    tracing::warn!(what, status = ?error.status(), trace_id = ?error.trace_id(), "request failed");
    shared.send(Event::Failed {
        what: what.to_string(),
        error: error.to_string(),
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loads_in_quick_succession_wait() {
        let settle = Duration::from_millis(120);
        let mut last = None;
        assert_eq!(
            settle_for(&mut last, settle),
            Duration::ZERO,
            "the first goes at once"
        );
        assert_eq!(
            settle_for(&mut last, settle),
            settle,
            "the next one right after waits"
        );
        last = Instant::now().checked_sub(Duration::from_secs(1));
        assert_eq!(
            settle_for(&mut last, settle),
            Duration::ZERO,
            "after a pause, at once"
        );
        assert_eq!(settle_for(&mut None, Duration::ZERO), Duration::ZERO);
    }
}

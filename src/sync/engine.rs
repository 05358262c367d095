//! Full and incremental runs. A full run walks every contact by `searchAfter` (sorted by
//! `dateAdded`, so contacts changing during the walk are neither skipped nor repeated), marks
//! each one seen, and at the end checks the contacts it did not see: a 404 makes a tombstone.
//! An incremental run asks only for contacts whose `dateUpdated` is after the cursor, oldest
//! first. Either commits one transaction per page, with the cursor that page reached, so a
//! killed run resumes where its last commit left it.

use std::collections::HashSet;
use std::sync::atomic::Ordering;

use serde_json::json;

use super::context::{Context, Stop, is_daily_limit};
use super::plan::Plan;
use super::progress::{Phase, Tracker};
use crate::ghl::models::{Contact, SearchFilter, SearchRequest, SearchSort};
use crate::ghl::{GhlError, Reply};
use crate::rankr::{CursorUpdate, SyncCursor, WalkState};

/// A run in progress.
#[derive(Debug)]
pub struct Engine<'a> {
    /// The client, store and settings.
    pub ctx: Context<'a>,
    /// The totals so far.
    pub totals: Plan,
    /// Progress reporting.
    pub tracker: Tracker,
    /// Stops the run between pages and contacts.
    pub cancel: tokio_util::sync::CancellationToken,
    /// Contacts seen by this process in the current walk.
    seen: HashSet<String>,
    /// Contacts left before `--limit` is reached.
    left: Option<u64>,
}

impl<'a> Engine<'a> {
    /// An engine for one run.
    pub fn new(
        ctx: Context<'a>,
        tracker: Tracker,
        cancel: tokio_util::sync::CancellationToken,
    ) -> Self {
        let left = ctx.config.limit;
        Self {
            ctx,
            totals: Plan::default(),
            tracker,
            cancel,
            seen: HashSet::new(),
            left,
        }
    }

    fn check_cancel(&self) -> Result<(), Stop> {
        if self.cancel.is_cancelled() {
            Err(Stop::Cancelled)
        } else {
            Ok(())
        }
    }

    /// The next page of a search, counted.
    async fn next_page(
        &self,
        pager: &mut crate::ghl::SearchPager,
    ) -> Result<Option<Reply<crate::ghl::models::SearchPage>>, Stop> {
        self.check_cancel()?;
        self.ctx.sent();
        let page = tokio::select! {
            page = pager.next_page() => page,
            () = self.cancel.cancelled() => return Err(Stop::Cancelled),
        };
        page.map_err(Stop::Ghl)
    }

    /// Takes what `--limit` still allows from a page; `true` when the limit is now reached.
    fn take(&mut self, mut contacts: Vec<Contact>) -> (Vec<Contact>, bool) {
        let Some(left) = self.left else {
            return (contacts, false);
        };
        let keep = usize::try_from(left)
            .unwrap_or(usize::MAX)
            .min(contacts.len());
        contacts.truncate(keep);
        let left = left - keep as u64;
        self.left = Some(left);
        (contacts, left == 0)
    }

    /// Commits a plan with the run's counts so far, then adds it to the totals.
    fn settle(&mut self, mut plan: Plan) -> Result<(), Stop> {
        if let Some(run_id) = self.ctx.run_id {
            let mut counts = self.totals.counts;
            super::plan::add_counts(&mut counts, &plan.counts);
            counts.requests = self.ctx.requests.load(Ordering::Relaxed);
            plan.batch.run_counts = Some((run_id, counts));
        }
        self.ctx.commit(&plan)?;
        self.record(plan);
        Ok(())
    }

    /// Adds a committed plan to the totals; `done` already advanced contact by contact.
    fn record(&mut self, plan: Plan) {
        let keep_changes = self.ctx.config.dry_run;
        let mut plan = plan;
        if !keep_changes {
            plan.changes.clear();
        }
        plan.batch = crate::rankr::Batch::default();
        self.totals.absorb(plan);
        // The requests so far: the ETA of a paced run is reckoned from them.
        let mut counts = self.totals.counts;
        counts.requests = self.ctx.requests.load(Ordering::Relaxed);
        self.tracker.update(|p| p.counts = counts);
    }

    fn page_size(&self) -> u32 {
        let size = self
            .ctx
            .config
            .page_size
            .clamp(1, crate::ghl::api::MAX_PAGE_LIMIT);
        match self.left {
            Some(left) => size.min(u32::try_from(left.max(1)).unwrap_or(size)),
            None => size,
        }
    }

    /// A full walk, resumed from `cursor.walk` when an earlier one did not finish. Returns
    /// whether the walk finished.
    pub async fn walk(&mut self, cursor: &SyncCursor) -> Result<bool, Stop> {
        let resumed = cursor.walk.is_some();
        let (generation, after, mark) = match &cursor.walk {
            Some(w) => (w.generation, w.search_after.clone(), w.mark.clone()),
            None => (
                self.ctx.run_id.unwrap_or(0),
                None,
                self.newest_change().await?,
            ),
        };
        let template = SearchRequest {
            page_limit: self.page_size(),
            search_after: after,
            sort: vec![sort("dateAdded")],
            ..SearchRequest::default()
        };
        let mut pager = self.ctx.client.search_pager(template);
        // A resumed walk starts its count at what it already covered, not at 0.
        let covered = if cursor.walk.is_some() {
            self.ctx
                .store
                .walked(&self.ctx.config.location_id, generation)?
        } else {
            0
        };
        self.tracker.update(|p| p.phase = Phase::Contacts);
        self.tracker.carry(covered);
        while let Some(reply) = self.next_page(&mut pager).await? {
            let total = reply.value.total;
            self.tracker.update(|p| p.total = p.total.or(Some(total)));
            let (contacts, limited) = self.take(reply.value.contacts);
            self.seen.extend(contacts.iter().map(|c| c.id.clone()));
            let last = contacts.last().and_then(|c| c.search_after.clone());
            let mut plan = self
                .ctx
                .page(
                    &contacts,
                    Some(generation),
                    true,
                    Some(reply.exchange.id),
                    &mut || {
                        self.tracker.update(|p| {
                            p.done += 1;
                            p.counts.requests = self.ctx.requests.load(Ordering::Relaxed);
                        });
                    },
                )
                .await?;
            let location_id = self.ctx.config.location_id.clone();
            let search_after = last.or_else(|| pager.cursor().cloned());
            let state = WalkState {
                generation,
                search_after,
                mark: mark.clone(),
            };
            plan.batch.cursor = Some(CursorUpdate::Walk { location_id, state });
            self.settle(plan)?;
            if limited {
                return Ok(false);
            }
        }
        self.tombstones(generation, mark, resumed).await?;
        Ok(true)
    }

    /// The ids of every contact in GHL now, a page of the largest size per request.
    async fn ids_in_ghl(&self) -> Result<HashSet<String>, Stop> {
        let template = SearchRequest {
            page_limit: crate::ghl::api::MAX_PAGE_LIMIT,
            sort: vec![sort("dateAdded")],
            ..SearchRequest::default()
        };
        let mut pager = self.ctx.client.search_pager(template);
        let mut ids = HashSet::new();
        while let Some(reply) = self.next_page(&mut pager).await? {
            ids.extend(reply.value.contacts.into_iter().map(|c| c.id));
        }
        Ok(ids)
    }

    /// The newest `dateUpdated` in GHL now: where the incremental cursor stands after the walk.
    async fn newest_change(&self) -> Result<Option<String>, Stop> {
        let request = SearchRequest {
            page_limit: 1,
            sort: vec![SearchSort {
                field: "dateUpdated".into(),
                direction: "desc".into(),
            }],
            ..SearchRequest::default()
        };
        self.ctx.sent();
        let reply = self
            .ctx
            .client
            .search_contacts(request)
            .await
            .map_err(Stop::Ghl)?;
        Ok(reply
            .value
            .contacts
            .first()
            .and_then(|c| c.date_updated.as_deref())
            .map(super::mapping::normal_date))
    }

    /// Checks the contacts the walk did not see: gone (404) ones become tombstones, ones still
    /// there are synced. Then the walk is done and the incremental cursor moves to its mark.
    ///
    /// A walk resumed from an earlier run (after a kill, a limit or the daily budget) passed
    /// some contacts in that run, and any of them deleted since would stay live: so the ids
    /// GHL has now are listed too (one request per 500 contacts), and the contacts this
    /// process did not see that GHL no longer lists are checked the same way.
    async fn tombstones(
        &mut self,
        generation: i64,
        mark: Option<String>,
        resumed: bool,
    ) -> Result<(), Stop> {
        self.tracker.update(|p| p.phase = Phase::Tombstones);
        let location_id = self.ctx.config.location_id.clone();
        let mut unseen = self.ctx.store.unseen_contacts(&location_id, generation)?;
        if resumed {
            let in_ghl = self.ids_in_ghl().await?;
            // No walk has generation `i64::MIN`: this lists every live contact.
            let live = self.ctx.store.unseen_contacts(&location_id, i64::MIN)?;
            unseen.extend(live.into_iter().filter(|row| {
                row.seen_walk == Some(generation)
                    && row.ghl_id.as_ref().is_some_and(|id| !in_ghl.contains(id))
            }));
        }
        let mut plan = self.ctx.plan();
        let mut found = Vec::new();
        for row in unseen {
            let Some(id) = row.ghl_id.clone().filter(|id| !self.seen.contains(id)) else {
                continue;
            };
            self.check_cancel()?;
            self.ctx.sent();
            let answer = self.ctx.client.get_contact(&id).await;
            self.ctx
                .reached(&answer.as_ref().err().into_iter().collect::<Vec<_>>())?;
            match answer {
                Ok(reply) => found.push(reply.value),
                Err(GhlError::NotFound { trace_id, .. }) => {
                    let why = format!(
                        "gone from GHL (404 on GET, trace {})",
                        trace_id.unwrap_or_default()
                    );
                    plan.tombstone(row, &why, None);
                }
                Err(e) if is_daily_limit(&e) => return Err(Stop::Ghl(e)),
                Err(e) => plan.fail(
                    "contact",
                    &id,
                    format!("checking whether it still exists: {e}"),
                    None,
                ),
            }
        }
        if !found.is_empty() {
            let more = self
                .ctx
                .page(&found, Some(generation), true, None, &mut || {
                    self.tracker.update(|p| {
                        p.done += 1;
                        p.counts.requests = self.ctx.requests.load(Ordering::Relaxed);
                    });
                })
                .await?;
            plan.absorb(more);
        }
        plan.batch.cursor = Some(CursorUpdate::WalkDone { location_id, mark });
        self.settle(plan)?;
        Ok(())
    }

    /// An incremental run: contacts changed after the cursor, oldest first.
    pub async fn incremental(&mut self, cursor: &SyncCursor) -> Result<(), Stop> {
        let filters = cursor
            .date_updated
            .iter()
            .map(|date| SearchFilter {
                field: "dateUpdated".into(),
                operator: "range".into(),
                value: json!({ "gt": date }),
            })
            .collect();
        let template = SearchRequest {
            page_limit: self.page_size(),
            filters,
            sort: vec![sort("dateUpdated")],
            ..SearchRequest::default()
        };
        let mut pager = self.ctx.client.search_pager(template);
        self.tracker.update(|p| p.phase = Phase::Contacts);
        while let Some(reply) = self.next_page(&mut pager).await? {
            let total = reply.value.total;
            self.tracker.update(|p| p.total = p.total.or(Some(total)));
            let (contacts, limited) = self.take(reply.value.contacts);
            let newest = contacts
                .iter()
                .filter_map(|c| c.date_updated.as_deref())
                .map(super::mapping::normal_date)
                .max();
            let mut plan = self
                .ctx
                .page(&contacts, None, false, Some(reply.exchange.id), &mut || {
                    self.tracker.update(|p| {
                        p.done += 1;
                        p.counts.requests = self.ctx.requests.load(Ordering::Relaxed);
                    });
                })
                .await?;
            if let Some(date_updated) = newest {
                let location_id = self.ctx.config.location_id.clone();
                plan.batch.cursor = Some(CursorUpdate::Incremental {
                    location_id,
                    date_updated,
                });
            }
            self.settle(plan)?;
            if limited {
                break;
            }
        }
        Ok(())
    }

    /// Fetches tasks and notes of contacts marked stale (a failed fetch, a task or note event).
    pub async fn stale_children(&mut self) -> Result<(), Stop> {
        self.tracker.update(|p| p.phase = Phase::Children);
        let ids = self
            .ctx
            .store
            .stale_children(&self.ctx.config.location_id)?;
        let size = usize::try_from(self.ctx.config.page_size.max(1)).unwrap_or(100);
        for chunk in ids.chunks(size) {
            self.check_cancel()?;
            let mut plan = self.ctx.plan();
            for id in chunk {
                let more = self.ctx.refresh_children(id, true, true).await?;
                plan.absorb(more);
            }
            self.totals.refetched(chunk);
            self.settle(plan)?;
        }
        Ok(())
    }

    /// Puts the request count into the totals.
    pub fn close(&mut self) {
        self.totals.counts.requests = self.ctx.requests.load(Ordering::Relaxed);
    }
}

fn sort(field: &str) -> SearchSort {
    SearchSort {
        field: field.into(),
        direction: "asc".into(),
    }
}

//! What a run and the webhook applier share: turning a batch of GHL contacts into a plan,
//! fetching their tasks and notes under the client's pacing, and committing a plan.

use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};

use futures_util::StreamExt;

use super::EngineConfig;
use super::mapping::{map_contact, map_note, map_task, new_rankr_id, resolve};
use super::plan::Plan;
use crate::ghl::models::{Contact, Note, Task};
use crate::ghl::{GhlClient, GhlError, RateLimitKind, Reply};
use crate::rankr::{Level, LogEntry, RankrError, RankrStore, StoredContact};

/// Why a step stopped the run.
#[derive(Debug)]
pub enum Stop {
    /// A GHL call failed in a way that ends the run (the daily limit, a failed search).
    Ghl(GhlError),
    /// The store failed.
    Store(RankrError),
    /// The run was cancelled.
    Cancelled,
}

impl From<RankrError> for Stop {
    fn from(e: RankrError) -> Self {
        Self::Store(e)
    }
}

/// How many contacts in a row may fail to reach GHL at all (every fetch a network error or a
/// timeout, after the client's retries) before the run stops: past that GHL is down or the
/// link to it is, and going on would only spend each remaining contact's retries.
pub const UNREACHABLE_STREAK: u32 = 3;

/// Whether an error means GHL could not be reached (after the client's retries).
pub fn is_unreachable(error: &GhlError) -> bool {
    matches!(error, GhlError::Network(_) | GhlError::Timeout(_))
}

/// Whether an error means GHL's daily budget is spent.
pub fn is_daily_limit(error: &GhlError) -> bool {
    matches!(
        error,
        GhlError::RateLimited {
            kind: RateLimitKind::Daily,
            ..
        }
    )
}

/// The client, store and settings of one run (or of the webhook applier).
#[derive(Debug)]
pub struct Context<'a> {
    /// The settings.
    pub config: &'a EngineConfig,
    /// The GHL client.
    pub client: &'a GhlClient,
    /// The Rankr store.
    pub store: &'a dyn RankrStore,
    /// The run the log lines belong to.
    pub run_id: Option<i64>,
    /// GHL requests sent.
    pub requests: AtomicU64,
    /// Contacts in a row whose fetches all failed to reach GHL.
    unreachable: AtomicU32,
}

/// One contact of a page, mapped and matched, waiting for its tasks and notes.
struct Prepared {
    row: StoredContact,
    existing: Option<StoredContact>,
    tasks: bool,
    notes: bool,
}

type Fetched<T> = Option<Result<Reply<Vec<T>>, GhlError>>;

impl<'a> Context<'a> {
    /// A context for run `run_id`.
    pub fn new(
        config: &'a EngineConfig,
        client: &'a GhlClient,
        store: &'a dyn RankrStore,
        run_id: Option<i64>,
    ) -> Self {
        Self {
            config,
            client,
            store,
            run_id,
            requests: AtomicU64::new(0),
            unreachable: AtomicU32::new(0),
        }
    }

    /// Counts a contact whose fetches ended with `errors`: once [`UNREACHABLE_STREAK`]
    /// contacts in a row could not reach GHL at all, the run stops (resumable) rather than
    /// spend every remaining contact's retries. Any answer from GHL ends the streak.
    pub fn reached(&self, errors: &[&GhlError]) -> Result<(), Stop> {
        let Some(last) = errors
            .last()
            .filter(|_| errors.iter().all(|e| is_unreachable(e)))
        else {
            self.unreachable.store(0, Ordering::Relaxed);
            return Ok(());
        };
        let streak = self.unreachable.fetch_add(1, Ordering::Relaxed) + 1;
        if streak < UNREACHABLE_STREAK {
            return Ok(());
        }
        Err(Stop::Ghl(GhlError::Network(format!(
            "GHL unreachable: {streak} contacts in a row could not be fetched ({last}); \
             the next run resumes from here"
        ))))
    }

    /// A new plan for this run.
    pub fn plan(&self) -> Plan {
        Plan::new(self.run_id, self.config.http_target.is_some())
    }

    /// Counts one request.
    pub fn sent(&self) {
        self.requests.fetch_add(1, Ordering::Relaxed);
    }

    /// Plans a page of contacts: each is matched, written if it changed, and its tasks
    /// (always when `all_tasks`, else only when it changed) and notes (only when it changed,
    /// C23) are fetched and brought up to date. `generation` marks them seen by a full walk.
    /// `on_contact` is called as each contact's fetches finish, for progress.
    pub async fn page(
        &self,
        contacts: &[Contact],
        generation: Option<i64>,
        all_tasks: bool,
        exchange: Option<u64>,
        on_contact: &mut (dyn FnMut() + Send),
    ) -> Result<Plan, Stop> {
        let mut plan = self.plan();
        let mut prepared = Vec::with_capacity(contacts.len());
        let mut claimed = Vec::new();
        for contact in contacts.iter().filter(|c| !c.id.is_empty()) {
            let one = self.prepare(contact, generation, all_tasks, &claimed, &mut plan)?;
            claimed.push(one.row.rankr_id.clone());
            prepared.push(one);
        }
        let fetches: Vec<_> = prepared.iter().map(|p| self.children(p)).collect();
        let mut stream =
            futures_util::stream::iter(fetches).buffered(self.config.concurrency.max(1));
        let mut children = Vec::with_capacity(prepared.len());
        while let Some(fetched) = stream.next().await {
            let (tasks, notes) = &fetched;
            let errors = fetch_errors(tasks.as_ref(), notes.as_ref());
            if tasks.is_some() || notes.is_some() {
                self.reached(&errors.iter().map(|(_, e)| *e).collect::<Vec<_>>())?;
            }
            children.push(fetched);
            // Each contact counts as done once its tasks and notes are in, not a page later.
            on_contact();
        }
        for (one, (tasks, notes)) in prepared.into_iter().zip(children) {
            self.finish(one, tasks, notes, exchange, &mut plan)?;
        }
        Ok(plan)
    }

    fn prepare(
        &self,
        contact: &Contact,
        generation: Option<i64>,
        all_tasks: bool,
        claimed: &[String],
        plan: &mut Plan,
    ) -> Result<Prepared, Stop> {
        plan.counts.seen += 1;
        let location = &self.config.location_id;
        let mapped = map_contact(contact, location, self.config.default_country.as_deref());
        let resolution = resolve(self.store, &mapped, claimed)?;
        resolution.log.into_iter().for_each(|l| plan.log(l));
        let existing = resolution.existing;
        let mut row = mapped.row;
        row.rankr_id = existing
            .as_ref()
            .map_or_else(new_rankr_id, |e| e.rankr_id.clone());
        row.seen_walk = generation.or_else(|| existing.as_ref().and_then(|e| e.seen_walk));
        let changed = existing.as_ref().is_none_or(|e| {
            e.content_hash != row.content_hash
                || e.date_updated != row.date_updated
                || e.children_stale
                || e.tombstone
        });
        if let (Some(problem), true) = (&mapped.phone_problem, changed) {
            plan.log(
                LogEntry::new(Level::Warn, "contact", Some(&contact.id), "phone")
                    .message(format!("phone not matched: {problem}")),
            );
        }
        Ok(Prepared {
            row,
            existing,
            tasks: changed || all_tasks,
            notes: changed,
        })
    }

    /// The fetches of one contact's tasks and notes, as a future that owns what it needs (so
    /// a page can run several at once); the requests are counted now.
    fn children(
        &self,
        one: &Prepared,
    ) -> impl Future<Output = (Fetched<Task>, Fetched<Note>)> + Send + 'static {
        let id = one.row.ghl_id.clone().unwrap_or_default();
        let (want_tasks, want_notes) = (one.tasks, one.notes);
        for _ in 0..u8::from(want_tasks) + u8::from(want_notes) {
            self.sent();
        }
        let client = self.client.clone();
        async move {
            let tasks = if want_tasks {
                Some(client.tasks(&id).await)
            } else {
                None
            };
            let notes = if want_notes {
                Some(client.notes(&id).await)
            } else {
                None
            };
            (tasks, notes)
        }
    }

    fn finish(
        &self,
        mut one: Prepared,
        tasks: Fetched<Task>,
        notes: Fetched<Note>,
        exchange: Option<u64>,
        plan: &mut Plan,
    ) -> Result<(), Stop> {
        let id = one.row.ghl_id.clone().unwrap_or_default();
        for (what, error) in fetch_errors(tasks.as_ref(), notes.as_ref()) {
            if is_daily_limit(error) {
                return Err(Stop::Ghl(error.clone()));
            }
            one.row.children_stale = true;
            plan.fail_listing(what, &one.row, &error.to_string());
        }
        plan.contact(one.existing.as_ref(), one.row, exchange);
        if let Some(Ok(reply)) = tasks {
            let fetched: Vec<_> = reply.value.iter().map(|t| map_task(t, &id)).collect();
            plan.tasks(
                &self.store.tasks_of(&id)?,
                &fetched,
                Some(reply.exchange.id),
            );
        }
        if let Some(Ok(reply)) = notes {
            let fetched: Vec<_> = reply.value.iter().map(|n| map_note(n, &id)).collect();
            plan.notes(
                &self.store.notes_of(&id)?,
                &fetched,
                Some(reply.exchange.id),
            );
        }
        Ok(())
    }

    /// Fetches the tasks and/or notes of one stored contact again and brings them up to date;
    /// the contact stays marked stale if a fetch fails.
    pub async fn refresh_children(&self, id: &str, tasks: bool, notes: bool) -> Result<Plan, Stop> {
        let mut plan = self.plan();
        let Some(mut row) = self.store.contact_by_ghl_id(id)? else {
            return Ok(plan);
        };
        let one = Prepared {
            row: row.clone(),
            existing: None,
            tasks,
            notes,
        };
        let (tasks, notes) = self.children(&one).await;
        let mut stale = false;
        let errors = fetch_errors(tasks.as_ref(), notes.as_ref());
        self.reached(&errors.iter().map(|(_, e)| *e).collect::<Vec<_>>())?;
        for (what, error) in errors {
            if is_daily_limit(error) {
                return Err(Stop::Ghl(error.clone()));
            }
            if matches!(error, GhlError::NotFound { .. }) {
                plan.log(
                    LogEntry::new(Level::Warn, "contact", Some(id), "missing").message(format!(
                        "its {what} answered 404; the next full run checks it"
                    )),
                );
                continue;
            }
            stale = true;
            plan.fail_listing(what, &row, &error.to_string());
        }
        if let Some(Ok(reply)) = tasks {
            let fetched: Vec<_> = reply.value.iter().map(|t| map_task(t, id)).collect();
            plan.tasks(&self.store.tasks_of(id)?, &fetched, Some(reply.exchange.id));
        }
        if let Some(Ok(reply)) = notes {
            let fetched: Vec<_> = reply.value.iter().map(|n| map_note(n, id)).collect();
            plan.notes(&self.store.notes_of(id)?, &fetched, Some(reply.exchange.id));
        }
        if row.children_stale != stale {
            row.children_stale = stale;
            plan.batch.contacts.push(row);
        }
        Ok(plan)
    }

    /// Writes a plan (not in a dry run); returns the plan for its counts.
    pub fn commit(&self, plan: &Plan) -> Result<(), Stop> {
        if !self.config.dry_run && !plan.batch.is_empty() {
            self.store.apply(&plan.batch)?;
        }
        Ok(())
    }
}

/// The errors of a contact's task and note fetches, named.
fn fetch_errors<'e>(
    tasks: Option<&'e Result<Reply<Vec<Task>>, GhlError>>,
    notes: Option<&'e Result<Reply<Vec<Note>>, GhlError>>,
) -> Vec<(&'static str, &'e GhlError)> {
    let task_error = tasks.and_then(|r| r.as_ref().err());
    let note_error = notes.and_then(|r| r.as_ref().err());
    [("tasks", task_error), ("notes", note_error)]
        .into_iter()
        .filter_map(|(what, e)| e.map(|e| (what, e)))
        .collect()
}

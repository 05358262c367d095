//! Applying queued webhook events, oldest event time first. An event is a hint that a record
//! changed: the record is fetched by id and Rankr is written from what GHL says now, so a thin
//! payload cannot blank a stored field (C40) and a late update cannot bring back a contact
//! whose tombstone is set (C42). A delete event is a hint too: only a 404 on that fetch makes
//! the tombstone (or drops the task or note); a record GHL still has is kept, brought up to
//! date, and a warning says the delete was not confirmed.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use crate::ghl::{GhlClient, GhlError, Reply};
use crate::rankr::{EventState, Level, LogEntry, QueuedEvent, RankrStore};
use crate::sync::EngineConfig;
use crate::sync::context::{Context, Stop, is_daily_limit};
use crate::sync::mapping::{map_note, map_task};
use crate::sync::plan::Plan;

/// What one pass over the queue did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Applied {
    /// Events applied.
    pub done: u64,
    /// Events with nothing to do.
    pub ignored: u64,
    /// Events that failed this time.
    pub failed: u64,
}

/// What applying one event came to.
enum Outcome {
    Done(Plan),
    Ignored(Plan, String),
}

/// Applies up to `limit` pending events. Stops early (leaving the rest queued) when GHL's daily
/// limit is reached.
pub async fn apply_pending(
    ctx: &Context<'_>,
    limit: usize,
) -> Result<Applied, crate::rankr::RankrError> {
    let mut report = Applied::default();
    for queued in ctx.store.pending_events(limit)? {
        let event = &queued.event;
        match apply_one(ctx, &queued).await {
            Ok(Outcome::Done(plan)) => {
                commit(ctx, &plan)?;
                ctx.store.finish_event(queued.id, EventState::Done, None)?;
                report.done += 1;
            }
            Ok(Outcome::Ignored(plan, why)) => {
                let mut plan = plan;
                plan.log(
                    LogEntry::new(Level::Info, "webhook", Some(&event.entity_id), "ignored")
                        .message(format!("{}: {why}", event.event_type)),
                );
                commit(ctx, &plan)?;
                ctx.store
                    .finish_event(queued.id, EventState::Ignored, None)?;
                report.ignored += 1;
            }
            Err(Stop::Store(e)) => return Err(e),
            Err(Stop::Ghl(e)) => {
                let line = LogEntry::new(Level::Warn, "webhook", Some(&event.entity_id), "retry")
                    .message(format!("{} not applied yet: {e}", event.event_type));
                ctx.store.log(&[line])?;
                ctx.store
                    .finish_event(queued.id, EventState::Retry, Some(&e.to_string()))?;
                report.failed += 1;
                if is_daily_limit(&e) {
                    break;
                }
            }
            Err(Stop::Cancelled) => break,
        }
    }
    Ok(report)
}

fn commit(ctx: &Context<'_>, plan: &Plan) -> Result<(), crate::rankr::RankrError> {
    match ctx.commit(plan) {
        Ok(()) | Err(Stop::Ghl(_) | Stop::Cancelled) => Ok(()),
        Err(Stop::Store(e)) => Err(e),
    }
}

async fn apply_one(ctx: &Context<'_>, queued: &QueuedEvent) -> Result<Outcome, Stop> {
    let event = &queued.event;
    let kind = event.event_type.as_str();
    let contact_id = event.contact_id.clone().unwrap_or_default();
    let stored = if contact_id.is_empty() {
        None
    } else {
        ctx.store.contact_by_ghl_id(&contact_id)?
    };
    let plan = ctx.plan();
    if kind.starts_with("Appointment") {
        return Ok(Outcome::Ignored(plan, "appointments are not synced".into()));
    }
    if contact_id.is_empty() {
        return Ok(Outcome::Ignored(plan, "no contact id in the event".into()));
    }
    if stored.as_ref().is_some_and(|c| c.tombstone) {
        return Ok(Outcome::Ignored(
            plan,
            format!("contact {contact_id} is deleted (tombstone)"),
        ));
    }
    match kind {
        "ContactDelete" => contact_deleted(ctx, plan, stored, &contact_id).await,
        "ContactCreate" | "ContactUpdate" | "ContactTagUpdate" | "ContactDndUpdate" => {
            contact_changed(ctx, plan, stored, &contact_id, None).await
        }
        // A task or note of a contact Rankr has not seen: sync the whole contact.
        _ if stored.is_none() => contact_changed(ctx, plan, None, &contact_id, None).await,
        "TaskCreate" | "TaskComplete" => {
            task_changed(ctx, plan, &contact_id, &event.entity_id, None).await
        }
        "TaskDelete" => task_changed(ctx, plan, &contact_id, &event.entity_id, Some(kind)).await,
        "NoteCreate" | "NoteUpdate" => {
            note_changed(ctx, plan, &contact_id, &event.entity_id, None).await
        }
        "NoteDelete" => note_changed(ctx, plan, &contact_id, &event.entity_id, Some(kind)).await,
        other => Ok(Outcome::Ignored(
            plan,
            format!("{other} is not an event the sync uses"),
        )),
    }
}

/// A `ContactDelete`: the contact is fetched like any other change, so only GHL's 404 makes
/// the tombstone; one GHL still has is kept and brought up to date.
async fn contact_deleted(
    ctx: &Context<'_>,
    plan: Plan,
    stored: Option<crate::rankr::StoredContact>,
    contact_id: &str,
) -> Result<Outcome, Stop> {
    match contact_changed(ctx, plan, stored, contact_id, Some("ContactDelete")).await? {
        Outcome::Ignored(plan, _) => Ok(Outcome::Ignored(
            plan,
            format!("contact {contact_id} is not in GHL and was never synced"),
        )),
        done @ Outcome::Done(_) => Ok(done),
    }
}

/// Fetches a contact and writes what GHL has; a 404 makes a stored one a tombstone.
/// `deleted` names the delete event behind the fetch, if one is: a contact GHL still has is
/// then logged as a delete that was not confirmed.
async fn contact_changed(
    ctx: &Context<'_>,
    mut plan: Plan,
    stored: Option<crate::rankr::StoredContact>,
    contact_id: &str,
    deleted: Option<&str>,
) -> Result<Outcome, Stop> {
    ctx.sent();
    match ctx.client.get_contact(contact_id).await {
        Ok(reply) => {
            let exchange = Some(reply.exchange.id);
            if let Some(kind) = deleted {
                plan.log(unconfirmed(kind, "contact", contact_id, exchange));
            }
            let more = ctx
                .page(&[reply.value], None, false, exchange, &mut || {})
                .await?;
            plan.absorb(more);
            Ok(Outcome::Done(plan))
        }
        Err(GhlError::NotFound { .. }) => match stored {
            Some(row) => {
                let why = match deleted {
                    Some(kind) => format!("a {kind} webhook, confirmed by a 404 on GET"),
                    None => "404 on GET after a webhook".to_string(),
                };
                plan.tombstone(row, &why, None);
                Ok(Outcome::Done(plan))
            }
            None => Ok(Outcome::Ignored(
                plan,
                format!("contact {contact_id} is not in GHL"),
            )),
        },
        Err(e) => Err(Stop::Ghl(e)),
    }
}

/// The warning for a delete event whose record GHL still has: it is kept, not deleted.
fn unconfirmed(kind: &str, entity: &str, id: &str, exchange: Option<u64>) -> LogEntry {
    LogEntry::new(Level::Warn, "webhook", Some(id), "unconfirmed")
        .message(format!(
            "{kind} not confirmed: GHL still has {entity} {id}, so it is kept and brought up to date"
        ))
        .exchange(exchange)
}

/// Fetches a task and writes what GHL has; a 404 drops a stored one. `deleted` names the
/// delete event behind the fetch, if one is (see [`contact_changed`]).
async fn task_changed(
    ctx: &Context<'_>,
    plan: Plan,
    contact_id: &str,
    task_id: &str,
    deleted: Option<&str>,
) -> Result<Outcome, Stop> {
    let stored = ctx.store.tasks_of(contact_id)?;
    let old = stored.iter().find(|t| t.id == task_id);
    ctx.sent();
    let fetched = ctx.client.task(contact_id, task_id).await;
    child_fetched(
        plan,
        old,
        fetched,
        Child {
            entity: "task",
            id: task_id,
            deleted,
        },
        |plan, old, task, exchange| plan.task(old, map_task(task, contact_id), Some(exchange)),
        |plan, old| plan.task_gone(old, None),
    )
}

/// Fetches a note and writes what GHL has; a 404 drops a stored one. `deleted` as for tasks.
async fn note_changed(
    ctx: &Context<'_>,
    plan: Plan,
    contact_id: &str,
    note_id: &str,
    deleted: Option<&str>,
) -> Result<Outcome, Stop> {
    let stored = ctx.store.notes_of(contact_id)?;
    let old = stored.iter().find(|n| n.id == note_id);
    ctx.sent();
    let fetched = ctx.client.note(contact_id, note_id).await;
    child_fetched(
        plan,
        old,
        fetched,
        Child {
            entity: "note",
            id: note_id,
            deleted,
        },
        |plan, old, note, exchange| plan.note(old, map_note(note, contact_id), Some(exchange)),
        |plan, old| plan.note_gone(old, None),
    )
}

/// The task or note an event names, and the delete event behind it, if one is.
#[derive(Clone, Copy)]
struct Child<'a> {
    entity: &'a str,
    id: &'a str,
    deleted: Option<&'a str>,
}

/// What a changed or deleted task or note comes to once fetched: written as GHL has it
/// (`write` gets the stored row, the fetched record and the exchange id; after a delete event
/// with a warning that it was not confirmed), or, on a 404, dropped when stored. A delete of
/// one that is neither stored nor in GHL is ignored.
fn child_fetched<S, T>(
    mut plan: Plan,
    old: Option<&S>,
    fetched: Result<Reply<T>, GhlError>,
    child: Child<'_>,
    write: impl FnOnce(&mut Plan, Option<&S>, &T, u64),
    gone: impl FnOnce(&mut Plan, &S),
) -> Result<Outcome, Stop> {
    match fetched {
        Ok(reply) => {
            if let Some(kind) = child.deleted {
                let exchange = Some(reply.exchange.id);
                plan.log(unconfirmed(kind, child.entity, child.id, exchange));
            }
            write(&mut plan, old, &reply.value, reply.exchange.id);
            Ok(Outcome::Done(plan))
        }
        Err(GhlError::NotFound { .. }) => match old {
            Some(old) => {
                gone(&mut plan, old);
                Ok(Outcome::Done(plan))
            }
            None if child.deleted.is_some() => Ok(Outcome::Ignored(
                plan,
                format!("{} {} is not stored", child.entity, child.id),
            )),
            None => Ok(Outcome::Done(plan)),
        },
        Err(e) => Err(Stop::Ghl(e)),
    }
}

/// Applies queued events as they arrive (woken by `notify`, and every second for retries)
/// until `cancel` fires.
pub async fn run_applier(
    config: EngineConfig,
    client: GhlClient,
    store: Arc<dyn RankrStore>,
    notify: Arc<Notify>,
    cancel: CancellationToken,
) {
    loop {
        let ctx = Context::new(&config, &client, store.as_ref(), None);
        match apply_pending(&ctx, 100).await {
            Ok(report) if report.done + report.ignored > 0 => {
                tracing::info!(
                    done = report.done,
                    ignored = report.ignored,
                    "webhook events applied"
                );
                deliver(&config, store.as_ref()).await;
                continue;
            }
            Ok(_) => {}
            Err(e) => tracing::error!(error = %e, "applying webhook events failed"),
        }
        tokio::select! {
            () = cancel.cancelled() => return,
            () = notify.notified() => {}
            () = tokio::time::sleep(Duration::from_secs(1)) => {}
        }
    }
}

/// Sends what the applied events put in the outbox, when there is an HTTP target.
async fn deliver(config: &EngineConfig, store: &dyn RankrStore) {
    let Some(target) = &config.http_target else {
        return;
    };
    match target.deliver(store).await {
        Ok(delivery) if delivery.pending > 0 => {
            tracing::warn!(
                pending = delivery.pending,
                "the HTTP target did not take every change"
            );
        }
        Ok(_) => {}
        Err(e) => tracing::error!(error = %e, "delivering to the HTTP target failed"),
    }
}

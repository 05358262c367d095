//! One run from start to summary: choose the mode, walk or follow the cursor, fetch stale
//! children, deliver the outbox, and record the run and its outcome.

use std::time::Instant;

use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

use super::context::{Context, Stop, is_daily_limit};
use super::engine::Engine;
use super::progress::{Phase, SyncProgress, Tracker};
use super::{EngineConfig, SyncError, SyncMode, SyncSummary};
use crate::ghl::GhlClient;
use crate::rankr::{Level, LogEntry, RankrStore, RunRecord, SyncCursor, now};

/// Runs one sync of `config.location_id` from GHL into the store.
///
/// Progress goes to `progress` (latest wins); `cancel` stops the run between steps, keeping
/// what was committed. Records that failed do not stop the run: they are listed in the summary
/// (outcome `failed`) and tried again by the next run. The daily rate limit, a failed search or
/// a store error stop it with [`SyncError`], which carries the summary so far.
pub async fn run(
    config: &EngineConfig,
    client: &GhlClient,
    store: &dyn RankrStore,
    mode: SyncMode,
    progress: Option<watch::Sender<SyncProgress>>,
    cancel: CancellationToken,
) -> Result<SyncSummary, SyncError> {
    let started = Instant::now();
    let cursor = store.cursor(&config.location_id)?;
    let full = match mode {
        SyncMode::Full => true,
        SyncMode::Incremental => false,
        SyncMode::Auto => cursor.walk.is_some() || cursor.date_updated.is_none(),
    };
    let mode_name = if full { "full" } else { "incremental" };
    let run_id = if config.dry_run {
        None
    } else {
        Some(store.start_run(&config.location_id, mode_name)?)
    };
    tracing::info!(?run_id, mode = mode_name, location = %config.location_id, "sync run started");
    let mut tracker = Tracker::new(progress).paced(client.pace());
    tracker.update(|p| {
        p.run_id = run_id;
        p.mode = mode_name.into();
    });
    let mut engine = Engine::new(
        Context::new(config, client, store, run_id),
        tracker,
        cancel.clone(),
    );
    // A cancel ends the run at once, even in the middle of a request that hangs: each commit
    // is synchronous, so dropping the steps between two awaits loses nothing committed.
    let result = tokio::select! {
        result = execute(&mut engine, &cursor, full) => result,
        () = cancel.cancelled() => Err(Stop::Cancelled),
    };
    let outbox_pending = deliver(&mut engine, &result).await?;
    let mut summary = summarize(&mut engine, mode_name, outbox_pending, started)?;
    let error = outcome(&mut summary, result);
    record(store, &summary)?;
    match error {
        None => Ok(summary),
        Some(Stop::Store(e)) => Err(SyncError::Store(e)),
        Some(Stop::Cancelled) => Err(SyncError::Cancelled {
            summary: Box::new(summary),
        }),
        Some(Stop::Ghl(e)) if is_daily_limit(&e) => Err(SyncError::DailyLimit {
            summary: Box::new(summary),
        }),
        Some(Stop::Ghl(source)) => Err(SyncError::Ghl {
            source,
            summary: Box::new(summary),
        }),
    }
}

/// The run's steps: the walk or the incremental pages, then the stale tasks and notes. A walk
/// that finishes is followed by the incremental pages from where it began: it may have taken
/// long, or been resumed by a later run after a kill, and contacts it passed early may have
/// changed since, so a full run ends as current as an incremental one.
async fn execute(engine: &mut Engine<'_>, cursor: &SyncCursor, full: bool) -> Result<(), Stop> {
    if !full {
        engine.incremental(cursor).await?;
    } else if engine.walk(cursor).await? && !engine.ctx.config.dry_run {
        let walked = engine.ctx.store.cursor(&engine.ctx.config.location_id)?;
        engine.incremental(&walked).await?;
    }
    if !engine.ctx.config.dry_run {
        engine.stale_children().await?;
    }
    Ok(())
}

/// Sends the outbox to the HTTP target after a run that went through; returns what waits.
async fn deliver(engine: &mut Engine<'_>, result: &Result<(), Stop>) -> Result<u64, SyncError> {
    engine.close();
    let config = engine.ctx.config;
    let (Some(target), false, Ok(())) = (&config.http_target, config.dry_run, result) else {
        return Ok(0);
    };
    engine.tracker.update(|p| p.phase = Phase::Delivering);
    Ok(target.deliver(engine.ctx.store).await?.pending)
}

/// The summary of the run so far; the outcome is set after.
fn summarize(
    engine: &mut Engine<'_>,
    mode: &str,
    outbox_pending: u64,
    started: Instant,
) -> Result<SyncSummary, SyncError> {
    engine.tracker.update(|p| p.phase = Phase::Done);
    let (config, store) = (engine.ctx.config, engine.ctx.store);
    let after = store.cursor(&config.location_id)?;
    let totals = std::mem::take(&mut engine.totals);
    Ok(SyncSummary {
        run_id: engine.ctx.run_id,
        location_id: config.location_id.clone(),
        mode: mode.into(),
        dry_run: config.dry_run,
        outcome: String::new(),
        counts: totals.counts,
        store: store.counts(&config.location_id)?,
        failed: totals.failed,
        changes: totals.changes,
        cursor: after.date_updated,
        walk_pending: after.walk.is_some(),
        outbox_pending,
        elapsed_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
        message: None,
    })
}

/// Sets the outcome and message from how the run ended; returns the error that ended it.
fn outcome(summary: &mut SyncSummary, result: Result<(), Stop>) -> Option<Stop> {
    let (outcome, message, error) = match result {
        Ok(()) if summary.counts.failed > 0 => (
            "failed",
            Some(format!("{} records failed", summary.counts.failed)),
            None,
        ),
        Ok(()) if summary.outbox_pending > 0 => (
            "failed",
            Some(format!(
                "{} changes wait in the outbox for the HTTP target",
                summary.outbox_pending
            )),
            None,
        ),
        Ok(()) => ("ok", None, None),
        Err(Stop::Cancelled) => ("cancelled", Some("cancelled".into()), Some(Stop::Cancelled)),
        Err(Stop::Ghl(e)) if is_daily_limit(&e) => (
            "stopped",
            Some(format!(
                "GHL's daily request limit is reached ({e}); committed pages are kept and the \
                 next run resumes from cursor {}",
                summary.cursor.as_deref().unwrap_or("(walk position)")
            )),
            Some(Stop::Ghl(e)),
        ),
        Err(Stop::Ghl(e)) => ("stopped", Some(e.to_string()), Some(Stop::Ghl(e))),
        Err(Stop::Store(e)) => ("stopped", Some(e.to_string()), Some(Stop::Store(e))),
    };
    summary.outcome = outcome.into();
    summary.message = message;
    error
}

/// Records the end of the run and a log line saying how it went (not for a dry run).
fn record(store: &dyn RankrStore, summary: &SyncSummary) -> Result<(), crate::rankr::RankrError> {
    let Some(id) = summary.run_id else {
        return Ok(());
    };
    let c = &summary.counts;
    let level = if summary.is_ok() {
        Level::Info
    } else {
        Level::Warn
    };
    // Why it stopped comes first: the Sync pane cuts long lines at its edge.
    let mut line =
        LogEntry::new(level, "run", Some(&id.to_string()), &summary.outcome).message(format!(
            "{}{} run: {}",
            summary
                .message
                .as_deref()
                .map(|m| format!("{m}; "))
                .unwrap_or_default(),
            summary.mode,
            c.describe("tasks/notes changed"),
        ));
    line.run_id = Some(id);
    store.log(&[line])?;
    tracing::info!(run_id = id, outcome = %summary.outcome, seen = c.seen, "sync run ended");
    store.finish_run(&RunRecord {
        id,
        location_id: summary.location_id.clone(),
        mode: summary.mode.clone(),
        started_at: String::new(),
        ended_at: Some(now()),
        outcome: Some(summary.outcome.clone()),
        counts: summary.counts,
        message: summary.message.clone(),
    })
}

//! The sync engine against the sandbox over loopback: full and incremental runs, propagation,
//! dry run, limit, interrupted runs, the store's migrations, the daily limit and pacing.

mod sync_support;

use ghl_console::rankr::{LogFilter, RankrStore};
use ghl_console::sandbox::DEMO_LOCATION_ID;
use ghl_console::sync::{Action, SyncMode};
use sync_support::{World, config, content, integrity, store_counts};

#[tokio::test]
async fn full_then_incremental_counts_equal_the_sandbox() {
    let world = World::new(120).await;
    let first = world.sync(SyncMode::Auto).await;
    assert_eq!(first.mode, "full");
    assert!(first.is_ok(), "{first:?}");
    assert_eq!(first.counts.created, 120);
    assert_eq!(store_counts(world.store.as_ref()), world.sandbox_counts());

    let again = world.sync(SyncMode::Auto).await;
    assert_eq!(again.mode, "incremental");
    assert_eq!(
        (
            again.counts.seen,
            again.counts.created,
            again.counts.updated
        ),
        (0, 0, 0)
    );

    let before = content(world.store.path());
    let full = world.sync(SyncMode::Full).await;
    assert_eq!(
        (
            full.counts.created,
            full.counts.updated,
            full.counts.deleted
        ),
        (0, 0, 0)
    );
    assert_eq!(full.counts.unchanged, 120);
    assert_eq!(full.counts.children, 0);
    assert_eq!(content(world.store.path()), before);
}

#[tokio::test]
async fn a_changed_contact_task_and_note_propagate_and_nothing_else() {
    let world = World::new(60).await;
    world.sync(SyncMode::Auto).await;
    let sandbox = world.sandbox.store();
    let contacts = sandbox.contacts(DEMO_LOCATION_ID);
    let with_task = contacts
        .iter()
        .find(|c| !sandbox.tasks(&c.id).unwrap().is_empty())
        .unwrap();
    let task = sandbox.tasks(&with_task.id).unwrap()[0].clone();
    let with_note = contacts
        .iter()
        .find(|c| c.id != with_task.id && !sandbox.notes(&c.id).unwrap().is_empty())
        .unwrap();
    let note = sandbox.notes(&with_note.id).unwrap()[0].clone();
    let edited = contacts
        .iter()
        .find(|c| c.id != with_task.id && c.id != with_note.id)
        .unwrap();
    sandbox.update_contact(&edited.id, |c| {
        c.email = Some("Moved.Here@Example.test".into());
    });
    let done = !task.completed;
    sandbox.update_task(&with_task.id, &task.id, |t| t.completed = done);
    sandbox.update_note(&with_note.id, &note.id, |n| {
        n.body = Some("new body".into());
    });

    let run = world.sync(SyncMode::Auto).await;
    assert_eq!(run.mode, "incremental");
    assert_eq!(
        run.counts.seen, 3,
        "the three touched contacts, nothing else"
    );
    let filter = LogFilter {
        limit: 100,
        run_id: run.run_id,
        ..LogFilter::default()
    };
    let mut changed: Vec<(String, String, String)> = world
        .store
        .recent_log(&filter)
        .unwrap()
        .into_iter()
        .filter(|l| ["created", "updated", "deleted"].contains(&l.action.as_str()))
        .map(|l| (l.entity, l.entity_id.unwrap_or_default(), l.action))
        .collect();
    changed.sort();
    let mut expected = vec![
        (
            "contact".to_string(),
            edited.id.clone(),
            "updated".to_string(),
        ),
        ("note".to_string(), note.id.clone(), "updated".to_string()),
        ("task".to_string(), task.id.clone(), "updated".to_string()),
    ];
    expected.sort();
    assert_eq!(changed, expected);
    let stored = world.store.contact_by_ghl_id(&edited.id).unwrap().unwrap();
    assert_eq!(stored.email.as_deref(), Some("Moved.Here@Example.test"));
    assert_eq!(
        stored.email_lower.as_deref(),
        Some("moved.here@example.test")
    );
    let tasks = world.store.tasks_of(&with_task.id).unwrap();
    assert_eq!(
        tasks.iter().find(|t| t.id == task.id).unwrap().completed,
        done
    );
    let notes = world.store.notes_of(&with_note.id).unwrap();
    assert_eq!(
        notes
            .iter()
            .find(|n| n.id == note.id)
            .unwrap()
            .body
            .as_deref(),
        Some("new body")
    );
}

#[tokio::test]
async fn a_dry_run_reports_the_diff_and_writes_nothing() {
    let world = World::new(30).await;
    world.sync(SyncMode::Auto).await;
    let sandbox = world.sandbox.store();
    let contacts = sandbox.contacts(DEMO_LOCATION_ID);
    let stage = if contacts[0].contact_type.as_deref() == Some("customer") {
        "lead"
    } else {
        "customer"
    };
    sandbox.update_contact(&contacts[0].id, |c| c.contact_type = Some(stage.into()));
    sandbox.delete_contact(&contacts[1].id);
    let before = content(world.store.path());
    let cursor = world.store.cursor(DEMO_LOCATION_ID).unwrap();
    let runs = world.store.runs(10).unwrap().len();

    let mut dry = config();
    dry.dry_run = true;
    let incremental = world.sync_with(&dry, SyncMode::Auto).await;
    assert!(incremental.dry_run && incremental.run_id.is_none());
    let updated = incremental
        .changes
        .iter()
        .find(|c| c.id == contacts[0].id)
        .unwrap();
    assert_eq!(updated.action, Action::Updated);
    assert!(
        updated.fields.iter().any(|f| f.field == "type"),
        "{updated:?}"
    );
    let full = world.sync_with(&dry, SyncMode::Full).await;
    assert!(
        full.changes
            .iter()
            .any(|c| c.id == contacts[1].id && c.action == Action::Deleted),
        "{:?}",
        full.changes
    );

    assert_eq!(content(world.store.path()), before);
    assert_eq!(world.store.cursor(DEMO_LOCATION_ID).unwrap(), cursor);
    assert_eq!(world.store.runs(10).unwrap().len(), runs);
}

#[tokio::test]
async fn limit_syncs_only_n_contacts_and_the_walk_resumes() {
    let world = World::new(40).await;
    let mut limited = config();
    limited.limit = Some(7);
    let first = world.sync_with(&limited, SyncMode::Auto).await;
    assert_eq!((first.counts.seen, first.store.contacts), (7, 7));
    assert!(first.walk_pending);
    let rest = world.sync(SyncMode::Auto).await;
    assert_eq!(rest.mode, "full");
    assert_eq!(rest.counts.seen, 33);
    assert!(!rest.walk_pending);
    assert_eq!(store_counts(world.store.as_ref()), world.sandbox_counts());
}

#[tokio::test]
async fn an_engine_aborted_at_a_random_page_resumes_without_loss_or_duplicates() {
    let world = World::new(150).await;
    let reference = world.other_store("reference.sqlite3");
    ghl_console::sync::run(
        &config(),
        &world.client,
        reference.as_ref(),
        SyncMode::Auto,
        None,
        tokio_util::sync::CancellationToken::new(),
    )
    .await
    .unwrap();
    let page = 1 + rand::random_range(0..5u64);
    let (tx, mut rx) = tokio::sync::watch::channel(ghl_console::sync::SyncProgress::default());
    let (client, store) = (world.client.clone(), world.store.clone());
    let task = tokio::spawn(async move {
        let token = tokio_util::sync::CancellationToken::new();
        ghl_console::sync::run(
            &config(),
            &client,
            store.as_ref(),
            SyncMode::Auto,
            Some(tx),
            token,
        )
        .await
    });
    while rx.changed().await.is_ok() {
        let done: u64 = rx.borrow().done;
        if done >= page * 25 {
            break;
        }
    }
    task.abort();
    let _ = task.await;
    assert!(
        store_counts(world.store.as_ref()).0 < 150,
        "aborted before the end"
    );

    let resumed = world.sync(SyncMode::Auto).await;
    assert!(resumed.is_ok());
    assert_eq!(content(world.store.path()), content(reference.path()));
    assert_eq!(integrity(world.store.path()), "ok");
    assert_eq!(sync_support::duplicate_ghl_ids(world.store.path()), 0);
}

/// A run cancelled in the middle of a page: the progress counted its contacts as fetched, the
/// summary counts what was committed, and `written` (what the progress says was committed) is
/// exactly the summary's count, the difference said as not committed.
#[tokio::test(flavor = "multi_thread")]
async fn a_cancelled_run_commits_what_its_progress_said_was_written() {
    use ghl_console::sandbox::{Faults, SandboxConfig};
    use ghl_console::sync::{SyncError, SyncProgress};
    use tokio_util::sync::CancellationToken;
    let world = World::with(SandboxConfig {
        contacts: 100,
        rate_limit: None,
        faults: Faults {
            latency_ms: 15,
            ..Faults::default()
        },
        ..SandboxConfig::default()
    })
    .await;
    let (tx, mut rx) = tokio::sync::watch::channel(SyncProgress::default());
    let cancel = CancellationToken::new();
    let stop = cancel.clone();
    // Cancel once the second page is under way: its first contacts are fetched, not written.
    let watcher = tokio::spawn(async move {
        while rx.changed().await.is_ok() {
            let p = rx.borrow_and_update().clone();
            if p.written >= 25 && p.done > p.written {
                stop.cancel();
                break;
            }
        }
        rx
    });
    let config = config();
    let ended = ghl_console::sync::run(
        &config,
        &world.client,
        world.store.as_ref(),
        SyncMode::Full,
        Some(tx),
        cancel,
    )
    .await;
    let rx = watcher.await.unwrap();
    let last = rx.borrow().clone();
    let Err(SyncError::Cancelled { summary }) = ended else {
        panic!("not cancelled: {ended:?}");
    };
    assert_eq!(summary.counts.seen, last.written, "{last:?}");
    assert!(last.done > last.written, "{last:?}");
    let note = last.not_committed().unwrap();
    let expected = match last.done - last.written {
        1 => "1 fetched contact was not committed; the next run does it".to_string(),
        n => format!("{n} fetched contacts were not committed; the next run does them"),
    };
    assert_eq!(note, expected);
    assert_eq!(
        store_counts(world.store.as_ref()).0,
        summary.counts.seen,
        "the store holds what was committed"
    );
}

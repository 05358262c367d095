//! Issue 7, the console under faults: the update loop and the worker for real against the
//! sandbox, with a fault on. The user sees the failure in a toast and the activity log, keys
//! keep being answered, a hung sync cancels at once, and the store mirrors the sandbox after.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: a failed unwrap is a failed test"
)]

mod console_support;

use std::time::Duration;

use console_support::Console;
use ghl_console::sandbox::{DEMO_LOCATION_ID, Faults};
use ghl_console::tui::app::{App, Level, Pane};

fn toast(app: &App) -> String {
    app.toast
        .as_ref()
        .map(|t| t.text.clone())
        .unwrap_or_default()
}

fn logged(app: &App, needle: &str) -> bool {
    app.log.lines.iter().any(|l| l.text.contains(needle))
}

/// Syncs with the faults off and checks the store holds what the sandbox holds.
async fn sync_clean_and_compare(console: &mut Console) {
    console.sandbox.set_faults(Faults::default());
    console.keys(&["s"]).await;
    let last = console.app.sync.last.clone().expect("a summary");
    assert_eq!(last.outcome, "ok", "{last:?}");
    assert_eq!(
        console.store_counts(DEMO_LOCATION_ID),
        console.sandbox_counts(DEMO_LOCATION_ID)
    );
    assert_eq!(console.demo_store().store.integrity_check().unwrap(), "ok");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_hung_sync_cancels_at_once_and_the_console_keeps_answering() {
    let mut console = Console::open(false).await;
    console.keys(&["shift-tab"]).await;
    assert_eq!(console.app.focus, Pane::Log);
    console.sandbox.set_faults(Faults {
        hang_every: Some(1),
        ..Faults::default()
    });

    console.press("S");
    let started = console
        .pump_until(Duration::from_secs(5), |app| app.sync.running.is_some())
        .await;
    assert!(started, "the sync started");
    console.press("s");
    assert!(toast(&console.app).contains("already running"));
    // Filtering the log reads the store in the worker: the unfinished run shows in it.
    console.press("l");
    let answered = console
        .pump_until(Duration::from_secs(5), |app| {
            app.sync.runs.iter().any(|r| r.outcome.is_none())
        })
        .await;
    assert!(answered, "the worker answers while the sync hangs");
    console.press("tab");
    assert_ne!(console.app.focus, Pane::Log, "keys move the focus");
    console.press("shift-tab");

    // The client would wait 30 s per try; the cancel must not.
    console.press("c");
    let cancelled = console
        .pump_until(Duration::from_secs(10), |app| app.sync.running.is_none())
        .await;
    assert!(cancelled, "the cancel ended the hung run");
    let said = console.app.sync.last_error.clone().unwrap_or_default();
    assert!(said.contains("cancelled"), "{said}");
    assert!(logged(&console.app, "cancelled"));
    assert!(console.render().contains("cancelled"));

    sync_clean_and_compare(&mut console).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_storm_of_server_errors_shows_in_a_toast_and_the_log_and_the_sync_resumes() {
    let mut console = Console::open_with(false, Some(|c| c.max_retries = 1)).await;
    console.keys(&["shift-tab"]).await;
    console.sandbox.set_faults(Faults {
        error_probability: 1.0,
        error_statuses: vec![503],
        ..Faults::default()
    });

    console.keys(&["s"]).await;
    let shown = console.app.toast.clone().expect("a toast");
    assert_eq!(shown.level, Level::Error);
    assert!(shown.text.contains("server error (503)"), "{}", shown.text);
    assert!(logged(&console.app, "server error (503)"));
    let first_run = console.app.sync.last.as_ref().and_then(|s| s.run_id);

    console.keys(&["S"]).await;
    let second_run = console.app.sync.last.as_ref().and_then(|s| s.run_id);
    assert_ne!(first_run, second_run, "a second key, a second run");
    let screen = console.render();
    assert!(screen.contains("503"), "{screen}");

    sync_clean_and_compare(&mut console).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn spoiled_answers_show_in_a_toast_and_render_in_the_raw_pane() {
    let mut console = Console::open_with(false, Some(|c| c.max_retries = 0)).await;
    console.sandbox.set_faults(Faults {
        nest_every: Some(1),
        ..Faults::default()
    });
    console.keys(&["j"]).await;
    let said = toast(&console.app);
    assert!(said.contains("could not decode"), "{said}");

    console.keys(&["i", "g"]).await;
    assert_eq!(console.app.focus, Pane::Inspector);
    let screen = console.render();
    assert!(screen.contains("[["), "the nested body is shown: {screen}");

    console.sandbox.set_faults(Faults {
        bad_utf8_every: Some(1),
        ..Faults::default()
    });
    console
        .keys(&[
            "shift-tab",
            "shift-tab",
            "shift-tab",
            "shift-tab",
            "shift-tab",
        ])
        .await;
    console.keys(&["j"]).await;
    assert!(
        toast(&console.app).contains("not valid UTF-8"),
        "{}",
        toast(&console.app)
    );
    assert!(logged(&console.app, "not valid UTF-8"));

    sync_clean_and_compare(&mut console).await;
}

/// A create answered 201 whose body is cut off was saved: the form closes with a warning, the
/// task is there once, and nothing invites sending it again (the whole class: any write
/// answered 2xx with an unreadable body counts as done).
#[tokio::test(flavor = "multi_thread")]
async fn a_create_answered_2xx_but_cut_off_counts_as_done_and_is_not_sent_again() {
    let mut console = Console::open(false).await;
    let contact_id = console.app.current_contact_id().unwrap().to_string();
    let count = |console: &Console, title: &str| {
        console
            .sandbox
            .store()
            .tasks(&contact_id)
            .unwrap_or_default()
            .iter()
            .filter(|t| t.title.as_deref() == Some(title))
            .count()
    };
    console.keys(&["tab", "tab", "n"]).await;
    console.type_text("Cut-off answer").await;
    console.sandbox.set_faults(Faults {
        truncate_every: Some(1),
        ..Faults::default()
    });
    console.press("ctrl-s");
    let warned = console
        .pump_until(Duration::from_secs(30), |app| {
            toast(app).contains("could not be read")
        })
        .await;
    console.sandbox.set_faults(Faults::default());
    assert!(warned, "{}", toast(&console.app));
    let said = console.app.toast.clone().unwrap();
    assert_eq!(said.level, Level::Warn, "{}", said.text);
    assert!(said.text.contains("Task created"), "{}", said.text);
    assert!(said.text.contains("not sent again"), "{}", said.text);
    assert!(console.app.modal.is_none(), "the form closed");
    assert_eq!(count(&console, "Cut-off answer"), 1);

    // Saving again has nothing to send: the form is gone.
    console.keys(&["ctrl-s", "ctrl-r"]).await;
    assert_eq!(count(&console, "Cut-off answer"), 1);
    let listed = console.app.tasks.ready().unwrap();
    let shown = listed
        .iter()
        .filter(|t| t.title.as_deref() == Some("Cut-off answer"))
        .count();
    assert_eq!(shown, 1, "the reloaded list shows it once");
}

/// A create whose answer is lost (here the connection cut after GHL stored it) is looked for
/// before it is called failed: found, it is done with a warning and the form closes, so
/// nothing invites a second copy (C01's rule, for tasks and notes); not found, it failed.
#[tokio::test(flavor = "multi_thread")]
async fn a_create_whose_answer_is_lost_is_looked_for_and_not_sent_twice() {
    let mut console = Console::open(false).await;
    let contact_id = console.app.current_contact_id().unwrap().to_string();
    let store = console.sandbox.store();
    let tasks_titled = |title: &str| {
        store
            .tasks(&contact_id)
            .unwrap_or_default()
            .iter()
            .filter(|t| t.title.as_deref() == Some(title))
            .count()
    };
    console.keys(&["tab", "tab", "n"]).await;
    console.type_text("Dropped answer").await;
    // Every POST is stored, then its connection is cut half way through the answer.
    console.sandbox.set_faults(Faults {
        reset_every: Some(1),
        methods: vec!["POST".into()],
        ..Faults::default()
    });
    console.press("ctrl-s");
    let said = |app: &App| toast(app).contains("not sent again");
    assert!(
        console.pump_until(Duration::from_secs(30), said).await,
        "{}",
        toast(&console.app)
    );
    let toast_now = console.app.toast.clone().unwrap();
    assert_eq!(toast_now.level, Level::Warn, "{}", toast_now.text);
    assert!(toast_now.text.contains("was lost"), "{}", toast_now.text);
    assert!(console.app.modal.is_none(), "the form closed");
    assert_eq!(tasks_titled("Dropped answer"), 1);

    // A note answered 500 without being stored: looked for, not found, so it failed, and the
    // form keeps its text to try again.
    console.sandbox.set_faults(Faults {
        error_every: Some(1),
        methods: vec!["POST".into()],
        ..Faults::default()
    });
    console.keys(&["tab", "n"]).await;
    console.type_text("Refused with a 500").await;
    console.keys(&["ctrl-s"]).await;
    let notes = store.notes(&contact_id).unwrap_or_default();
    let stored = notes
        .iter()
        .filter(|n| n.body.as_deref() == Some("Refused with a 500"))
        .count();
    let said_text = toast(&console.app);
    console.sandbox.set_faults(Faults::default());
    assert_eq!(stored, 0);
    assert!(said_text.contains("failed"), "{said_text}");
    assert!(
        console.app.modal.is_some(),
        "the form stays open to try again"
    );
}

/// A lost create is never taken for an earlier record with the same text: the same note and
/// the same task (title, body, due time) added twice, the second answered 500 without being
/// stored, is a failure with the form kept open, not "GHL holds it now" with the first one's id.
#[tokio::test(flavor = "multi_thread")]
async fn a_lost_create_is_not_mistaken_for_an_earlier_one_with_the_same_text() {
    let mut console = Console::open(false).await;
    let contact_id = console.app.current_contact_id().unwrap().to_string();
    let store = console.sandbox.store();
    let refuse_posts = Faults {
        error_every: Some(1),
        methods: vec!["POST".into()],
        ..Faults::default()
    };

    // Tasks: the form's default due time is the same both times.
    for refused in [false, true] {
        console.keys(&["tab", "tab", "n"]).await;
        console.type_text("Call back").await;
        if refused {
            console.sandbox.set_faults(refuse_posts.clone());
        }
        console.keys(&["ctrl-s"]).await;
        console.sandbox.set_faults(Faults::default());
        if !refused {
            console.keys(&["shift-tab", "shift-tab"]).await;
        }
    }
    let said = toast(&console.app);
    let titled = store
        .tasks(&contact_id)
        .unwrap_or_default()
        .iter()
        .filter(|t| t.title.as_deref() == Some("Call back"))
        .count();
    assert_eq!(titled, 1, "{said}");
    assert!(said.contains("failed"), "{said}");
    assert!(!said.contains("holds it now"), "{said}");
    assert!(console.app.modal.is_some(), "the form stays open: {said}");
    console.keys(&["esc", "y", "shift-tab", "shift-tab"]).await;

    // Notes.
    for refused in [false, true] {
        console.keys(&["tab", "tab", "tab", "n"]).await;
        console.type_text("Called, no answer").await;
        if refused {
            console.sandbox.set_faults(refuse_posts.clone());
        }
        console.keys(&["ctrl-s"]).await;
        console.sandbox.set_faults(Faults::default());
        if !refused {
            console.keys(&["shift-tab", "shift-tab", "shift-tab"]).await;
        }
    }
    let said = toast(&console.app);
    let written = store
        .notes(&contact_id)
        .unwrap_or_default()
        .iter()
        .filter(|n| n.body.as_deref() == Some("Called, no answer"))
        .count();
    assert_eq!(written, 1, "{said}");
    assert!(said.contains("failed"), "{said}");
    assert!(!said.contains("holds it now"), "{said}");
    assert!(console.app.modal.is_some(), "the form stays open: {said}");
}

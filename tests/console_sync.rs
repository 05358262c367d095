//! The console's sync and location switch against the demo sandbox on loopback: keys in,
//! worker and engine for real, then the store and the screen checked.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: a failed unwrap is a failed test"
)]

mod console_support;

use std::time::Duration;

use console_support::Console;
use crossterm::event::KeyEvent;
use ghl_console::sandbox::{DEMO_LOCATION_ID, Faults};
use ghl_console::tui::app::Pane;
use ghl_console::tui::demo::SECOND_LOCATION_ID;
use ghl_console::tui::update::{Msg, update};

#[tokio::test]
async fn s_syncs_the_location_into_the_store_and_the_pane_shows_the_summary() {
    let mut console = Console::open(false).await;
    console.keys(&["shift-tab"]).await;
    assert_eq!(console.app.focus, Pane::Log);
    console.keys(&["s"]).await;

    assert_eq!(
        console.store_counts(DEMO_LOCATION_ID),
        console.sandbox_counts(DEMO_LOCATION_ID)
    );
    let last = console.app.sync.last.clone().expect("a summary");
    assert_eq!(last.outcome, "ok");
    assert_eq!(last.counts.created, 30);
    let screen = console.render();
    assert!(
        screen.contains("Last sync ok in") && screen.contains("(full run: 30 seen, 30 created"),
        "{screen}"
    );
    assert!(
        !console.app.sync.entries.is_empty(),
        "the log was read after the run"
    );

    let with_exchange = console
        .app
        .sync
        .entries
        .iter()
        .position(|e| e.exchange_id.is_some())
        .expect("a line with an exchange");
    console.app.sync.cursor.selected = with_exchange;
    console.keys(&["enter"]).await;
    assert_eq!(console.app.focus, Pane::Inspector);
    let wanted = console.app.sync.entries[with_exchange].exchange_id;
    assert_eq!(console.app.selected_exchange().map(|e| e.id), wanted);
}

#[tokio::test]
async fn switching_location_lists_the_other_location_and_syncs_it() {
    let mut console = Console::open(false).await;
    assert_eq!(console.app.contacts.len(), 30);
    console.keys(&["L", "down", "enter"]).await;

    assert_eq!(console.app.settings.location, SECOND_LOCATION_ID);
    assert_eq!(console.app.contacts.len(), 5);
    let seeded = console.sandbox.store().contacts(SECOND_LOCATION_ID);
    for contact in &console.app.contacts.items {
        assert!(seeded.iter().any(|c| c.id == contact.id), "{}", contact.id);
    }
    assert!(console.render().contains(SECOND_LOCATION_ID));

    console.keys(&["s"]).await;
    assert_eq!(console.store_counts(SECOND_LOCATION_ID).0, 5);
    assert_eq!(console.store_counts(DEMO_LOCATION_ID).0, 0);
}

#[tokio::test]
async fn a_read_only_location_refuses_writes_after_a_switch() {
    let mut console = Console::open(true).await;
    assert!(!console.app.settings.read_only);
    console.keys(&["L", "down", "enter"]).await;
    assert!(console.app.settings.read_only);

    let contact = console.app.contacts.at(0).unwrap().clone();
    console.keys(&["t"]).await;
    assert!(
        console.app.modal.is_none(),
        "no tag input in read-only mode"
    );
    let stored = console.sandbox.store().contact(&contact.id).unwrap();
    assert_eq!(stored.tags, contact.tags);
    assert!(console.render().contains("READ-ONLY"));

    console.keys(&["L"]).await;
    console.keys(&["enter"]).await;
    assert_eq!(console.app.settings.location, DEMO_LOCATION_ID);
    assert!(!console.app.settings.read_only);
}

#[tokio::test]
async fn the_list_opens_from_the_store_until_ghl_answers() {
    let mut console = Console::open(false).await;
    console.keys(&["s"]).await;
    assert_eq!(console.store_counts(DEMO_LOCATION_ID).0, 30);

    // GHL changes after the sync: one contact renamed, one gone, one new.
    let sandbox = console.sandbox.store();
    let contacts = sandbox.contacts(DEMO_LOCATION_ID);
    let (renamed, gone) = (contacts[3].id.clone(), contacts[7].id.clone());
    sandbox
        .update_contact(&renamed, |c| {
            c.name = None;
            c.first_name = Some("Renamed".into());
            c.last_name = Some("Since-Sync".into());
        })
        .unwrap();
    assert!(sandbox.delete_contact(&gone));
    let newcomer: ghl_console::ghl::models::Contact = serde_json::from_value(
        serde_json::json!({"id": "", "firstName": "New", "lastName": "Comer"}),
    )
    .unwrap();
    sandbox.insert_contact(DEMO_LOCATION_ID, newcomer).unwrap();

    // A slow GHL: the store's copy is on screen first, marked as such.
    console.sandbox.set_faults(Faults {
        latency_ms: 800,
        ..Faults::default()
    });
    let fx = update(
        &mut console.app,
        Msg::Key(KeyEvent::new(
            crossterm::event::KeyCode::Char('r'),
            crossterm::event::KeyModifiers::CONTROL,
        )),
    );
    console.apply(fx);
    while console.app.contacts.stored_rows() < 30 {
        let msg = tokio::time::timeout(Duration::from_secs(5), console.next())
            .await
            .expect("the store's rows before GHL's")
            .unwrap();
        let fx = update(&mut console.app, msg);
        console.apply(fx);
    }
    let screen = console.render();
    assert!(screen.contains("FROM STORE (synced"), "{screen}");
    assert!(screen.contains("(30 from the store)"), "{screen}");
    assert!(console.app.contacts.at(0).unwrap().stored);
    assert!(console.app.contacts.items.iter().any(|c| c.id == gone));

    // GHL's listing replaces it: renamed, gone and new as GHL has them now.
    console.settle().await;
    let screen = console.render();
    assert!(!screen.contains("FROM STORE"), "{screen}");
    assert_eq!(console.app.contacts.len(), 30);
    let listed = &console.app.contacts.items;
    assert!(listed.iter().all(|c| !c.stored));
    assert!(!listed.iter().any(|c| c.id == gone));
    assert!(listed.iter().any(|c| c.name == "New Comer"));
    let row = listed.iter().find(|c| c.id == renamed).unwrap();
    assert_eq!(row.name, "Renamed Since-Sync");
}

#[tokio::test]
async fn the_sync_log_shows_lines_while_the_run_goes_on() {
    let mut console = Console::open(false).await;
    console.keys(&["shift-tab"]).await;
    console.sandbox.set_faults(Faults {
        latency_ms: 150,
        ..Faults::default()
    });
    console.press("s");

    // Time passes as the run loop's ticks would move it, so the log is read again each second.
    let mut seen_live = false;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while std::time::Instant::now() < deadline {
        let tick = update(&mut console.app, Msg::Tick(chrono::Utc::now()));
        console.apply(tick);
        console
            .pump_until(std::time::Duration::from_millis(200), |_| true)
            .await;
        if console.app.sync.running.is_some() && !console.app.sync.entries.is_empty() {
            seen_live = true;
        }
        if console.app.sync.last.is_some() {
            break;
        }
    }
    assert!(seen_live, "log lines were shown before the run ended");
    console.settle().await;
    assert_eq!(
        console.app.sync.last.as_ref().map(|s| s.outcome.as_str()),
        Some("ok")
    );
}

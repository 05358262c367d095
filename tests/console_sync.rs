//! The console's sync and location switch against the demo sandbox on loopback: keys in,
//! worker and engine for real, then the store and the screen checked.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: a failed unwrap is a failed test"
)]

use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

use crossterm::event::KeyEvent;
use ghl_console::rankr::RankrStore;
use ghl_console::sandbox::{DEMO_LOCATION_ID, Faults, SandboxConfig, SandboxHandle};
use ghl_console::tui::app::{App, Pane, Settings};
use ghl_console::tui::clock::Clock;
use ghl_console::tui::demo::{self, DemoStore, SECOND_LOCATION_ID};
use ghl_console::tui::filter_task::FilterRunner;
use ghl_console::tui::keymap::Key;
use ghl_console::tui::location::LocationState;
use ghl_console::tui::theme::Theme;
use ghl_console::tui::update::{Effect, Effects, Msg, after, start, update};
use ghl_console::worker::{self, WorkerHandle, WorkerOptions};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

/// The demo console: sandbox with a second location, a store in a temp dir, the worker.
struct Console {
    app: App,
    worker: WorkerHandle,
    filter: FilterRunner,
    sandbox: SandboxHandle,
    store: DemoStore,
}

impl Console {
    async fn open(second_read_only: bool) -> Self {
        let listen = SocketAddr::from((Ipv4Addr::LOCALHOST, 0));
        let config = SandboxConfig {
            contacts: 30,
            rate_limit: None,
            ..demo::sandbox_config()
        };
        let sandbox = ghl_console::sandbox::spawn(config, listen).await.unwrap();
        demo::seed_second(&sandbox).unwrap();
        let store = DemoStore::open().unwrap();
        let base_url = sandbox.base_url();
        let client = demo::client(&base_url, DEMO_LOCATION_ID).unwrap();
        let options = WorkerOptions {
            settle: Duration::ZERO,
            ..WorkerOptions::default()
        };
        let extras = demo::extras(&base_url, Some(&store));
        let worker = worker::spawn_with(client, options, extras);
        let settings = Settings {
            location: DEMO_LOCATION_ID.to_string(),
            save_dir: std::env::temp_dir(),
            ..Settings::default()
        };
        let (mut app, _) = App::new(settings, Clock::system());
        app.size = (120, 40);
        let mut known = demo::locations();
        known[1].read_only = second_read_only;
        app.locations = LocationState {
            known,
            base_read_only: Some(false),
            ..LocationState::default()
        };
        let fx = start(&mut app);
        let mut console = Self {
            app,
            worker,
            filter: FilterRunner::start(),
            sandbox,
            store,
        };
        console.apply(fx);
        console.settle().await;
        console
    }

    fn apply(&mut self, effects: Effects) {
        for effect in effects {
            match effect {
                Effect::Send(command) => self.worker.commands.send(command).unwrap(),
                Effect::Filter(job) => self.filter.submit(job),
                Effect::Copy(_) | Effect::Quit => {}
            }
        }
    }

    /// Feeds worker events and filter answers until nothing runs and nothing arrives for a
    /// while.
    async fn settle(&mut self) {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
        while tokio::time::Instant::now() < deadline {
            match tokio::time::timeout(Duration::from_millis(300), self.next()).await {
                Ok(Some(msg)) => {
                    let fx = update(&mut self.app, msg);
                    self.apply(fx);
                }
                Ok(None) => return,
                Err(_) if self.idle() => return,
                Err(_) => {}
            }
        }
        panic!("the console did not settle");
    }

    async fn next(&mut self) -> Option<Msg> {
        tokio::select! {
            event = self.worker.events.recv() => event.map(Msg::Worker),
            Some(done) = self.filter.recv() => Some(Msg::Filtered(done)),
        }
    }

    fn idle(&self) -> bool {
        self.app.status.in_flight == 0
            && self.app.sync.running.is_none()
            && !self.app.contacts.filter_pending()
    }

    async fn keys(&mut self, keys: &[&str]) {
        for key in keys {
            let key = Key::parse(key).unwrap();
            let event = KeyEvent::new(key.code, key.modifiers);
            let fx = update(&mut self.app, Msg::Key(event));
            self.apply(fx);
            self.settle().await;
        }
    }

    fn render(&mut self) -> String {
        after(&mut self.app);
        let mut terminal = Terminal::new(TestBackend::new(120, 40)).unwrap();
        terminal
            .draw(|f| ghl_console::tui::view::render(f, &self.app, &Theme::plain()))
            .unwrap();
        terminal.backend().to_string()
    }

    /// Contacts, tasks and notes of a sandbox location.
    fn sandbox_counts(&self, location: &str) -> (u64, u64, u64) {
        let store = self.sandbox.store();
        let contacts = store.contacts(location);
        let sum =
            |f: &dyn Fn(&str) -> usize| -> u64 { contacts.iter().map(|c| f(&c.id) as u64).sum() };
        let tasks = sum(&|id| store.tasks(id).unwrap_or_default().len());
        let notes = sum(&|id| store.notes(id).unwrap_or_default().len());
        (contacts.len() as u64, tasks, notes)
    }

    fn store_counts(&self, location: &str) -> (u64, u64, u64) {
        let counts = self.store.store.counts(location).unwrap();
        (counts.contacts, counts.tasks, counts.notes)
    }
}

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
        screen.contains("Last sync full ok: 30 seen, 30 created"),
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

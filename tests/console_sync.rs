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
use ghl_console::sandbox::{DEMO_LOCATION_ID, SandboxConfig, SandboxHandle};
use ghl_console::tui::app::{App, Pane, Settings};
use ghl_console::tui::clock::Clock;
use ghl_console::tui::demo::{self, DemoStore, SECOND_LOCATION_ID};
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
            sandbox,
            store,
        };
        console.apply(fx);
        console.settle().await;
        console
    }

    fn apply(&mut self, effects: Effects) {
        for effect in effects {
            if let Effect::Send(command) = effect {
                self.worker.commands.send(command).unwrap();
            }
        }
    }

    /// Feeds worker events until nothing runs and nothing arrives for a while.
    async fn settle(&mut self) {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
        while tokio::time::Instant::now() < deadline {
            match tokio::time::timeout(Duration::from_millis(300), self.worker.events.recv()).await
            {
                Ok(Some(event)) => {
                    let fx = update(&mut self.app, Msg::Worker(event));
                    self.apply(fx);
                }
                Ok(None) => return,
                Err(_) if self.app.status.in_flight == 0 && self.app.sync.running.is_none() => {
                    return;
                }
                Err(_) => {}
            }
        }
        panic!("the console did not settle");
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

//! The demo console driven by keys in tests: a sandbox with a second location, a store in a
//! temp dir, the worker and engine for real, the screen on a test backend.

#![allow(dead_code, reason = "each console test file uses a different part")]
#![allow(
    clippy::unwrap_used,
    clippy::panic,
    reason = "set-up helpers of tests fail loudly"
)]

use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

use crossterm::event::{KeyCode, KeyEvent};
use ghl_console::ghl::{ClientConfig, GhlClient, Secret};
use ghl_console::rankr::RankrStore;
use ghl_console::sandbox::{DEMO_LOCATION_ID, DEMO_TOKEN, SandboxConfig, SandboxHandle};
use ghl_console::tui::app::{App, Settings};
use ghl_console::tui::clock::Clock;
use ghl_console::tui::demo::{self, DemoStore};
use ghl_console::tui::filter_task::FilterRunner;
use ghl_console::tui::keymap::Key;
use ghl_console::tui::location::LocationState;
use ghl_console::tui::theme::Theme;
use ghl_console::tui::update::{Effect, Effects, Msg, after, start, update};
use ghl_console::worker::{self, WorkerHandle, WorkerOptions};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

/// How a console runs the filter passes its updates ask for.
pub enum Filtering {
    /// On the filter thread, as the console does; [`Console::next`] hands back its answers.
    Thread(FilterRunner),
    /// At once, inside [`Console::apply`]: for tests that look at a pass's result right after
    /// the key that asked for it.
    Inline,
}

/// A console driven by keys: the app, its worker on a sandbox, and what it put out.
pub struct Console {
    pub app: App,
    pub worker: WorkerHandle,
    pub filter: Filtering,
    pub sandbox: SandboxHandle,
    /// The demo store the console syncs into, when it has one.
    pub store: Option<DemoStore>,
    /// The texts the console asked to copy.
    pub copied: Vec<String>,
    /// When set, a frame drawn after every message, in order.
    pub frames: Option<Vec<String>>,
}

/// Worker options of these tests: no wait before a search is sent.
pub fn worker_options() -> WorkerOptions {
    WorkerOptions {
        settle: Duration::ZERO,
        ..WorkerOptions::default()
    }
}

/// Settings on the demo location, saving exchanges into the temp dir.
pub fn settings() -> Settings {
    Settings {
        location: DEMO_LOCATION_ID.to_string(),
        save_dir: std::env::temp_dir(),
        ..Settings::default()
    }
}

/// The app of `settings` on a 120x40 screen, not started yet.
pub fn app(settings: Settings) -> App {
    let (mut app, _) = App::new(settings, Clock::system());
    app.size = (120, 40);
    app
}

impl Console {
    /// The console on 30 contacts with the demo client; `second_read_only` marks the second
    /// location read-only.
    pub async fn open(second_read_only: bool) -> Self {
        Self::open_with(second_read_only, None).await
    }

    /// [`Console::open`], with the demo location's client settings changed by `tune`.
    pub async fn open_with(second_read_only: bool, tune: Option<fn(&mut ClientConfig)>) -> Self {
        Self::open_full(second_read_only, tune, worker_options()).await
    }

    /// The console with contacts listed `page_size` at a time.
    pub async fn open_paged(page_size: u32) -> Self {
        let options = WorkerOptions {
            page_size,
            settle: Duration::ZERO,
        };
        Self::open_full(false, None, options).await
    }

    async fn open_full(
        second_read_only: bool,
        tune: Option<fn(&mut ClientConfig)>,
        options: WorkerOptions,
    ) -> Self {
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
        let client = match tune {
            None => demo::client(&base_url, DEMO_LOCATION_ID).unwrap(),
            Some(tune) => {
                let mut config =
                    ClientConfig::new(&base_url, Secret::new(DEMO_TOKEN), DEMO_LOCATION_ID);
                tune(&mut config);
                GhlClient::new(config).unwrap()
            }
        };
        let extras = demo::extras(&base_url, Some(&store));
        let worker = worker::spawn_with(client, options, extras);
        let mut app = app(settings());
        let mut known = demo::locations();
        known[1].read_only = second_read_only;
        app.locations = LocationState {
            known,
            base_read_only: Some(false),
            ..LocationState::default()
        };
        let filter = Filtering::Thread(FilterRunner::start());
        Self::from_parts(app, worker, sandbox, Some(store), filter).await
    }

    /// The console of these parts, started and settled.
    pub async fn from_parts(
        mut app: App,
        worker: WorkerHandle,
        sandbox: SandboxHandle,
        store: Option<DemoStore>,
        filter: Filtering,
    ) -> Self {
        let fx = start(&mut app);
        let mut console = Self {
            app,
            worker,
            filter,
            sandbox,
            store,
            copied: Vec::new(),
            frames: None,
        };
        console.apply(fx);
        console.settle().await;
        console
    }

    pub fn apply(&mut self, effects: Effects) {
        for effect in effects {
            match effect {
                Effect::Send(command) => self.worker.commands.send(command).unwrap(),
                Effect::Filter(job) => match &mut self.filter {
                    Filtering::Thread(filter) => filter.submit(job),
                    Filtering::Inline => {
                        let mut matching = ghl_console::tui::filter::Matching::new(1);
                        if let Some(done) = job.run(&mut matching, &|| false) {
                            self.msg(Msg::Filtered(done));
                        }
                    }
                },
                Effect::Copy(text) => self.copied.push(text),
                Effect::Quit => {}
            }
        }
    }

    /// Updates the app with `msg` and applies what it asks for (and draws a frame, when frames
    /// are kept).
    pub fn msg(&mut self, msg: Msg) {
        let fx = update(&mut self.app, msg);
        self.apply(fx);
        if self.frames.is_some() {
            let frame = self.render();
            self.frames.get_or_insert_default().push(frame);
        }
    }

    /// The next worker event or filter answer.
    pub async fn next(&mut self) -> Option<Msg> {
        match &mut self.filter {
            Filtering::Thread(filter) => tokio::select! {
                event = self.worker.events.recv() => event.map(Msg::Worker),
                Some(done) = filter.recv() => Some(Msg::Filtered(done)),
            },
            Filtering::Inline => self.worker.events.recv().await.map(Msg::Worker),
        }
    }

    /// Feeds worker events and filter answers until nothing runs and nothing arrives for a
    /// while.
    pub async fn settle(&mut self) {
        let idle = |app: &App| {
            app.status.in_flight == 0
                && app.sync.running.is_none()
                && !app.contacts.filter_pending()
        };
        let settled = self.pump_until(Duration::from_secs(60), idle).await;
        assert!(settled, "the console did not settle");
    }

    /// Feeds worker events until `done` holds after a quiet moment, or `limit` passes;
    /// returns whether `done` came to hold.
    pub async fn pump_until(&mut self, limit: Duration, done: impl Fn(&App) -> bool) -> bool {
        let deadline = tokio::time::Instant::now() + limit;
        while tokio::time::Instant::now() < deadline {
            match tokio::time::timeout(Duration::from_millis(300), self.next()).await {
                Ok(Some(msg)) => self.msg(msg),
                Ok(None) => return done(&self.app),
                Err(_) if done(&self.app) => return true,
                Err(_) => {}
            }
        }
        false
    }

    /// Presses one key and applies what it asks for, without waiting for the answers.
    pub fn press(&mut self, key: &str) {
        let key = Key::parse(key).unwrap();
        self.msg(Msg::Key(KeyEvent::new(key.code, key.modifiers)));
    }

    /// Presses keys, settling after each.
    pub async fn keys(&mut self, keys: &[&str]) {
        for key in keys {
            self.press(key);
            self.settle().await;
        }
    }

    /// Types `text` one key a character, then settles.
    pub async fn type_text(&mut self, text: &str) {
        for c in text.chars() {
            self.msg(Msg::Key(KeyEvent::from(KeyCode::Char(c))));
        }
        self.settle().await;
    }

    /// Draws the screen at 120x40 and returns its text.
    pub fn render(&mut self) -> String {
        after(&mut self.app);
        let mut terminal = Terminal::new(TestBackend::new(120, 40)).unwrap();
        terminal
            .draw(|f| ghl_console::tui::view::render(f, &self.app, &Theme::plain()))
            .unwrap();
        terminal.backend().to_string()
    }

    /// Contacts, tasks and notes of a sandbox location.
    pub fn sandbox_counts(&self, location: &str) -> (u64, u64, u64) {
        let store = self.sandbox.store();
        let contacts = store.contacts(location);
        let sum =
            |f: &dyn Fn(&str) -> usize| -> u64 { contacts.iter().map(|c| f(&c.id) as u64).sum() };
        let tasks = sum(&|id| store.tasks(id).unwrap_or_default().len());
        let notes = sum(&|id| store.notes(id).unwrap_or_default().len());
        (contacts.len() as u64, tasks, notes)
    }

    /// The demo store; a console opened without one fails the test.
    pub fn demo_store(&self) -> &DemoStore {
        self.store.as_ref().unwrap()
    }

    /// Contacts, tasks and notes the demo store holds of a location.
    pub fn store_counts(&self, location: &str) -> (u64, u64, u64) {
        let counts = self.demo_store().store.counts(location).unwrap();
        (counts.contacts, counts.tasks, counts.notes)
    }
}

//! Tests of the console's state, update and views with in-memory data: snapshots of every pane
//! at 80x24 and 160x48, key-driven flows against the effects, and the token never shown.

mod flows;
mod forms;
mod guards;
mod lists;
mod named_keys;
mod raw;
mod snapshots;
mod sync;
mod widths;

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use serde_json::json;

use crate::ghl::Exchange;
use crate::ghl::models::{Appointment, Contact, Note, Task};
use crate::tui::app::{App, Settings};
use crate::tui::clock::Clock;
use crate::tui::filter::Matching;
use crate::tui::theme::Theme;
use crate::tui::update::{Effect, Effects, Msg, after, start, update};
use crate::worker::messages::{ContactRow, Event, Loaded};

/// The pinned "now" of every test.
pub fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-03-01T12:00:00Z")
        .unwrap()
        .to_utc()
}

fn contact(
    id: &str,
    first: &str,
    last: &str,
    email: &str,
    tags: &[&str],
    updated: &str,
) -> Contact {
    serde_json::from_value(json!({
        "id": id,
        "locationId": "loc_demo",
        "firstName": first,
        "lastName": last,
        "email": email,
        "phone": "+15550100",
        "tags": tags,
        "dateAdded": "2025-01-02T03:04:05Z",
        "dateUpdated": updated,
    }))
    .unwrap()
}

/// Contacts with wide characters, combining marks, emoji and right-to-left names.
pub fn contacts() -> Vec<Contact> {
    vec![
        contact(
            "c1",
            "Ada",
            "Lovelace",
            "ada@example.test",
            &["vip", "newsletter"],
            "2026-02-28T12:00:00Z",
        ),
        contact(
            "c2",
            "José",
            "Ñúñez",
            "jose@example.test",
            &["lead"],
            "2026-02-20T09:00:00Z",
        ),
        contact(
            "c3",
            "王",
            "小明",
            "wang@example.test",
            &[],
            "2026-01-01T00:00:00Z",
        ),
        contact(
            "c4",
            "👩\u{200d}💻 Emoji",
            "Dev",
            "dev@example.test",
            &["🔥hot"],
            "2026-02-27T10:00:00Z",
        ),
        contact(
            "c5",
            "محمد",
            "علي",
            "mo@example.test",
            &["عربي"],
            "2026-02-01T00:00:00Z",
        ),
        contact(
            "c6",
            "Zoe\u{301}",
            "Combining",
            "zoe@example.test",
            &[],
            "2025-12-24T08:00:00Z",
        ),
    ]
}

/// The list rows of contacts, as the worker sends them.
pub fn rows(contacts: &[Contact]) -> Vec<ContactRow> {
    contacts.iter().map(ContactRow::of).collect()
}

/// A contact as `GET /contacts/{id}` returns it, with custom fields and DND settings.
pub fn full_contact() -> Contact {
    serde_json::from_value(json!({
        "id": "c1", "locationId": "loc_demo", "firstName": "Ada", "lastName": "Lovelace",
        "email": "ada@example.test", "phone": "+15550100", "companyName": "Analytical Engines",
        "type": "customer", "source": "import", "timezone": "Europe/London", "dnd": false,
        "dndSettings": {"SMS": {"status": "active", "message": "asked by phone"}, "Email": {"status": "inactive"}},
        "tags": ["vip", "newsletter"],
        "customFields": [{"id": "cf_known", "value": "Gold"}, {"id": "cf_other", "value": [1, 2]}],
        "dateAdded": "2025-01-02T03:04:05Z", "dateUpdated": "2026-02-28T12:00:00Z",
        "additionalEmails": ["ada@work.test"]
    }))
    .unwrap()
}

/// Tasks: one overdue, one due later, one done, one with a body.
pub fn tasks() -> Vec<Task> {
    serde_json::from_value(json!([
        {"id": "t3", "title": "Send contract", "dueDate": "2026-02-26T09:00:00Z", "completed": true},
        {"id": "t1", "title": "Call back about invoice", "body": "Ask for the PO number.\nThen confirm.", "dueDate": "2026-02-27T09:00:00Z", "completed": false, "assignedTo": "usr_1"},
        {"id": "t2", "title": "Follow up", "dueDate": "2026-03-04T15:30:00Z", "completed": false, "assignedTo": "usr_gone"}
    ]))
    .unwrap()
}

/// Notes: one pinned and old, two newer.
pub fn notes() -> Vec<Note> {
    serde_json::from_value(json!([
        {"id": "n1", "body": "Older note", "dateAdded": "2026-01-05T10:00:00Z"},
        {"id": "n2", "body": "Pinned: prefers email\nNever call before 10.", "pinned": true, "dateAdded": "2025-06-01T10:00:00Z"},
        {"id": "n3", "body": "Newest note", "dateAdded": "2026-02-28T10:00:00Z"}
    ]))
    .unwrap()
}

/// Appointments of the contact.
pub fn appointments() -> Vec<Appointment> {
    serde_json::from_value(json!([
        {"id": "a1", "title": "Kick-off", "appointmentStatus": "confirmed", "startTime": "2026-03-05T14:00:00Z"}
    ]))
    .unwrap()
}

/// An exchange as the client would record it (already masked).
pub fn exchange(id: u64, method: &str, path: &str, status: u16, body: &str) -> Arc<Exchange> {
    Arc::new(Exchange {
        id,
        started_at: "2026-03-01T11:59:30Z".to_string(),
        method: method.to_string(),
        url: format!("http://127.0.0.1:9/{}", path.trim_start_matches('/')),
        request_headers: vec![
            ("Authorization".to_string(), "Bearer ****".to_string()),
            ("Version".to_string(), "2021-07-28".to_string()),
        ],
        request_body: None,
        status: Some(status),
        response_headers: vec![("content-type".to_string(), "application/json".to_string())],
        response_body: Some(body.to_string()),
        elapsed: Duration::from_millis(42),
        trace_id: None,
        attempt: 1,
        error: None,
    })
}

/// The location's custom fields and users, as the worker would have loaded them.
pub fn directory() -> crate::tui::directory::Directory {
    use crate::ghl::directory::{CustomFieldDefinition, User};
    let field = CustomFieldDefinition {
        id: "cf_known".into(),
        name: Some("Loyalty tier".into()),
        data_type: Some("TEXT".into()),
        ..CustomFieldDefinition::default()
    };
    let users = [("usr_1", "Alice Hartmann"), ("usr_2", "Boris Petrov")]
        .into_iter()
        .map(|(id, name)| User {
            id: id.into(),
            name: Some(name.into()),
            ..User::default()
        })
        .collect();
    crate::tui::directory::Directory {
        location_id: Some("loc_demo".into()),
        fields: [(field.id.clone(), field)].into(),
        users,
    }
}

/// A console with the fixtures loaded, as a worker would have answered. Filter passes run at
/// once, on the test's thread, with a matching kept across keys as the filter thread keeps its
/// own; the async path has tests of its own.
pub struct Fixture {
    pub app: App,
    pub sent: Effects,
    matching: Matching,
}

impl Fixture {
    /// An empty console of the given size.
    pub fn empty(width: u16, height: u16) -> Self {
        let settings = Settings {
            location: "loc_demo".to_string(),
            save_dir: std::env::temp_dir(),
            log_path: Some("/state/ghl-console/logs/ghl-console.log".into()),
            ..Settings::default()
        };
        let (mut app, problems) = App::new(settings, Clock::fixed(now()));
        assert!(problems.is_empty());
        app.size = (width, height);
        app.directory = directory();
        let sent = start(&mut app);
        Self {
            app,
            sent,
            matching: Matching::new(1),
        }
    }

    /// A console with contacts, the first contact's records and a few exchanges loaded.
    pub fn loaded(width: u16, height: u16) -> Self {
        let mut fixture = Self::empty(width, height);
        fixture.event(Event::Exchange(exchange(
            1,
            "POST",
            "/contacts/search",
            200,
            r#"{"contacts":[],"total":6}"#,
        )));
        fixture.event(Event::Page {
            generation: 1,
            contacts: rows(&contacts()),
            total: 6,
            more: false,
            exchange_id: 1,
        });
        fixture.event(Event::Exchange(exchange(
            2,
            "GET",
            "/contacts/c1",
            200,
            r#"{"contact":{"id":"c1","tags":["vip"]}}"#,
        )));
        fixture.load(Loaded::Contact(Box::new(full_contact())), 2);
        fixture.load(Loaded::Tasks(tasks()), 3);
        fixture.load(Loaded::Notes(notes()), 4);
        fixture.load(Loaded::Appointments(appointments()), 5);
        fixture.event(Event::Activity {
            in_flight: 0,
            remaining: Some(97),
            max: Some(100),
            daily_remaining: Some(199_000),
        });
        fixture.sent.clear();
        fixture
    }

    fn load(&mut self, value: Loaded, exchange_id: u64) {
        let seq = self.app.seq;
        self.event(Event::Loaded {
            seq,
            contact_id: "c1".to_string(),
            value,
            exchange_id,
        });
    }

    /// Applies a worker event.
    pub fn event(&mut self, event: Event) {
        let fx = update(&mut self.app, Msg::Worker(event));
        self.absorb(fx);
    }

    /// Keeps the effects of an update, running filter passes and feeding their answers back.
    fn absorb(&mut self, fx: Effects) {
        for effect in fx {
            match effect {
                Effect::Filter(job) => {
                    if let Some(done) = job.run(&mut self.matching, &|| false) {
                        let more = update(&mut self.app, Msg::Filtered(done));
                        self.absorb(more);
                    }
                }
                other => self.sent.push(other),
            }
        }
    }

    /// Presses keys given as key strings ("j", "enter", "ctrl-s").
    pub fn keys(&mut self, keys: &[&str]) {
        for key in keys {
            let parsed = crate::tui::keymap::Key::parse(key).unwrap();
            let event = crossterm::event::KeyEvent::new(parsed.code, parsed.modifiers);
            let fx = update(&mut self.app, Msg::Key(event));
            self.absorb(fx);
        }
    }

    /// Types text into whatever has the keys.
    pub fn type_text(&mut self, text: &str) {
        for c in text.chars() {
            let event = crossterm::event::KeyEvent::from(crossterm::event::KeyCode::Char(c));
            let fx = update(&mut self.app, Msg::Key(event));
            self.absorb(fx);
        }
    }

    /// Draws the screen on a test backend of the app's size, plain (no colour).
    fn draw(&mut self) -> TestBackend {
        after(&mut self.app);
        let (width, height) = self.app.size;
        let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
        let theme = Theme::plain();
        terminal
            .draw(|frame| crate::tui::view::render(frame, &self.app, &theme))
            .unwrap();
        terminal.backend().clone()
    }

    /// Draws the screen and returns the cells drawn.
    pub fn buffer(&mut self) -> ratatui::buffer::Buffer {
        self.draw().buffer().clone()
    }

    /// Draws the screen and returns it as text.
    pub fn render(&mut self) -> String {
        self.draw().to_string()
    }
}

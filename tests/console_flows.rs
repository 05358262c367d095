//! Key-driven flows of the console (state, update and worker) against the sandbox on loopback;
//! each asserts the sandbox's data afterwards.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: a failed unwrap is a failed test"
)]

mod console_support;

use std::net::{Ipv4Addr, SocketAddr};

use console_support::{Console, Filtering};
use ghl_console::ghl::models::Contact;
use ghl_console::ghl::{ClientConfig, GhlClient, Secret};
use ghl_console::sandbox::{DEMO_LOCATION_ID, DEMO_TOKEN, Faults, SandboxConfig};
use ghl_console::tui::app::{Level, Pane};
use ghl_console::tui::filter_task::FilterRunner;
use ghl_console::tui::forms::Modal;
use ghl_console::worker;

impl Console {
    /// The console wired to a worker and a sandbox of its default contacts, driven by keys.
    async fn open_default() -> Self {
        let listen = SocketAddr::from((Ipv4Addr::LOCALHOST, 0));
        let sandbox = ghl_console::sandbox::spawn(SandboxConfig::default(), listen)
            .await
            .unwrap();
        let config = ClientConfig::new(
            sandbox.base_url(),
            Secret::new(DEMO_TOKEN),
            DEMO_LOCATION_ID,
        );
        let client = GhlClient::new(config).unwrap();
        let worker = worker::spawn(client, console_support::worker_options());
        let app = console_support::app(console_support::settings());
        let filter = Filtering::Thread(FilterRunner::start());
        Self::from_parts(app, worker, sandbox, None, filter).await
    }

    /// Lists only this contact (a server-side search for its email) and selects it.
    async fn open_contact(&mut self, contact: &Contact) {
        self.keys(&["/"]).await;
        self.type_text(contact.email.as_deref().unwrap()).await;
        self.keys(&["enter"]).await;
        assert_eq!(self.app.current_contact_id(), Some(contact.id.as_str()));
    }

    fn contact_where(&self, wanted: impl Fn(&Contact) -> bool) -> Contact {
        let store = self.sandbox.store();
        store
            .contacts(DEMO_LOCATION_ID)
            .into_iter()
            .filter(|c| c.email.is_some())
            .find(|c| wanted(c))
            .unwrap()
    }
}

fn has_open_task(console: &Console, contact: &Contact) -> bool {
    let tasks = console
        .sandbox
        .store()
        .tasks(&contact.id)
        .unwrap_or_default();
    tasks.iter().any(|t| !t.completed)
}

#[tokio::test]
async fn complete_and_reopen_a_task_with_undo() {
    let mut console = Console::open_default().await;
    let contact = console.contact_where(|c| has_open_task(&console, c));
    console.open_contact(&contact).await;
    console.keys(&["tab", "tab"]).await;
    assert_eq!(console.app.focus, Pane::Tasks);
    let first = console.app.tasks.ready().unwrap()[0].clone();
    assert!(!first.completed, "open tasks come first");

    console.keys(&["x"]).await;
    let stored = |c: &Console| {
        let tasks = c.sandbox.store().tasks(&contact.id).unwrap();
        tasks.into_iter().find(|t| t.id == first.id).unwrap()
    };
    assert!(stored(&console).completed);
    assert!(console.render().contains("Press u to undo"));

    console.keys(&["u"]).await;
    assert!(!stored(&console).completed);
    let puts = console
        .app
        .inspector
        .exchanges
        .iter()
        .filter(|e| e.path().ends_with("/completed"));
    assert_eq!(
        puts.count(),
        2,
        "completion goes through PUT .../completed (C21)"
    );
}

#[tokio::test]
async fn create_and_edit_a_task_with_a_multi_line_body() {
    let mut console = Console::open_default().await;
    let contact = console.contact_where(|_| true);
    console.open_contact(&contact).await;
    console.keys(&["tab", "tab", "n"]).await;
    console.type_text("Call about renewal").await;
    console.keys(&["tab"]).await;
    console.type_text("Line one").await;
    console.keys(&["enter"]).await;
    console.type_text("Line two").await;
    console.keys(&["tab", "ctrl-u"]).await;
    console.type_text("2030-05-06 10:00").await;
    console.keys(&["ctrl-s"]).await;

    let tasks = console.sandbox.store().tasks(&contact.id).unwrap();
    let created = tasks
        .iter()
        .find(|t| t.title.as_deref() == Some("Call about renewal"))
        .unwrap();
    assert_eq!(created.body.as_deref(), Some("Line one\nLine two"));
    assert!(
        created
            .due_date
            .as_deref()
            .unwrap()
            .starts_with("2030-05-0")
    );

    let row = console
        .app
        .tasks
        .ready()
        .unwrap()
        .iter()
        .position(|t| t.id == created.id)
        .unwrap();
    console.keys(&["g"]).await;
    for _ in 0..row {
        console.keys(&["j"]).await;
    }
    console.keys(&["e"]).await;
    console.type_text(" (edited)").await;
    console.keys(&["ctrl-s"]).await;
    let tasks = console.sandbox.store().tasks(&contact.id).unwrap();
    let edited = tasks.iter().find(|t| t.id == created.id).unwrap();
    assert_eq!(edited.title.as_deref(), Some("Call about renewal (edited)"));
    assert_eq!(edited.body.as_deref(), Some("Line one\nLine two"));
    assert_eq!(
        edited.due_date.as_deref().map(|d| &d[..16]),
        created.due_date.as_deref().map(|d| &d[..16])
    );
}

#[tokio::test]
async fn add_and_remove_a_tag_without_a_put_c20() {
    let mut console = Console::open_default().await;
    let contact = console.contact_where(|c| c.tags.len() >= 2);
    console.open_contact(&contact).await;
    console.keys(&["t"]).await;
    console.type_text("renewal-2030").await;
    console.keys(&["enter"]).await;
    let tags = console.sandbox.store().contact(&contact.id).unwrap().tags;
    for old in &contact.tags {
        assert!(tags.contains(old), "{old} kept");
    }
    assert!(tags.contains(&"renewal-2030".to_string()));

    console.keys(&["T"]).await;
    console.type_text("renewal-2030").await;
    console.keys(&["enter"]).await;
    let tags = console.sandbox.store().contact(&contact.id).unwrap().tags;
    assert_eq!(tags.len(), contact.tags.len());
    assert!(!tags.contains(&"renewal-2030".to_string()));
    let puts = console
        .app
        .inspector
        .exchanges
        .iter()
        .filter(|e| e.method == "PUT");
    assert_eq!(puts.count(), 0, "tags never ride on a PUT");
}

#[tokio::test]
async fn bulk_tag_reports_what_failed() {
    let mut console = Console::open_default().await;
    let first = console.app.contacts.at(0).unwrap().id.clone();
    let second = console.app.contacts.at(1).unwrap().id.clone();
    console.keys(&["space", "space"]).await;
    assert!(console.sandbox.store().delete_contact(&second));
    console.keys(&["t"]).await;
    console.type_text("bulk-x").await;
    console.keys(&["enter"]).await;
    assert!(
        console
            .sandbox
            .store()
            .contact(&first)
            .unwrap()
            .tags
            .contains(&"bulk-x".to_string())
    );
    let screen = console.render();
    assert!(screen.contains("1 failed"), "{screen}");
}

#[tokio::test]
async fn write_a_note() {
    let mut console = Console::open_default().await;
    let contact = console.contact_where(|_| true);
    console.open_contact(&contact).await;
    console.keys(&["tab", "tab", "tab", "n"]).await;
    console.type_text("Met at the fair.").await;
    console.keys(&["enter"]).await;
    console.type_text("Wants a demo.").await;
    console.keys(&["ctrl-s"]).await;
    let notes = console.sandbox.store().notes(&contact.id).unwrap();
    assert!(
        notes
            .iter()
            .any(|n| n.body.as_deref() == Some("Met at the fair.\nWants a demo."))
    );
}

#[tokio::test]
async fn a_note_refused_with_502_stays_in_its_form() {
    let mut console = Console::open_default().await;
    let contact = console.contact_where(|_| true);
    console.open_contact(&contact).await;
    console.keys(&["tab", "tab", "tab", "n"]).await;
    console.type_text("Call after the fair.").await;
    let before = console.sandbox.store().notes(&contact.id).unwrap().len();
    console.sandbox.set_faults(Faults {
        error_every: Some(1),
        error_statuses: vec![502],
        ..Faults::default()
    });
    console.keys(&["ctrl-s"]).await;

    let posts = |c: &Console| {
        let exchanges = c.app.inspector.exchanges.iter();
        exchanges
            .filter(|e| e.method == "POST" && e.path().ends_with("/notes"))
            .count()
    };
    assert_eq!(posts(&console), 1, "a create is not sent again by itself");
    assert_eq!(
        console.sandbox.store().notes(&contact.id).unwrap().len(),
        before
    );
    let screen = console.render();
    assert!(screen.contains("Adding the note failed"), "{screen}");
    assert!(screen.contains("Call after the fair."), "{screen}");

    console.sandbox.set_faults(Faults::default());
    console.keys(&["ctrl-s"]).await;
    assert!(console.app.modal.is_none());
    let notes = console.sandbox.store().notes(&contact.id).unwrap();
    assert!(
        notes
            .iter()
            .any(|n| n.body.as_deref() == Some("Call after the fair."))
    );
}

#[tokio::test]
async fn delete_asks_first_cancel_keeps_confirm_deletes() {
    let mut console = Console::open_default().await;
    let contact = console.contact_where(|c| has_open_task(&console, c));
    console.open_contact(&contact).await;
    console.keys(&["tab", "tab"]).await;
    let count = || console.sandbox.store().tasks(&contact.id).unwrap().len();
    let before = count();
    console.keys(&["d", "n"]).await;
    assert_eq!(
        console.sandbox.store().tasks(&contact.id).unwrap().len(),
        before
    );
    console.keys(&["d", "enter"]).await;
    assert_eq!(
        console.sandbox.store().tasks(&contact.id).unwrap().len(),
        before
    );
    console.keys(&["d", "y"]).await;
    assert_eq!(
        console.sandbox.store().tasks(&contact.id).unwrap().len(),
        before - 1
    );
}

#[tokio::test]
async fn the_token_never_shows_on_screen_or_in_a_copied_curl() {
    let mut console = Console::open_default().await;
    let contact = console.contact_where(|c| has_open_task(&console, c));
    console.open_contact(&contact).await;
    let mut screens = Vec::new();
    for _ in 0..7 {
        console.keys(&["tab"]).await;
        screens.push(console.render());
    }
    console.keys(&["i", "c", "y"]).await;
    assert_eq!(console.copied.len(), 2);
    assert!(console.copied[0].contains("$GHL_TOKEN"));
    for text in screens.iter().chain(&console.copied) {
        assert!(!text.contains(DEMO_TOKEN), "token leaked: {text}");
    }
}

const LIFETIME_VALUE: &str = "cF7nUmLifetimeVal002";

impl Console {
    /// Focuses the Detail pane and selects the row labelled `label`.
    async fn select_detail_row(&mut self, label: &str) {
        self.keys(&["tab"]).await;
        assert_eq!(self.app.focus, Pane::Detail);
        let contact = self.app.detail.ready().unwrap().clone();
        let rows = ghl_console::tui::panes::detail::rows(&contact, &self.app);
        let row = rows.iter().position(|(l, _)| l == label).unwrap();
        self.keys(&["g"]).await;
        for _ in 0..row {
            self.keys(&["j"]).await;
        }
    }

    /// Edits the selected Detail row: clears it, types `text`, saves with Enter.
    async fn edit_selected(&mut self, text: &str) {
        self.keys(&["e", "ctrl-u"]).await;
        self.type_text(text).await;
        self.keys(&["enter"]).await;
    }

    fn last_put_body(&self) -> serde_json::Value {
        let put = self
            .app
            .inspector
            .exchanges
            .iter()
            .rev()
            .find(|e| e.method == "PUT")
            .unwrap();
        serde_json::from_str(put.request_body.as_deref().unwrap()).unwrap()
    }
}

fn has_field(contact: &Contact, id: &str) -> bool {
    contact.custom_fields.iter().any(|f| f.id == id)
}

#[tokio::test]
async fn detail_names_custom_fields_from_the_location_definitions_c22() {
    let mut console = Console::open_default().await;
    assert!(
        console
            .app
            .inspector
            .exchanges
            .iter()
            .any(|e| e.path().contains("/customFields") && e.status == Some(200)),
        "the definitions come from the API: {:?}",
        console.app.log.lines
    );
    assert!(console.app.directory.field_name(LIFETIME_VALUE).is_some());
    let contact = console.contact_where(|c| has_field(c, LIFETIME_VALUE));
    console.open_contact(&contact).await;
    let screen = console.render();
    assert!(screen.contains("Lifetime value"), "{screen}");
    assert!(!screen.contains(LIFETIME_VALUE), "{screen}");
}

#[tokio::test]
async fn edit_a_name_sends_only_that_field_c03() {
    let mut console = Console::open_default().await;
    let contact = console.contact_where(|c| c.last_name.is_some());
    console.open_contact(&contact).await;
    console.select_detail_row("Last name").await;
    console.edit_selected("Byron-Test").await;
    let stored = console.sandbox.store().contact(&contact.id).unwrap();
    assert_eq!(stored.last_name.as_deref(), Some("Byron-Test"));
    assert_eq!(stored.tags, contact.tags, "tags untouched (C20)");
    assert_eq!(
        console.last_put_body(),
        serde_json::json!({"lastName": "Byron-Test"})
    );
    assert!(console.app.modal.is_none(), "the form closes on success");
    let toast = console.app.toast.clone().unwrap();
    assert_eq!(toast.level, Level::Info, "{}", toast.text);
}

#[tokio::test]
async fn edit_a_numeric_custom_field_writes_a_number_c22() {
    let mut console = Console::open_default().await;
    let contact = console.contact_where(|c| has_field(c, LIFETIME_VALUE));
    console.open_contact(&contact).await;
    console.select_detail_row("Lifetime value").await;
    console.edit_selected("1234").await;
    assert_eq!(
        console.last_put_body(),
        serde_json::json!({"customFields": [{"id": LIFETIME_VALUE, "field_value": 1234}]})
    );
    let stored = console.sandbox.store().contact(&contact.id).unwrap();
    let value = &stored
        .custom_fields
        .iter()
        .find(|f| f.id == LIFETIME_VALUE)
        .unwrap()
        .value;
    assert_eq!(value.as_f64(), Some(1234.0), "{value}");
}

/// A field the contact has no value for still has its row, so it can be filled in from the
/// console: a missing phone, an unset custom field.
#[tokio::test]
async fn a_missing_phone_and_an_unset_custom_field_are_filled_in_from_detail() {
    let mut console = Console::open_default().await;
    let contact = console.contact_where(|c| c.phone.is_none() && !has_field(c, LIFETIME_VALUE));
    console.open_contact(&contact).await;
    let screen = console.render();
    assert!(screen.contains("not set"), "{screen}");
    console.select_detail_row("Phone").await;
    console.edit_selected("+14155550199").await;
    assert_eq!(
        console.last_put_body(),
        serde_json::json!({"phone": "+14155550199"})
    );
    console.keys(&["shift-tab"]).await;
    console.select_detail_row("Lifetime value").await;
    console.edit_selected("250").await;
    assert_eq!(
        console.last_put_body(),
        serde_json::json!({"customFields": [{"id": LIFETIME_VALUE, "field_value": 250}]})
    );
    let stored = console.sandbox.store().contact(&contact.id).unwrap();
    assert_eq!(stored.phone.as_deref(), Some("+14155550199"));
    let value = &stored
        .custom_fields
        .iter()
        .find(|f| f.id == LIFETIME_VALUE)
        .expect("the field is set on the server")
        .value;
    assert_eq!(value.as_f64(), Some(250.0), "{value}");
}

/// Clearing a field is a write like any other: the echo without the field is the clear having
/// worked, not a field the server dropped.
#[tokio::test]
async fn clearing_a_numeric_custom_field_says_cleared() {
    let mut console = Console::open_default().await;
    let contact = console.contact_where(|c| has_field(c, LIFETIME_VALUE));
    console.open_contact(&contact).await;
    console.select_detail_row("Lifetime value").await;
    console.edit_selected("").await;
    let stored = console.sandbox.store().contact(&contact.id).unwrap();
    assert!(!has_field(&stored, LIFETIME_VALUE), "cleared on the server");
    let toast = console.app.toast.clone().unwrap();
    assert_eq!(toast.level, Level::Info, "{}", toast.text);
    assert_eq!(toast.text, "Cleared Lifetime value.");
}

/// An emptied standard field goes out as `null`, which the spec takes for a clear: an empty
/// string is no email, and GHL refuses it.
#[tokio::test]
async fn clearing_an_email_sends_null_and_clears_it() {
    let mut console = Console::open_default().await;
    let contact = console.contact_where(|c| c.email.is_some() && c.phone.is_some());
    console.open_contact(&contact).await;
    console.select_detail_row("Email").await;
    console.edit_selected("").await;
    assert_eq!(console.last_put_body(), serde_json::json!({"email": null}));
    let stored = console.sandbox.store().contact(&contact.id).unwrap();
    assert_eq!(stored.email, None, "cleared on the server");
    assert_eq!(stored.phone, contact.phone);
    assert!(console.app.modal.is_none(), "the form closes on success");
    let toast = console.app.toast.clone().unwrap();
    assert_eq!(toast.level, Level::Info, "{}", toast.text);
    assert_eq!(toast.text, "Cleared Email.");
}

/// GHL stores a national number with its country code: that is the number sent, stored.
#[tokio::test]
async fn a_national_phone_stored_with_its_country_code_is_saved_not_a_warning() {
    let mut console = Console::open_default().await;
    let contact = console.contact_where(|c| c.phone.is_some());
    console.open_contact(&contact).await;
    console.select_detail_row("Phone").await;
    console.edit_selected("(555) 123-4567").await;
    let stored = console.sandbox.store().contact(&contact.id).unwrap();
    assert_eq!(stored.phone.as_deref(), Some("+15551234567"));
    let toast = console.app.toast.clone().unwrap();
    assert_eq!(toast.level, Level::Info, "{}", toast.text);
    assert!(toast.text.starts_with("Saved"), "{}", toast.text);
}

#[tokio::test]
async fn a_refused_edit_shows_the_422_messages_verbatim_c03() {
    let mut console = Console::open_default().await;
    let contact = console.contact_where(|_| true);
    console.open_contact(&contact).await;
    console.select_detail_row("Email").await;
    console.edit_selected("nope").await;
    let Some(Modal::Field(form)) = &console.app.modal else {
        panic!("the form stays open");
    };
    let error = form.error.clone().unwrap();
    assert!(error.contains("email must be an email"), "{error}");
    let stored = console.sandbox.store().contact(&contact.id).unwrap();
    assert_eq!(stored.email, contact.email);
}

#[tokio::test]
async fn a_dropped_field_warns_instead_of_saying_saved_c04() {
    let mut console = Console::open_default().await;
    console.sandbox.set_faults(Faults {
        quirks: ghl_console::sandbox::Quirks {
            put_drops_field: Some("lastName".into()),
            ..Default::default()
        },
        ..Faults::default()
    });
    let contact = console.contact_where(|c| c.last_name.is_some());
    console.open_contact(&contact).await;
    console.select_detail_row("Last name").await;
    console.edit_selected("Never-Stored").await;
    let toast = console.app.toast.clone().unwrap();
    assert_eq!(toast.level, Level::Warn, "{}", toast.text);
    assert!(toast.text.contains("did not apply"), "{}", toast.text);
    assert!(toast.text.contains("lastName"), "{}", toast.text);
    let stored = console.sandbox.store().contact(&contact.id).unwrap();
    assert_eq!(stored.last_name, contact.last_name);
}

#[tokio::test]
async fn read_only_mode_refuses_the_edit() {
    let mut console = Console::open_default().await;
    console.app.settings.read_only = true;
    let contact = console.contact_where(|c| c.last_name.is_some());
    console.open_contact(&contact).await;
    console.select_detail_row("Last name").await;
    console.keys(&["e"]).await;
    assert!(console.app.modal.is_none());
    assert!(
        console
            .app
            .toast
            .clone()
            .unwrap()
            .text
            .contains("Read-only")
    );
}

#[tokio::test]
async fn tasks_show_the_assignee_by_name_and_the_form_sends_the_id() {
    let mut console = Console::open_default().await;
    let assigned = |c: &Contact| {
        let tasks = console.sandbox.store().tasks(&c.id).unwrap_or_default();
        tasks.first().is_some_and(|t| t.assigned_to.is_some())
    };
    let contact = console.contact_where(assigned);
    console.open_contact(&contact).await;
    console.keys(&["tab", "tab", "g"]).await;
    let task = console.app.tasks.ready().unwrap()[0].clone();
    let id = task.assigned_to.clone().unwrap();
    let name = console.app.directory.user_name(&id).unwrap();
    assert!(console.render().contains(&name), "{name}");

    console.keys(&["e", "tab", "tab", "tab", "ctrl-u"]).await;
    console.type_text("chi").await;
    console.keys(&["tab", "ctrl-s"]).await;
    let stored = console.sandbox.store().tasks(&contact.id).unwrap();
    let stored = stored.iter().find(|t| t.id == task.id).unwrap();
    assert_eq!(stored.assigned_to.as_deref(), Some("uSr0SandboxChiyo0003"));

    // Emptied, the assignee is taken off the task (not left as it was).
    console
        .keys(&["e", "tab", "tab", "tab", "ctrl-u", "ctrl-s"])
        .await;
    let stored = console.sandbox.store().tasks(&contact.id).unwrap();
    let stored = stored.iter().find(|t| t.id == task.id).unwrap();
    assert_eq!(stored.assigned_to.as_deref().unwrap_or_default(), "");
    assert!(!console.render().contains("Chiyo"), "{}", console.render());
}

#[tokio::test]
async fn definitions_and_users_of_another_location_are_refused() {
    let console = Console::open_default().await;
    let config = ClientConfig::new(
        console.sandbox.base_url(),
        Secret::new(DEMO_TOKEN),
        "someOtherLocation001",
    );
    let client = GhlClient::new(config).unwrap();
    let fields = client.custom_fields().await.unwrap_err();
    assert_eq!(fields.status(), Some(403), "{fields}");
    let users = client.users().await.unwrap_err();
    assert_eq!(users.status(), Some(403), "{users}");
}

/// While Detail holds only the list's row (the whole record failed to load), an empty field is
/// not shown as `not set`: the pane says the record could not be loaded, the fields the row
/// lacks read `not loaded`, and editing waits for a reload that brings the whole record.
#[tokio::test]
async fn a_contact_that_failed_to_load_is_not_shown_with_its_fields_unset() {
    let mut console = Console::open_default().await;
    let contact = console.contact_where(|c| c.first_name.is_some() && c.source.is_some());
    console.sandbox.set_faults(Faults {
        error_every: Some(1),
        methods: vec!["GET".into()],
        paths: vec![format!("/contacts/{}", contact.id)],
        ..Faults::default()
    });
    console.open_contact(&contact).await;
    let screen = console.render();
    assert!(
        screen.contains("Could not load the whole contact"),
        "{screen}"
    );
    assert!(screen.contains("not loaded"), "{screen}");
    assert!(!screen.contains("not set"), "{screen}");

    console.keys(&["tab", "e"]).await;
    assert!(console.app.modal.is_none(), "no form on a partial record");
    let toast = console.app.toast.clone().unwrap();
    assert!(
        toast.text.contains("could not be loaded whole") && toast.text.contains("ctrl-r"),
        "{}",
        toast.text
    );

    // Ctrl-R in Contacts reloads the list and the contact that failed with it; until it
    // comes, the pane says it is loading.
    console.sandbox.set_faults(Faults::default());
    console.keys(&["shift-tab"]).await;
    console.press("ctrl-r");
    assert_eq!(
        console.app.detail_preview,
        Some(ghl_console::tui::app::Preview::Loading)
    );
    console.settle().await;
    let screen = console.render();
    assert!(!screen.contains("Could not load"), "{screen}");
    assert!(
        screen.contains(contact.first_name.as_deref().unwrap()),
        "{screen}"
    );
    console.select_detail_row("Source").await;
    console.keys(&["e"]).await;
    assert!(
        matches!(console.app.modal, Some(Modal::Field(_))),
        "the whole record can be edited"
    );
}

//! `o` in the console against the demo sandbox on loopback: GHL sorts, so the order holds over
//! every page, however far the list is paged.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: a failed unwrap is a failed test"
)]

mod console_support;

use console_support::Console;
use ghl_console::ghl::models::Contact;
use ghl_console::sandbox::DEMO_LOCATION_ID;
use ghl_console::worker::messages::ContactSort;

/// The ids the list shows, top to bottom.
fn listed(console: &Console) -> Vec<String> {
    let list = &console.app.contacts;
    (0..list.len())
        .filter_map(|row| list.at(row).map(|c| c.id.clone()))
        .collect()
}

/// Pages the list to its end with `G`.
async fn page_to_the_end(console: &mut Console) {
    for _ in 0..20 {
        if !console.app.contacts.more {
            return;
        }
        console.keys(&["G"]).await;
    }
    panic!("the list did not reach its end");
}

fn by_name(contacts: &[Contact]) -> Vec<String> {
    let lower = |s: &Option<String>| {
        s.as_deref().map(|s| {
            let lower = s.to_lowercase();
            (ghl_console::sandbox::collation_key(&lower), lower)
        })
    };
    let mut keyed: Vec<_> = contacts
        .iter()
        .map(|c| {
            let (first, last) = (lower(&c.first_name), lower(&c.last_name));
            ((first.is_none(), first, last.is_none(), last), c.id.clone())
        })
        .collect();
    keyed.sort();
    keyed.into_iter().map(|(_, id)| id).collect()
}

#[tokio::test]
async fn sort_by_name_holds_over_every_page() {
    let mut console = Console::open_paged(7).await;
    let contacts = console.sandbox.store().contacts(DEMO_LOCATION_ID);
    assert_eq!(contacts.len(), 30);
    let wanted = by_name(&contacts);

    console.keys(&["o"]).await;
    assert_eq!(console.app.contacts.sort, ContactSort::Name);
    // The first page is already the first seven of the whole location by name (the list
    // may have asked for more to fill the screen).
    assert_eq!(listed(&console)[..7], wanted[..7]);
    assert!(
        console.render().contains("name"),
        "the pane names its order"
    );

    page_to_the_end(&mut console).await;
    assert_eq!(listed(&console), wanted);

    // Back to last update first, over every page too.
    console.keys(&["o"]).await;
    page_to_the_end(&mut console).await;
    let mut updated = contacts.clone();
    updated.sort_by(|a, b| {
        (b.date_updated.as_deref(), &b.id).cmp(&(a.date_updated.as_deref(), &a.id))
    });
    let updated: Vec<String> = updated.into_iter().map(|c| c.id).collect();
    assert_eq!(listed(&console), updated);
}

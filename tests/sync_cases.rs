//! The sync's cases C06, C07, C08, C23 and C41 against the sandbox over loopback; the webhook
//! cases are in `sync_webhooks.rs`.

mod sync_support;

use ghl_console::ghl::models::Contact;
use ghl_console::rankr::{Batch, RankrStore};
use ghl_console::sandbox::DEMO_LOCATION_ID;
use ghl_console::sync::SyncMode;
use sync_support::{World, add_contact, apply_events, config, log_actions, store_counts, unlinked};

#[tokio::test]
async fn c06_phones_are_stored_and_compared_as_e164() {
    let world = World::new(3).await;
    let entered = ["+86 138 0013 8000", "(555) 123-4567", "+1 888-888-8888"];
    let ids: Vec<String> = entered
        .iter()
        .map(|p| {
            add_contact(
                &world,
                Contact {
                    phone: Some((*p).into()),
                    ..Contact::default()
                },
            )
            .id
        })
        .collect();
    let manual = unlinked("rk_manual", None, Some("+15551234567"));
    world
        .store
        .apply(&Batch {
            contacts: vec![manual],
            ..Batch::default()
        })
        .unwrap();

    world.sync(SyncMode::Auto).await;
    let row = |id: &str| world.store.contact_by_ghl_id(id).unwrap().unwrap();
    assert_eq!(row(&ids[0]).phone_e164.as_deref(), Some("+8613800138000"));
    assert_eq!(
        row(&ids[0]).phone.as_deref(),
        Some("+86 138 0013 8000"),
        "shown as entered"
    );
    assert_eq!(row(&ids[2]).phone_e164.as_deref(), Some("+18888888888"));
    let national = row(&ids[1]);
    assert_eq!(
        national.phone_e164, None,
        "no country code and no default country: refused"
    );
    assert_ne!(
        national.rankr_id, "rk_manual",
        "a refused number matches nothing"
    );
    assert!(
        log_actions(world.store.as_ref(), "contact")
            .iter()
            .any(|(id, action, message)| id == &ids[1]
                && action == "phone"
                && message.contains("country"))
    );

    let store = world.other_store("with-country.sqlite3");
    let manual = unlinked("rk_manual", None, Some("+15551234567"));
    store
        .apply(&Batch {
            contacts: vec![manual],
            ..Batch::default()
        })
        .unwrap();
    let mut with_country = config();
    with_country.default_country = Some("US".into());
    let token = tokio_util::sync::CancellationToken::new();
    ghl_console::sync::run(
        &with_country,
        &world.client,
        store.as_ref(),
        SyncMode::Auto,
        None,
        token,
    )
    .await
    .unwrap();
    let linked = store.contact_by_ghl_id(&ids[1]).unwrap().unwrap();
    assert_eq!(
        linked.rankr_id, "rk_manual",
        "matched by E.164 with the default country"
    );
    assert_eq!(linked.phone_e164.as_deref(), Some("+15551234567"));
    assert_eq!(linked.phone.as_deref(), Some("(555) 123-4567"));
}

#[tokio::test]
async fn c07_emails_that_differ_only_by_case_are_one_person() {
    let world = World::new(5).await;
    let pat = add_contact(
        &world,
        Contact {
            first_name: Some("Pat".into()),
            email: Some("pat@example.test".into()),
            ..Contact::default()
        },
    );
    let manual = unlinked("rk_pat", Some("Pat@Example.test"), None);
    world
        .store
        .apply(&Batch {
            contacts: vec![manual],
            ..Batch::default()
        })
        .unwrap();

    world.sync(SyncMode::Auto).await;
    let row = world.store.contact_by_ghl_id(&pat.id).unwrap().unwrap();
    assert_eq!(row.rankr_id, "rk_pat");
    assert_eq!(
        store_counts(world.store.as_ref()).0,
        6,
        "linked, not duplicated"
    );
    assert!(
        log_actions(world.store.as_ref(), "contact")
            .iter()
            .any(|(id, action, _)| id == &pat.id && action == "linked")
    );
}

#[tokio::test]
async fn c07_a_shared_email_on_two_ghl_contacts_is_a_conflict_not_a_merge() {
    let world = World::new(2).await;
    let first = add_contact(
        &world,
        Contact {
            email: Some("Sam@Example.test".into()),
            ..Contact::default()
        },
    );
    world.sync(SyncMode::Auto).await;
    let second = add_contact(
        &world,
        Contact {
            email: Some("sam@example.test".into()),
            ..Contact::default()
        },
    );
    world.sync(SyncMode::Auto).await;
    let a = world.store.contact_by_ghl_id(&first.id).unwrap().unwrap();
    let b = world.store.contact_by_ghl_id(&second.id).unwrap().unwrap();
    assert_ne!(a.rankr_id, b.rankr_id);
    assert!(
        log_actions(world.store.as_ref(), "contact")
            .iter()
            .any(|(id, action, _)| id == &second.id && action == "conflict")
    );
}

#[tokio::test]
async fn c08_a_contact_gone_from_ghl_becomes_a_tombstone_once() {
    let world = World::new(30).await;
    world.sync(SyncMode::Auto).await;
    let gone = world.sandbox.store().contacts(DEMO_LOCATION_ID)[3]
        .id
        .clone();
    world.sandbox.store().delete_contact(&gone);

    let full = world.sync(SyncMode::Full).await;
    assert!(full.is_ok(), "{full:?}");
    assert_eq!((full.counts.deleted, full.counts.failed), (1, 0));
    let row = world.store.contact_by_ghl_id(&gone).unwrap().unwrap();
    assert!(row.tombstone && row.deleted_at.is_some());
    let lines = log_actions(world.store.as_ref(), "contact");
    assert!(
        lines
            .iter()
            .any(|(id, action, m)| id == &gone && action == "deleted" && m.contains("404"))
    );

    let again = world.sync(SyncMode::Full).await;
    assert_eq!(
        (again.counts.deleted, again.counts.failed),
        (0, 0),
        "no error loop"
    );
    assert!(again.is_ok());
    assert_eq!(store_counts(world.store.as_ref()).0, 29);
}

#[tokio::test]
async fn c23_notes_are_fetched_only_for_contacts_that_changed() {
    let world = World::new(40).await;
    world.sync(SyncMode::Auto).await;
    let contacts = world.sandbox.store().contacts(DEMO_LOCATION_ID);
    for c in &contacts[..2] {
        world
            .sandbox
            .store()
            .update_contact(&c.id, |c| c.city = Some("Elsewhere".into()));
    }
    let mut recorder = world.client.subscribe();
    world.sync(SyncMode::Auto).await;
    world.sync(SyncMode::Full).await;
    let mut notes = 0;
    while let Ok(exchange) = recorder.try_recv() {
        notes += usize::from(
            exchange
                .url
                .split('?')
                .next()
                .unwrap_or("")
                .ends_with("/notes"),
        );
    }
    assert_eq!(
        notes, 2,
        "only the two changed contacts, and none in the full run after"
    );
}

#[tokio::test]
async fn c41_a_change_that_fires_no_webhook_arrives_by_reconciliation() {
    let world = World::new(20).await;
    world.sync(SyncMode::Auto).await;
    let contact = world.sandbox.store().contacts(DEMO_LOCATION_ID)[5].clone();
    world
        .sandbox
        .store()
        .update_contact(&contact.id, |c| c.tags.push("vip".into()));
    let applied = apply_events(&world).await;
    assert_eq!(applied.done + applied.ignored, 0, "no webhook came");

    let run = world.sync(SyncMode::Auto).await;
    assert_eq!(run.mode, "incremental");
    let stored = world.store.contact_by_ghl_id(&contact.id).unwrap().unwrap();
    assert!(stored.tags.contains(&"vip".to_string()));
    assert!(
        log_actions(world.store.as_ref(), "contact")
            .iter()
            .any(|(id, action, m)| id == &contact.id && action == "stage" && m.contains("+vip"))
    );
}

//! The webhook cases C40, C42, C43 and C44: signed deliveries to the receiver on loopback,
//! queued and applied against the sandbox.

#![expect(clippy::unwrap_used, reason = "helpers of these tests fail loudly")]

mod sync_support;

use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use ghl_console::ghl::models::{Contact, Note, Task};
use ghl_console::rankr::RankrStore;
use ghl_console::sandbox::{DEMO_LOCATION_ID, SandboxConfig, WebhookKey};
use ghl_console::sync::webhook::Verifier;
use ghl_console::sync::{SyncMode, mapping};
use sync_support::{World, add_contact, apply_events, log_actions, start_receiver};

/// A signed delivery of `body` to the receiver at `addr`, with the sandbox's key.
async fn deliver(addr: std::net::SocketAddr, key: &WebhookKey, body: &str) -> u16 {
    reqwest::Client::new()
        .post(format!("http://{addr}/webhook"))
        .header("x-ghl-signature", key.sign(body.as_bytes()))
        .body(body.to_string())
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

fn test_key() -> WebhookKey {
    WebhookKey::from_seed([42; 32])
}

fn ed25519_verifier(key: &WebhookKey) -> Verifier {
    Verifier::ghl()
        .unwrap()
        .with_ed25519(&key.public_key_base64())
        .unwrap()
}

fn now() -> String {
    chrono::Utc::now().to_rfc3339()
}

#[tokio::test]
async fn c40_a_thin_task_create_does_not_blank_the_stored_body() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let world = World::new(20).await;
    world.sync(SyncMode::Auto).await;
    let contact = world.sandbox.store().contacts(DEMO_LOCATION_ID)[0].clone();
    let task = Task {
        title: Some("Call back".into()),
        body: Some("Ask about the renewal".into()),
        ..Task::default()
    };
    let task = world
        .sandbox
        .store()
        .insert_task(&contact.id, task)
        .unwrap();
    let key = test_key();
    let addr = start_receiver(&world, ed25519_verifier(&key), false).await;
    let thin = format!(
        r#"{{"type":"TaskCreate","locationId":"{DEMO_LOCATION_ID}","id":"{}","contactId":"{}","title":"Call back","timestamp":"{}","webhookId":"c40-1"}}"#,
        task.id,
        contact.id,
        now()
    );
    assert_eq!(deliver(addr, &key, &thin).await, 200);
    assert_eq!(apply_events(&world).await.done, 1);
    let stored = world.store.tasks_of(&contact.id).unwrap();
    let stored = stored.iter().find(|t| t.id == task.id).unwrap();
    assert_eq!(
        stored.body.as_deref(),
        Some("Ask about the renewal"),
        "fetched by id"
    );

    let again = format!(
        r#"{{"type":"TaskComplete","locationId":"{DEMO_LOCATION_ID}","id":"{}","contactId":"{}","timestamp":"{}","webhookId":"c40-2"}}"#,
        task.id,
        contact.id,
        now()
    );
    world
        .sandbox
        .store()
        .update_task(&contact.id, &task.id, |t| t.completed = true);
    assert_eq!(deliver(addr, &key, &again).await, 200);
    apply_events(&world).await;
    let stored = world.store.tasks_of(&contact.id).unwrap();
    let stored = stored.iter().find(|t| t.id == task.id).unwrap();
    assert!(stored.completed);
    assert_eq!(stored.body.as_deref(), Some("Ask about the renewal"));
}

#[tokio::test]
async fn c42_a_repeated_delivery_applies_once_and_a_late_update_stays_deleted() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let world = World::new(20).await;
    world.sync(SyncMode::Auto).await;
    let key = test_key();
    let addr = start_receiver(&world, ed25519_verifier(&key), false).await;
    let contact = world.sandbox.store().contacts(DEMO_LOCATION_ID)[2].clone();
    let update = |id: &str, at: &str| {
        format!(
            r#"{{"type":"ContactUpdate","locationId":"{DEMO_LOCATION_ID}","id":"{}","timestamp":"{at}","webhookId":"{id}"}}"#,
            contact.id
        )
    };
    let first = update("c42-a", &now());
    assert_eq!(deliver(addr, &key, &first).await, 200);
    assert_eq!(deliver(addr, &key, &first).await, 200);
    assert_eq!(
        apply_events(&world).await.done,
        1,
        "the repeat was not queued"
    );
    assert!(
        log_actions(world.store.as_ref(), "webhook")
            .iter()
            .any(|(_, a, _)| a == "duplicate")
    );

    let late_stamp = (chrono::Utc::now() - chrono::Duration::seconds(30)).to_rfc3339();
    world.sandbox.store().delete_contact(&contact.id);
    let delete = format!(
        r#"{{"type":"ContactDelete","locationId":"{DEMO_LOCATION_ID}","id":"{}","timestamp":"{}","webhookId":"c42-b"}}"#,
        contact.id,
        now()
    );
    assert_eq!(deliver(addr, &key, &delete).await, 200);
    apply_events(&world).await;
    assert_eq!(
        deliver(addr, &key, &update("c42-c", &late_stamp)).await,
        200
    );
    let applied = apply_events(&world).await;
    assert_eq!(applied.ignored, 1);
    let row = world.store.contact_by_ghl_id(&contact.id).unwrap().unwrap();
    assert!(row.tombstone, "the late update did not bring it back");
    world.sync(SyncMode::Full).await;
    assert!(
        world
            .store
            .contact_by_ghl_id(&contact.id)
            .unwrap()
            .unwrap()
            .tombstone
    );
}

/// A signed event of `kind` for `id` (and its contact, for a task or note), stamped now.
fn event(kind: &str, id: &str, contact_id: &str, webhook_id: &str) -> String {
    format!(
        r#"{{"type":"{kind}","locationId":"{DEMO_LOCATION_ID}","id":"{id}","contactId":"{contact_id}","timestamp":"{}","webhookId":"{webhook_id}"}}"#,
        now()
    )
}

#[tokio::test]
async fn a_contact_delete_ghl_does_not_confirm_keeps_the_contact() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let world = World::new(20).await;
    world.sync(SyncMode::Auto).await;
    let key = test_key();
    let addr = start_receiver(&world, ed25519_verifier(&key), false).await;
    let contact = world.sandbox.store().contacts(DEMO_LOCATION_ID)[3].clone();

    // GHL still has the contact: the delete is not confirmed, so no tombstone.
    let delete = event("ContactDelete", &contact.id, &contact.id, "unconfirmed-1");
    assert_eq!(deliver(addr, &key, &delete).await, 200);
    assert_eq!(apply_events(&world).await.done, 1);
    let row = world.store.contact_by_ghl_id(&contact.id).unwrap().unwrap();
    assert!(
        !row.tombstone,
        "a delete GHL does not confirm made a tombstone"
    );
    let lines = log_actions(world.store.as_ref(), "webhook");
    assert!(
        lines.iter().any(|(id, action, message)| id == &contact.id
            && action == "unconfirmed"
            && message.contains("ContactDelete not confirmed")),
        "{lines:?}"
    );

    // A later update is applied, not ignored as a tombstone.
    world
        .sandbox
        .store()
        .update_contact(&contact.id, |c| c.tags.push("after-delete".into()));
    let update = event("ContactUpdate", &contact.id, &contact.id, "unconfirmed-2");
    assert_eq!(deliver(addr, &key, &update).await, 200);
    assert_eq!(apply_events(&world).await.done, 1);
    let row = world.store.contact_by_ghl_id(&contact.id).unwrap().unwrap();
    assert!(
        row.tags.iter().any(|t| t == "after-delete"),
        "{:?}",
        row.tags
    );

    // A delete GHL confirms (404) makes the tombstone.
    world.sandbox.store().delete_contact(&contact.id);
    let delete = event("ContactDelete", &contact.id, &contact.id, "unconfirmed-3");
    assert_eq!(deliver(addr, &key, &delete).await, 200);
    assert_eq!(apply_events(&world).await.done, 1);
    let row = world.store.contact_by_ghl_id(&contact.id).unwrap().unwrap();
    assert!(row.tombstone);
}

#[tokio::test]
async fn task_and_note_deletes_ghl_does_not_confirm_keep_them() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let world = World::new(20).await;
    let contact = world.sandbox.store().contacts(DEMO_LOCATION_ID)[4].clone();
    let task = Task {
        title: Some("Send the quote".into()),
        ..Task::default()
    };
    let task = world
        .sandbox
        .store()
        .insert_task(&contact.id, task)
        .unwrap();
    let note = Note {
        body: Some("Prefers calls after 5".into()),
        ..Note::default()
    };
    let note = world
        .sandbox
        .store()
        .insert_note(&contact.id, note)
        .unwrap();
    world.sync(SyncMode::Full).await;
    let key = test_key();
    let addr = start_receiver(&world, ed25519_verifier(&key), false).await;
    let has = |tasks: bool| {
        if tasks {
            world
                .store
                .tasks_of(&contact.id)
                .unwrap()
                .iter()
                .any(|t| t.id == task.id)
        } else {
            world
                .store
                .notes_of(&contact.id)
                .unwrap()
                .iter()
                .any(|n| n.id == note.id)
        }
    };
    assert!(has(true) && has(false), "synced first");

    let task_delete = event("TaskDelete", &task.id, &contact.id, "child-1");
    let note_delete = event("NoteDelete", &note.id, &contact.id, "child-2");
    assert_eq!(deliver(addr, &key, &task_delete).await, 200);
    assert_eq!(deliver(addr, &key, &note_delete).await, 200);
    assert_eq!(apply_events(&world).await.done, 2);
    assert!(
        has(true),
        "a TaskDelete GHL does not confirm dropped the task"
    );
    assert!(
        has(false),
        "a NoteDelete GHL does not confirm dropped the note"
    );
    let lines = log_actions(world.store.as_ref(), "webhook");
    for (id, kind) in [(&task.id, "TaskDelete"), (&note.id, "NoteDelete")] {
        assert!(
            lines.iter().any(|(line_id, action, message)| line_id == id
                && action == "unconfirmed"
                && message.contains(&format!("{kind} not confirmed"))),
            "{lines:?}"
        );
    }

    // Deleted in GHL, the next delete events drop them.
    assert!(world.sandbox.store().delete_task(&contact.id, &task.id));
    assert!(world.sandbox.store().delete_note(&contact.id, &note.id));
    let task_delete = event("TaskDelete", &task.id, &contact.id, "child-3");
    let note_delete = event("NoteDelete", &note.id, &contact.id, "child-4");
    assert_eq!(deliver(addr, &key, &task_delete).await, 200);
    assert_eq!(deliver(addr, &key, &note_delete).await, 200);
    assert_eq!(apply_events(&world).await.done, 2);
    assert!(!has(true) && !has(false), "confirmed deletes drop them");
}

/// Deliveries are taken on `/webhook` alone: a signed, fresh one posted to `/` or another path
/// is a 404 in JSON and nothing is queued.
#[tokio::test]
async fn only_the_webhook_path_takes_deliveries() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let world = World::new(5).await;
    world.sync(SyncMode::Auto).await;
    let key = test_key();
    let addr = start_receiver(&world, ed25519_verifier(&key), false).await;
    let contact = world.sandbox.store().contacts(DEMO_LOCATION_ID)[0].clone();
    let http = reqwest::Client::new();
    for (i, path) in ["/", "/hooks", "/webhook/extra", "/webhooks"]
        .iter()
        .enumerate()
    {
        let body = event(
            "ContactUpdate",
            &contact.id,
            &contact.id,
            &format!("path-{i}"),
        );
        let answer = http
            .post(format!("http://{addr}{path}"))
            .header("x-ghl-signature", key.sign(body.as_bytes()))
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status().as_u16(), 404, "{path}");
        let said: serde_json::Value = answer.json().await.unwrap();
        assert_eq!(said, serde_json::json!({ "status": "not found" }), "{path}");
    }
    assert_eq!(
        apply_events(&world).await,
        ghl_console::sync::webhook::Applied::default(),
        "nothing was queued"
    );
    let body = event("ContactUpdate", &contact.id, &contact.id, "path-ok");
    assert_eq!(deliver(addr, &key, &body).await, 200);
    assert_eq!(apply_events(&world).await.done, 1);
}

fn rsa_keys() -> (rsa::pkcs1v15::SigningKey<rsa::sha2::Sha256>, String) {
    use rsa::pkcs8::EncodePublicKey as _;
    let private = rsa::RsaPrivateKey::new(&mut rsa::rand_core::OsRng, 2048).unwrap();
    let pem = private
        .to_public_key()
        .to_public_key_pem(rsa::pkcs8::LineEnding::LF)
        .unwrap();
    (rsa::pkcs1v15::SigningKey::new(private), pem)
}

#[tokio::test]
async fn c43_signatures_are_checked_over_the_raw_bytes() {
    use rsa::signature::{SignatureEncoding as _, Signer as _};
    let _ = rustls::crypto::ring::default_provider().install_default();
    let world = World::new(5).await;
    let (rsa_key, rsa_pem) = rsa_keys();
    let ed_key = test_key();
    let verifier = Verifier::with_rsa_pem(&rsa_pem)
        .unwrap()
        .with_ed25519(&ed_key.public_key_base64())
        .unwrap();
    let addr = start_receiver(&world, verifier, false).await;
    let body = |id: &str, at: &str| {
        format!(
            r#"{{"type":"ContactUpdate","locationId":"{DEMO_LOCATION_ID}","id":"x1","name":"José Ñúñez 🎉","companyName":"Caf\u00e9 \/ Bar","timestamp":"{at}","webhookId":"{id}"}}"#
        )
    };
    let post = |headers: Vec<(&'static str, String)>, body: String| async move {
        let mut request = reqwest::Client::new()
            .post(format!("http://{addr}/webhook"))
            .body(body);
        for (name, value) in headers {
            request = request.header(name, value);
        }
        request.send().await.unwrap().status().as_u16()
    };
    let rsa_body = body("c43-rsa", &now());
    let rsa_sig = STANDARD.encode(rsa_key.sign(rsa_body.as_bytes()).to_bytes());
    assert_eq!(
        post(vec![("x-wh-signature", rsa_sig)], rsa_body.clone()).await,
        200
    );
    let ed_body = body("c43-ed", &now());
    assert_eq!(
        post(
            vec![("x-ghl-signature", ed_key.sign(ed_body.as_bytes()))],
            ed_body
        )
        .await,
        200
    );

    let missing = body("c43-missing", &now());
    assert_eq!(post(vec![], missing).await, 401);
    let reencoded: serde_json::Value = serde_json::from_str(&body("c43-re", &now())).unwrap();
    let reencoded_sig = STANDARD.encode(rsa_key.sign(reencoded.to_string().as_bytes()).to_bytes());
    assert_eq!(
        post(
            vec![("x-wh-signature", reencoded_sig)],
            body("c43-re", &now())
        )
        .await,
        401
    );
    let stale = body(
        "c43-stale",
        &(chrono::Utc::now() - chrono::Duration::minutes(6)).to_rfc3339(),
    );
    let stale_sig = STANDARD.encode(rsa_key.sign(stale.as_bytes()).to_bytes());
    assert_eq!(post(vec![("x-wh-signature", stale_sig)], stale).await, 401);

    let queued = world.store.pending_events(10).unwrap();
    assert_eq!(queued.len(), 2);
    assert!(
        queued
            .iter()
            .all(|q| q.event.body.contains(r"Caf\u00e9 \/ Bar")
                && q.event.body.contains("José Ñúñez 🎉"))
    );
    let refused = log_actions(world.store.as_ref(), "webhook");
    assert_eq!(
        refused.iter().filter(|(_, a, _)| a == "refused").count(),
        3,
        "{refused:?}"
    );
}

#[tokio::test]
async fn c44_a_lost_delivery_is_caught_by_reconciliation() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let key = test_key();
    let probe = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = probe.local_addr().unwrap().port();
    drop(probe);
    let world = World::with(SandboxConfig {
        contacts: 20,
        rate_limit: None,
        webhook_url: Some(format!("http://127.0.0.1:{port}/webhook")),
        webhook_key: Some(key.clone()),
        ..SandboxConfig::default()
    })
    .await;
    world.sync(SyncMode::Auto).await;
    let listener_addr: std::net::SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
    let addr =
        sync_support::start_receiver_at(&world, ed25519_verifier(&key), true, listener_addr).await;
    assert_eq!(addr.port(), port);

    let contacts = world.sandbox.store().contacts(DEMO_LOCATION_ID);
    let (lost, seen) = (contacts[1].id.clone(), contacts[2].id.clone());
    world
        .sandbox
        .store()
        .update_contact(&lost, |c| c.tags.push("lost".into()));
    tokio::time::sleep(Duration::from_millis(400)).await;
    world
        .sandbox
        .store()
        .update_contact(&seen, |c| c.tags.push("seen".into()));
    let created = add_contact(
        &world,
        Contact {
            first_name: Some("Newly".into()),
            ..Contact::default()
        },
    );
    let mut applied = 0;
    for _ in 0..40 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        applied += apply_events(&world).await.done;
        if applied >= 2 {
            break;
        }
    }
    let row = |id: &str| world.store.contact_by_ghl_id(id).unwrap();
    assert!(
        row(&created.id).is_some(),
        "ContactCreate from the sandbox reached Rankr"
    );
    let seen_hash = row(&seen).unwrap().content_hash;
    let mapped = mapping::map_contact(
        &world.sandbox.store().contact(&seen).unwrap(),
        DEMO_LOCATION_ID,
        None,
    );
    assert_eq!(
        seen_hash, mapped.row.content_hash,
        "the delivered change was applied"
    );
    let lost_before = row(&lost).unwrap().content_hash;
    let lost_now = mapping::map_contact(
        &world.sandbox.store().contact(&lost).unwrap(),
        DEMO_LOCATION_ID,
        None,
    );
    assert_ne!(
        lost_before, lost_now.row.content_hash,
        "the 500 lost that delivery"
    );

    world.sync(SyncMode::Auto).await;
    assert_eq!(
        row(&lost).unwrap().content_hash,
        lost_now.row.content_hash,
        "reconciled"
    );
}

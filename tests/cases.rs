//! The client-level cases from `../shared/cases/README.md`, each against the sandbox.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: a failed unwrap is a failed test"
)]

mod common;

use common::StoreView;

use std::collections::HashSet;

use ghl_console::ghl::models::{
    Contact, ContactUpdate, NewContact, NewTask, SearchFilter, SearchRequest, TaskUpdate,
};
use ghl_console::ghl::{Call, GhlError, ListQuery};
use ghl_console::sandbox::{self, Faults, Quirks};
use reqwest::Method;
use serde_json::{Value, json};

fn person(email: Option<&str>, phone: Option<&str>) -> NewContact {
    NewContact {
        first_name: Some("Pat".into()),
        email: email.map(Into::into),
        phone: phone.map(Into::into),
        ..NewContact::default()
    }
}

/// A plain HTTP client for requests the product's client refuses to make.
fn raw_http() -> reqwest::Client {
    ghl_console::ghl::client::install_tls();
    reqwest::Client::new()
}

#[tokio::test]
async fn c01_create_answered_422_yet_saved_is_not_resent() {
    let (sandbox, client) = common::start(5).await;
    sandbox.set_faults(Faults {
        quirks: Quirks {
            create_stores_then_422: true,
            ..Quirks::default()
        },
        ..Faults::default()
    });
    let mut recorder = common::Recorder::new(&client);
    let err = client
        .create_contact(&person(Some("c01@example.test"), None))
        .await
        .unwrap_err();
    let GhlError::MayAlreadyExist { existing, cause } = &err else {
        panic!("expected may-already-exist, got {err:?}");
    };
    assert_eq!(existing.email.as_deref(), Some("c01@example.test"));
    assert!(matches!(**cause, GhlError::Unprocessable { .. }));
    assert!(err.to_string().contains("may already exist"));
    let sent = recorder.drain();
    let creates = sent
        .iter()
        .filter(|e| e.method == "POST" && e.path() == "/contacts/")
        .count();
    assert_eq!(creates, 1, "the create is never re-sent");
    assert!(
        sent.iter()
            .any(|e| e.path().starts_with("/contacts/search/duplicate"))
    );
    let stored = sandbox.find_by_email("c01@example.test");
    assert_eq!(stored.len(), 1);
}

#[tokio::test]
async fn c02_upsert_reports_the_identifier_not_applied() {
    let (_sandbox, client) = common::start(5).await;
    let a = client
        .create_contact(&person(None, Some("+15550000001")))
        .await
        .unwrap()
        .value;
    let b = client
        .create_contact(&person(Some("pat@example.test"), None))
        .await
        .unwrap()
        .value;
    let both = person(Some("pat@example.test"), Some("+15550000001"));
    let outcome = client.upsert_contact(&both).await.unwrap().value;
    assert_eq!(outcome.contact.id, b.id);
    assert_eq!(outcome.not_applied, vec!["phone".to_string()]);
    assert!(!outcome.new);
    let a_now = client.get_contact(&a.id).await.unwrap().value;
    assert_eq!(a_now.phone.as_deref(), Some("+15550000001"));
}

#[tokio::test]
async fn c03_read_only_fields_are_never_sent_back() {
    let (sandbox, client) = common::start(5).await;
    let id = sandbox.contact_ids()[0].clone();
    let reply = client.get_contact(&id).await.unwrap();

    // What a naive client does: the GET body back as the PUT body.
    let body: Value =
        serde_json::from_str(reply.exchange.response_body.as_deref().unwrap()).unwrap();
    let naive = Call::new(Method::PUT, &["contacts", &id]).body(body["contact"].clone());
    let err = client.send::<Value>(naive).await.unwrap_err();
    let GhlError::Unprocessable { messages, .. } = &err else {
        panic!("{err:?}")
    };
    assert!(
        messages.iter().any(|m| m.contains("should not exist")),
        "{messages:?}"
    );
    assert!(
        err.to_string().contains(&messages[0]),
        "422 messages are shown verbatim"
    );

    // What the product does: only the writable fields the operator changed.
    let original = reply.value;
    let mut edited: Contact = original.clone();
    edited.city = Some("Renamed Town".into());
    let update = ContactUpdate::changes(&original, &edited);
    assert_eq!(
        serde_json::to_value(&update).unwrap(),
        json!({"city": "Renamed Town"})
    );
    let outcome = client.update_contact(&id, &update).await.unwrap().value;
    assert!(outcome.not_applied.is_empty());
}

#[tokio::test]
async fn c04_dropped_field_is_reported() {
    let (sandbox, client) = common::start(5).await;
    sandbox.set_faults(Faults {
        quirks: Quirks {
            put_drops_field: Some("city".into()),
            ..Quirks::default()
        },
        ..Faults::default()
    });
    let id = sandbox.contact_ids()[0].clone();
    let update = ContactUpdate {
        city: Some("Will Not Stick".into()),
        ..ContactUpdate::default()
    };
    let outcome = client.update_contact(&id, &update).await.unwrap().value;
    assert_eq!(outcome.not_applied, vec!["city".to_string()]);
}

#[tokio::test]
async fn c05_upsert_with_either_identifier_alone() {
    let (_sandbox, client) = common::start(5).await;
    let by_phone = client
        .upsert_contact(&person(None, Some("+15550000123")))
        .await
        .unwrap();
    assert!(by_phone.value.new);
    assert!(by_phone.value.not_applied.is_empty());
    let by_email = client
        .upsert_contact(&person(Some("solo@example.test"), None))
        .await
        .unwrap();
    assert!(by_email.value.new);
    let again = client
        .upsert_contact(&person(Some("SOLO@example.test"), None))
        .await
        .unwrap();
    assert!(!again.value.new);
    assert_eq!(again.value.contact.id, by_email.value.contact.id);
}

#[tokio::test]
async fn c10_search_always_carries_location_and_page_limit() {
    let (sandbox, client) = common::start(5).await;
    let reply = client
        .search_contacts(SearchRequest::default())
        .await
        .unwrap();
    let sent: Value =
        serde_json::from_str(reply.exchange.request_body.as_deref().unwrap()).unwrap();
    assert_eq!(sent["locationId"], sandbox::DEMO_LOCATION_ID);
    assert!(sent["pageLimit"].as_u64().unwrap() > 0);

    let url = format!("{}/contacts/search", sandbox.base_url());
    for body in [
        json!({"pageLimit": 10}),
        json!({"locationId": sandbox::DEMO_LOCATION_ID}),
    ] {
        let resp = raw_http()
            .post(&url)
            .bearer_auth(sandbox::DEMO_TOKEN)
            .header("Version", "2021-07-28")
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 422, "{body}");
        let answer: Value = resp.json().await.unwrap();
        assert!(answer["message"].is_array());
    }
}

#[tokio::test]
async fn c11_unknown_filter_field() {
    let (_sandbox, client) = common::start(5).await;
    let mut recorder = common::Recorder::new(&client);
    let bad = SearchFilter {
        field: "favouriteColour".into(),
        operator: "eq".into(),
        value: json!("red"),
    };
    let req = SearchRequest {
        page_limit: 10,
        filters: vec![bad.clone()],
        ..SearchRequest::default()
    };
    let err = client.search_contacts(req).await.unwrap_err();
    assert!(
        matches!(err, GhlError::Invalid(ref m) if m.contains("favouriteColour")),
        "{err:?}"
    );
    assert!(recorder.drain().is_empty(), "refused before sending");

    // Sent anyway (the raw call path), the server's 400 and traceId reach the exchange record.
    let body = json!({"locationId": client.location_id(), "pageLimit": 10, "filters": [bad]});
    let call = Call::new(Method::POST, &["contacts", "search"]).body(body);
    let err = client.send::<Value>(call).await.unwrap_err();
    assert!(matches!(err, GhlError::BadRequest { .. }), "{err:?}");
    let trace = err.trace_id().expect("a traceId").to_string();
    let bad_request = &recorder.drain()[0];
    assert_eq!(bad_request.status, Some(400));
    assert_eq!(bad_request.trace_id.as_deref(), Some(trace.as_str()));
}

#[tokio::test]
async fn c13_same_millisecond_paging_returns_each_id_once() {
    let (sandbox, client) = common::start(200).await;
    let shared = sandbox.shared_date_added_count();
    assert!(
        shared >= 30,
        "the seed has {shared} contacts in one millisecond"
    );

    let mut pager = client.list_pager(ListQuery {
        limit: Some(7),
        ..ListQuery::default()
    });
    let mut seen = HashSet::new();
    let mut total = 0;
    while let Some(page) = pager.next_page().await.unwrap() {
        for contact in page.value.contacts {
            total += 1;
            assert!(seen.insert(contact.id.clone()), "{} repeated", contact.id);
        }
        let url = &page.exchange.url;
        assert!(
            url.contains("limit=7"),
            "every page repeats every parameter: {url}"
        );
    }
    assert_eq!(total, 200);
    assert_eq!(seen.len(), 200);
}

#[tokio::test]
async fn c20_tags_change_through_the_tag_endpoints() {
    let (_sandbox, client) = common::start(5).await;
    let mut new = person(Some("tags@example.test"), None);
    new.tags = vec!["a".into(), "b".into()];
    let id = client.create_contact(&new).await.unwrap().value.id;
    let mut recorder = common::Recorder::new(&client);

    client.add_tags(&id, &["c".into()]).await.unwrap();
    let mut tags = client.get_contact(&id).await.unwrap().value.tags;
    tags.sort();
    assert_eq!(tags, vec!["a", "b", "c"]);

    let left = client.remove_tags(&id, &["a".into()]).await.unwrap().value;
    assert_eq!(left.len(), 2);
    let sent = recorder.drain();
    assert!(
        sent.iter()
            .any(|e| e.method == "POST" && e.path().ends_with("/tags"))
    );
    let delete = sent.iter().find(|e| e.method == "DELETE").unwrap();
    assert_eq!(delete.request_body.as_deref(), Some(r#"{"tags":["a"]}"#));
    assert!(
        sent.iter().all(|e| e.method != "PUT"),
        "tags never ride on a PUT"
    );
}

#[tokio::test]
async fn c21_task_completion_and_edit_use_the_right_endpoints() {
    let (_sandbox, client) = common::start(5).await;
    let id = client
        .create_contact(&person(Some("c21@example.test"), None))
        .await
        .unwrap()
        .value
        .id;
    let due = ghl_console::ghl::models::parse_date("2026-12-24T09:00:00.500Z").unwrap();
    let task = NewTask {
        title: "Send quote".into(),
        due_date: ghl_console::ghl::models::format_due_date(due),
        ..NewTask::default()
    };
    let task = client.create_task(&id, &task).await.unwrap().value;
    let mut recorder = common::Recorder::new(&client);

    let done = client.complete_task(&id, &task.id, true).await.unwrap();
    assert!(done.value.completed);
    assert!(
        done.exchange
            .url
            .ends_with(&format!("/tasks/{}/completed", task.id))
    );
    assert_eq!(done.exchange.method, "PUT");

    let edit = TaskUpdate {
        title: Some("Send the quote".into()),
        due_date: Some("2026-12-27T15:30:00Z".into()),
        ..TaskUpdate::default()
    };
    let edited = client.update_task(&id, &task.id, &edit).await.unwrap();
    let body: Value =
        serde_json::from_str(edited.exchange.request_body.as_deref().unwrap()).unwrap();
    assert_eq!(
        body,
        json!({"title": "Send the quote", "dueDate": "2026-12-27T15:30:00Z"})
    );
    assert!(body.get("status").is_none());
    assert_eq!(recorder.drain().len(), 2);

    // A `status` field is what GHL refuses.
    let call = Call::new(Method::PUT, &["contacts", &id, "tasks", &task.id])
        .body(json!({"status": "completed"}));
    assert!(matches!(
        client.send::<Value>(call).await,
        Err(GhlError::Unprocessable { .. })
    ));
}

#[tokio::test]
async fn c32_c33_version_header() {
    let (sandbox, client) = common::start(5).await;
    let id = sandbox.contact_ids()[0].clone();
    let reply = client.get_contact(&id).await.unwrap();
    assert!(
        reply
            .exchange
            .request_headers
            .iter()
            .any(|(k, v)| k == "version" && v == "2021-07-28")
    );

    let url = format!("{}/contacts/{id}", sandbox.base_url());
    let get = |version: Option<&str>| {
        let mut req = raw_http().get(&url).bearer_auth(sandbox::DEMO_TOKEN);
        if let Some(v) = version {
            req = req.header("Version", v);
        }
        req.send()
    };
    assert_eq!(get(None).await.unwrap().status(), 400);
    assert_eq!(get(Some("1999-01-01")).await.unwrap().status(), 400);
    assert_eq!(get(Some("2021-07-28")).await.unwrap().status(), 200);
    assert_eq!(get(Some("2023-02-21")).await.unwrap().status(), 200);
}

#[tokio::test]
async fn c12_empty_search_is_not_absence() {
    let (sandbox, client) = common::start(5).await;
    let existing = client
        .create_contact(&person(None, Some("+15550001212")))
        .await
        .unwrap()
        .value;
    sandbox.set_faults(Faults {
        quirks: Quirks {
            search_misses_phone: true,
            ..Quirks::default()
        },
        ..Faults::default()
    });
    let mut recorder = common::Recorder::new(&client);
    let outcome = client
        .find_or_create_contact(&person(None, Some("+15550001212")))
        .await
        .unwrap();
    assert!(!outcome.value.new, "found, not created");
    assert_eq!(outcome.value.contact.id, existing.id);
    let sent = recorder.drain();
    assert!(
        sent.iter()
            .any(|e| e.path().starts_with("/contacts/search/duplicate"))
    );
    assert!(
        sent.iter()
            .all(|e| !(e.method == "POST" && e.path() == "/contacts/")),
        "no create"
    );
    assert_eq!(sandbox.contact_ids().len(), 6);

    // A contact that truly does not exist is created, once.
    let fresh = client
        .find_or_create_contact(&person(Some("new@example.test"), None))
        .await
        .unwrap();
    assert!(fresh.value.new);
    assert_eq!(sandbox.find_by_email("new@example.test").len(), 1);
}

#[tokio::test]
async fn c22_custom_fields_are_written_typed_and_unknown_ones_do_not_block() {
    use ghl_console::ghl::models::CustomFieldInput;
    use ghl_console::sandbox::{CUSTOM_FIELDS, CustomFieldKind};

    let (sandbox, client) = common::start(5).await;
    let id = sandbox.contact_ids()[0].clone();
    let field = |kind| {
        CUSTOM_FIELDS
            .iter()
            .find(|f| f.kind == kind)
            .unwrap()
            .id
            .to_string()
    };
    let (number, list) = (field(CustomFieldKind::Number), field(CustomFieldKind::List));
    let update = ContactUpdate {
        custom_fields: vec![
            CustomFieldInput {
                id: Some(number.clone()),
                key: None,
                field_value: json!(1250.5),
            },
            CustomFieldInput {
                id: Some(list.clone()),
                key: None,
                field_value: json!(["golf", "tea"]),
            },
            CustomFieldInput {
                id: Some("cFnoSuchField0000009".into()),
                key: None,
                field_value: json!("x"),
            },
        ],
        ..ContactUpdate::default()
    };
    let reply = client.update_contact(&id, &update).await.unwrap();
    let sent: Value =
        serde_json::from_str(reply.exchange.request_body.as_deref().unwrap()).unwrap();
    assert_eq!(
        sent["customFields"][0],
        json!({"id": number, "field_value": 1250.5})
    );
    assert_eq!(
        sent["customFields"][1]["field_value"],
        json!(["golf", "tea"])
    );
    assert!(
        reply.value.not_applied.is_empty(),
        "{:?}",
        reply.value.not_applied
    );

    let read = client.get_contact(&id).await.unwrap().value;
    let value = |fid: &str| {
        read.custom_fields
            .iter()
            .find(|f| f.id == fid)
            .map(|f| f.value.clone())
    };
    assert_eq!(value(&number), Some(json!(1250.5)));
    assert_eq!(value(&list), Some(json!(["golf", "tea"])));
    assert!(
        value("cFnoSuchField0000009").is_some(),
        "an unknown field is kept, not dropped"
    );

    // A contact carrying an unknown field still takes ordinary edits.
    let edit = ContactUpdate {
        city: Some("Leeds".into()),
        ..ContactUpdate::default()
    };
    assert!(
        client
            .update_contact(&id, &edit)
            .await
            .unwrap()
            .value
            .not_applied
            .is_empty()
    );
}
